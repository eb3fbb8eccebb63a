import type { Calibration } from '../calibration/standing-calibrator.ts';
import type { Encoded } from '../session/state-codec.ts';
import type { ScreenAnalyzerOptions } from './screen-analyzer.ts';
import type { ScreenParams } from './screen-params.ts';
import type { ScreenStats } from './screen-stats.ts';
import type { ShankRep } from './shank-reps.ts';

export const SCREEN_SNAPSHOT_VERSION = 2;

/** A screen analyzer's state as plain JSON-serialisable data (ScreenAnalyzer.snapshot / restore). */
export interface ScreenSnapshot {
  readonly version: typeof SCREEN_SNAPSHOT_VERSION;
  readonly kind: 'screen';
  readonly params: ScreenParams;
  readonly options: ScreenAnalyzerOptions;
  readonly sensors: Record<
    string,
    {
      readonly calibration: Calibration | null;
      readonly lastTUs: number | null;
      readonly firstTUs: number | null;
      /** samples, duplicates, invalid, unusableTiming, gaps, bridged, flat, gapSeconds. */
      readonly counts: readonly number[];
      readonly rateHz: number | null;
      /** The attitude filter's state at the cut: tilt, heading, learnt gyro bias and integral (it goes on as if uncut). */
      readonly attitude: Encoded | null;
      /** Mounting-axis sums (plane-axis.ts). */
      readonly axis: readonly number[] | null;
      /** The mounting yaw in use, degrees (null: none found yet). */
      readonly yawDeg: number | null;
    }
  >;
  readonly pending: readonly ShankRep[];
  readonly last: { side: string; endUs: number; set: number; rep: number };
  readonly newestUs: number | null;
  readonly unknownSensorPushes: number;
  readonly stats: ReturnType<ScreenStats['toJSON']>;
}
