/**
 * The weekly coach digest: per athlete of the roster, the week's load
 * against the plan, its ramp warnings, the onset and pelvic-drop trends,
 * the sessions that raised alerts, and a traffic light that sums it up.
 */
import type { AlertRecord } from '@gaitwatch/storage';
import type { LoadReport, WeekReport } from './load-report.ts';
import type { RampWarning } from './ramp.ts';
import type { TrendReport } from './trends.ts';

export type Light = 'green' | 'amber' | 'red';

export interface DigestSession {
  readonly sessionId: string;
  readonly startUs: number;
  /** Raised alerts of the session, by type. */
  readonly alerts: Record<string, number>;
}

export interface AthleteDigest {
  readonly athleteId: string;
  readonly displayName?: string;
  readonly light: Light;
  /** Why the light has its colour, in words, most serious first (empty for green). */
  readonly reasons: string[];
  /** The digest's week, or null when the athlete had no report (no sessions at all). */
  readonly week: WeekReport | null;
  readonly metric: LoadReport['metric'];
  readonly warnings: RampWarning[];
  readonly onset: { readonly left: string; readonly right: string; readonly direction: { readonly left: string; readonly right: string } };
  readonly pelvicDrop: { readonly left: string; readonly right: string; readonly direction: { readonly left: string; readonly right: string } };
  /** Sessions of the week with at least one raised alert. */
  readonly sessionsWithAlerts: DigestSession[];
}

/**
 * The traffic light: red for a load increase past the limit (week over week
 * or ACWR above the band) or a trend going the wrong way (onset earlier,
 * pelvic drop rising); amber for under-loading (ACWR below the band) or a
 * week off the plan by more than its tolerance; green otherwise.
 */
export function trafficLight(week: WeekReport | null, warnings: readonly RampWarning[], trends: TrendReport): { light: Light; reasons: string[] } {
  const red: string[] = [];
  const amber: string[] = [];
  for (const w of warnings) (w.severity === 'warning' ? red : amber).push(w.message);
  for (const side of ['left', 'right'] as const) {
    if (trends.onset[side].direction === 'earlier') red.push(`${side}: form breaks down earlier in the run`);
    if (trends.pelvicDrop[side].direction === 'rising') red.push(`${side}: peak pelvic drop rising`);
  }
  if (week?.planStatus === 'ahead') amber.push(`${week.week}: ahead of the return-to-run plan`);
  if (week?.planStatus === 'behind') amber.push(`${week.week}: behind the return-to-run plan`);
  return { light: red.length > 0 ? 'red' : amber.length > 0 ? 'amber' : 'green', reasons: [...red, ...amber] };
}

/**
 * One athlete's digest for `week` (an ISO week label of the load report).
 * The light weighs that week's warnings and the previous week's too (a jump
 * at the end of last week still matters on Monday).
 */
export function athleteDigest(athlete: { athleteId: string; displayName?: string }, load: LoadReport, trends: TrendReport, alerts: readonly AlertRecord[], week: string): AthleteDigest {
  const index = load.weeks.findIndex((w) => w.week === week);
  const report = index === -1 ? null : load.weeks[index]!;
  const considered = new Set([week, ...(index > 0 ? [load.weeks[index - 1]!.week] : [])]);
  const warnings = load.warnings.filter((w) => considered.has(w.week));
  const { light, reasons } = trafficLight(report, warnings, trends);
  const next = index === -1 ? null : (load.weeks[index + 1]?.startUs ?? Number.POSITIVE_INFINITY);
  const inWeek = report === null || next === null ? [] : load.sessions.filter((s) => s.startUs >= report.startUs && s.startUs < next);
  const sessionsWithAlerts = inWeek.flatMap((s): DigestSession[] => {
    const counts: Record<string, number> = {};
    for (const a of alerts) if (a.sessionId === s.sessionId && a.phase !== 'resolved') counts[a.type] = (counts[a.type] ?? 0) + 1;
    return Object.keys(counts).length === 0 ? [] : [{ sessionId: s.sessionId, startUs: s.startUs, alerts: counts }];
  });
  return {
    athleteId: athlete.athleteId,
    ...(athlete.displayName === undefined ? {} : { displayName: athlete.displayName }),
    light,
    reasons,
    week: report,
    metric: load.metric,
    warnings,
    onset: { left: trends.onset.left.explanation, right: trends.onset.right.explanation, direction: { left: trends.onset.left.direction, right: trends.onset.right.direction } },
    pelvicDrop: { left: trends.pelvicDrop.left.explanation, right: trends.pelvicDrop.right.explanation, direction: { left: trends.pelvicDrop.left.direction, right: trends.pelvicDrop.right.direction } },
    sessionsWithAlerts,
  };
}
