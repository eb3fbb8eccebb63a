/** Offsets stay within ±2^30 µs (~18 min) of the base, so a shift on rebasing cannot overflow an Int32. */
const OFFSET_LIMIT = 2 ** 30;

/**
 * Times of a ring's records as Int32 µs offsets from a base that moves by
 * itself: exact for the integer µs times the analysis works in (a float32
 * would round them) in half the bytes of a float64. The base moves when a
 * time would not fit (once in ~18 min of data, or on a clock jump); the held
 * times move with it, unless the jump leaves them further away than an
 * offset reaches — then the owner is told to forget them.
 *
 * Per-sample code reads `baseUs + offsets[position]` inline rather than call
 * `at()`, and `set` reads the time from an array: a double passed to or
 * returned from a call V8 does not inline is boxed, an allocation per sample.
 */
export class TimeOffsets {
  /** Record times less `baseUs`, µs (rounded to the µs), by position (replaced when the owner grows). */
  offsets: Int32Array;
  /** The time the offsets are from, µs. */
  baseUs = Number.NaN;

  constructor(capacity: number) {
    this.offsets = new Int32Array(capacity);
  }

  /**
   * Stores the time `from[at]` (µs) at `position`. `oldest`: the position of
   * the oldest other time still held (−1: none). Returns false when the held
   * times could not be kept across a jump of the base: the owner drops them.
   */
  set(position: number, from: Float64Array, at: number, oldest: number): boolean {
    const tUs = from[at]!;
    const offset = Math.round(tUs - this.baseUs);
    if (offset >= -OFFSET_LIMIT && offset <= OFFSET_LIMIT) {
      this.offsets[position] = offset;
      return true;
    }
    const base = Math.round(tUs);
    const kept = oldest >= 0 && Math.abs(this.at(oldest) - base) <= OFFSET_LIMIT;
    // Held offsets are within ±2^30 of the old base, so shifted they fit an Int32; unheld positions may wrap, unread.
    if (kept) for (let k = 0; k < this.offsets.length; k++) this.offsets[k] = this.offsets[k]! - (base - this.baseUs);
    this.baseUs = base;
    this.offsets[position] = Math.round(tUs - base);
    return kept;
  }

  /**
   * Grows to `capacity` positions, the `count` held from position `first`
   * (wrapping) moved to positions 0…count−1, in order.
   */
  regrow(capacity: number, first: number, count: number): void {
    const grown = new Int32Array(capacity);
    const old = this.offsets;
    for (let k = 0; k < count; k++) grown[k] = old[(first + k) % old.length]!;
    this.offsets = grown;
  }

  /** The time at `position`, µs. */
  at(position: number): number {
    return this.baseUs + this.offsets[position]!;
  }
}
