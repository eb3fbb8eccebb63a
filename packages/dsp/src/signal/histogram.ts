/**
 * Fixed-bin histogram for session summaries: memory bounded however long the
 * session runs (a list of every stride would grow without bound), medians to
 * the bin width. Values outside [min, max) go to the edge bins.
 *
 * The counts cover only the bins seen so far (grown by doubling toward a new
 * value, never past [min, max)): a runner's contact times or angles fill a
 * few hundred of the thousands of bins the range allows, so a warm session
 * holds ~1 KB per histogram instead of up to 24 KB, with the same medians.
 */
export class Histogram {
  /** Counts of bins [firstBin, firstBin + counts.length). */
  private counts: Uint32Array;
  private firstBin = 0;
  private readonly bins: number;
  total = 0;

  constructor(
    private readonly min: number,
    max: number,
    private readonly binWidth: number,
  ) {
    if (!(max > min && binWidth > 0)) throw new RangeError(`histogram needs max > min and binWidth > 0, got [${min}, ${max}) by ${binWidth}`);
    this.bins = Math.ceil((max - min) / binWidth);
    this.counts = new Uint32Array(0);
  }

  /** Bytes of counts held now (the memory guard sums these). */
  get byteLength(): number {
    return this.counts.byteLength;
  }

  add(value: number): void {
    const bin = Math.min(this.bins - 1, Math.max(0, Math.floor((value - this.min) / this.binWidth)));
    if (bin < this.firstBin || bin >= this.firstBin + this.counts.length) this.cover(bin);
    const i = bin - this.firstBin;
    this.counts[i] = this.counts[i]! + 1;
    this.total++;
  }

  /** Grows the counts to include `bin` (per stride at most, amortised: sizes double). */
  private cover(bin: number): void {
    const held = this.counts.length;
    if (held === 0) {
      const size = Math.min(this.bins, INITIAL_BINS);
      this.firstBin = Math.min(Math.max(0, bin - (size >> 1)), this.bins - size);
      this.counts = new Uint32Array(size);
      return;
    }
    let first = this.firstBin;
    let end = first + held;
    let size = held;
    while (bin < first || bin >= end) {
      size = Math.min(this.bins, size * 2);
      // Grow toward the new bin, then clamp into the range.
      first = bin < first ? Math.max(0, end - size) : Math.min(first, this.bins - size);
      end = first + size;
    }
    const counts = new Uint32Array(size);
    counts.set(this.counts, this.firstBin - first);
    this.counts = counts;
    this.firstBin = first;
  }

  /** Centre of the bin holding the (upper) median, or null when empty. */
  median(): number | null {
    if (this.total === 0) return null;
    const target = this.total >> 1;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen > target) return this.min + (this.firstBin + i + 0.5) * this.binWidth;
    }
    return null;
  }
}

/** Bins allocated at the first value (1 KB of counts). */
const INITIAL_BINS = 256;
