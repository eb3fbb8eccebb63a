/**
 * The training load of one session, from its stored summary: how long, how
 * many stances, how far. Distance is the phone's GPS distance when its
 * `stop` carried one (ingest keeps it as `summary.gpsDistanceM`); otherwise
 * it is estimated from the stances counted and the athlete's stride-length
 * calibration (one stride = two stances), and flagged `estimated`.
 */
import type { JsonObject, JsonValue, SessionRecord } from '@gaitwatch/storage';

export interface SessionLoad {
  readonly sessionId: string;
  readonly startUs: number;
  readonly endUs: number;
  readonly durationS: number;
  /** Stances of both legs the analysis found (summary.strides.left + right). */
  readonly stances: number;
  /** Metres; null when there is neither a GPS distance nor a stride-length calibration. */
  readonly distanceM: number | null;
  /** True when distanceM is stances × stride length / 2, not the phone's GPS. */
  readonly distanceEstimated: boolean;
  /** Median cadence of the session, steps per minute (null: none measured). */
  readonly cadenceSpm: number | null;
}

const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: JsonValue | undefined): JsonObject | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null);

/**
 * The load of an ended run, or null for one still running (no `endUs`), one
 * that ended before it began (a clock fault: no load is better than a
 * negative one), or a movement screen (`summary.activity: "screen"`: a
 * single-leg squat set is rehab, not running volume, and has no onset).
 */
export function sessionLoad(session: SessionRecord, strideLengthM: number | null): SessionLoad | null {
  if (session.endUs === null || session.endUs <= session.startUs) return null;
  const summary = session.summary;
  if (summary['activity'] === 'screen') return null;
  const strides = obj(summary['strides']);
  const stances = Math.max(0, (num(strides?.['left']) ?? 0) + (num(strides?.['right']) ?? 0));
  const gps = num(summary['gpsDistanceM']);
  // A GPS distance of 0 from a treadmill run says nothing about the distance run: estimate instead.
  const useGps = gps !== null && gps > 0;
  const estimated = !useGps && strideLengthM !== null && stances > 0 ? (stances / 2) * strideLengthM : null;
  return {
    sessionId: session.sessionId,
    startUs: session.startUs,
    endUs: session.endUs,
    durationS: (session.endUs - session.startUs) / 1e6,
    stances,
    distanceM: useGps ? gps : estimated,
    distanceEstimated: !useGps && estimated !== null,
    cadenceSpm: num(summary['cadenceSpmMedian']),
  };
}
