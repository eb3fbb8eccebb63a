import { TimeOffsets } from '../signal/time-offsets.ts';

/** Samples kept: 2.5 s at 200 Hz covers a slow walking stride (the longest a bridge looks back). */
const CAPACITY = 512;

/**
 * Full scale of the kept channels: ±16 g and ±2000 °/s, the ranges of the
 * IMUs we read (their own samples are 16-bit at these ranges, so an Int16
 * copy loses nothing they had). Beyond it a value is clamped: it only
 * shapes a bridged gap's guess, and data that far off is flagged by the
 * units checks anyway.
 */
const ACC_FULL_SCALE_MPS2 = 16 * 9.80665;
const GYRO_FULL_SCALE_RADPS = (2000 * Math.PI) / 180;
const SCALES = [ACC_FULL_SCALE_MPS2, ACC_FULL_SCALE_MPS2, ACC_FULL_SCALE_MPS2, GYRO_FULL_SCALE_RADPS, GYRO_FULL_SCALE_RADPS, GYRO_FULL_SCALE_RADPS].map((s) => s / 32767);

/**
 * The last few hundred raw samples of one sensor, so a bridged gap can be
 * filled with the same phase of the previous stride instead of a straight
 * line (analyzer's bridge()): the time as an Int32 µs offset from a base,
 * the six channels as Int16 at the sensors' full scale — 16 B a sample,
 * 8 KB per sensor (float64 would be 28 KB); no allocation per sample.
 */
export class RecentSamples {
  private readonly times = new TimeOffsets(CAPACITY);
  private readonly values = new Int16Array(CAPACITY * 6);
  private pushed = 0;

  /** One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz). */
  push(buf: Float64Array, o: number): void {
    const held = Math.min(this.pushed, CAPACITY);
    // A clock jump too far for the kept times' offsets: they are forgotten (no template across it).
    if (!this.times.set(this.pushed % CAPACITY, buf, o, held === 0 ? -1 : (this.pushed - held) % CAPACITY)) {
      this.pushed = 0;
      this.times.set(0, buf, o, -1);
    }
    const slot = this.pushed % CAPACITY;
    const v = slot * 6;
    // Int16Array stores ToInt16 (wrapping): clamp first, round to nearest.
    for (let c = 0; c < 6; c++) {
      const q = Math.round(buf[o + 1 + c]! / SCALES[c]!);
      this.values[v + c] = q > 32767 ? 32767 : q < -32767 ? -32767 : q;
    }
    this.pushed++;
  }

  private timeOf(i: number): number {
    return this.times.at(i % CAPACITY);
  }

  /**
   * Channel `c` (0–5: ax … gz) at time `tUs`, linearly interpolated between
   * the two samples around it; NaN when `tUs` is outside what is kept or the
   * two are further apart than `maxStepUs` (a gap).
   */
  valueAt(tUs: number, c: number, periodUs: number, maxStepUs: number): number {
    if (this.pushed === 0) return Number.NaN;
    const newest = this.pushed - 1;
    const oldest = Math.max(0, this.pushed - CAPACITY);
    // Start from where a uniform clock puts it, then walk to the pair around tUs.
    let i = newest - Math.round((this.timeOf(newest) - tUs) / periodUs);
    if (i > newest) i = newest;
    if (i < oldest) i = oldest;
    while (i > oldest && this.timeOf(i) > tUs) i--;
    while (i < newest && this.timeOf(i + 1) <= tUs) i++;
    const ta = this.timeOf(i);
    if (ta > tUs || i >= newest) return Number.NaN;
    const tb = this.timeOf(i + 1);
    if (tb - ta > maxStepUs) return Number.NaN;
    const w = (tUs - ta) / (tb - ta);
    const scale = SCALES[c]!;
    const a = this.values[(i % CAPACITY) * 6 + c]! * scale;
    return a + w * (this.values[((i + 1) % CAPACITY) * 6 + c]! * scale - a);
  }
}
