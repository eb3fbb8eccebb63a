/**
 * A detection threshold that follows the signal: max(floor, fraction × median
 * of the last `window` accepted peaks). Stride-to-stride the peaks change
 * slowly, so the median of the recent ones tracks walking → running → sprint
 * while one outlier moves it little. Preallocated; no allocation per query.
 */
export class AdaptiveThreshold {
  private readonly recent: Float64Array;
  private readonly scratch: Float64Array;
  private count = 0;
  /** Recomputed on accept (rare), so value() (every candidate peak) is a field read. */
  private current: number;

  constructor(
    private readonly floor: number,
    private readonly fraction: number,
    window = 8,
  ) {
    this.recent = new Float64Array(window);
    this.scratch = new Float64Array(window);
    this.current = floor;
  }

  value(): number {
    return this.current;
  }

  accept(peak: number): void {
    this.recent[this.count % this.recent.length] = peak;
    this.count++;
    const n = Math.min(this.count, this.recent.length);
    const sorted = this.scratch.subarray(0, n);
    sorted.set(this.recent.subarray(0, n));
    sorted.sort();
    this.current = Math.max(this.floor, this.fraction * sorted[n >> 1]!);
  }
}
