import { uint16Array, uint8Array } from './arena.ts';
/**
 * The counts of several histograms' used blocks in one typed array (a
 * session's eight summary histograms share one: one buffer, not eight), each
 * block BLOCK_BINS counts, in the order first used. Grows by GROW_BLOCKS.
 */
export class HistogramPool {
  /** Replaced as it grows or widens: read it afresh after `block`. */
  counts: Uint16Array | Uint32Array = EMPTY;
  /** Blocks of `counts` in use. */
  usedBlocks = 0;

  /** A new block of zero counts; returns its position + 1. */
  block(): number {
    if (this.usedBlocks * BLOCK_BINS === this.counts.length) {
      const grown = new (this.counts instanceof Uint32Array ? Uint32Array : Uint16Array)((this.usedBlocks + GROW_BLOCKS) * BLOCK_BINS);
      grown.set(this.counts);
      this.counts = grown;
    }
    return ++this.usedBlocks;
  }

  /** Makes every count 32-bit (before one would pass 65,535). */
  widen(): void {
    if (this.counts instanceof Uint16Array) this.counts = Uint32Array.from(this.counts);
  }
}

/**
 * Fixed-bin histogram for session summaries: memory bounded however long the
 * session runs (a list of every stride would grow without bound), medians to
 * the bin width. Values outside [min, max) go to the edge bins.
 *
 * The bins are grouped in blocks of BLOCK_BINS; a block gets counts only when
 * a value first falls in it: a runner's contact times or angles fill a few
 * blocks of the thousands of bins the range allows, and one outlier costs one
 * block (128 B), not the span between it and the rest. The counts live in a
 * pool (HistogramPool, shareable) with a small index from block to pool
 * position: a typed-array view per block and a JS array of them cost more
 * than the counts did (~35 views and ~600 array slots per session, 8 KB of
 * heap against 4.5 KB of counts). Counts are 16-bit (a bin would need 65,535
 * strides, ~20 hours of one leg's running, to fill); the pool widens to
 * 32-bit first.
 */
export class Histogram {
  /** Per block of bins: its position in the pool + 1; 0 while no value fell in it. */
  private readonly blockAt: Uint8Array | Uint16Array;
  private readonly bins: number;
  total = 0;

  constructor(
    private readonly min: number,
    max: number,
    private readonly binWidth: number,
    private readonly pool = new HistogramPool(),
  ) {
    if (!(max > min && binWidth > 0)) throw new RangeError(`histogram needs max > min and binWidth > 0, got [${min}, ${max}) by ${binWidth}`);
    this.bins = Math.ceil((max - min) / binWidth);
    const blocks = Math.ceil(this.bins / BLOCK_BINS);
    this.blockAt = blocks < 256 ? uint8Array(blocks) : uint16Array(blocks);
  }

  /** Bytes of counts (this histogram's blocks) and index held (the memory guard sums these). */
  get byteLength(): number {
    let blocks = 0;
    for (let b = 0; b < this.blockAt.length; b++) if (this.blockAt[b] !== 0) blocks++;
    return blocks * BLOCK_BINS * this.pool.counts.BYTES_PER_ELEMENT + this.blockAt.byteLength;
  }

  add(value: number): void {
    const bin = Math.min(this.bins - 1, Math.max(0, Math.floor((value - this.min) / this.binWidth)));
    const b = Math.floor(bin / BLOCK_BINS);
    let at = this.blockAt[b]!;
    if (at === 0) this.blockAt[b] = at = this.pool.block();
    const i = (at - 1) * BLOCK_BINS + bin - b * BLOCK_BINS;
    if (this.pool.counts[i] === 0xffff) this.pool.widen();
    const counts = this.pool.counts;
    counts[i] = counts[i]! + 1;
    this.total++;
  }

  /** Centre of the bin holding the (upper) median, or null when empty. */
  median(): number | null {
    if (this.total === 0) return null;
    const target = this.total >> 1;
    const counts = this.pool.counts;
    let seen = 0;
    for (let b = 0; b < this.blockAt.length; b++) {
      const at = this.blockAt[b]!;
      if (at === 0) continue;
      const o = (at - 1) * BLOCK_BINS;
      for (let i = 0; i < BLOCK_BINS; i++) {
        seen += counts[o + i]!;
        if (seen > target) return this.min + (b * BLOCK_BINS + i + 0.5) * this.binWidth;
      }
    }
    return null;
  }
}

/** Bins per block of counts (128 B at 16 bits). */
const BLOCK_BINS = 64;
/**
 * Blocks a pool grows by: a session's eight histograms hold ~35 once warm;
 * eight at a time is a few reallocations for at most 2 KB unused.
 */
const GROW_BLOCKS = 8;
/** A pool before any value: shared, never written (the first block grows it). */
const EMPTY = new Uint16Array(0);
