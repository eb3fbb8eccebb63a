/**
 * The InfluxDB store: records become line protocol at `write`, are
 * grouped into batches bounded in points and time, and each batch goes
 * through the DurableWriter (live, or the disk spool while the database is
 * away). Reads are InfluxQL over /query.
 */
import { QueryingStore } from '../store-queries.ts';
import { join } from 'node:path';
import { Batcher } from '../batcher.ts';
import { StoreClosedError, StoreFullError } from '../errors.ts';
import { Spool } from '../spool/spool.ts';
import { SILENT_LOGGER } from '../types.ts';
import type { AlertAckInput, AthleteRecord, GaitStore, RawImuPolicy, StoreLogger, StoreMetrics, StoreWriteProblem, WriteBatch } from '../types.ts';
import { prepareBatch } from '../write-batch.ts';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { DurableWriter } from './durable-writer.ts';
import { InfluxHttp, type InfluxConnectionOptions } from './http.ts';
import { InfluxQueries } from './influx-queries.ts';
import { ackPoint, athletePoint, batchLines } from './points.ts';
import { WriteHealth } from './write-health.ts';
import { probeUntilWritable } from './write-probe.ts';

export interface InfluxStoreOptions extends InfluxConnectionOptions {
  /** Directory of the spool and the dead-letter file (e.g. `$DATA_DIR/spool`). */
  readonly spoolDir: string;
  /** Spool bound on disk, bytes (default 512 MiB). */
  readonly maxSpoolBytes?: number;
  /** Spool segment size, bytes (default 8 MiB). */
  readonly spoolSegmentBytes?: number;
  /** Points per HTTP write (default 5000, InfluxDB's recommended batch size). */
  readonly maxBatchPoints?: number;
  /** Longest a point waits for its batch to be sent, ms (default 1000). */
  readonly maxBatchDelayMs?: number;
  /** Bytes of line protocol per HTTP write (default 4 MiB; checkpoints make points of very different sizes). */
  readonly maxBatchBytes?: number;
  /**
   * Bound on points accepted and not yet stored, held in memory (default 200 000). A write is admitted whole
   * while fewer points than this are pending, so pending points stay below this plus one write's points;
   * at or past it `write` refuses (and `accepting` is false).
   */
  readonly maxPendingPoints?: number;
  /** Live HTTP attempts of a batch before it is spooled (default 2). */
  readonly liveAttempts?: number;
  readonly backoff?: BackoffOptions;
  readonly rawImu?: RawImuPolicy;
  /** pino logger (or alike): spool, replay and refusal events. Default: silent. */
  readonly logger?: StoreLogger;
  /** Ask InfluxDB at open whether it takes writes (an empty write), so a missing database shows at once (default true). */
  readonly probeAtOpen?: boolean;
}

/** `accepting` turns true again only when the spool fell below this share of its bound (hysteresis for intake). */
const RESUME_SHARE = 0.9;

export class InfluxStore extends QueryingStore implements GaitStore {
  readonly kind = 'influx' as const;
  private readonly http: InfluxHttp;
  protected readonly queries: InfluxQueries;
  private readonly batcher: Batcher<string>;
  private readonly maxPendingPoints: number;
  private readonly rawImu: RawImuPolicy;
  private closed = false;
  private full = false;
  private imuSamplesSkipped = 0;
  /** Stops the open-time probe at close. */
  private readonly stopProbe = new AbortController();
  private probing: Promise<void> = Promise.resolve();

  private constructor(
    options: InfluxStoreOptions,
    private readonly spool: Spool,
    private readonly writer: DurableWriter,
    http: InfluxHttp,
    private readonly health: WriteHealth,
  ) {
    super();
    this.http = http;
    this.queries = new InfluxQueries(http);
    this.maxPendingPoints = options.maxPendingPoints ?? 200_000;
    this.rawImu = options.rawImu ?? 'off';
    this.batcher = new Batcher<string>({
      maxBatchPoints: options.maxBatchPoints ?? 5000,
      maxBatchDelayMs: options.maxBatchDelayMs ?? 1000,
      maxBatchBytes: options.maxBatchBytes ?? 4 * 1024 * 1024,
      flush: (bodies, points) => this.writer.submit(bodies.join('\n'), points),
    });
  }

  /** Opens the spool (replaying what a previous run left there) and returns the store. */
  static async open(options: InfluxStoreOptions): Promise<InfluxStore> {
    const http = new InfluxHttp(options);
    const logger = options.logger ?? SILENT_LOGGER;
    const spool = await Spool.open(options.spoolDir, {
      onCorrupt: (found) => logger.warn({ ...found, spoolDir: options.spoolDir }, 'influx: corrupt spool record skipped'),
      ...(options.maxSpoolBytes === undefined ? {} : { maxBytes: options.maxSpoolBytes }),
      ...(options.spoolSegmentBytes === undefined ? {} : { segmentBytes: options.spoolSegmentBytes }),
    });
    if (spool.tookOverFrom !== undefined) {
      logger.warn(
        { spoolDir: spool.directory, tookOverFromPid: spool.tookOverFrom, pointsWaiting: spool.itemsWaiting },
        `took over the spool at ${spool.directory} from process ${spool.tookOverFrom}, which is gone; its unsent points will be sent (${spool.itemsWaiting} waiting)`,
      );
    }
    const health = new WriteHealth(options, logger, () => spool.itemsWaiting);
    const writer = new DurableWriter({
      send: (body, signal) => http.write(body, signal),
      spool,
      deadLetterPath: join(options.spoolDir, 'dead-letter.lp'),
      logger,
      onOutcome: (failure) => health.observe(failure),
      ...(options.liveAttempts === undefined ? {} : { liveAttempts: options.liveAttempts }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    });
    writer.start();
    const store = new InfluxStore(options, spool, writer, http, health);
    // With a spool to replay, the replayer's first attempt tells the same (write-probe.ts).
    if ((options.probeAtOpen ?? true) && !writer.spooling) store.probe(http, options.backoff ?? DEFAULT_BACKOFF);
    return store;
  }

  /** In the background: open must not wait on a database that is away (up to a request timeout). */
  private probe(http: InfluxHttp, backoff: BackoffOptions): void {
    this.probing = probeUntilWritable({
      probe: (signal) => http.probeWrite(signal),
      health: this.health,
      replaying: () => this.writer.spooling,
      backoff,
      signal: this.stopProbe.signal,
    }).catch(() => undefined); // probeWrite does not throw; a bug here must not become an unhandled rejection
  }

  /**
   * Set while InfluxDB refuses writes for a reason waiting cannot heal (no database, refused credentials, a
   * URL that answers 404): writes still go to the spool and are retried, and it clears at the first write
   * that succeeds (write-health.ts). For /readyz.
   */
  get writeProblem(): StoreWriteProblem | undefined {
    return this.health.problem;
  }

  /**
   * True when a `write` of any size would be admitted now: the spool is not full and fewer than
   * `maxPendingPoints` points are pending — the same test `write` makes, so a caller that checks
   * `accepting` first is never refused for the pending bound (README, back-pressure).
   */
  get accepting(): boolean {
    return !this.spoolFull() && !this.pendingFull();
  }

  /** At or past the in-memory bound. Below it a write is admitted whole: a write is never split, and refusing one that would merely cross the bound would make `accepting` lie. */
  private pendingFull(): boolean {
    return this.batcher.pendingPoints >= this.maxPendingPoints;
  }

  /** Set when the spool refused a batch; cleared once replay has freed space below RESUME_SHARE of the bound. */
  private spoolFull(): boolean {
    if (this.full && this.spool.bytes <= this.spool.maxBytes * RESUME_SHARE) this.full = false;
    return this.full;
  }

  async write(batch: WriteBatch): Promise<void> {
    if (this.closed) throw new StoreClosedError();
    const prepared = prepareBatch(batch, this.rawImu);
    this.imuSamplesSkipped += prepared.imuSkipped;
    if (prepared.points === 0) return;
    if (this.spoolFull()) {
      this.writer.counters.writesRefusedFull++;
      throw new StoreFullError('spool', this.spool.bytes, this.spool.maxBytes);
    }
    // Admitted whole while below the bound (overshoot ≤ one write), so that this agrees with `accepting`.
    if (this.batcher.pendingPoints >= this.maxPendingPoints) {
      this.writer.counters.writesRefusedFull++;
      throw new StoreFullError('pending', this.batcher.pendingPoints, this.maxPendingPoints);
    }
    // Lines are built now, so a record the library refuses fails this call, not a whole batch later.
    await this.submit(batchLines(prepared), prepared.points);
  }

  private async submit(body: string, points: number): Promise<void> {
    try {
      await this.batcher.add(body, points, body.length);
    } catch (error) {
      if (error instanceof StoreFullError) this.full = true;
      throw error;
    }
  }

  /**
   * One point through the same path as `write` (batched, retried, spooled, in
   * order), sent at once: a person is waiting for it, not a stream of strides.
   */
  private async writeOne(line: string): Promise<void> {
    if (this.closed) throw new StoreClosedError();
    if (this.spoolFull()) {
      this.writer.counters.writesRefusedFull++;
      throw new StoreFullError('spool', this.spool.bytes, this.spool.maxBytes);
    }
    const done = this.submit(line, 1);
    this.batcher.flush().catch(() => undefined); // errors reach `done`
    await done;
  }

  protected storeAthlete(record: AthleteRecord): Promise<void> {
    return this.writeOne(athletePoint(record));
  }

  protected storeAck(ack: AlertAckInput): Promise<void> {
    return this.writeOne(ackPoint(ack));
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  /** Flushes, then waits until the spool has been replayed into the database. */
  async drain(): Promise<void> {
    await this.batcher.flush();
    await this.writer.drain();
  }

  /** True when the database answers /ping (for /readyz). */
  ping(): Promise<boolean> {
    return this.http.ping();
  }

  get metrics(): StoreMetrics {
    return {
      ...this.writer.counters,
      imuSamplesSkipped: this.imuSamplesSkipped,
      spoolCorruptRecords: this.spool.corruptRecords,
      spoolDepthBatches: this.spool.depthRecords,
      spoolBytes: this.spool.bytes,
      pendingPoints: this.batcher.pendingPoints,
      spoolFull: this.spoolFull() ? 1 : 0,
      spoolPoints: this.spool.itemsWaiting,
    };
  }

  /** Sends what is batched (live or into the spool), stops the replayer and closes the spool; its records wait for the next open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopProbe.abort();
    await this.probing;
    await this.batcher.flush();
    await this.writer.close();
    await this.spool.close();
  }
}
