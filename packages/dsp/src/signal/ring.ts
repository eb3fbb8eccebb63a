/**
 * Fixed-capacity ring of (time, value…) records in one Float64Array: the
 * recent past a detector searches back through, bounded by construction.
 */
export class RecordRing {
  /** The records, `width` values each, at the offsets `slot` gives. */
  readonly data: Float64Array;
  private start = 0;
  private size = 0;
  /** Total records ever pushed: a stable index for "the record pushed n-th". */
  pushed = 0;

  readonly capacity: number;
  readonly width: number;

  constructor(capacity: number, width: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    if (!Number.isInteger(width) || width < 1 || width > 8) throw new RangeError(`width must be 1–8 fields, got ${width}`);
    // Small-integer fields (`| 0`): a capacity computed as ceil(s × Hz) would otherwise be stored as a double and make every index a float.
    this.capacity = capacity | 0;
    this.width = width | 0;
    this.data = new Float64Array(capacity * width);
  }

  get length(): number {
    return this.size;
  }

  /** Stable index of the oldest record still held. */
  get firstIndex(): number {
    return this.pushed - this.size;
  }

  /**
   * Adds a record and returns its offset in `data`; the caller writes every
   * field (`data[o + k] = …`). The hot paths use this instead of `push`, whose
   * double arguments V8 boxes when the call is not inlined.
   */
  append(): number {
    const slot = (this.start + this.size) % this.capacity;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
    this.pushed++;
    return slot * this.width;
  }

  /** One record of up to 5 fields (fixed arity: no rest array per call; wider records use append). */
  push(a: number, b = 0, c = 0, d = 0, e = 0): void {
    const o = this.append();
    const w = this.width;
    this.data[o] = a;
    if (w > 1) this.data[o + 1] = b;
    if (w > 2) this.data[o + 2] = c;
    if (w > 3) this.data[o + 3] = d;
    if (w > 4) this.data[o + 4] = e;
  }

  /**
   * Offset in `data` of the record with stable index `index` (unchecked: the
   * caller knows it is held). The hot paths read `data[slot(i) + field]`: an
   * integer crosses the call, never a double, so nothing is boxed even when
   * V8 does not inline.
   */
  slot(index: number): number {
    // `| 0`: an int32 result, so V8 returns a small integer and never a boxed double.
    return (((this.start + index - this.pushed + this.size) % this.capacity) * this.width) | 0;
  }

  private holds(index: number): boolean {
    return index >= this.firstIndex && index < this.pushed;
  }

  /** Field `field` of the record with stable index `index` (must be held). */
  get(index: number, field: number): number {
    if (!this.holds(index)) throw new RangeError(`record ${index} is not held (held: ${this.firstIndex}..${this.pushed - 1})`);
    return this.data[this.slot(index) + field]!;
  }

  /** Overwrites field `field` of a held record (ignored when not held). */
  set(index: number, field: number, value: number): void {
    if (this.holds(index)) this.data[this.slot(index) + field] = value;
  }

  clear(): void {
    this.start = 0;
    this.size = 0;
  }
}
