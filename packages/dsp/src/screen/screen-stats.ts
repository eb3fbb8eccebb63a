import type { SensorId, Side } from '@gaitwatch/protocol/core';
import type { SensorTrack } from '../sensor-track.ts';
import type { RepEvent, ScreenSensorSummary, ScreenSideSummary, ScreenSummaryEvent, SpreadStat } from './screen-events.ts';
import { roundTo } from '../rounding.ts';

const METRICS = ['pelvicDropDeg', 'shankFrontalDeg', 'depthDeg'] as const;
type Metric = (typeof METRICS)[number];
/** Reps kept per side for the summary's medians: a screen is tens of reps; past this the summary uses the first ones. */
const MAX_REPS = 256;

/** Quantile q of the sorted values (linear interpolation between order statistics). */
function quantile(sorted: Float32Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const round2 = (x: number): number => roundTo(x, 100);

/** The per-side values of the released reps, for the summary's medians and spreads (bounded: MAX_REPS per side). */
export class ScreenStats {
  private readonly values: Record<Side, Record<Metric, Float32Array>>;
  private readonly counts: Record<Side, Record<Metric, number>>;
  private readonly reps = { left: 0, right: 0 };
  private readonly dropping = { left: 0, right: 0 };

  constructor() {
    const make = <T>(f: () => T): Record<Metric, T> => ({ pelvicDropDeg: f(), shankFrontalDeg: f(), depthDeg: f() });
    this.values = { left: make(() => new Float32Array(MAX_REPS)), right: make(() => new Float32Array(MAX_REPS)) };
    this.counts = { left: make(() => 0), right: make(() => 0) };
  }

  add(rep: RepEvent): void {
    this.reps[rep.side]++;
    if (rep.pelvicDropVerdict === 'dropping') this.dropping[rep.side]++;
    for (const m of METRICS) {
      const v = rep[m];
      const n = this.counts[rep.side][m];
      if (v === null || n >= MAX_REPS) continue;
      this.values[rep.side][m][n] = v;
      this.counts[rep.side][m] = n + 1;
    }
  }

  private stat(side: Side, m: Metric): SpreadStat {
    const n = this.counts[side][m];
    if (n === 0) return { median: null, iqr: null, n: 0 };
    const sorted = this.values[side][m].slice(0, n).sort();
    return { median: round2(quantile(sorted, 0.5)), iqr: round2(quantile(sorted, 0.75) - quantile(sorted, 0.25)), n };
  }

  private side(side: Side): ScreenSideSummary {
    return { pelvicDropDeg: this.stat(side, 'pelvicDropDeg'), shankFrontalDeg: this.stat(side, 'shankFrontalDeg'), depthDeg: this.stat(side, 'depthDeg') };
  }

  summary(input: { sets: number; levelMaxDeg: number; unknownSensorPushes: number; sensors: Record<string, ScreenSensorSummary> }): ScreenSummaryEvent {
    const left = this.side('left');
    const right = this.side('right');
    const diff = (m: Metric): number | null => {
      const a = left[m].median;
      const b = right[m].median;
      return a === null || b === null ? null : round2(a - b);
    };
    return {
      kind: 'summary',
      activity: 'screen',
      reps: { ...this.reps },
      sets: input.sets,
      dropping: { ...this.dropping },
      pelvicDropLevelMaxDeg: input.levelMaxDeg,
      left,
      right,
      leftMinusRight: { pelvicDropDeg: diff('pelvicDropDeg'), shankFrontalDeg: diff('shankFrontalDeg'), depthDeg: diff('depthDeg') },
      strides: { left: 0, right: 0 },
      unknownSensorPushes: input.unknownSensorPushes,
      sensors: input.sensors,
    };
  }

  toJSON(): { reps: Record<Side, number>; dropping: Record<Side, number>; values: Record<Side, Record<Metric, number[]>> } {
    const values = (side: Side): Record<Metric, number[]> => ({
      pelvicDropDeg: [...this.values[side].pelvicDropDeg.subarray(0, this.counts[side].pelvicDropDeg)],
      shankFrontalDeg: [...this.values[side].shankFrontalDeg.subarray(0, this.counts[side].shankFrontalDeg)],
      depthDeg: [...this.values[side].depthDeg.subarray(0, this.counts[side].depthDeg)],
    });
    return { reps: { ...this.reps }, dropping: { ...this.dropping }, values: { left: values('left'), right: values('right') } };
  }

  load(saved: ReturnType<ScreenStats['toJSON']>): void {
    Object.assign(this.reps, saved.reps);
    Object.assign(this.dropping, saved.dropping);
    for (const side of ['left', 'right'] as const) {
      for (const m of METRICS) {
        const v = saved.values[side][m].slice(0, MAX_REPS);
        this.values[side][m].set(v);
        this.counts[side][m] = v.length;
      }
    }
  }
}

const round = roundTo;

/** The summary's per-sensor section: input counts, calibration, and the mounting yaw found from the motion (null: the clip's own axes). In SENSOR order, not arrival order. */
export function sensorSummaries(tracks: ReadonlyMap<SensorId, SensorTrack>, yawOf: (sensor: SensorId) => number | undefined): Record<string, ScreenSensorSummary> {
  const sensors: Record<string, ScreenSensorSummary> = {};
  for (const id of ['pelvis', 'shank_left', 'shank_right'] as const) {
    const t = tracks.get(id);
    if (t === undefined) continue;
    const yaw = yawOf(id);
    sensors[id] = {
      samples: t.samples,
      rateHz: Number.isNaN(t.rateHz) ? null : round(t.rateHz, 100),
      duplicates: t.duplicates,
      invalid: t.invalid,
      unusableTiming: t.unusableTiming,
      gaps: t.gaps,
      bridgedGaps: t.bridged,
      flatSamples: t.flat,
      gapS: round(t.gapSeconds, 1000),
      completenessPct: Number.isNaN(t.completeness) ? null : round(t.completeness * 100, 100),
      calibration: t.calibration?.quality ?? null,
      quietS: t.calibration?.quietS ?? null,
      mountingYawDeg: yaw === undefined || Number.isNaN(yaw) ? null : round(yaw, 10),
    };
  }
  return sensors;
}
