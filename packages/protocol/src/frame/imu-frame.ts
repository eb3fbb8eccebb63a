import type { SensorId } from '../sensors.ts';

/**
 * One decoded IMU message: `count` consecutive samples of one sensor,
 * sample i taken at `t0Us + i * periodUs`.
 */
export interface ImuFrame {
  readonly sensor: SensorId;
  /** Per-sensor message counter, wraps at 2^32; duplicates share it. */
  readonly seq: number;
  /** Time of the first sample, integer µs since the Unix epoch. */
  readonly t0Us: number;
  /** Sample period, integer µs. */
  readonly periodUs: number;
  readonly count: number;
  /**
   * `count × 6` values, interleaved per sample:
   * ax, ay, az in m/s² (gravity included), gx, gy, gz in rad/s, sensor frame.
   */
  readonly samples: Float64Array;
}

export type ImuFormat = 'json' | 'binary';

export interface DecodedImu {
  readonly ok: true;
  readonly format: ImuFormat;
  readonly frame: ImuFrame;
}
