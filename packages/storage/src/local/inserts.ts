import type Database from 'better-sqlite3';
import { imuCount } from '../records.ts';
import type { ImuBlock } from '../types.ts';
import type { PreparedBatch } from '../write-batch.ts';
import { alertValues, checkpointToRow, repValues, sessionToRow, strideValues, type AlertValues, type RepValues, type StrideValues } from './rows.ts';

/**
 * Write batches as the rows SQLite takes: positional values for the
 * high-volume records (rows.ts StrideValues says why), row objects for the
 * rest, raw IMU blocks as they are. Built on the caller's thread: arrays of
 * plain values cross to the writer thread at about half the cost of the
 * records (a structured clone writes every object's keys).
 */
export interface BatchRows {
  readonly strides: StrideValues[];
  readonly reps: RepValues[];
  readonly alerts: AlertValues[];
  readonly sessions: ReturnType<typeof sessionToRow>[];
  readonly checkpoints: ReturnType<typeof checkpointToRow>[];
  readonly imu: ImuBlock[];
}

export function toRows(batches: readonly PreparedBatch[]): BatchRows {
  const rows: BatchRows = { strides: [], reps: [], alerts: [], sessions: [], checkpoints: [], imu: [] };
  for (const b of batches) {
    for (const s of b.strides) rows.strides.push(strideValues(s));
    for (const r of b.reps) rows.reps.push(repValues(r));
    for (const a of b.alerts) rows.alerts.push(alertValues(a));
    for (const s of b.sessions) rows.sessions.push(sessionToRow(s));
    for (const c of b.checkpoints) rows.checkpoints.push(checkpointToRow(c));
    for (const block of b.imu) rows.imu.push(block);
  }
  return rows;
}

/**
 * The batch writer of the local store on `db`: INSERT OR REPLACE on each
 * record's identity key (a replayed record overwrites itself), all the rows
 * in one transaction — all of it commits (and is fsync'd) or none. Run on the
 * store's writer thread (writer-thread.ts), or inline.
 */
export function prepareInserts(db: Database.Database): (rows: BatchRows) => void {
  const stride = db.prepare('INSERT OR REPLACE INTO strides VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const rep = db.prepare('INSERT OR REPLACE INTO reps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const alert = db.prepare('INSERT OR REPLACE INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const session = db.prepare('INSERT OR REPLACE INTO sessions VALUES (@athlete, @session, @start_us, @end_us, @summary)');
  const checkpoint = db.prepare('INSERT OR REPLACE INTO checkpoints VALUES (@athlete, @session, @start_us, @at_us, @version, @data)');
  const imu = db.prepare('INSERT OR REPLACE INTO imu VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  return db.transaction((rows: BatchRows) => {
    for (const v of rows.strides) stride.run(v);
    for (const v of rows.reps) rep.run(v);
    for (const v of rows.alerts) alert.run(v);
    for (const r of rows.sessions) session.run(r);
    for (const r of rows.checkpoints) checkpoint.run(r);
    for (const block of rows.imu) {
      for (let i = 0, n = imuCount(block); i < n; i++) {
        const v = block.samples;
        const o = i * 6;
        imu.run(block.athleteId, block.sessionId, block.t0Us + i * block.periodUs, block.sensor, v[o]!, v[o + 1]!, v[o + 2]!, v[o + 3]!, v[o + 4]!, v[o + 5]!);
      }
    }
  });
}
