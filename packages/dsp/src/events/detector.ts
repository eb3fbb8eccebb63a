/**
 * What the analyzer needs of a gait-event detector (shank or pelvis-only):
 * samples in, events out through the callback given at construction.
 */
export interface GaitEventDetector {
  /**
   * One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz). `world`: the
   * sensor's segment tracker's [world vertical acceleration less g, rate
   * about world up] for this sample (NaN while unknown; only the pelvis-only
   * detector reads it). `bridged`: a row interpolated across a short gap, on
   * which no event may be timed.
   */
  push(buf: Float64Array, o: number, world?: Float64Array, bridged?: boolean): void;
  /** After a long gap: forget the signal history (no event spans it). */
  reset(): void;
  /** End of the data: emit what is held back for a filter's delay. */
  finish(): void;
}
