/**
 * Groups the small writes of many sessions into batches bounded in points
 * and in time, and hands the batches, one at a time and in order, to a
 * flush function. Each `add` resolves when the batch holding it was flushed
 * (or rejects with the flush's error): the caller's acknowledgement.
 */

export interface BatcherOptions<P> {
  /** A batch is sealed once it holds this many points. */
  readonly maxBatchPoints: number;
  /** …or this long after its first point arrived, ms. */
  readonly maxBatchDelayMs: number;
  /** …or once its payloads weigh this many bytes (as told to `add`); default: no byte bound. */
  readonly maxBatchBytes?: number;
  /** Writes one batch; batches are handed over in order, the next once fewer than `inFlight` are unfinished. */
  readonly flush: (payloads: P[], points: number) => Promise<void>;
  /**
   * Batches handed over and not yet finished, at most (default 1: strictly one
   * after another). More only for a flush that commits in the order it was
   * called (the local store's writer thread): the next batch then crosses to
   * it while the one before commits.
   */
  readonly inFlight?: number;
}

interface Batch<P> {
  payloads: P[];
  points: number;
  bytes: number;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

export class Batcher<P> {
  private open: Batch<P> | undefined;
  private readonly sealed: Batch<P>[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private pending = 0;

  constructor(private readonly options: BatcherOptions<P>) {
    if (!(options.maxBatchPoints >= 1)) throw new RangeError(`maxBatchPoints ${options.maxBatchPoints} must be ≥ 1`);
    if (!(options.maxBatchDelayMs >= 0)) throw new RangeError(`maxBatchDelayMs ${options.maxBatchDelayMs} must be ≥ 0`);
  }

  /** Points added and not yet flushed (or failed). */
  get pendingPoints(): number {
    return this.pending;
  }

  /** Adds one write's payload; it is never split across batches, so its acknowledgement is one batch's. */
  add(payload: P, points: number, bytes = 0): Promise<void> {
    const batch = (this.open ??= { payloads: [], points: 0, bytes: 0, waiters: [] });
    batch.payloads.push(payload);
    batch.points += points;
    batch.bytes += bytes;
    this.pending += points;
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (batch.points >= this.options.maxBatchPoints || batch.bytes >= (this.options.maxBatchBytes ?? Infinity)) this.seal();
    else this.timer ??= setTimeout(() => this.seal(), this.options.maxBatchDelayMs);
    return done;
  }

  /** Seals the open batch and waits until everything added so far is flushed (errors stay with their writers). */
  async flush(): Promise<void> {
    this.seal();
    while (this.running !== undefined) await this.running;
  }

  private seal(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.open === undefined) return;
    this.sealed.push(this.open);
    this.open = undefined;
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    const limit = this.options.inFlight ?? 1;
    const active = new Set<Promise<void>>();
    for (;;) {
      const batch = this.sealed.shift();
      if (batch === undefined) {
        if (active.size === 0) break;
        await Promise.race(active);
        continue;
      }
      const flushed: Promise<void> = this.flushOne(batch).finally(() => active.delete(flushed));
      active.add(flushed);
      if (active.size >= limit) await Promise.race(active);
    }
    this.running = undefined;
  }

  private async flushOne(batch: Batch<P>): Promise<void> {
    try {
      await this.options.flush(batch.payloads, batch.points);
      for (const w of batch.waiters) w.resolve();
    } catch (error) {
      for (const w of batch.waiters) w.reject(error);
    } finally {
      this.pending -= batch.points;
    }
  }
}
