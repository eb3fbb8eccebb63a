// Public surface of @gaitwatch/storage (README.md): one store interface, two stores, the spool.
export type {
  AlertQuery,
  AlertRecord,
  CheckpointRecord,
  ExtraValue,
  GaitStore,
  ImuBlock,
  ImuQuery,
  ImuSample,
  JsonObject,
  JsonValue,
  OneOrMany,
  Page,
  RawImuPolicy,
  SessionQuery,
  SessionRecord,
  StoreLogger,
  StoreMetrics,
  StrideQuery,
  StrideRecord,
  WriteBatch,
} from './types.ts';
export { StoreFullError, StoreClosedError, InfluxWriteError, InfluxQueryError } from './errors.ts';
export { openStore, type OpenStoreOptions } from './open-store.ts';
export { LocalStore, type LocalStoreOptions } from './local/local-store.ts';
export { InfluxStore, type InfluxStoreOptions } from './influx/influx-store.ts';
export type { InfluxConnectionOptions } from './influx/http.ts';
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './influx/backoff.ts';
export { Spool, SpoolFullError, type SpoolOptions } from './spool/spool.ts';
export { RECORD_HEADER_BYTES, RECORD_MAGIC, type SpoolRecord } from './spool/record.ts';
export { rawImuEnabled } from './write-batch.ts';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './paging.ts';
export { MAX_SUMMARY_JSON_BYTES } from './records.ts';
