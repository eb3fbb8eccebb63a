/** Reads of the InfluxDB store: InfluxQL over /query, paged by time like the local store. */
import { assertId } from '../records.ts';
import { pageBounds, pageLimit, toPage } from '../paging.ts';
import type { AckQuery, AthleteListQuery } from '../store-queries.ts';
import type { AlertAckInput, RepQuery, RepRecord, AlertQuery, AlertRecord, AthleteListItem, AthleteRecord, CheckpointRecord, ImuQuery, ImuSample, OneOrMany, Page, SessionQuery, SessionRecord, StrideQuery, StrideRecord } from '../types.ts';
import type { InfluxHttp } from './http.ts';
import { Conditions, quoteIdent, selectAll } from './influxql.ts';
import { byTimeThen, rowToAck, rowToAlert, rowToAthlete, rowToCheckpoint, rowToImu, rowToRep, rowToSession, rowToStride, rowsOf, type Row } from './influx-rows.ts';

/** A paged measurement: its time, the rest of its identity (to order equal times), the row mapping. */
interface Measurement<T> {
  readonly name: string;
  readonly timeOf: (item: T) => number;
  readonly keys: (item: T) => string[];
  readonly map: (row: Row) => T;
}

const STRIDE: Measurement<StrideRecord> = { name: 'stride', timeOf: (s) => s.icUs, keys: (s) => [s.side], map: rowToStride };
const REP: Measurement<RepRecord> = { name: 'rep', timeOf: (r) => r.startUs, keys: (r) => [r.side], map: rowToRep };
const ALERT: Measurement<AlertRecord> = {
  name: 'alert',
  timeOf: (a) => a.tUs,
  keys: (a) => [a.athleteId, a.sessionId, a.type, a.severity, a.metric, a.phase, a.sensor ?? '', a.side ?? ''],
  map: rowToAlert,
};
const SESSION: Measurement<SessionRecord> = { name: 'session', timeOf: (s) => s.startUs, keys: (s) => [s.athleteId, s.sessionId], map: rowToSession };
const IMU: Measurement<ImuSample> = { name: 'imu', timeOf: (s) => s.tUs, keys: (s) => [s.sensor], map: rowToImu };

/** How a screen session's summary says so (ingest records `activity` at its top level; the echoed `start` agrees). */
const ACTIVITY_SCREEN = '"activity":"screen"';

const ids = (what: string, values: OneOrMany<string> | undefined): void => {
  if (values === undefined) return;
  for (const v of typeof values === 'string' ? [values] : values) assertId(what, v);
};

export class InfluxQueries {
  constructor(private readonly http: InfluxHttp) {}

  private async select<T>(m: Measurement<T>, where: Conditions, order: 'asc' | 'desc', limit?: number): Promise<T[]> {
    if (where.empty) return [];
    const items = rowsOf(await this.http.query(selectAll(m.name, where, order, limit))).map(m.map);
    return items.sort(byTimeThen(m.timeOf, m.keys, order));
  }

  private async page<T>(m: Measurement<T>, where: Conditions, order: 'asc' | 'desc', limit: number): Promise<Page<T>> {
    const rows = await this.select(m, where, order, limit + 1);
    return toPage(rows, limit, m.timeOf, (tUs) => this.select(m, where.atTime(tUs), order));
  }

  async strides(q: StrideQuery): Promise<Page<StrideRecord>> {
    assertId('athleteId', q.athleteId);
    assertId('sessionId', q.sessionId);
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, 'asc');
    const where = new Conditions().eq('athlete', q.athleteId).eq('session', q.sessionId).eq('side', q.side).time(fromUs, toUs);
    return this.page(STRIDE, where, 'asc', limit);
  }

  async reps(q: RepQuery): Promise<Page<RepRecord>> {
    assertId('athleteId', q.athleteId);
    assertId('sessionId', q.sessionId);
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, 'asc');
    const where = new Conditions().eq('athlete', q.athleteId).eq('session', q.sessionId).eq('side', q.side).time(fromUs, toUs);
    return this.page(REP, where, 'asc', limit);
  }

  async alerts(q: AlertQuery): Promise<Page<AlertRecord>> {
    ids('athleteId', q.athleteId);
    if (q.sessionId !== undefined) assertId('sessionId', q.sessionId);
    const order = q.order ?? 'asc';
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, order);
    const where = new Conditions().oneOf('athlete', q.athleteId).eq('session', q.sessionId).oneOf('type', q.type).oneOf('severity', q.severity).eq('phase', q.phase).time(fromUs, toUs);
    return this.page(ALERT, where, order, limit);
  }

  async sessions(q: SessionQuery): Promise<Page<SessionRecord>> {
    ids('athleteId', q.athleteId);
    const order = q.order ?? 'desc';
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, order);
    const where = new Conditions().oneOf('athlete', q.athleteId).time(fromUs, toUs);
    // The activity lives in the summary JSON string (JSON.stringify: no spaces); none recorded means a run.
    if (q.activity !== undefined) where.fieldMatches('summary', ACTIVITY_SCREEN, q.activity === 'screen');
    return this.page(SESSION, where, order, limit);
  }

  async session(athleteId: string, sessionId: string): Promise<SessionRecord | null> {
    assertId('athleteId', athleteId);
    assertId('sessionId', sessionId);
    const [latest] = await this.select(SESSION, new Conditions().eq('athlete', athleteId).eq('session', sessionId), 'desc', 1);
    return latest ?? null;
  }

  async checkpoint(athleteId: string, sessionId: string): Promise<CheckpointRecord | null> {
    assertId('athleteId', athleteId);
    assertId('sessionId', sessionId);
    const where = new Conditions().eq('athlete', athleteId).eq('session', sessionId);
    const [row] = rowsOf(await this.http.query(selectAll('checkpoint', where, 'desc', 1)));
    return row === undefined ? null : rowToCheckpoint(row);
  }

  async acks(q: AckQuery): Promise<AlertAckInput[]> {
    const where = new Conditions().oneOf('athlete', q.athleteId).eq('session', q.sessionId).time(q.fromUs, q.toUs);
    if (where.empty) return [];
    return rowsOf(await this.http.query(selectAll('alert_ack', where, 'asc'))).map(rowToAck);
  }

  async athlete(athleteId: string): Promise<AthleteRecord | null> {
    const rows = rowsOf(await this.http.query(selectAll('athlete', new Conditions().eq('athlete', athleteId), 'desc'))).map(rowToAthlete);
    // One point per athlete (fixed time); should there ever be more, the latest write wins.
    return rows.reduce<AthleteRecord | null>((latest, r) => (latest === null || r.updatedUs > latest.updatedUs ? r : latest), null);
  }

  /**
   * The union of athletes with a record (`athlete` points) and athletes with a
   * session (the `athlete` tag values of `session`, read from the series index,
   * not the points), merged and paged by id in memory: O(athletes) per page,
   * fine for the thousands of athletes of a club or a study.
   */
  async athletes(q: AthleteListQuery): Promise<AthleteListItem[]> {
    const where = new Conditions().oneOf('athlete', q.athleteIds);
    if (where.empty) return [];
    const [tagSeries, recordSeries] = await Promise.all([
      this.http.query(`SHOW TAG VALUES FROM ${quoteIdent('session')} WITH KEY = ${quoteIdent('athlete')}${where}`),
      this.http.query(selectAll('athlete', where, 'asc')),
    ]);
    const records = new Map<string, AthleteRecord>();
    for (const r of rowsOf(recordSeries).map(rowToAthlete)) {
      const seen = records.get(r.athleteId);
      if (seen === undefined || r.updatedUs > seen.updatedUs) records.set(r.athleteId, r);
    }
    const ids = new Set(records.keys());
    for (const row of rowsOf(tagSeries)) if (typeof row['value'] === 'string') ids.add(row['value']);
    return [...ids]
      .filter((id) => q.afterId === undefined || id > q.afterId)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, q.limit)
      .map((id) => records.get(id) ?? { athleteId: id, settings: {}, updatedUs: null });
  }

  async imu(q: ImuQuery): Promise<Page<ImuSample>> {
    assertId('athleteId', q.athleteId);
    assertId('sessionId', q.sessionId);
    const limit = pageLimit(q.limit);
    const { fromUs, toUs } = pageBounds(q, 'asc');
    const where = new Conditions().eq('athlete', q.athleteId).eq('session', q.sessionId).eq('sensor', q.sensor).time(fromUs, toUs);
    return this.page(IMU, where, 'asc', limit);
  }
}
