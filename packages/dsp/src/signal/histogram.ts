/**
 * Fixed-bin histogram for session summaries: constant memory however long the
 * session runs (a list of every stride would grow without bound), medians to
 * the bin width. Values outside [min, max) go to the edge bins.
 */
export class Histogram {
  private readonly counts: Uint32Array;
  total = 0;

  constructor(
    private readonly min: number,
    max: number,
    private readonly binWidth: number,
  ) {
    if (!(max > min && binWidth > 0)) throw new RangeError(`histogram needs max > min and binWidth > 0, got [${min}, ${max}) by ${binWidth}`);
    this.counts = new Uint32Array(Math.ceil((max - min) / binWidth));
  }

  add(value: number): void {
    const bin = Math.min(this.counts.length - 1, Math.max(0, Math.floor((value - this.min) / this.binWidth)));
    this.counts[bin] = this.counts[bin]! + 1;
    this.total++;
  }

  /** Centre of the bin holding the (upper) median, or null when empty. */
  median(): number | null {
    if (this.total === 0) return null;
    const target = this.total >> 1;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen > target) return this.min + (i + 0.5) * this.binWidth;
    }
    return null;
  }
}
