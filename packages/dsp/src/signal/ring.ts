import { TimeOffsets } from './time-offsets.ts';

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

/** What a TimedRecordRing keeps its fields in: float32 (angles, accelerations) or Int16 (scaled raw samples). */
export type RingFieldArray = Float32Array | Int16Array;

/**
 * A ring of (time, value…) records for long histories: the time as an Int32
 * offset in µs from a base the ring moves on its own (exact for the integer
 * µs times the analysis works in — a float32 would round them — and half the
 * bytes of a float64), every other field float32 (unit-vector components,
 * angles, accelerations, small integer flags: a float32 keeps 7 digits, far
 * below what is published), so a record costs 4 + 4 × fields bytes.
 *
 * Fields are numbered from 1, as in a RecordRing whose field 0 is the time:
 * `data[slot(i) + f]` for f in 1..fields, `time(i)` for the time. (`slot` is
 * the record's offset less one, so callers keep RecordRing's field
 * constants.) The same integer-offset access as RecordRing: nothing boxed
 * on the hot path.
 *
 * It starts small and grows (by a quarter, up to `maxCapacity`) only when
 * full with its oldest record still needed — at or after `retainFromUs`,
 * which its owner moves forward as it learns how far back any later read
 * can reach. So it holds what the readers need now (a second or three of
 * running), and the full `maxCapacity` only while a lagging or silent
 * sensor holds the reads back. Readers never see the difference: a record
 * before `retainFromUs` is one no read asks for.
 */
export class TimedRecordRing<D extends RingFieldArray = Float32Array> {
  /**
   * The records' times by position (`timeSlot`). Per-sample code reads
   * `times.baseUs + times.offsets[timeSlot(i)]` inline rather than call
   * time(i) (signal/time-offsets.ts says why).
   */
  readonly times: TimeOffsets;
  /** The fields (replaced when the ring grows: read it after `append`, never keep it across one). */
  data: D;
  private start = 0;
  private size = 0;
  /** Total records ever pushed: a stable index for "the record pushed n-th". */
  pushed = 0;
  /** Records it can hold now. */
  capacity: number;
  /** Records it may grow to. */
  readonly maxCapacity: number;
  /** Fields besides the time. */
  readonly fields: number;
  /**
   * Records at or after this time are still needed: a full ring grows rather
   * than overwrite one (µs; −∞, the default, keeps all up to maxCapacity).
   * Only ever an underestimate of what a later read asks for.
   */
  retainFromUs = Number.NEGATIVE_INFINITY;
  private readonly initialCapacity: number;

  private readonly makeData: (length: number) => D;

  /**
   * `initialCapacity`: records held at first (default: all of `maxCapacity` —
   * a fixed ring). `makeData`: the fields' array (default float32).
   */
  constructor(maxCapacity: number, fields: number, initialCapacity = maxCapacity, makeData = ((length: number) => new Float32Array(length)) as (length: number) => D) {
    if (!Number.isInteger(maxCapacity) || maxCapacity < 1) throw new RangeError(`capacity must be a positive integer, got ${maxCapacity}`);
    if (!Number.isInteger(fields) || fields < 1 || fields > 8) throw new RangeError(`fields must be 1–8 besides the time, got ${fields}`);
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1 || initialCapacity > maxCapacity) throw new RangeError(`initial capacity must be an integer in 1..${maxCapacity}, got ${initialCapacity}`);
    this.capacity = initialCapacity | 0;
    this.initialCapacity = initialCapacity | 0;
    this.maxCapacity = maxCapacity | 0;
    this.fields = fields | 0;
    this.makeData = makeData;
    this.times = new TimeOffsets(this.capacity);
    this.data = makeData(this.capacity * fields);
  }

  get length(): number {
    return this.size;
  }

  /** Stable index of the oldest record still held. */
  get firstIndex(): number {
    return this.pushed - this.size;
  }

  /** Bytes held (both arrays). */
  get byteLength(): number {
    return this.times.offsets.byteLength + this.data.byteLength;
  }

  /**
   * Adds a record at the time `from[at]` (µs) and returns its slot (fields at
   * `data[slot + f]`). The time is read from an array, not passed: a double
   * argument is boxed when V8 does not inline the call, once per sample.
   */
  append(from: Float64Array, at: number): number {
    // Full below its maximum: grow rather than overwrite a record still needed (the oldest's time read inline: nothing boxed).
    if (this.size === this.capacity && this.capacity < this.maxCapacity && !(this.times.baseUs + this.times.offsets[this.start]! < this.retainFromUs)) this.grow();
    let position = (this.start + this.size) % this.capacity;
    // A clock jump too far for the held times' offsets: they are no history of the new time base.
    if (!this.times.set(position, from, at, this.size > 0 ? this.timeSlot(this.firstIndex) : -1)) {
      this.clear();
      position = 0;
      this.times.set(position, from, at, -1);
    }
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
    this.pushed++;
    return (position * this.fields - 1) | 0;
  }

  /** Time of the record with stable index `index`, µs (unchecked: the caller knows it is held). */
  time(index: number): number {
    return this.times.at(this.timeSlot(index));
  }

  /**
   * No later read asks for records before `tUs` (µs). When the ring grew
   * for a while (a lagging sensor, a calibration's held samples replayed)
   * and the records from there on fill less than 1/1.6 of it, it shrinks to
   * a quarter more than those
   * (not below its initial size), keeping the newest records that fit: the
   * gap between 1.6 and 1.25 keeps it from resizing back and forth. Stable
   * indices are kept.
   *
   * `headroom`: records the caller appends before it moves the bound again.
   * The bound stands still in between, so the ring must hold them as well;
   * without them a caller that moves it every 128 records made a ring
   * shrink to 1.25 × 235 and grow back twice every 128 records, all session
   * long (three reallocations a cycle: freed buffers the allocator kept, 200
   * KB of process memory a session after 150 s).
   */
  retainFrom(tUs: number, headroom = 0): void {
    this.retainFromUs = tUs;
    if (this.capacity <= this.initialCapacity || this.size === 0) return;
    // Most calls: the records from tUs on clearly fill enough of it (one time read, inline: nothing boxed).
    const probe = this.pushed - Math.floor(this.capacity / 1.6) + headroom;
    // The headroom alone fills enough of it (no held record to read there).
    if (probe >= this.pushed) return;
    if (probe >= this.firstIndex && this.times.baseUs + this.times.offsets[this.timeSlot(probe)]! >= tUs) return;
    // The first held record at or after tUs, by bisection (times are in order).
    let lo = this.firstIndex;
    let hi = this.pushed;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.time(mid) < tUs) lo = mid + 1;
      else hi = mid;
    }
    const needed = this.pushed - lo + headroom;
    if (1.6 * Math.max(needed, this.initialCapacity) > this.capacity) return;
    const capacity = Math.max(this.initialCapacity, Math.ceil(needed * 1.25));
    // The newest records that fit stay, needed or not (a reader may still use the last few for its own bookkeeping).
    this.resize(capacity, Math.min(this.size, capacity));
  }

  /** By a quarter (at least 32 records), up to maxCapacity. */
  private grow(): void {
    this.resize(Math.min(this.maxCapacity, Math.max(this.capacity + 32, Math.ceil(this.capacity * 1.25))), this.size);
  }

  /** New arrays of `capacity` records holding the newest `keep` records at the front, in order. */
  private resize(capacity: number, keep: number): void {
    const first = (this.start + this.size - keep) % this.capacity;
    const data = this.makeData(capacity * this.fields);
    const fields = this.fields;
    for (let k = 0; k < keep; k++) {
      const from = ((first + k) % this.capacity) * fields;
      for (let f = 0; f < fields; f++) data[k * fields + f] = this.data[from + f]!;
    }
    this.times.regrow(capacity, first, keep);
    this.data = data;
    this.start = 0;
    this.size = keep;
    this.capacity = capacity | 0;
  }

  /** Position of the record with stable index `index` among the records (unchecked). */
  timeSlot(index: number): number {
    return ((this.start + index - this.pushed + this.size) % this.capacity) | 0;
  }

  /** Offset less one in `data` of the record with stable index `index`: field f (1-based) is at slot + f. */
  slot(index: number): number {
    return (this.timeSlot(index) * this.fields - 1) | 0;
  }

  /** Time of the newest record, µs (NaN: none). */
  newestTime(): number {
    return this.size === 0 ? Number.NaN : this.time(this.pushed - 1);
  }

  clear(): void {
    this.start = 0;
    this.size = 0;
  }
}
