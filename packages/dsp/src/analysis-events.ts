import type { Alert, SensorId, Side, StrideMetrics } from '@gaitwatch/protocol/core';
import type { SummaryBaselines } from './form/form-monitor.ts';
import type { MountingEstimate } from './segments/segment-tracker.ts';

export type StrideEvent = { kind: 'stride' } & StrideMetrics;

/** The mounting estimate as the summary reports it (axisRatio null when not finite). */
export type SummaryMounting = Omit<MountingEstimate, 'axisRatio'> & { axisRatio: number | null };

export interface SummaryEvent {
  kind: 'summary';
  /** Alerts raised or resolved in the session. */
  alerts: number;
  strides: { left: number; right: number };
  cadenceSpmMedian: number | null;
  strideTimeSMedian: number | null;
  gctSMedian: number | null;
  /** Left minus right: contact time as % of the two sides' mean, pelvic drop and knee-collapse proxy in degrees (null when a side has none). */
  asymmetry: { gctPct: number | null; pelvicDropDeg: number | null; shankFrontalDeg: number | null };
  /** What the sensor set allows: `full` (pelvis + shanks), `shank-only`, `pelvis-only`. */
  mode: 'full' | 'shank-only' | 'pelvis-only' | 'none';
  /** pushRows/pushFrame/pushSample calls for a sensor id outside the contract (ignored). */
  unknownSensorPushes: number;
  /** When the shank clips were found on the other legs and swapped back, µs (null: they were not). */
  sidesSwappedFromUs: number | null;
  /**
   * Per sensor: input counts; `gaps` of which `bridgedGaps` were short enough
   * to bridge; `completenessPct`, samples received of those the rate predicts
   * between the first and the last; `anglesWithheldS`, data time whose angles
   * were withheld while the attitude settled (start without standing, after a long gap);
   * `mountingWaitS`, data time from the sensor's first movement until its
   * mounting yaw was judged from the motion, whose stances' angles say
   * `mounting_unknown` (the start of a session);
   * `flatSamples` dropped as flat-lined (the same six values over and over);
   * `clockOutliers` timestamps rejected, `clockJumps` new time bases taken (input/clock-guard.ts);
   * a shank calibrated from running (`calibration: 'fallback'`): `standingLaterUs`, when it was
   * later found standing still (its knee proxy is measured from there on, after its mounting is
   * judged again; before, `no_standing`), and `standsRejected`, still poses not taken for a stand.
   */
  sensors: Record<string, { samples: number; rateHz: number | null; duplicates: number; invalid: number; unusableTiming: number; gaps: number; bridgedGaps: number; flatSamples: number; clockOutliers: number; clockJumps: number; gapS: number; completenessPct: number | null; anglesWithheldS: number | null; mountingWaitS: number | null; calibration: string | null; quietS: number | null; mounting: SummaryMounting | null; standingLaterUs?: number; standsRejected?: number }>;
  /** The fresh-legs baselines the form-breakdown detection holds each stance against, per gait (form/form-monitor.ts). */
  baselines: SummaryBaselines;
  /** Lines of the recording that could not be parsed (analyze only). */
  parseErrors?: number;
  /**
   * Sensors that sent data although the session's declared sensors (the
   * status `start`) left them out, in SENSOR_IDS order: analysed as if
   * declared (a phone's incomplete `start` must not cost the runner a
   * shank's knee proxy and contact times). Present only when there are some.
   */
  unannouncedSensors?: SensorId[];
  /**
   * Stances not emitted because their stride time or cadence would not have
   * been a positive finite number (the protocol's StrideMetrics require
   * positive): a contact not after its leg's previous one, or a corrupt
   * checkpoint. Never expected; present only when some were dropped.
   */
  invalidStrides?: number;
}

/** An alert of DESIGN.md's contract, as `analyze` prints it. */
export type AlertEvent = { kind: 'alert' } & Alert;

export type AnalysisEvent = StrideEvent | AlertEvent | SummaryEvent;
export type TimedEvent = StrideEvent | AlertEvent;
/**
 * A contact the sacral sensor found while shanks are worn: kept in the queue
 * and decided on at release, when every sensor's data around it is in — it
 * becomes a stance only for a leg whose shank had no data then.
 */
export interface Candidate {
  readonly kind: 'candidate';
  readonly icUs: number;
  readonly side: Side;
}
export type QueuedEvent = TimedEvent | Candidate;
export const timeOf = (e: QueuedEvent): number => (e.kind === 'alert' ? e.tUs : e.icUs);
const tieKey = (e: QueuedEvent): string => (e.kind === 'stride' ? `0${e.side}` : e.kind === 'candidate' ? `2${e.side}` : `1${e.sensor ?? ''}${e.metric}${e.phase}`);
/** Time order; equal times by a fixed key so that the output never depends on arrival order. */
export function compareEvents(a: QueuedEvent, b: QueuedEvent): number {
  const dt = timeOf(a) - timeOf(b);
  if (dt !== 0) return dt;
  const ka = tieKey(a);
  const kb = tieKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}


/**
 * Events waiting for release, kept sorted by time at insertion (events are
 * rare, a few per second), so the check per sample is one comparison.
 */
export class ReleaseQueue {
  private readonly events: QueuedEvent[] = [];

  get length(): number {
    return this.events.length;
  }

  /** Time of the earliest waiting event (µs), +∞ when none. */
  firstUs(): number {
    return this.events.length === 0 ? Number.POSITIVE_INFINITY : timeOf(this.events[0]!);
  }

  add(event: QueuedEvent): void {
    let i = this.events.length;
    while (i > 0 && compareEvents(this.events[i - 1]!, event) > 0) i--;
    this.events.splice(i, 0, event);
  }

  /** Removes and returns, in order, every event at or before `watermarkUs`. */
  takeUpTo(watermarkUs: number): QueuedEvent[] {
    let n = 0;
    while (n < this.events.length && timeOf(this.events[n]!) <= watermarkUs) n++;
    return this.events.splice(0, n);
  }

  /** The `index`-th waiting event in time order (0: the earliest; must be < length). */
  at(index: number): QueuedEvent {
    return this.events[index]!;
  }

  /** The first waiting event that satisfies `test`, in time order. */
  find(test: (event: QueuedEvent) => boolean): QueuedEvent | undefined {
    return this.events.find(test);
  }
}
