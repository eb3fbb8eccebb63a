/**
 * The `load_ramp` alert at session close: when the session just ended
 * pushes its week past the athlete's ramp limit (or the ACWR out of its
 * band), one alert in DESIGN.md's alert shape, for ingest to store and
 * publish like any other. One episode, one alert: a week that was already
 * over the limit before this session raises nothing again.
 */
import type { AlertRecord, SessionRecord } from '@gaitwatch/storage';
import { loadReport } from './load-report.ts';
import type { RampWarning } from './ramp.ts';
import type { CoachingSettings } from './settings.ts';

const METRIC: Record<RampWarning['kind'], (w: RampWarning) => string> = {
  week_over_week: (w) => (w.metric === 'distance' ? 'weeklyDistanceM' : 'weeklyDurationS'),
  acwr_high: () => 'acwr',
  acwr_low: () => 'acwr',
};

/**
 * @param closed the session that just ended (its `endUs` set)
 * @param history the athlete's sessions from at least five weeks before it (loadWindowStartUs of its week), it included or not
 */
export function loadRampAlertsAtClose(closed: SessionRecord, history: readonly SessionRecord[], settings: CoachingSettings): AlertRecord[] {
  if (closed.endUs === null) throw new RangeError(`session ${closed.sessionId} has not ended: a load_ramp check runs at close`);
  const others = history.filter((s) => !(s.sessionId === closed.sessionId && s.athleteId === closed.athleteId));
  const key = (w: RampWarning): string => `${w.week} ${w.kind}`;
  // A report of the session's own week only (with its four weeks of history): its warnings are that week's.
  const week = (sessions: readonly SessionRecord[]): RampWarning[] => loadReport(sessions, settings, closed.startUs, closed.startUs).warnings;
  const before = new Set(week(others).map(key));
  return week([...others, closed])
    .filter((w) => !before.has(key(w)))
    .map(
      (w): AlertRecord => ({
        type: 'load_ramp',
        severity: w.severity,
        athleteId: closed.athleteId,
        sessionId: closed.sessionId,
        tUs: closed.endUs!,
        metric: METRIC[w.kind](w),
        value: w.ratio ?? w.value,
        baseline: w.kind === 'week_over_week' ? w.reference : w.limit,
        message: w.message,
        phase: 'raised',
        episodeId: `load_ramp:${w.week}:${w.kind}`,
      }),
    );
}
