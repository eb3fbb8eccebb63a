import { alertKeyId, decodeAthleteCursor, encodeAthleteCursor, validateAckInput, validateAthlete } from './athletes.ts';
import { allPages, MAX_PAGE_LIMIT, pageLimit } from './paging.ts';
import { assertId } from './records.ts';
import type {
  AlertAck,
  AlertAckInput,
  AlertAckResult,
  AlertKey,
  AlertQuery,
  AlertRecord,
  AthleteListItem,
  AthleteQuery,
  AthleteRecord,
  CheckpointRecord,
  ImuQuery,
  ImuSample,
  OneOrMany,
  Page,
  RepQuery,
  RepRecord,
  SessionQuery,
  SessionRecord,
  StrideQuery,
  StrideRecord,
} from './types.ts';

/** Acks of raised alerts in a time window: `fromUs ≤ tUs < toUs`. */
export interface AckQuery {
  readonly athleteId?: OneOrMany<string> | undefined;
  readonly sessionId?: string | undefined;
  readonly fromUs: number;
  readonly toUs: number;
}

/** `listAthletes` as each engine answers it: ids after `afterId`, in id order, at most `limit`. */
export interface AthleteListQuery {
  readonly athleteIds?: readonly string[] | undefined;
  readonly afterId?: string | undefined;
  readonly limit: number;
}

/** What each store's query engine answers (local/local-queries.ts, influx/influx-queries.ts). */
export interface QueryEngine {
  strides(q: StrideQuery): Promise<Page<StrideRecord>>;
  reps(q: RepQuery): Promise<Page<RepRecord>>;
  alerts(q: AlertQuery): Promise<Page<AlertRecord>>;
  sessions(q: SessionQuery): Promise<Page<SessionRecord>>;
  session(athleteId: string, sessionId: string): SessionRecord | null | Promise<SessionRecord | null>;
  checkpoint(athleteId: string, sessionId: string): CheckpointRecord | null | Promise<CheckpointRecord | null>;
  imu(q: ImuQuery): Promise<Page<ImuSample>>;
  /** Every stored ack in the window; the InfluxDB store may hold several per alert (one per acknowledging key). */
  acks(q: AckQuery): Promise<AlertAckInput[]>;
  athlete(athleteId: string): AthleteRecord | null | Promise<AthleteRecord | null>;
  athletes(q: AthleteListQuery): Promise<AthleteListItem[]>;
}

/** The first ack wins: the earliest `ackedUs` (then the key id, so the choice is total and the same in both stores). */
function firstAck(a: AlertAckInput, b: AlertAckInput | undefined): boolean {
  return b === undefined || a.ackedUs < b.ackedUs || (a.ackedUs === b.ackedUs && a.ackedBy < b.ackedBy);
}

function ackOf(input: AlertAckInput): AlertAck {
  return { by: input.ackedBy, atUs: input.ackedUs, ...(input.note === undefined || input.note === '' ? {} : { note: input.note }) };
}

/**
 * The read half of GaitStore, the same for every store: each query goes to
 * the store's engine; a whole-session stride export pages through it. Also
 * the store-independent half of athletes and alert acknowledgements; each
 * store says how a record or an ack becomes durable.
 */
export abstract class QueryingStore {
  protected abstract readonly queries: QueryEngine;
  /** Stores the (validated) record whole, replacing the last one; resolves once durable. */
  protected abstract storeAthlete(record: AthleteRecord): Promise<void>;
  /** Stores the (validated) ack of an existing raised alert; resolves once durable. A first ack stored before must not be lost. */
  protected abstract storeAck(ack: AlertAckInput): Promise<void>;

  async queryStrides(query: StrideQuery): Promise<Page<StrideRecord>> {
    return this.queries.strides(query);
  }

  streamStrides(query: Omit<StrideQuery, 'cursor' | 'limit'> & { readonly pageSize?: number }): AsyncIterable<StrideRecord> {
    return allPages((cursor) => this.queries.strides({ ...query, limit: query.pageSize ?? 5000, ...(cursor === undefined ? {} : { cursor }) }));
  }

  async queryReps(query: RepQuery): Promise<Page<RepRecord>> {
    return this.queries.reps(query);
  }

  streamReps(query: Omit<RepQuery, 'cursor' | 'limit'> & { readonly pageSize?: number }): AsyncIterable<RepRecord> {
    return allPages((cursor) => this.queries.reps({ ...query, limit: query.pageSize ?? 5000, ...(cursor === undefined ? {} : { cursor }) }));
  }

  /** A page of alerts; each acknowledged raised alert carries its first `ack` (one more read, over the page's time span). */
  async queryAlerts(query: AlertQuery): Promise<Page<AlertRecord>> {
    const page = await this.queries.alerts(query);
    return { items: await this.withAcks(page.items, query), next: page.next };
  }

  private async withAcks(items: AlertRecord[], query: AlertQuery): Promise<AlertRecord[]> {
    let fromUs = Infinity;
    let toUs = -Infinity;
    for (const a of items) {
      if (a.phase !== 'raised') continue;
      fromUs = Math.min(fromUs, a.tUs);
      toUs = Math.max(toUs, a.tUs + 1);
    }
    if (fromUs === Infinity) return items;
    const acks = await this.queries.acks({ athleteId: query.athleteId, sessionId: query.sessionId, fromUs, toUs });
    if (acks.length === 0) return items;
    const first = new Map<string, AlertAckInput>();
    for (const ack of acks) {
      const id = alertKeyId(ack);
      if (firstAck(ack, first.get(id))) first.set(id, ack);
    }
    return items.map((a) => {
      const ack = a.phase === 'raised' ? first.get(alertKeyId(a)) : undefined;
      return ack === undefined ? a : { ...a, ack: ackOf(ack) };
    });
  }

  async querySessions(query: SessionQuery): Promise<Page<SessionRecord>> {
    if (query.activity !== undefined && query.activity !== 'run' && query.activity !== 'screen') throw new TypeError(`activity ${JSON.stringify(query.activity)} is not 'run' or 'screen'`);
    return this.queries.sessions(query);
  }

  async getSession(athleteId: string, sessionId: string): Promise<SessionRecord | null> {
    return this.queries.session(athleteId, sessionId);
  }

  async latestCheckpoint(athleteId: string, sessionId: string): Promise<CheckpointRecord | null> {
    return this.queries.checkpoint(athleteId, sessionId);
  }

  async queryImu(query: ImuQuery): Promise<Page<ImuSample>> {
    return this.queries.imu(query);
  }

  async getAthlete(athleteId: string): Promise<AthleteRecord | null> {
    assertId('athleteId', athleteId);
    return this.queries.athlete(athleteId);
  }

  async putAthlete(record: AthleteRecord): Promise<void> {
    validateAthlete(record);
    await this.storeAthlete(record);
  }

  async listAthletes(query: AthleteQuery): Promise<Page<AthleteListItem>> {
    const limit = pageLimit(query.limit);
    const afterId = decodeAthleteCursor(query.cursor);
    for (const id of query.athleteIds ?? []) assertId('athleteId', id);
    if (query.athleteIds !== undefined && query.athleteIds.length === 0) return { items: [], next: null };
    const rows = await this.queries.athletes({ athleteIds: query.athleteIds, afterId, limit: limit + 1 });
    if (rows.length <= limit) return { items: rows, next: null };
    const items = rows.slice(0, limit);
    return { items, next: encodeAthleteCursor(items[items.length - 1]!.athleteId) };
  }

  async ackAlert(input: AlertAckInput): Promise<AlertAckResult | null> {
    validateAckInput(input);
    const found = await this.raisedAlert(input);
    if (found === null) return null;
    if (found.ack !== undefined) return { alert: { ...found, ack: found.ack }, created: false };
    await this.storeAck(input);
    // Read back: an ack that raced this one and came first wins (the InfluxDB store cannot refuse the second write).
    // A spooled write (database away) is not readable yet: then this ack is the answer.
    const ack = (await this.raisedAlert(input))?.ack ?? ackOf(input);
    return { alert: { ...found, ack }, created: ack.by === input.ackedBy && ack.atUs === input.ackedUs };
  }

  /** The raised alert with exactly this key (and its ack), or null. */
  private async raisedAlert(key: AlertKey): Promise<AlertRecord | null> {
    const { items } = await this.queryAlerts({
      athleteId: key.athleteId,
      sessionId: key.sessionId,
      type: key.type,
      severity: key.severity,
      phase: 'raised',
      fromUs: key.tUs,
      toUs: key.tUs + 1,
      limit: MAX_PAGE_LIMIT,
    });
    const id = alertKeyId(key);
    return items.find((a) => alertKeyId(a) === id) ?? null;
  }
}
