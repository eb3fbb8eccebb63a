import { SHARED_BUFFERS } from '../signal/fir-lowpass.ts';

/**
 * What a session holds in typed arrays: walks an object graph (an analyzer)
 * and sums the bytes of every distinct ArrayBuffer it reaches, by where it
 * hangs. Deterministic (no GC, no timing): the memory guard test and the
 * bench's breakdown tool both use it. Not for the hot path.
 */
export interface Footprint {
  /** Bytes of all distinct buffers reached. */
  readonly bytes: number;
  readonly buffers: number;
  /** Bytes by object path (`Class.field<Class>[key]…`), sensor keys and indices as they are. */
  readonly byPath: ReadonlyMap<string, number>;
}

/** Deeper than any analyzer's nesting; a guard against pathological graphs. */
const MAX_DEPTH = 12;

export function typedArrayFootprint(root: object, rootLabel = label(root)): Footprint {
  const seenBuffers = new Set<ArrayBufferLike>();
  const seenObjects = new Set<object>();
  const byPath = new Map<string, number>();
  let bytes = 0;
  const walk = (value: unknown, path: string, depth: number): void => {
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
    if (ArrayBuffer.isView(value)) {
      // Filter designs every session shares (fir-lowpass.ts) are no session's own memory.
      if (seenBuffers.has(value.buffer) || SHARED_BUFFERS.has(value.buffer)) return;
      seenBuffers.add(value.buffer);
      bytes += value.buffer.byteLength;
      byPath.set(path, (byPath.get(path) ?? 0) + value.buffer.byteLength);
      return;
    }
    if (seenObjects.has(value)) return;
    seenObjects.add(value);
    if (value instanceof Map) {
      for (const [k, v] of value) walk(v, `${path}[${String(k)}]`, depth + 1);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i < 3 ? i : '*'}]`, depth + 1));
      return;
    }
    for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}${v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) ? `<${label(v)}>` : ''}`, depth + 1);
  };
  walk(root, rootLabel, 0);
  return { bytes, buffers: seenBuffers.size, byPath };
}

function label(value: object): string {
  const name = value.constructor?.name;
  return name === undefined || name === 'Object' ? '{}' : name;
}
