/**
 * Across sessions: is the onset of form breakdown moving later, and is the
 * peak pelvic drop falling? Each with a Theil–Sen slope (how much per week)
 * and a Mann–Kendall test (is the direction more than chance), and a
 * sentence a coach can read.
 */
import type { AlertRecord, SessionRecord } from '@gaitwatch/storage';
import { sessionOnset, type OnsetSide, type SessionOnset } from './onset.ts';
import { sessionLoad, type SessionLoad } from './session-load.ts';
import { trendStatistic, type TrendStatistic } from './trend-stats.ts';

/** A direction counts when the Mann–Kendall test gives p below this (two-sided). */
export const TREND_P_VALUE = 0.05;
/** Fewer sessions than this give no verdict: four points cannot reach p < 0.05 even when strictly ordered. */
export const MIN_TREND_SESSIONS = 5;

const US_PER_WEEK = 7 * 86_400e6;

export type OnsetDirection = 'later' | 'earlier' | 'no_clear_trend' | 'held_all_run' | 'too_few_sessions';
export type DropDirection = 'falling' | 'rising' | 'no_clear_trend' | 'too_few_sessions';

export interface OnsetTrend extends TrendStatistic {
  /** What the onset is measured in: metres into the run when every session has a distance, else seconds. */
  readonly unit: 'm' | 's';
  /** Theil–Sen slope per week of calendar time (metres or seconds a week); null with fewer than 2 sessions. */
  readonly slopePerWeek: number | null;
  readonly direction: OnsetDirection;
  /** Sessions that held all run (counted as holding at least their whole length). */
  readonly heldSessions: number;
  readonly explanation: string;
}

export interface DropTrend extends TrendStatistic {
  /** Degrees per week (Theil–Sen), null with fewer than 2 sessions. */
  readonly slopePerWeek: number | null;
  readonly direction: DropDirection;
  readonly explanation: string;
}

export interface TrendReport {
  readonly sessions: SessionOnset[];
  readonly onset: Record<OnsetSide, OnsetTrend>;
  readonly pelvicDrop: Record<OnsetSide, DropTrend>;
}

/** A p-value as people read it: three decimals, or "< 0.001". */
const fmtP = (p: number): string => (p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`);

const fmtOnset = (v: number, unit: 'm' | 's'): string => (unit === 'm' ? `${(v / 1609.344).toFixed(2)} mi (${(v / 1000).toFixed(1)} km)` : `${(v / 60).toFixed(1)} min`);

export function onsetTrend(sessions: readonly SessionOnset[], side: OnsetSide): OnsetTrend {
  const unit: 'm' | 's' = sessions.length > 0 && sessions.every((s) => s.distanceM !== null) ? 'm' : 's';
  // A session that held all run is right-censored: the onset is at least its whole length. Counting it at that
  // length understates the improvement (never overstates it), and keeps the test simple and distribution free.
  const points = sessions.map((s) => {
    const o = s[side];
    const whole = unit === 'm' ? s.distanceM! : s.durationS;
    const at = unit === 'm' ? o.onsetDistanceM : o.onsetS;
    return { x: s.startUs / US_PER_WEEK, y: o.heldAllRun || at === null ? whole : at };
  });
  const stat = trendStatistic(points);
  const held = sessions.filter((s) => s[side].heldAllRun).length;
  const slopePerWeek = stat.slope;
  let direction: OnsetDirection;
  if (sessions.length > 0 && held === sessions.length) direction = 'held_all_run';
  else if (sessions.length < MIN_TREND_SESSIONS || stat.pValue === null) direction = 'too_few_sessions';
  else if (stat.pValue < TREND_P_VALUE && stat.kendallS > 0) direction = 'later';
  else if (stat.pValue < TREND_P_VALUE && stat.kendallS < 0) direction = 'earlier';
  else direction = 'no_clear_trend';
  const pairs = (stat.n * (stat.n - 1)) / 2;
  const concordant = Math.round((pairs + stat.kendallS) / 2);
  const sideWord = `${side} side`;
  let explanation: string;
  switch (direction) {
    case 'held_all_run':
      explanation = `Form held all run on the ${sideWord} in all ${sessions.length} session${sessions.length === 1 ? '' : 's'}.`;
      break;
    case 'too_few_sessions':
      explanation = `${sessions.length} session${sessions.length === 1 ? '' : 's'}: at least ${MIN_TREND_SESSIONS} are needed before a trend can be told from chance.`;
      break;
    default: {
      const moved = slopePerWeek === null ? '' : ` The typical change is ${slopePerWeek >= 0 ? '+' : '−'}${fmtOnset(Math.abs(slopePerWeek), unit)} a week (Theil–Sen: the median of the changes between every pair of sessions, so one odd run cannot tilt it).`;
      const verdict =
        direction === 'later'
          ? 'Form is holding longer: the breakdown point is moving later in the run.'
          : direction === 'earlier'
            ? 'Form is breaking down sooner: the breakdown point is moving earlier in the run.'
            : 'No clear direction yet: the sessions go both ways.';
      explanation = `${verdict}${moved} In ${concordant} of ${pairs} pairs of sessions the later one held longer (Mann–Kendall p ${fmtP(stat.pValue!)}; below ${TREND_P_VALUE} is unlikely to be chance). ${held} of ${sessions.length} sessions held all run and count as holding at least their whole length.`;
    }
  }
  return { ...stat, unit, slopePerWeek, direction, heldSessions: held, explanation };
}

export function pelvicDropTrend(sessions: readonly SessionOnset[], side: OnsetSide): DropTrend {
  const points = sessions.flatMap((s) => (s[side].pelvicDropP95Deg === null ? [] : [{ x: s.startUs / US_PER_WEEK, y: s[side].pelvicDropP95Deg! }]));
  const stat = trendStatistic(points);
  let direction: DropDirection;
  if (points.length < MIN_TREND_SESSIONS || stat.pValue === null) direction = 'too_few_sessions';
  else if (stat.pValue < TREND_P_VALUE && stat.kendallS < 0) direction = 'falling';
  else if (stat.pValue < TREND_P_VALUE && stat.kendallS > 0) direction = 'rising';
  else direction = 'no_clear_trend';
  const slope = stat.slope === null ? '' : ` Typical change ${stat.slope >= 0 ? '+' : '−'}${Math.abs(stat.slope).toFixed(2)}° a week (Theil–Sen).`;
  const explanation =
    direction === 'too_few_sessions'
      ? `${points.length} session${points.length === 1 ? '' : 's'} with pelvic drop on the ${side} side: at least ${MIN_TREND_SESSIONS} are needed.`
      : `${direction === 'falling' ? 'Peak pelvic drop is falling: the hip is held better.' : direction === 'rising' ? 'Peak pelvic drop is rising: the hip drops more.' : 'Peak pelvic drop shows no clear direction.'}${slope} Mann–Kendall p ${fmtP(stat.pValue!)} over ${points.length} sessions (the peak is each session's 95th percentile, so one odd stance cannot set it).`;
  return { ...stat, slopePerWeek: stat.slope, direction, explanation };
}

/**
 * The trend report of an athlete's ended sessions. `alerts`: their raised
 * form_breakdown alerts (others are ignored); `pelvicDropP95Deg`: per
 * session id, the 95th percentile of each side's pelvic drop, when known.
 */
export function trendReport(
  sessions: readonly SessionRecord[],
  alerts: readonly AlertRecord[],
  strideLengthM: number | null,
  pelvicDropP95Deg: ReadonlyMap<string, Partial<Record<OnsetSide, number | null>>> = new Map(),
): TrendReport {
  const loads = sessions.map((s) => sessionLoad(s, strideLengthM)).filter((l): l is SessionLoad => l !== null).sort((a, b) => a.startUs - b.startUs);
  const onsets = loads.map((l) => sessionOnset(l, alerts, pelvicDropP95Deg.get(l.sessionId)));
  return {
    sessions: onsets,
    onset: { left: onsetTrend(onsets, 'left'), right: onsetTrend(onsets, 'right') },
    pelvicDrop: { left: pelvicDropTrend(onsets, 'left'), right: pelvicDropTrend(onsets, 'right') },
  };
}
