/** Samples kept: 2.5 s at 200 Hz covers a slow walking stride (the longest a bridge looks back). */
const CAPACITY = 512;

/**
 * The last few hundred raw samples of one sensor (t, then the six channels
 * as float32: 4 B each, plenty for a template), so a bridged gap can be
 * filled with the same phase of the previous stride instead of a straight
 * line (analyzer's bridge()). ~16 KB per sensor; no allocation per sample.
 */
export class RecentSamples {
  private readonly times = new Float64Array(CAPACITY);
  private readonly values = new Float32Array(CAPACITY * 6);
  private pushed = 0;

  /** One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz). */
  push(buf: Float64Array, o: number): void {
    const slot = this.pushed % CAPACITY;
    this.times[slot] = buf[o]!;
    const v = slot * 6;
    for (let c = 0; c < 6; c++) this.values[v + c] = buf[o + 1 + c]!;
    this.pushed++;
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
    let i = newest - Math.round((this.times[newest % CAPACITY]! - tUs) / periodUs);
    if (i > newest) i = newest;
    if (i < oldest) i = oldest;
    while (i > oldest && this.times[i % CAPACITY]! > tUs) i--;
    while (i < newest && this.times[(i + 1) % CAPACITY]! <= tUs) i++;
    const ta = this.times[i % CAPACITY]!;
    if (ta > tUs || i >= newest) return Number.NaN;
    const tb = this.times[(i + 1) % CAPACITY]!;
    if (tb - ta > maxStepUs) return Number.NaN;
    const w = (tUs - ta) / (tb - ta);
    const a = this.values[(i % CAPACITY) * 6 + c]!;
    return a + w * (this.values[((i + 1) % CAPACITY) * 6 + c]! - a);
  }
}
