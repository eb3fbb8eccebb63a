import { float64Array } from './arena.ts';
/**
 * Where one sensor's real samples were continuous, remembered longer than
 * its angle history and in a few hundred bytes: the holes (gaps longer than
 * `maxStepUs`, and runs of bridged records, each as the open interval
 * between the real records around it), the last `capacity` of them. The
 * analyzer asks whether a shank had data around a pelvis contact at release
 * time, which may be further back than the shank's short history reaches.
 */
export class CoverageLog {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  /** Holes ever logged; the last `capacity` are kept. */
  private logged = 0;
  private firstUs = Number.NaN;
  private lastRealUs = Number.NaN;
  /** The real record before the bridged run in progress (NaN: none). */
  private bridgedFromUs = Number.NaN;

  constructor(
    private readonly capacity: number,
    private readonly maxStepUs: number,
  ) {
    this.starts = float64Array(capacity);
    this.ends = float64Array(capacity);
  }

  /** A history record at `from[at]` (µs; read from an array: no double argument to box per sample), bridged (interpolated across a short gap) or real. */
  note(from: Float64Array, at: number, bridged: boolean): void {
    const tUs = from[at]!;
    if (bridged) {
      if (Number.isNaN(this.bridgedFromUs)) this.bridgedFromUs = Number.isNaN(this.lastRealUs) ? tUs : this.lastRealUs;
      return;
    }
    if (Number.isNaN(this.firstUs)) this.firstUs = tUs;
    if (!Number.isNaN(this.bridgedFromUs)) {
      this.add(this.bridgedFromUs, tUs);
      this.bridgedFromUs = Number.NaN;
    } else if (tUs - this.lastRealUs > this.maxStepUs) {
      this.add(this.lastRealUs, tUs);
    }
    this.lastRealUs = tUs;
  }

  private add(fromUs: number, toUs: number): void {
    const slot = this.logged % this.capacity;
    this.starts[slot] = fromUs;
    this.ends[slot] = toUs;
    this.logged++;
  }

  /**
   * Whether real samples cover [fromUs, toUs] without a hole. False too when
   * it cannot tell: before the first sample, past the newest, or further
   * back than the holes kept reach.
   */
  covers(fromUs: number, toUs: number): boolean {
    if (!(this.firstUs <= fromUs) || !(this.lastRealUs >= toUs)) return false;
    if (!Number.isNaN(this.bridgedFromUs) && this.bridgedFromUs < toUs) return false;
    const kept = Math.min(this.logged, this.capacity);
    // Holes no longer kept all end before the oldest kept one starts.
    if (this.logged > this.capacity && this.starts[this.logged % this.capacity]! > fromUs) return false;
    for (let k = 0; k < kept; k++) if (this.starts[k]! < toUs && this.ends[k]! > fromUs) return false;
    return true;
  }

  /**
   * The longest hole kept that overlaps [fromUs, toUs], µs (0: none kept
   * there). Why an angle there is missing, once the history itself no longer
   * reaches back so far.
   */
  longestHoleUs(fromUs: number, toUs: number): number {
    let longestUs = 0;
    const kept = Math.min(this.logged, this.capacity);
    for (let k = 0; k < kept; k++) {
      if (this.starts[k]! < toUs && this.ends[k]! > fromUs && this.ends[k]! - this.starts[k]! > longestUs) longestUs = this.ends[k]! - this.starts[k]!;
    }
    return longestUs;
  }

  /** Forgets everything (the history it stands beside was cleared). */
  clear(): void {
    this.logged = 0;
    this.firstUs = Number.NaN;
    this.lastRealUs = Number.NaN;
    this.bridgedFromUs = Number.NaN;
  }
}
