/**
 * Reads of the local store. The SQL of a query depends only on which filters
 * are present (and how many athletes), so each shape is prepared once and
 * cached; values are always bound, never spliced into the SQL.
 */
import type Database from 'better-sqlite3';
import { assertId } from '../records.ts';
import { pageBounds, pageLimit, toPage } from '../paging.ts';
import type { AckQuery, AthleteListQuery } from '../store-queries.ts';
import type { AlertAckInput, RepQuery, RepRecord, AlertQuery, AlertRecord, AthleteListItem, AthleteRecord, CheckpointRecord, ImuQuery, ImuSample, OneOrMany, Page, SessionQuery, SessionRecord, StrideQuery, StrideRecord } from '../types.ts';
import {
  rowToAck,
  rowToAlert,
  rowToAthlete,
  rowToAthleteListItem,
  rowToCheckpoint,
  rowToImu,
  rowToRep,
  rowToSession,
  rowToStride,
  type AckRow,
  type AlertRow,
  type AthleteListRow,
  type AthleteRow,
  type CheckpointRow,
  type ImuRow,
  type RepRow,
  type SessionRow,
  type StrideRow,
} from './rows.ts';

type Param = string | number;

class Where {
  readonly clauses: string[] = [];
  readonly params: Param[] = [];
  eq(column: string, value: Param | undefined): this {
    if (value !== undefined) {
      this.clauses.push(`${column} = ?`);
      this.params.push(value);
    }
    return this;
  }
  oneOf(column: string, values: OneOrMany<string> | undefined): this {
    if (values === undefined) return this;
    const list = typeof values === 'string' ? [values] : values;
    this.clauses.push(list.length === 0 ? '0' : `${column} IN (${list.map(() => '?').join(', ')})`);
    this.params.push(...list);
    return this;
  }
  range(column: string, fromUs: number | undefined, toUs: number | undefined): this {
    if (fromUs !== undefined) {
      this.clauses.push(`${column} >= ?`);
      this.params.push(fromUs);
    }
    if (toUs !== undefined) {
      this.clauses.push(`${column} < ?`);
      this.params.push(toUs);
    }
    return this;
  }
  sql(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }
}

const ids = (what: string, values: OneOrMany<string> | undefined): void => {
  if (values === undefined) return;
  for (const v of typeof values === 'string' ? [values] : values) assertId(what, v);
};

export class LocalQueries {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private all<R>(sql: string, params: readonly Param[]): R[] {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement.all(...params) as R[];
  }

  /** Runs a time-keyed page: `limit + 1` rows, then the shared page rule of paging.ts. */
  private page<R, T>(table: Table<R, T>, where: Where, order: 'asc' | 'desc', limit: number): Promise<Page<T>> {
    const orderBy = `ORDER BY ${table.timeColumn} ${order === 'asc' ? 'ASC' : 'DESC'}, ${table.tieBreak}`;
    const rows = this.all<R>(`SELECT * FROM ${table.name} ${where.sql()} ${orderBy} LIMIT ?`, [...where.params, limit + 1]).map(table.map);
    return toPage(rows, limit, table.timeOf, async (tUs) => {
      const at = new Where();
      at.clauses.push(...where.clauses, `${table.timeColumn} = ?`);
      at.params.push(...where.params, tUs);
      return this.all<R>(`SELECT * FROM ${table.name} ${at.sql()} ${orderBy}`, at.params).map(table.map);
    });
  }

  strides(q: StrideQuery): Promise<Page<StrideRecord>> {
    assertId('athleteId', q.athleteId);
    assertId('sessionId', q.sessionId);
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, 'asc');
    const where = new Where().eq('athlete', q.athleteId).eq('session', q.sessionId).eq('side', q.side).range('ic_us', fromUs, toUs);
    return this.page(STRIDES, where, 'asc', limit);
  }

  reps(q: RepQuery): Promise<Page<RepRecord>> {
    assertId('athleteId', q.athleteId);
    assertId('sessionId', q.sessionId);
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, 'asc');
    const where = new Where().eq('athlete', q.athleteId).eq('session', q.sessionId).eq('side', q.side).range('start_us', fromUs, toUs);
    return this.page(REPS, where, 'asc', limit);
  }

  alerts(q: AlertQuery): Promise<Page<AlertRecord>> {
    ids('athleteId', q.athleteId);
    if (q.sessionId !== undefined) assertId('sessionId', q.sessionId);
    const order = q.order ?? 'asc';
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, order);
    const where = new Where().oneOf('athlete', q.athleteId).eq('session', q.sessionId).oneOf('type', q.type).oneOf('severity', q.severity).eq('phase', q.phase).range('t_us', fromUs, toUs);
    return this.page(ALERTS, where, order, limit);
  }

  sessions(q: SessionQuery): Promise<Page<SessionRecord>> {
    ids('athleteId', q.athleteId);
    const order = q.order ?? 'desc';
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, order);
    const where = new Where().oneOf('athlete', q.athleteId).range('start_us', fromUs, toUs);
    // The activity lives in the summary JSON (ingest writes the start's); none recorded means a run.
    if (q.activity !== undefined) {
      where.clauses.push(`COALESCE(json_extract(summary, '$.activity'), 'run') = ?`);
      where.params.push(q.activity);
    }
    return this.page(SESSIONS, where, order, limit);
  }

  session(athleteId: string, sessionId: string): SessionRecord | null {
    assertId('athleteId', athleteId);
    assertId('sessionId', sessionId);
    const row = this.all<SessionRow>('SELECT * FROM sessions WHERE athlete = ? AND session = ? ORDER BY start_us DESC LIMIT 1', [athleteId, sessionId])[0];
    return row === undefined ? null : rowToSession(row);
  }

  checkpoint(athleteId: string, sessionId: string): CheckpointRecord | null {
    assertId('athleteId', athleteId);
    assertId('sessionId', sessionId);
    const row = this.all<CheckpointRow>('SELECT * FROM checkpoints WHERE athlete = ? AND session = ? ORDER BY start_us DESC LIMIT 1', [athleteId, sessionId])[0];
    return row === undefined ? null : rowToCheckpoint(row);
  }

  async acks(q: AckQuery): Promise<AlertAckInput[]> {
    const where = new Where().oneOf('athlete', q.athleteId).eq('session', q.sessionId).range('t_us', q.fromUs, q.toUs);
    return this.all<AckRow>(`SELECT * FROM alert_acks ${where.sql()}`, where.params).map(rowToAck);
  }

  athlete(athleteId: string): AthleteRecord | null {
    const row = this.all<AthleteRow>('SELECT * FROM athletes WHERE athlete = ?', [athleteId])[0];
    return row === undefined ? null : rowToAthlete(row);
  }

  /** The union of athletes with a record and athletes with a session (UNION removes the duplicates), with the record if any. */
  async athletes(q: AthleteListQuery): Promise<AthleteListItem[]> {
    const where = new Where().oneOf('k.athlete', q.athleteIds);
    if (q.afterId !== undefined) {
      where.clauses.push('k.athlete > ?');
      where.params.push(q.afterId);
    }
    const sql = `SELECT k.athlete AS athlete, a.display_name AS display_name, a.settings AS settings, a.updated_us AS updated_us
      FROM (SELECT athlete FROM athletes UNION SELECT athlete FROM sessions) AS k LEFT JOIN athletes AS a ON a.athlete = k.athlete
      ${where.sql()} ORDER BY k.athlete LIMIT ?`;
    return this.all<AthleteListRow>(sql, [...where.params, q.limit]).map(rowToAthleteListItem);
  }

  imu(q: ImuQuery): Promise<Page<ImuSample>> {
    assertId('athleteId', q.athleteId);
    assertId('sessionId', q.sessionId);
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, 'asc');
    const where = new Where().eq('athlete', q.athleteId).eq('session', q.sessionId).eq('sensor', q.sensor).range('t_us', fromUs, toUs);
    return this.page(IMU, where, 'asc', limit);
  }
}

/**
 * A paged table: its time column, the columns that order equal times (the
 * rest of the identity, so the order is total and stable), the row mapping.
 */
interface Table<R, T> {
  readonly name: string;
  readonly timeColumn: string;
  readonly tieBreak: string;
  readonly timeOf: (item: T) => number;
  readonly map: (row: R) => T;
}

const STRIDES: Table<StrideRow, StrideRecord> = { name: 'strides', timeColumn: 'ic_us', tieBreak: 'side', timeOf: (s) => s.icUs, map: rowToStride };
const REPS: Table<RepRow, RepRecord> = { name: 'reps', timeColumn: 'start_us', tieBreak: 'side', timeOf: (r) => r.startUs, map: rowToRep };
const ALERTS: Table<AlertRow, AlertRecord> = {
  name: 'alerts',
  timeColumn: 't_us',
  tieBreak: 'athlete, session, type, severity, metric, phase, sensor, side',
  timeOf: (a) => a.tUs,
  map: rowToAlert,
};
const SESSIONS: Table<SessionRow, SessionRecord> = { name: 'sessions', timeColumn: 'start_us', tieBreak: 'athlete, session', timeOf: (s) => s.startUs, map: rowToSession };
const IMU: Table<ImuRow, ImuSample> = { name: 'imu', timeColumn: 't_us', tieBreak: 'sensor', timeOf: (s) => s.tUs, map: rowToImu };
