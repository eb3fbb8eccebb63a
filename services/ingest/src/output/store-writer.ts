import { StoreFullError, type AlertRecord, type CheckpointRecord, type GaitStore, type RepRecord, type SessionRecord, type StrideRecord } from '@gaitwatch/storage';
import type { Logger } from 'pino';
import type { IngestMetrics } from '../metrics.ts';

export interface StoreWriterOptions {
  /** Longest a record waits to be batched, ms. */
  readonly flushMs?: number;
  /** Records per write call. */
  readonly maxBatch?: number;
  /** Wait after a StoreFullError before retrying, ms (doubling up to maxRetryMs). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

interface Queue {
  strides: StrideRecord[];
  reps: RepRecord[];
  alerts: AlertRecord[];
  sessions: SessionRecord[];
  checkpoints: Map<string, CheckpointRecord>;
}

const emptyQueue = (): Queue => ({ strides: [], reps: [], alerts: [], sessions: [], checkpoints: new Map() });
const size = (q: Queue): number => q.strides.length + q.reps.length + q.alerts.length + q.sessions.length + q.checkpoints.size;

/**
 * Batches the service's records into store writes, one write in flight at a
 * time so records reach the store in the order they were produced (a
 * session's stop record after its start record).
 *
 * Back-pressure: a StoreFullError (the InfluxDB spool is full) keeps the batch
 * and retries it with backoff; `pending` grows meanwhile and the service
 * reports not-ready. Nothing is dropped for being slow. A batch the store
 * refuses as invalid (TypeError/RangeError) cannot succeed by retrying: it is
 * logged with its size and counted, and dropped.
 */
export class StoreWriter {
  private queue = emptyQueue();
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  /** Records ever queued, and ever finished (written or refused as invalid): a position in the stream of records. */
  private queuedTotal = 0;
  private doneTotal = 0;
  private readonly waiters: { target: number; resolve: () => void }[] = [];
  /** True while the store refuses writes for back-pressure. */
  blocked = false;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(
    private readonly store: GaitStore,
    private readonly logger: Logger,
    private readonly metrics: IngestMetrics,
    options: StoreWriterOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 200;
    this.maxBatch = options.maxBatch ?? 2000;
    this.retryMs = options.retryMs ?? 250;
    this.maxRetryMs = options.maxRetryMs ?? 10_000;
  }

  /** Records queued or in flight. */
  get pending(): number {
    return size(this.queue) + this.inFlight;
  }

  stride(record: StrideRecord): void {
    this.queue.strides.push(record);
    this.queuedTotal++;
    this.schedule();
  }

  rep(record: RepRecord): void {
    this.queue.reps.push(record);
    this.queuedTotal++;
    this.schedule();
  }

  alert(record: AlertRecord): void {
    this.queue.alerts.push(record);
    this.queuedTotal++;
    this.schedule();
  }

  session(record: SessionRecord): void {
    this.queue.sessions.push(record);
    this.queuedTotal++;
    this.schedule();
  }

  /** Only the latest checkpoint of a session matters: a newer one replaces a queued older one. */
  checkpoint(record: CheckpointRecord): void {
    const key = `${record.athleteId}/${record.sessionId}`;
    // A replaced queued checkpoint is one record, not two.
    if (!this.queue.checkpoints.has(key)) this.queuedTotal++;
    this.queue.checkpoints.set(key, record);
    this.schedule();
  }

  private schedule(): void {
    this.metrics.storePending.set(this.pending);
    if (this.writing !== undefined) return;
    if (size(this.queue) >= this.maxBatch) {
      this.kick();
      return;
    }
    this.timer ??= setTimeout(() => this.kick(), this.flushMs);
  }

  private kick(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing !== undefined || size(this.queue) === 0) return;
    this.writing = this.writeLoop().finally(() => {
      this.writing = undefined;
      this.metrics.storePending.set(this.pending);
      if (size(this.queue) > 0 && !this.closed) this.schedule();
    });
  }

  /** Writes the queue batch by batch until it is empty, retrying a refused batch. */
  private async writeLoop(): Promise<void> {
    while (size(this.queue) > 0) {
      const q = this.queue;
      this.queue = emptyQueue();
      const batch = { strides: q.strides, reps: q.reps, alerts: q.alerts, sessions: q.sessions, checkpoints: [...q.checkpoints.values()] };
      const count = size(q);
      this.inFlight = count;
      let waitMs = this.retryMs;
      for (;;) {
        const started = performance.now();
        try {
          await this.store.write(batch);
          this.metrics.storeWrite.observe((performance.now() - started) / 1000);
          if (this.blocked) this.logger.info({ records: count }, 'store accepts writes again');
          this.blocked = false;
          break;
        } catch (error) {
          if (error instanceof StoreFullError) {
            this.metrics.storeErrors.inc({ error: 'full' });
            if (!this.blocked) this.logger.error({ records: count }, 'store is full (spool at its bound): holding records and retrying');
            this.blocked = true;
            await new Promise((r) => setTimeout(r, waitMs));
            waitMs = Math.min(this.maxRetryMs, waitMs * 2);
            continue;
          }
          const name = error instanceof Error ? error.name : 'Error';
          this.metrics.storeErrors.inc({ error: name });
          this.logger.error({ err: error, records: count }, 'store refused a batch; dropped');
          break;
        }
      }
      this.inFlight = 0;
      this.doneTotal += count;
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const waiter = this.waiters[i]!;
        if (waiter.target <= this.doneTotal) {
          this.waiters.splice(i, 1);
          waiter.resolve();
        }
      }
    }
  }

  /**
   * Resolves once every record queued before this call is durable (or refused
   * as invalid). Unlike flush() it does not wait for records queued later, so
   * it ends under a steady stream too.
   */
  written(): Promise<void> {
    const target = this.queuedTotal;
    if (target <= this.doneTotal) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    this.kick();
    return done;
  }

  /** Writes everything queued now and waits for it. */
  async flush(): Promise<void> {
    while (this.writing !== undefined || size(this.queue) > 0) {
      this.kick();
      await this.writing;
    }
  }

  /** Flushes and stops; later records are refused. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
