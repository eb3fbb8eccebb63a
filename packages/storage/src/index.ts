// Public surface of @gaitwatch/storage (README.md): one store interface, two stores, the spool.
export type {
  AlertAck,
  AlertAckInput,
  AlertAckResult,
  AlertKey,
  AlertPreferences,
  AlertQuery,
  AlertRecord,
  AthleteListItem,
  AthleteQuery,
  AthleteRecord,
  AthleteSettings,
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
  RepQuery,
  RepRecord,
  ReturnToRunPlan,
  SessionActivity,
  SessionQuery,
  SessionRecord,
  StoreLogger,
  StoreMetrics,
  StoreWriteProblem,
  StoreWriteProblemReason,
  StrideQuery,
  StrideRecord,
  WriteBatch,
} from './types.ts';
export { STORE_WRITE_PROBLEM_REASONS } from './types.ts';
export { StoreFullError, StoreClosedError, InfluxWriteError, InfluxQueryError } from './errors.ts';
export { openStore, type OpenStoreOptions } from './open-store.ts';
export { LocalStore, type LocalStoreOptions } from './local/local-store.ts';
export { InfluxStore, type InfluxStoreOptions } from './influx/influx-store.ts';
export type { InfluxConnectionOptions } from './influx/http.ts';
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './influx/backoff.ts';
export { Spool, SpoolFullError, type SpoolOptions } from './spool/spool.ts';
export { SpoolLockedError } from './spool/spool-lock.ts';
export { RECORD_HEADER_BYTES, RECORD_MAGIC, type SpoolRecord } from './spool/record.ts';
export { rawImuEnabled } from './write-batch.ts';
export { allPages, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './paging.ts';
export { makeDirSync } from './make-dir.ts';
export { MAX_SUMMARY_JSON_BYTES, REP_METRICS } from './records.ts';
export {
  ATHLETE_POINT_US,
  BASELINE_OVERRIDE_RANGE_DEG,
  DEFAULT_ALERT_PREFERENCES,
  MAX_ACK_NOTE_CHARS,
  MAX_DISPLAY_NAME_CHARS,
  PELVIC_DROP_LIMIT_RANGE_DEG,
  SCREEN_PELVIC_DROP_LEVEL_MAX_RANGE_DEG,
  validateAthlete,
} from './athletes.ts';
export {
  ACWR_RANGE,
  RAMP_LIMIT_RANGE_PCT,
  STRIDE_LENGTH_RANGE_M,
  WEEKLY_DISTANCE_RANGE_M,
  WEEKLY_INCREASE_RANGE_PCT,
  isCalendarDate,
  isTimeZone,
} from './coaching-settings.ts';
