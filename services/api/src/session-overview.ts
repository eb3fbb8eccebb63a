import type { AlertRecord, JsonObject, JsonValue, SessionRecord } from '@gaitwatch/storage';

/**
 * The facts a coach or researcher reads first about a session, lifted out of
 * the summary ingest stored and the session's alerts (issue 12's session
 * detail): how much data, how complete, how well calibrated, the runner's
 * fresh-legs baselines, and when (and how far in) form broke down.
 */
export interface SessionOverview {
  readonly strides: number | null;
  readonly durationS: number | null;
  /** Per sensor: samples received of those its rate predicts; `min` is the weakest sensor. */
  readonly completenessPct: { readonly min: number | null; readonly sensors: Record<string, number | null> };
  /** `standing`: every sensor found its quiet standing; `fallback`: one or more had to do without (less exact angles). */
  readonly calibration: { readonly quality: 'standing' | 'fallback' | 'unknown'; readonly sensors: Record<string, string | null> };
  readonly baselines: JsonValue | null;
  /**
   * The first sustained form breakdown (the first raised `form_breakdown`
   * alert): its time, seconds and distance into the run, metric and side.
   * `distanceM` is prorated from the phone's GPS distance of the session
   * (`distanceEstimated: true`); null without one. `null` overall: none
   * (`heldAllRun` says whether the session is over, so it held all run).
   */
  readonly formBreakdown: {
    readonly onsetUs: number;
    readonly onsetS: number;
    readonly metric: string;
    readonly side: string | null;
    readonly distanceM: number | null;
    readonly distanceEstimated: boolean;
  } | null;
  readonly heldAllRun: boolean;
  readonly gpsDistanceM: number | null;
}

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `firstFormBreakdown`: the session's first raised form_breakdown alert, if any. */
export function sessionOverview(session: SessionRecord, firstFormBreakdown: AlertRecord | undefined): SessionOverview {
  const summary = session.summary;
  const strides = isObject(summary['strides']) ? (num(summary['strides']['left']) ?? 0) + (num(summary['strides']['right']) ?? 0) : null;
  const durationS = session.endUs === null ? null : (session.endUs - session.startUs) / 1e6;
  const sensors = isObject(summary['sensors']) ? summary['sensors'] : {};
  const completeness: Record<string, number | null> = {};
  const calibration: Record<string, string | null> = {};
  for (const [sensor, stats] of Object.entries(sensors)) {
    if (!isObject(stats)) continue;
    completeness[sensor] = num(stats['completenessPct']);
    calibration[sensor] = typeof stats['calibration'] === 'string' ? stats['calibration'] : null;
  }
  const pcts = Object.values(completeness).filter((p): p is number => p !== null);
  const calibrations = Object.values(calibration);
  const quality = calibrations.length === 0 || calibrations.some((c) => c === null) ? 'unknown' : calibrations.every((c) => c === 'standing') ? 'standing' : 'fallback';
  const gpsDistanceM = num(summary['gpsDistanceM']);
  let formBreakdown: SessionOverview['formBreakdown'] = null;
  if (firstFormBreakdown !== undefined) {
    const onsetS = (firstFormBreakdown.tUs - session.startUs) / 1e6;
    const distanceM = gpsDistanceM !== null && durationS !== null && durationS > 0 ? Math.round((gpsDistanceM * onsetS) / durationS) : null;
    formBreakdown = { onsetUs: firstFormBreakdown.tUs, onsetS: Math.round(onsetS * 10) / 10, metric: firstFormBreakdown.metric, side: firstFormBreakdown.side ?? null, distanceM, distanceEstimated: distanceM !== null };
  }
  return {
    strides,
    durationS,
    completenessPct: { min: pcts.length === 0 ? null : Math.min(...pcts), sensors: completeness },
    calibration: { quality, sensors: calibration },
    baselines: summary['baselines'] ?? null,
    formBreakdown,
    heldAllRun: formBreakdown === null && session.endUs !== null && strides !== null && strides > 0,
    gpsDistanceM,
  };
}
