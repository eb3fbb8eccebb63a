import { uint16Array, uint32Array } from './arena.ts';
/**
 * Fixed-bin histogram for session summaries: memory bounded however long the
 * session runs (a list of every stride would grow without bound), medians to
 * the bin width. Values outside [min, max) go to the edge bins.
 *
 * The counts are kept in blocks of BLOCK_BINS bins, each allocated when a
 * value first falls in it: a runner's contact times or angles fill a few
 * blocks of the thousands of bins the range allows, and one outlier costs
 * one block (128 B), not the span between it and the rest — a warm session's
 * summary holds a few KB, with the same medians. Counts are 16-bit (a bin
 * would need 65,535 strides, ~20 hours of one leg's running, to fill); a block
 * whose bin would overflow is widened to 32-bit first.
 */
export class Histogram {
  /** Counts by block (null or undefined: no value fell in it yet; a snapshot may bring either). */
  private blocks: (Uint16Array | Uint32Array | null | undefined)[];
  private readonly bins: number;
  total = 0;

  constructor(
    private readonly min: number,
    max: number,
    private readonly binWidth: number,
  ) {
    if (!(max > min && binWidth > 0)) throw new RangeError(`histogram needs max > min and binWidth > 0, got [${min}, ${max}) by ${binWidth}`);
    this.bins = Math.ceil((max - min) / binWidth);
    this.blocks = new Array<Uint16Array | undefined>(Math.ceil(this.bins / BLOCK_BINS)).fill(undefined);
  }

  /** Bytes of counts held now (the memory guard sums these). */
  get byteLength(): number {
    let bytes = 0;
    for (const block of this.blocks) bytes += block?.byteLength ?? 0;
    return bytes;
  }

  add(value: number): void {
    const bin = Math.min(this.bins - 1, Math.max(0, Math.floor((value - this.min) / this.binWidth)));
    const b = Math.floor(bin / BLOCK_BINS);
    let block = this.blocks[b];
    if (block === undefined || block === null) this.blocks[b] = block = uint16Array(BLOCK_BINS);
    const i = bin - b * BLOCK_BINS;
    if (block[i] === 0xffff && block instanceof Uint16Array) {
      const wide = uint32Array(BLOCK_BINS);
      wide.set(block);
      this.blocks[b] = block = wide;
    }
    block[i] = block[i]! + 1;
    this.total++;
  }

  /** Centre of the bin holding the (upper) median, or null when empty. */
  median(): number | null {
    if (this.total === 0) return null;
    const target = this.total >> 1;
    let seen = 0;
    for (let b = 0; b < this.blocks.length; b++) {
      const block = this.blocks[b];
      if (block === undefined || block === null) continue;
      for (let i = 0; i < BLOCK_BINS; i++) {
        seen += block[i]!;
        if (seen > target) return this.min + (b * BLOCK_BINS + i + 0.5) * this.binWidth;
      }
    }
    return null;
  }
}

/** Bins per block of counts (128 B at 16 bits). */
const BLOCK_BINS = 64;
