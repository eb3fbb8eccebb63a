/**
 * The embedded default store (no INFLUX_URL): SQLite through better-sqlite3
 * under DATA_DIR. Writes of many sessions are grouped by the Batcher into one
 * transaction per batch (one WAL fsync per batch, not per stride), committed
 * on a writer thread of the store's own (batch-writer.ts: why); a write is
 * acknowledged only after its transaction committed, so a kill -9 afterwards
 * loses nothing acknowledged. Reads, and the rare athlete and ack writes, use
 * the store's own connection on the caller's thread.
 */
import { QueryingStore } from '../store-queries.ts';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { Batcher } from '../batcher.ts';
import { StoreClosedError } from '../errors.ts';
import type { AlertAckInput, AthleteRecord, GaitStore, RawImuPolicy, StoreMetrics, WriteBatch } from '../types.ts';
import { prepareBatch, type PreparedBatch } from '../write-batch.ts';
import { makeDirSync } from '../make-dir.ts';
import { InlineWriter, ThreadWriter, type BatchWriter } from './batch-writer.ts';
import { LocalQueries } from './local-queries.ts';
import { ackToRow, athleteToRow } from './rows.ts';
import { prepareDatabase } from './schema.ts';

export interface LocalStoreOptions {
  /** Directory of the database file (created if missing). */
  readonly dataDir: string;
  /** File name inside dataDir; default `gaitwatch.sqlite`. */
  readonly fileName?: string;
  /** 'full' (default) survives power loss; 'normal' only a process crash, for faster tests or throwaway data. */
  readonly synchronous?: 'full' | 'normal';
  /** Points per transaction (default 5000). */
  readonly maxBatchPoints?: number;
  /** Longest a write waits for its batch's commit, ms (default 20): the latency traded for one fsync per batch. */
  readonly maxBatchDelayMs?: number;
  readonly rawImu?: RawImuPolicy;
  /**
   * Commit write batches on a thread of the store's own (default true), so the
   * caller's event loop never waits on SQLite's fsync; false commits inline.
   */
  readonly writerThread?: boolean;
}

export class LocalStore extends QueryingStore implements GaitStore {
  readonly kind = 'local' as const;
  readonly accepting = true;
  private readonly db: Database.Database;
  protected readonly queries: LocalQueries;
  private readonly batcher: Batcher<PreparedBatch>;
  private readonly writer: BatchWriter;
  private readonly rawImu: RawImuPolicy;
  private readonly upsertAthlete: Database.Statement;
  private readonly insertAck: Database.Statement;
  private closed = false;
  private counters = { pointsWritten: 0, batchesWritten: 0, imuSamplesSkipped: 0, lastWriteMs: 0 };

  constructor(options: LocalStoreOptions) {
    super();
    const path = join(options.dataDir, options.fileName ?? 'gaitwatch.sqlite');
    ownerOnly(options.dataDir, path);
    this.db = new Database(path);
    // Here first: the schema exists before the writer thread opens the file.
    prepareDatabase(this.db, options.synchronous ?? 'full');
    this.queries = new LocalQueries(this.db);
    this.rawImu = options.rawImu ?? 'off';
    this.writer = options.writerThread === false ? new InlineWriter(this.db) : new ThreadWriter({ path, synchronous: options.synchronous ?? 'full' }, () => new InlineWriter(this.db));
    this.upsertAthlete = this.db.prepare('INSERT OR REPLACE INTO athletes VALUES (@athlete, @display_name, @settings, @updated_us)');
    // The first ack of an alert is kept, atomically: a later one never replaces it. "First" is the earliest
    // acked_us (then the smaller key id), the rule the InfluxDB store applies on read, so racing acks settle alike.
    this.insertAck = this.db.prepare(
      `INSERT INTO alert_acks VALUES (@athlete, @session, @t_us, @type, @severity, @metric, @sensor, @side, @acked_by, @acked_us, @note)
       ON CONFLICT (athlete, session, t_us, type, severity, metric, sensor, side) DO UPDATE
       SET acked_by = excluded.acked_by, acked_us = excluded.acked_us, note = excluded.note
       WHERE excluded.acked_us < alert_acks.acked_us OR (excluded.acked_us = alert_acks.acked_us AND excluded.acked_by < alert_acks.acked_by)`,
    );
    this.batcher = new Batcher<PreparedBatch>({
      maxBatchPoints: options.maxBatchPoints ?? 5000,
      maxBatchDelayMs: options.maxBatchDelayMs ?? 20,
      // The writer thread commits in the order it is handed batches: the next one crosses while the last commits.
      inFlight: this.writer instanceof ThreadWriter ? 2 : 1,
      flush: async (batches, points) => {
        this.counters.lastWriteMs = await this.writer.write(batches);
        this.counters.pointsWritten += points;
        this.counters.batchesWritten += 1;
      },
    });
  }

  async write(batch: WriteBatch): Promise<void> {
    if (this.closed) throw new StoreClosedError();
    const prepared = prepareBatch(batch, this.rawImu);
    this.counters.imuSamplesSkipped += prepared.imuSkipped;
    if (prepared.points === 0) return;
    await this.batcher.add(prepared, prepared.points);
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  // Athletes and acks are rare, single human actions: one statement is one transaction, committed
  // (and fsync'd, synchronous=FULL) before the promise resolves; no batching needed.
  protected async storeAthlete(record: AthleteRecord): Promise<void> {
    if (this.closed) throw new StoreClosedError();
    this.upsertAthlete.run(athleteToRow(record));
  }

  protected async storeAck(ack: AlertAckInput): Promise<void> {
    if (this.closed) throw new StoreClosedError();
    this.insertAck.run(ackToRow(ack));
  }

  get metrics(): StoreMetrics {
    return {
      ...this.counters,
      pointsSpooled: 0,
      pointsReplayed: 0,
      writeRetries: 0,
      pointsRejected: 0,
      writesRefusedFull: 0,
      spoolCorruptRecords: 0,
      spoolDepthBatches: 0,
      spoolBytes: 0,
      pendingPoints: this.batcher.pendingPoints,
      spoolFull: 0,
      spoolPoints: 0,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.batcher.flush();
    await this.writer.close();
    this.db.close();
  }

  /** The writer thread now, if one runs: for tests of its failure. */
  get writerThread(): Worker | undefined {
    return this.writer instanceof ThreadWriter ? this.writer.thread : undefined;
  }
}

/**
 * The store holds every athlete's sessions, strides and profile: readable by
 * its owner only, as the key and secrets files are — another local account
 * must not read around the API's roles and pseudonyms. A folder made here is
 * 0700 (one that exists is the operator's and left as it is); the database
 * is created 0600 before SQLite opens it (SQLite gives its -wal and -shm the
 * database's mode) and tightened to 0600 with its companions if it existed.
 */
function ownerOnly(dataDir: string, path: string): void {
  makeDirSync(dataDir, 0o700);
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}
