/**
 * Turns the live state of a session's object graph into plain JSON and back
 * into a freshly built graph of the same shape (snapshot/restore). Written
 * by hand rather than with a serialisation library because it must write
 * into existing objects — typed arrays sized from the parameters, instances
 * holding callbacks into the analyzer — not build new ones.
 *
 * Encoding: numbers as numbers, NaN/±Infinity as {"$num": "NaN"}; typed
 * arrays as {"$ta": type, "n": length, …} dense (base64 of the bytes) or,
 * when mostly zero (histograms), sparse ({"i": indices, "v": values}); Map
 * as {"$map": [[key, value]…]}; Set as {"$set": […]}; class instances and
 * plain objects as objects of their own fields. Functions, fields named in
 * `skip`, and objects already met (shared references) are left out: the
 * restored graph keeps what its constructor gave them.
 */
import { float32Array, float64Array, int16Array, int32Array, uint16Array, uint32Array, uint8Array } from '../signal/arena.ts';

export type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

type TypedArray = Float64Array | Float32Array | Int32Array | Int16Array | Uint32Array | Uint16Array | Uint8Array;
/** Each type's allocator: carved from the restoring session's arena when small (signal/arena.ts). */
const TYPED: Record<string, { Type: abstract new (...args: never[]) => TypedArray; make: (n: number) => TypedArray }> = {
  Float64Array: { Type: Float64Array, make: float64Array },
  Float32Array: { Type: Float32Array, make: float32Array },
  Int32Array: { Type: Int32Array, make: int32Array },
  Int16Array: { Type: Int16Array, make: int16Array },
  Uint32Array: { Type: Uint32Array, make: uint32Array },
  Uint16Array: { Type: Uint16Array, make: uint16Array },
  Uint8Array: { Type: Uint8Array, make: uint8Array },
};

/** An owner that can build the value of a Map entry missing in a fresh graph (a lazily created part). */
export interface RestoreFactory {
  /** The new entry; `null`: leave the entry out (its owner rebuilds it later); undefined: a plain value. */
  restoreEntry(field: string, key: unknown): object | null | undefined;
}

function encodeNumber(x: number): Encoded {
  return Number.isFinite(x) ? x : { $num: Number.isNaN(x) ? 'NaN' : x > 0 ? 'Inf' : '-Inf' };
}

function encodeTyped(a: TypedArray): Encoded {
  let nonZero = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) nonZero++;
  const type = a.constructor.name;
  if (nonZero * 4 < a.length) {
    const i: number[] = [];
    const v: Encoded[] = [];
    for (let k = 0; k < a.length; k++) {
      if (a[k] === 0) continue;
      i.push(k);
      v.push(encodeNumber(a[k]!));
    }
    return { $ta: type, n: a.length, i, v };
  }
  return { $ta: type, n: a.length, b64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') };
}

function decodeTyped(e: { $ta: string; n: number; i?: number[]; v?: Encoded[]; b64?: string }, into: TypedArray | undefined): TypedArray {
  const typed = TYPED[e.$ta];
  if (typed === undefined) throw new TypeError(`snapshot: unknown typed array ${e.$ta}`);
  const out = into !== undefined && into.constructor === typed.Type && into.length === e.n ? into : typed.make(e.n);
  if (e.b64 !== undefined) {
    const bytes = Buffer.from(e.b64, 'base64');
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes.subarray(0, out.byteLength));
  } else {
    out.fill(0);
    e.i!.forEach((k, j) => (out[k] = decodeNumber(e.v![j]!)));
  }
  return out;
}

function decodeNumber(e: Encoded): number {
  if (typeof e === 'number') return e;
  const s = (e as { $num: string }).$num;
  return s === 'NaN' ? Number.NaN : s === 'Inf' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/** Encodes the own fields of `obj` (an instance or a plain object). */
export function encodeState(obj: object, skip: ReadonlySet<string>, seen = new WeakSet<object>()): Encoded {
  seen.add(obj);
  const out: Record<string, Encoded> = {};
  // for…in over own keys, not Object.entries: no [key, value] array per field (a checkpoint walks ~thousands
  // of fields, every few seconds per session; entries were ~10 % of an analysis thread's garbage). Same keys,
  // same order: instances and plain objects here have no enumerable inherited properties.
  for (const key in obj) {
    if (!Object.hasOwn(obj, key) || skip.has(key)) continue;
    const e = encodeValue((obj as Record<string, unknown>)[key], skip, seen);
    if (e !== undefined) out[key] = e;
  }
  return out;
}

function encodeValue(value: unknown, skip: ReadonlySet<string>, seen: WeakSet<object>): Encoded | undefined {
  if (typeof value === 'function') return undefined;
  if (typeof value === 'number') return encodeNumber(value);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value === undefined) return { $undef: true };
  if (typeof value !== 'object') return undefined;
  if (seen.has(value)) return undefined;
  if (ArrayBuffer.isView(value)) return encodeTyped(value as TypedArray);
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => encodeValue(v, skip, seen) ?? null);
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [k as Encoded, encodeValue(v, skip, seen) ?? null]) };
  if (value instanceof Set) return { $set: [...value].map((v) => encodeValue(v, skip, seen) ?? null) };
  return encodeState(value, skip, seen);
}

/** A plain value (no existing object to write into). */
function decodePlain(e: Encoded): unknown {
  if (e === null || typeof e !== 'object') return e;
  if (Array.isArray(e)) return e.map(decodePlain);
  if ('$num' in e) return decodeNumber(e);
  if ('$undef' in e) return undefined;
  if ('$ta' in e) return decodeTyped(e as never, undefined);
  if ('$map' in e) return new Map((e['$map'] as [Encoded, Encoded][]).map(([k, v]) => [k, decodePlain(v)]));
  if ('$set' in e) return new Set((e['$set'] as Encoded[]).map(decodePlain));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, decodePlain(v)]));
}

/**
 * Writes encoded fields into `target` (built fresh with the same parameters):
 * typed arrays in place, instances field by field, Map entries into the
 * existing value or one the owner's `restoreEntry` builds, else plain values.
 */
export function decodeInto(target: object, e: Encoded): void {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new TypeError('snapshot: expected an object of fields');
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(e)) {
    const current = t[key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if ('$ta' in value) {
        t[key] = decodeTyped(value as never, ArrayBuffer.isView(current) ? (current as TypedArray) : undefined);
        continue;
      }
      if ('$map' in value && current instanceof Map) {
        for (const [k, v] of value['$map'] as [Encoded, Encoded][]) {
          let existing: unknown = current.get(k);
          if (existing === undefined && v !== null && typeof v === 'object' && !Array.isArray(v) && !('$num' in v)) {
            existing = (target as Partial<RestoreFactory>).restoreEntry?.(key, k);
            if (existing === null) continue;
            if (existing !== undefined) current.set(k, existing);
          }
          if (existing !== null && typeof existing === 'object' && !(existing instanceof Map) && !ArrayBuffer.isView(existing) && !Array.isArray(existing) && !(existing instanceof Set)) decodeInto(existing, v);
          else current.set(k, decodePlain(v));
        }
        continue;
      }
      if (!('$num' in value) && !('$undef' in value) && !('$set' in value) && !('$map' in value) && current !== null && typeof current === 'object' && !Array.isArray(current) && !(current instanceof Set)) {
        decodeInto(current, value);
        continue;
      }
    }
    t[key] = decodePlain(value);
  }
}
