import { allPages } from './paging.ts';
import type { AlertQuery, AlertRecord, CheckpointRecord, ImuQuery, ImuSample, Page, SessionQuery, SessionRecord, StrideQuery, StrideRecord } from './types.ts';

/** What each store's query engine answers (local/local-queries.ts, influx/influx-queries.ts). */
export interface QueryEngine {
  strides(q: StrideQuery): Promise<Page<StrideRecord>>;
  alerts(q: AlertQuery): Promise<Page<AlertRecord>>;
  sessions(q: SessionQuery): Promise<Page<SessionRecord>>;
  session(athleteId: string, sessionId: string): SessionRecord | null | Promise<SessionRecord | null>;
  checkpoint(athleteId: string, sessionId: string): CheckpointRecord | null | Promise<CheckpointRecord | null>;
  imu(q: ImuQuery): Promise<Page<ImuSample>>;
}

/**
 * The read half of GaitStore, the same for every store: each query goes to
 * the store's engine; a whole-session stride export pages through it.
 */
export abstract class QueryingStore {
  protected abstract readonly queries: QueryEngine;

  async queryStrides(query: StrideQuery): Promise<Page<StrideRecord>> {
    return this.queries.strides(query);
  }

  streamStrides(query: Omit<StrideQuery, 'cursor' | 'limit'> & { readonly pageSize?: number }): AsyncIterable<StrideRecord> {
    return allPages((cursor) => this.queries.strides({ ...query, limit: query.pageSize ?? 5000, ...(cursor === undefined ? {} : { cursor }) }));
  }

  async queryAlerts(query: AlertQuery): Promise<Page<AlertRecord>> {
    return this.queries.alerts(query);
  }

  async querySessions(query: SessionQuery): Promise<Page<SessionRecord>> {
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
}
