import type { BatchRows } from './inserts.ts';

/** What the local store's writer thread is started with. */
export interface WriterJob {
  /** The database file. */
  readonly path: string;
  readonly synchronous: 'full' | 'normal';
}

export type ToWriter = { readonly type: 'write'; readonly id: number; readonly rows: BatchRows } | { readonly type: 'close' };

export type FromWriter =
  /** The connection is open and the statements prepared. */
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly ms: number }
  | { readonly type: 'failed'; readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly code?: string } };
