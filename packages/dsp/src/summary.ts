import { SENSOR_IDS, type SensorId } from '@gaitwatch/protocol/core';
import type { SummaryEvent, SummaryMounting } from './analysis-events.ts';
import type { SummaryBaselines } from './form/form-monitor.ts';
import type { MountingEstimate } from './segments/segment-tracker.ts';
import type { SensorTrack } from './sensor-track.ts';
import type { Histogram } from './signal/histogram.ts';
import { roundTo } from './rounding.ts';

function roundMounting(m: MountingEstimate | undefined): SummaryMounting | null {
  if (m === undefined) return null;
  // A ratio can be infinite (a perfectly straight line) or NaN (no motion): JSON has neither, so null.
  return { yawDeg: roundTo(m.yawDeg, 10), axisRatio: Number.isFinite(m.axisRatio) ? Math.round(m.axisRatio * 10) / 10 : null, status: m.status };
}

const roundOrNull = (x: number | undefined, per: number): number | null => (x === undefined ? null : roundTo(x, per));

/** The session's closing summary: counts, medians, and per sensor its input statistics, calibration and mounting. */
export function buildSummary(input: {
  tracks: ReadonlyMap<SensorId, SensorTrack>;
  mountingOf: (sensor: SensorId) => MountingEstimate | undefined;
  /** Seconds of the sensor's data whose angles were withheld while its attitude settled (undefined: no segment). */
  anglesWithheldSOf: (sensor: SensorId) => number | undefined;
  mountingWaitSOf: (sensor: SensorId) => number | undefined;
  strideTimes: Histogram;
  contactTimes: Histogram;
  strideCounts: { left: number; right: number };
  perSide: Record<'left' | 'right', { gctS: Histogram; pelvicDropDeg: Histogram; shankFrontalDeg: Histogram }>;
  alertCount: number;
  unknownSensorPushes: number;
  /** The sensors the `start` declared (undefined: none declared; then no sensor is unannounced). */
  declaredSensors: readonly SensorId[] | undefined;
  /** Stances not emitted because their stride time or cadence would not have been a positive finite number. */
  invalidStrides: number;
  sidesSwappedFromUs: number;
  baselines: SummaryBaselines;
}): SummaryEvent {
  const { left, right } = input.perSide;
  const diff = (a: number | null, b: number | null, per: number): number | null => (a === null || b === null ? null : roundTo(a - b, per));
  const gctL = left.gctS.median();
  const gctR = right.gctS.median();
  const has = (s: SensorId): boolean => input.tracks.has(s);
  const shanks = has('shank_left') || has('shank_right');
  const mode = shanks ? (has('pelvis') ? 'full' : 'shank-only') : has('pelvis') ? 'pelvis-only' : 'none';
  const strideTimeSMedian = input.strideTimes.median();
  const declared = input.declaredSensors;
  const unannounced = declared === undefined ? [] : SENSOR_IDS.filter((id) => input.tracks.has(id) && !declared.includes(id));
  const summary: SummaryEvent = {
    kind: 'summary',
    alerts: input.alertCount,
    strides: { ...input.strideCounts },
    // The median commutes with 120/x, so the cadence median needs no histogram of its own.
    cadenceSpmMedian: strideTimeSMedian === null ? null : 120 / strideTimeSMedian,
    strideTimeSMedian,
    gctSMedian: input.contactTimes.median(),
    // Left minus right of the per-side medians; contact time as a percentage of their mean.
    asymmetry: {
      gctPct: gctL === null || gctR === null ? null : Math.round((2000 * (gctL - gctR)) / (gctL + gctR)) / 10 + 0,
      pelvicDropDeg: diff(left.pelvicDropDeg.median(), right.pelvicDropDeg.median(), 100),
      shankFrontalDeg: diff(left.shankFrontalDeg.median(), right.shankFrontalDeg.median(), 100),
    },
    mode,
    unknownSensorPushes: input.unknownSensorPushes,
    sidesSwappedFromUs: Number.isNaN(input.sidesSwappedFromUs) ? null : input.sidesSwappedFromUs,
    baselines: input.baselines,
    // In SENSOR_IDS order, not arrival order: the output must not depend on which sensor spoke first.
    sensors: Object.fromEntries(
      [...input.tracks].sort(([a], [b]) => SENSOR_IDS.indexOf(a) - SENSOR_IDS.indexOf(b)).map(([id, t]) => [
        id,
        {
          samples: t.samples,
          rateHz: Number.isNaN(t.rateHz) ? null : Math.round(t.rateHz * 100) / 100,
          duplicates: t.duplicates,
          invalid: t.invalid,
          unusableTiming: t.unusableTiming,
          gaps: t.gaps,
          bridgedGaps: t.bridged,
          flatSamples: t.flat,
          clockOutliers: t.clock.outliers,
          clockJumps: t.clock.rebases,
          gapS: Math.round(t.gapSeconds * 1000) / 1000,
          completenessPct: Number.isNaN(t.completeness) ? null : Math.round(t.completeness * 10000) / 100,
          anglesWithheldS: roundOrNull(input.anglesWithheldSOf(id), 10),
          mountingWaitS: roundOrNull(input.mountingWaitSOf(id), 10),
          calibration: t.calibration?.quality ?? null,
          quietS: t.calibration?.quietS ?? null,
          mounting: roundMounting(input.mountingOf(id)),
          // Only when there is something to say (a shank that calibrated from running): the shape stays otherwise.
          ...(Number.isNaN(t.standingLaterUs) ? {} : { standingLaterUs: t.standingLaterUs }),
          ...(t.standsRejected > 0 ? { standsRejected: t.standsRejected } : {}),
        },
      ]),
    ),
  };
  // Only when there is something to say: a normal session's summary keeps its exact shape (golden outputs).
  if (unannounced.length > 0) summary.unannouncedSensors = unannounced;
  if (input.invalidStrides > 0) summary.invalidStrides = input.invalidStrides;
  return summary;
}
