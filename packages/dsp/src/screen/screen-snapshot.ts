import type { Calibration } from '../calibration/standing-calibrator.ts';
import type { ScreenAnalyzerOptions } from './screen-analyzer.ts';
import type { ScreenParams } from './screen-params.ts';
import type { ScreenStats } from './screen-stats.ts';
import type { ShankRep } from './shank-reps.ts';

export const SCREEN_SNAPSHOT_VERSION = 1;

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
      /** World up in sensor coordinates at the cut (the attitude's tilt). */
      readonly up: readonly number[] | null;
      /** Mounting-axis sums (plane-axis.ts). */
      readonly axis: readonly number[] | null;
    }
  >;
  readonly pending: readonly ShankRep[];
  readonly last: { side: string; endUs: number; set: number; rep: number };
  readonly newestUs: number | null;
  readonly unknownSensorPushes: number;
  readonly stats: ReturnType<ScreenStats['toJSON']>;
}
