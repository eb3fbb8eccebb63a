/**
 * Form-breakdown onset per session and side: how far into the run sustained
 * breakdown began — the first `form_breakdown` alert the analysis raised
 * (it raises only after a sustained rise over the runner's fresh-legs
 * baseline, with hysteresis: DESIGN.md "Alerts") — or "held all run".
 */
import type { AlertRecord } from '@gaitwatch/storage';
import type { SessionLoad } from './session-load.ts';

export type OnsetSide = 'left' | 'right';

export interface SideOnset {
  /** True when no form_breakdown alert named this side (or none without a side) in the session. */
  readonly heldAllRun: boolean;
  /** Seconds from the session's start to the first alert; null when held. */
  readonly onsetS: number | null;
  /**
   * Metres into the run at onset: the session's distance × onsetS / durationS
   * (an even pace is assumed: the summary has no distance over time).
   * Null when held or when the session has no distance.
   */
  readonly onsetDistanceM: number | null;
  /** The metric whose rise raised it (`pelvicDropDeg`, `shankFrontalDeg`, `cadenceSpm` …). */
  readonly metric: string | null;
  /** 95th percentile of the session's pelvic drop on this side's stances, degrees (null: none measured or not asked for). */
  readonly pelvicDropP95Deg: number | null;
}

export interface SessionOnset {
  readonly sessionId: string;
  readonly startUs: number;
  readonly durationS: number;
  readonly distanceM: number | null;
  readonly distanceEstimated: boolean;
  readonly left: SideOnset;
  readonly right: SideOnset;
}

/**
 * The onset of each side. An alert names the side whose series rose first;
 * one without a side (cadence, both legs) counts for both. `alerts` may hold
 * other sessions' and types' alerts: only this session's raised
 * form_breakdown alerts are used.
 */
export function sessionOnset(load: SessionLoad, alerts: readonly AlertRecord[], pelvicDropP95Deg: Partial<Record<OnsetSide, number | null>> = {}): SessionOnset {
  const mine = alerts
    .filter((a) => a.sessionId === load.sessionId && a.type === 'form_breakdown' && a.phase !== 'resolved' && a.tUs >= load.startUs && a.tUs <= load.endUs)
    .sort((a, b) => a.tUs - b.tUs);
  const side = (s: OnsetSide): SideOnset => {
    const first = mine.find((a) => a.side === s || a.side === undefined);
    const p95 = pelvicDropP95Deg[s] ?? null;
    if (first === undefined) return { heldAllRun: true, onsetS: null, onsetDistanceM: null, metric: null, pelvicDropP95Deg: p95 };
    const onsetS = (first.tUs - load.startUs) / 1e6;
    return { heldAllRun: false, onsetS, onsetDistanceM: load.distanceM === null ? null : (load.distanceM * onsetS) / load.durationS, metric: first.metric, pelvicDropP95Deg: p95 };
  };
  return { sessionId: load.sessionId, startUs: load.startUs, durationS: load.durationS, distanceM: load.distanceM, distanceEstimated: load.distanceEstimated, left: side('left'), right: side('right') };
}

/** 95th percentile (linear interpolation) of the finite values, or null for none. */
export function percentile95(values: Iterable<number | null>): number | null {
  const v: number[] = [];
  for (const x of values) if (x !== null && Number.isFinite(x)) v.push(x);
  if (v.length === 0) return null;
  v.sort((a, b) => a - b);
  const pos = 0.95 * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(v.length - 1, lo + 1);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}
