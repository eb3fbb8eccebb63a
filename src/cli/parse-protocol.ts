/** What the analyze command's parse thread (parse-worker.ts) and its client (parse-worker-client.ts) say to each other. */
import type { ParseCounts } from '@gaitwatch/dsp';

/** Values per row in a batch: t (µs), ax, ay, az (m/s²), gx, gy, gz (rad/s). */
export const ROW_VALUES = 7;
/** Rows per batch: 8,192 rows is 0.46 MB, ~14 s of a three-sensor 200 Hz recording. */
export const BATCH_ROWS = 8192;
/** Batches parsed ahead of the analysis at most (the memory bound: a few MB). */
export const BATCHES_AHEAD = 4;

export interface ParserJob {
  readonly path: string;
  readonly chunkBytes: number;
  /** One Int32: batches the parser may still send before the client returns one (SharedArrayBuffer). */
  readonly credits: SharedArrayBuffer;
}

export type FromParser =
  | { readonly kind: 'rows'; readonly count: number; readonly data: Float64Array; readonly sensors: Uint8Array }
  | { readonly kind: 'end'; readonly parse: ParseCounts }
  | { readonly kind: 'format'; readonly message: string; readonly line: number }
  | { readonly kind: 'read'; readonly message: string; readonly code?: string; readonly syscall?: string };
