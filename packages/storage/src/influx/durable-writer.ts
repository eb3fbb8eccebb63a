/**
 * Gets each batch into the database exactly in the order it was submitted,
 * through the spool when the database is away:
 *
 * - spool empty: send live, a few attempts with backoff; 2xx = stored.
 *   Still failing (down, slow, 5xx): append to the spool = stored (fsync'd).
 * - spool not empty: append to the spool behind what waits there, so a newer
 *   version of a point (a session's summary, a checkpoint) is never
 *   overwritten by an older one replayed later.
 * - a replayer sends the spool's records in order, retrying with backoff
 *   until the database answers 2xx, then acknowledges them in the spool.
 * - a batch the database refuses as invalid (400/413/422) is appended to the
 *   dead-letter file with the reason, and counted: never dropped silently.
 * - a failure waiting cannot heal (no database, bad credentials: `WriteFailure#condition`)
 *   is retried like the rest, but goes to the spool at once instead of after
 *   `liveAttempts`; every outcome is told to `onOutcome` (the store's WriteHealth).
 */
import { appendFile, open } from 'node:fs/promises';
import { InfluxWriteError, StoreFullError } from '../errors.ts';
import { SILENT_LOGGER, type StoreLogger } from '../types.ts';
import type { SpoolRecord } from '../spool/record.ts';
import { SpoolFullError } from '../spool/spool.ts';
import { backoffDelayMs, sleep, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { WriteFailure } from './http.ts';

/** What the writer needs of the spool (spool.ts's Spool; an in-memory one in unit tests). */
export interface WriterSpool {
  readonly depthRecords: number;
  append(payload: Uint8Array, items: number): Promise<void>;
  peek(): Promise<SpoolRecord | undefined>;
  ack(): Promise<void>;
}

export interface DurableWriterOptions {
  /** Sends one body; resolves on 2xx, throws WriteFailure. */
  readonly send: (body: string, signal: AbortSignal) => Promise<void>;
  readonly spool: WriterSpool;
  /** File that keeps refused batches (appended, fsync'd). */
  readonly deadLetterPath: string;
  /** Live attempts before a batch goes to the spool (default 2). */
  readonly liveAttempts?: number;
  readonly backoff?: BackoffOptions;
  /** For tests: a seeded random for the jitter. */
  readonly random?: () => number;
  readonly logger?: StoreLogger;
  /** Told of each write's outcome once it is settled (undefined = 2xx; a live batch after it is spooled). Not of batches refused as invalid. */
  readonly onOutcome?: (failure: WriteFailure | undefined) => void;
}

export interface WriterCounters {
  pointsWritten: number;
  batchesWritten: number;
  pointsSpooled: number;
  pointsReplayed: number;
  writeRetries: number;
  pointsRejected: number;
  writesRefusedFull: number;
  lastWriteMs: number;
}

export class DurableWriter {
  readonly counters: WriterCounters = { pointsWritten: 0, batchesWritten: 0, pointsSpooled: 0, pointsReplayed: 0, writeRetries: 0, pointsRejected: 0, writesRefusedFull: 0, lastWriteMs: 0 };
  private replaying: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private drainWaiters: (() => void)[] = [];
  private readonly log: StoreLogger;
  /** For logging transitions only: was the last spool append refused? */
  private refusing = false;

  constructor(private readonly options: DurableWriterOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.log = options.logger ?? SILENT_LOGGER;
  }

  /** True while the spool holds batches or a replay is running: new batches queue behind them. */
  get spooling(): boolean {
    return this.options.spool.depthRecords > 0 || this.replaying !== undefined;
  }

  /** Starts replaying what a previous run left in the spool. */
  start(): void {
    if (this.options.spool.depthRecords > 0) this.kick();
  }

  /** Stores one batch (see the file comment). Rejects with StoreFullError or InfluxWriteError. */
  async submit(body: string, points: number): Promise<void> {
    if (!this.spooling) {
      const failure = await this.sendLive(body, points);
      if (failure === undefined) {
        this.options.onOutcome?.(undefined);
        return;
      }
      if (!failure.retriable) {
        await this.deadLetter(body, points, failure);
        throw new InfluxWriteError(failure.status ?? 0, failure.body);
      }
      // A persistent condition is logged at error by onOutcome, with what to do; this line is for outages.
      if (failure.condition === undefined) this.log.warn({ status: failure.status, reason: failure.body.slice(0, 200) }, 'influx: database unreachable or slow, spooling writes to disk');
      try {
        await this.toSpool(body, points);
      } finally {
        // After the append, so that the count of points waiting includes this batch.
        this.options.onOutcome?.(failure);
      }
      return;
    }
    await this.toSpool(body, points);
  }

  /** Resolves when the spool is empty (or the writer stopped). */
  drain(): Promise<void> {
    if (!this.spooling) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Stops the replayer (its records stay in the spool for the next start). */
  async close(): Promise<void> {
    this.stop.abort();
    await this.replaying;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private async sendLive(body: string, points: number): Promise<WriteFailure | undefined> {
    const attempts = this.options.liveAttempts ?? 2;
    let failure: WriteFailure | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        this.counters.writeRetries++;
        if (!(await sleep(backoffDelayMs(attempt - 1, this.backoff, this.random, failure?.retryAfterMs), this.stop.signal))) break;
      }
      failure = await this.sendOnce(body, points);
      // A missing database does not appear between two live attempts: to the spool at once, where the replayer retries.
      if (failure === undefined || !failure.retriable || failure.condition !== undefined) return failure;
    }
    return failure;
  }

  /** One HTTP attempt; undefined on 2xx. */
  private async sendOnce(body: string, points: number): Promise<WriteFailure | undefined> {
    const startedMs = performance.now();
    // A signal per request: the library's transport adds an abort listener to the signal it is given and
    // never removes it, so handing it the long-lived stop signal would leak one listener per request.
    const request = new AbortController();
    const abort = (): void => request.abort();
    this.stop.signal.addEventListener('abort', abort, { once: true });
    try {
      await this.options.send(body, request.signal);
    } catch (error) {
      return error instanceof WriteFailure ? error : new WriteFailure(true, undefined, String(error), 0);
    } finally {
      this.stop.signal.removeEventListener('abort', abort);
    }
    this.counters.lastWriteMs = performance.now() - startedMs;
    this.counters.pointsWritten += points;
    this.counters.batchesWritten++;
    return undefined;
  }

  private async toSpool(body: string, points: number): Promise<void> {
    try {
      await this.options.spool.append(Buffer.from(body, 'utf8'), points);
    } catch (error) {
      // A full disk is the same condition as a full spool: slow intake down, drop nothing.
      const diskFull = (error as NodeJS.ErrnoException).code === 'ENOSPC';
      if (error instanceof SpoolFullError || diskFull) {
        this.counters.writesRefusedFull++;
        const full = error instanceof SpoolFullError ? new StoreFullError('spool', error.bytes, error.maxBytes) : new StoreFullError('spool', 0, 0);
        if (!this.refusing) this.log.error({ spoolBytes: full.used, maxSpoolBytes: full.max, diskFull }, 'influx: spool full, refusing writes until the database takes the backlog');
        this.refusing = true;
        throw full;
      }
      throw error;
    }
    if (this.refusing) this.log.info({}, 'influx: spool accepting writes again');
    this.refusing = false;
    this.counters.pointsSpooled += points;
    this.kick();
  }

  private kick(): void {
    const replayedBefore = this.counters.pointsReplayed;
    this.replaying ??= this.replay()
      .catch(async (error: unknown) => {
        // A spool read error: say so and pause, rather than spin on it.
        this.log.error({ err: error }, 'influx: spool replay failed, retrying');
        await sleep(this.backoff.maxDelayMs, this.stop.signal);
      })
      .finally(() => {
        this.replaying = undefined;
        // An append may have landed after the replayer's last look: look again.
        if (this.options.spool.depthRecords > 0 && !this.stop.signal.aborted) return this.kick();
        if (this.counters.pointsReplayed > replayedBefore) this.log.info({ pointsReplayed: this.counters.pointsReplayed - replayedBefore }, 'influx: spool replayed, writing live again');
        for (const resolve of this.drainWaiters.splice(0)) resolve();
      });
  }

  private async replay(): Promise<void> {
    const spool = this.options.spool;
    while (!this.stop.signal.aborted) {
      const record = await spool.peek();
      if (record === undefined) return;
      const body = record.payload.toString('utf8');
      for (let retry = 1; ; retry++) {
        const failure = await this.sendOnce(body, record.items);
        if (failure === undefined) {
          this.counters.pointsReplayed += record.items;
          this.options.onOutcome?.(undefined);
          break;
        }
        if (!failure.retriable) {
          await this.deadLetter(body, record.items, failure);
          break;
        }
        this.options.onOutcome?.(failure);
        this.counters.writeRetries++;
        if (!(await sleep(backoffDelayMs(Math.min(retry, 30), this.backoff, this.random, failure.retryAfterMs), this.stop.signal))) return;
      }
      await spool.ack();
    }
  }

  private async deadLetter(body: string, points: number, failure: WriteFailure): Promise<void> {
    this.counters.pointsRejected += points;
    this.log.error({ status: failure.status, points, reason: failure.body.slice(0, 200), file: this.options.deadLetterPath }, 'influx: batch refused as invalid, kept in the dead-letter file');
    const reason = `# ${new Date().toISOString()} HTTP ${failure.status ?? '-'} ${failure.body.replace(/\s+/g, ' ').slice(0, 500)}\n`;
    await appendFile(this.options.deadLetterPath, `${reason}${body}\n`);
    const handle = await open(this.options.deadLetterPath, 'r');
    await handle.datasync().finally(() => handle.close());
  }
}
