import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { PreparedBatch } from '../write-batch.ts';
import { prepareInserts, toRows, type BatchRows } from './inserts.ts';
import type { FromWriter, ToWriter, WriterJob } from './writer-protocol.ts';

/** Commits the local store's write batches: each call one transaction, resolved with its duration, ms, once committed. */
export interface BatchWriter {
  write(batches: PreparedBatch[]): Promise<number>;
  /** After the last write has settled: releases what the writer holds. */
  close(): Promise<void>;
}

/** Commits rows already built (toRows): the writer thread's fallback. */
export interface RowWriter {
  writeRows(rows: BatchRows): Promise<number>;
  close(): Promise<void>;
}

/** On the caller's thread: the caller waits out every commit, fsync included. */
export class InlineWriter implements BatchWriter, RowWriter {
  private readonly insertAll: (rows: BatchRows) => void;

  constructor(db: Database.Database) {
    this.insertAll = prepareInserts(db);
  }

  async write(batches: PreparedBatch[]): Promise<number> {
    return this.writeRows(toRows(batches));
  }

  async writeRows(rows: BatchRows): Promise<number> {
    const startedMs = performance.now();
    this.insertAll(rows);
    return performance.now() - startedMs;
  }

  async close(): Promise<void> {}
}

/**
 * On a thread of its own, with its own connection to the same file (WAL: one
 * writer, readers on the store's connection meanwhile). Ingest's main thread
 * takes every MQTT message and hands it to the analysis threads; a commit
 * there (tens of ms with synchronous=FULL and the WAL's own checkpoints: the
 * bench's main-thread profile showed 40–74 ms stalls) held every runner's
 * messages back. Here it costs the main thread a structured clone of the
 * batch.
 *
 * The thread starts with the store (so the first commit does not wait for
 * it) and is unreferenced while it owes no commit. A thread that dies takes
 * no write with it: the writes it owed go, in order, to a new thread (a
 * commit that had landed is replaced by itself: INSERT OR REPLACE); a write
 * whose thread died MAX_ATTEMPTS times is refused with the error. When no
 * thread can start at all (the first died before its connection was ready)
 * the store writes inline, as it did before threads.
 */
export class ThreadWriter implements BatchWriter {
  private worker: Worker | undefined;
  /** Whether any of its threads got its connection ready: until then a death means threads cannot start here. */
  private everReady = false;
  private fallback: RowWriter | undefined;
  private readonly pending = new Map<number, { rows: BatchRows; attempts: number; resolve: (ms: number) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor(
    private readonly job: WriterJob,
    private readonly inline: () => RowWriter,
  ) {
    this.worker = this.start();
  }

  write(batches: PreparedBatch[]): Promise<number> {
    if (this.fallback !== undefined) return this.fallback.writeRows(toRows(batches));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    const rows = toRows(batches);
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { rows, attempts: 1, resolve, reject });
      this.send(worker, id, rows);
    });
  }

  /** The writer thread now, if one runs (diagnostics and tests). */
  get thread(): Worker | undefined {
    return this.worker;
  }

  private send(worker: Worker, id: number, rows: BatchRows): void {
    // Held open only while a commit is owed: an idle writer must not keep the process alive.
    if (this.pending.size > 0) worker.ref();
    const message: ToWriter = { type: 'write', id, rows };
    worker.postMessage(message);
  }

  private start(): Worker {
    const worker = new Worker(new URL('./writer-thread.mjs', import.meta.url), { workerData: this.job });
    worker.unref();
    worker.on('message', (message: FromWriter) => {
      if (message.type === 'ready') {
        this.everReady = true;
        return;
      }
      const waiter = this.pending.get(message.id);
      if (waiter === undefined) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.type === 'done') waiter.resolve(message.ms);
      else waiter.reject(Object.assign(new Error(message.error.message), { name: message.error.name, ...(message.error.code !== undefined ? { code: message.error.code } : {}) }));
    });
    worker.on('error', (error) => this.died(worker, error));
    worker.on('exit', (code) => this.died(worker, new Error(`local store: its writer thread exited (code ${code}) before committing`)));
    return worker;
  }

  private died(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const owed = [...this.pending.entries()];
    if (!this.everReady) {
      // No thread ever got ready: write inline from now on, the owed writes first.
      this.fallback = this.inline();
      this.pending.clear();
      for (const [, w] of owed) this.fallback.writeRows(w.rows).then(w.resolve, w.reject);
      return;
    }
    if (owed.length === 0) return;
    for (const [id, w] of owed) {
      if (w.attempts >= MAX_ATTEMPTS) {
        this.pending.delete(id);
        w.reject(new Error(`${error.message}; this write failed on ${w.attempts} threads and was not stored`));
      }
    }
    if (this.pending.size === 0) return;
    const next = (this.worker = this.start());
    for (const [id, w] of this.pending) {
      w.attempts++;
      this.send(next, id, w.rows);
    }
  }

  async close(): Promise<void> {
    await this.fallback?.close();
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    const exited = once(worker, 'exit');
    // Referenced while it closes: an unreferenced thread's exit would not keep the process waiting for it.
    worker.ref();
    const message: ToWriter = { type: 'close' };
    worker.postMessage(message);
    await exited;
  }
}

/** Threads one write may see die under it before it is refused (a batch that crashes every thread is not retried forever). */
const MAX_ATTEMPTS = 3;
