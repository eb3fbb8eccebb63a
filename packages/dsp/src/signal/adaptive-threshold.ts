import { float64Array } from './arena.ts';
import { sharedScratch } from './robust-stats.ts';
/**
 * A detection threshold that follows the signal: max(floor, fraction × median
 * of the last `window` accepted peaks). Stride-to-stride the peaks change
 * slowly, so the median of the recent ones tracks walking → running → sprint
 * while one outlier moves it little. Preallocated; no allocation per query.
 */
export class AdaptiveThreshold {
  private readonly recent: Float64Array;
  private count = 0;
  /** Recomputed on accept (rare), so value() (every candidate peak) is a field read. */
  private current: number;
  private lastAcceptUs = Number.NaN;

  /**
   * @param searchBackUs when nothing was accepted for this long, the threshold
   *   halves for each such interval (down to the floor): the runner slowed to a
   *   walk and the peaks shrank below the running ones' fraction — with only a
   *   median of accepted peaks the threshold would never come down (Pan &
   *   Tompkins 1985 search back with half the threshold the same way).
   *   Infinity: never.
   */
  constructor(
    private readonly floor: number,
    private readonly fraction: number,
    window = 8,
    private readonly searchBackUs = Number.POSITIVE_INFINITY,
  ) {
    this.recent = float64Array(window);
    this.current = floor;
  }

  /** The threshold at time `nowUs` (µs; omit when there is no search back). */
  value(nowUs = Number.NaN): number {
    const waited = nowUs - this.lastAcceptUs;
    if (!(waited > this.searchBackUs)) return this.current;
    return Math.max(this.floor, this.current * 0.5 ** Math.floor(waited / this.searchBackUs));
  }

  /** A peak taken (at `tUs`, µs, for the search back). */
  accept(peak: number, tUs = Number.NaN): void {
    this.lastAcceptUs = tUs;
    this.recent[this.count % this.recent.length] = peak;
    this.count++;
    const n = Math.min(this.count, this.recent.length);
    const sorted = sharedScratch(n);
    sorted.set(this.recent.subarray(0, n));
    sorted.sort();
    this.current = Math.max(this.floor, this.fraction * sorted[n >> 1]!);
  }
}
