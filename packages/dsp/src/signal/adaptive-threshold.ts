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

  constructor(
    private readonly floor: number,
    private readonly fraction: number,
    window = 8,
  ) {
    this.recent = new Float64Array(window);
    this.scratch = new Float64Array(window);
  }

  value(): number {
    const n = Math.min(this.count, this.recent.length);
    if (n === 0) return this.floor;
    const sorted = this.scratch.subarray(0, n);
    sorted.set(this.recent.subarray(0, n));
    sorted.sort();
    return Math.max(this.floor, this.fraction * sorted[n >> 1]!);
  }

  accept(peak: number): void {
    this.recent[this.count % this.recent.length] = peak;
    this.count++;
  }
}
