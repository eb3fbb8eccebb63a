import type { Alert, AlertSeverity, AlertType, RepMetrics, SensorId, Side, StrideMetrics } from '@gaitwatch/protocol';

/**
 * A scalar a record may carry beyond the fields this package knows. Extra
 * fields are kept so that a new metric (e.g. `pelvicDropReason`) round-trips
 * before this package learns its name. A `null` extra is not stored: an
 * absent extra and a null one read back the same (absent), in both stores.
 */
export type ExtraValue = number | string | boolean | null;

/** Open to extra fields: known properties keep their types, others are ExtraValue. */
type Open = { readonly [field: string]: ExtraValue | undefined };

/**
 * One stance of one session (measurement `stride`, time = IC). The metrics
 * are @gaitwatch/protocol's StrideMetrics: a `null` is "not measured" and reads
 * back as `null`, never 0. Identity: athlete + session + side + icUs.
 */
export type StrideRecord = StrideMetrics & { readonly athleteId: string; readonly sessionId: string } & Open;

/**
 * One rep of a movement screen (measurement `rep`, time = startUs). The
 * metrics are @gaitwatch/protocol's RepMetrics (`side` = the standing leg): a
 * `null` angle or verdict reads back as `null`, never 0. Extra scalar fields
 * (`pelvicDropReason`, …) are kept as for strides; `kind` is dropped.
 * Identity: athlete + session + side + startUs.
 */
export type RepRecord = RepMetrics & { readonly athleteId: string; readonly sessionId: string } & Open;

/**
 * An alert (measurement `alert`, time = tUs). Identity: athlete, session, type,
 * severity, metric, phase, sensor, side and tUs — wider than DESIGN.md's four
 * tags because two shanks can fall silent in the same microsecond.
 *
 * `ack` is never written with the alert: `queryAlerts` adds it to a raised
 * alert that was acknowledged (`ackAlert`); it is ignored on `write`.
 */
export type AlertRecord = Alert & { readonly ack?: AlertAck } & { readonly [field: string]: ExtraValue | AlertAck | undefined };

/** Who acknowledged a raised alert, when (µs), and why. The first acknowledgement is kept. */
export interface AlertAck {
  /** The acknowledging API key's id. */
  readonly by: string;
  /** When it was acknowledged, integer µs since the Unix epoch. */
  readonly atUs: number;
  /** At most MAX_ACK_NOTE_CHARS characters. */
  readonly note?: string;
}

/**
 * Names one raised alert: its identity (DESIGN.md tags + time) without the
 * phase, which is always `raised` — an acknowledgement is of the episode's
 * raised alert. Every alert `queryAlerts` returns carries these fields.
 */
export interface AlertKey {
  readonly athleteId: string;
  readonly sessionId: string;
  readonly tUs: number;
  readonly type: AlertType;
  readonly severity: AlertSeverity;
  readonly metric: string;
  readonly sensor?: string | undefined;
  readonly side?: Side | undefined;
}

/** What `ackAlert` takes: the alert and who acknowledges it, when. */
export interface AlertAckInput extends AlertKey {
  /** The acknowledging API key's id (an id: 1–64 of A–Z a–z 0–9 _ . -). */
  readonly ackedBy: string;
  /** Integer µs since the Unix epoch. */
  readonly ackedUs: number;
  readonly note?: string | undefined;
}

/** What `ackAlert` answers: the raised alert with its (first) ack, and whether this call made it. */
export interface AlertAckResult {
  readonly alert: AlertRecord & { readonly ack: AlertAck };
  /** False when the alert was acknowledged already (that first ack is kept and returned). */
  readonly created: boolean;
}

/** Which alert cues the runner wants (the phone's haptic/voice cue, and which alert types at all). */
export interface AlertPreferences {
  readonly formBreakdown: boolean;
  readonly pelvicDropHigh: boolean;
  readonly dataQuality: boolean;
  readonly voice: boolean;
  readonly vibrate: boolean;
}

/** Per-athlete settings; an absent field means "the deployment's default". */
export interface AthleteSettings {
  /** This athlete's absolute pelvic-drop limit, degrees, 1–20 (overrides dsp's `form.pelvicDropLimitDeg`). */
  readonly pelvicDropLimitDeg?: number;
  /**
   * This athlete's movement-screen threshold, degrees, 1–15: a rep whose pelvic drop is above it is `dropping`,
   * at or below `level` (overrides dsp's screen default `pelvicDropLevelMaxDeg`, 5°). Absent: that default.
   */
  readonly screenPelvicDropLevelMaxDeg?: number;
  /** The injured (or rehabilitating) leg, if any. */
  readonly injuredSide?: Side | null;
  /** A fresh-legs baseline the coach sets instead of the one learned at the start of each run, degrees. */
  readonly baselineOverride?: { readonly pelvicDropDeg?: number; readonly shankFrontalDeg?: number } | null;
  readonly alerts?: AlertPreferences;
  /** The athlete's IANA time zone (`Europe/Berlin`): their training weeks are ISO weeks in it. Absent: UTC. */
  readonly timeZone?: string;
  /** Most a week's volume may exceed the previous week's before a load_ramp warning, percent (1–100; default 10). */
  readonly rampLimitPct?: number;
  /** Band the acute:chronic workload ratio should stay in (0.1–3, low < high; default 0.8–1.3). */
  readonly acwrBand?: { readonly low: number; readonly high: number };
  /** This athlete's running stride length (two steps), metres (0.5–4): estimates a session's distance when the phone sent none. */
  readonly strideLengthM?: number;
  /** The return-to-run plan the coach set, or null/absent for none. */
  readonly returnToRun?: ReturnToRunPlan | null;
}

/**
 * A return-to-run plan: from the ISO week holding `startDate` (in the
 * athlete's time zone), `startWeeklyDistanceM` a week, growing by
 * `weeklyIncreasePct` each week until `targetWeeklyDistanceM` (e.g. the
 * pre-injury weekly mileage).
 */
export interface ReturnToRunPlan {
  /** The plan's first day, a calendar date `YYYY-MM-DD`: its ISO week is week 1. */
  readonly startDate: string;
  /** Planned distance of week 1, metres (> 0, ≤ 500 000). */
  readonly startWeeklyDistanceM: number;
  /** Planned growth per week, percent (0–50). */
  readonly weeklyIncreasePct: number;
  /** Where the plan levels off, metres a week (≥ startWeeklyDistanceM, ≤ 500 000). */
  readonly targetWeeklyDistanceM: number;
}

/**
 * An athlete's profile and settings (measurement `athlete`, one point per
 * athlete at a fixed time; table `athletes`). The latest `putAthlete` wins.
 */
export interface AthleteRecord {
  readonly athleteId: string;
  /** 1–100 characters, no control characters. */
  readonly displayName?: string;
  readonly settings: AthleteSettings;
  /** When it was last written, integer µs since the Unix epoch. */
  readonly updatedUs: number;
}

/**
 * One athlete of `listAthletes`: the stored record, or for an athlete known
 * only from their sessions, empty settings and `updatedUs: null`.
 */
export type AthleteListItem = Omit<AthleteRecord, 'updatedUs'> & { readonly updatedUs: number | null };

/**
 * A session (measurement `session`, time = startUs). Written when it starts
 * (endUs null) and again with the summary at stop; identity athlete + session +
 * startUs, so keep startUs stable for a session. `summary` is any JSON object
 * (the analyzer's SummaryEvent, completeness, end reason …), stored as is.
 */
export interface SessionRecord {
  readonly athleteId: string;
  readonly sessionId: string;
  /** Session start, integer µs since the Unix epoch. */
  readonly startUs: number;
  /** Session end, integer µs since the Unix epoch; null while it runs. */
  readonly endUs: number | null;
  readonly summary: JsonObject;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * The latest state of a live session (an analyzer snapshot) so another worker
 * can resume it. Opaque bytes (JSON goes as UTF-8) with the producer's format
 * `version`; one per athlete + session: the latest write wins.
 */
export interface CheckpointRecord {
  readonly athleteId: string;
  readonly sessionId: string;
  /** The session's start, µs: the point's time in InfluxDB (stable, so a new checkpoint overwrites the old). */
  readonly startUs: number;
  /** When the checkpoint was taken, µs since the Unix epoch. */
  readonly atUs: number;
  /** Format version of `data`, chosen by the producer (integer ≥ 0). */
  readonly version: number;
  readonly data: Uint8Array;
}

/**
 * Raw samples of one sensor (measurement `imu`, one point per sample at
 * t0Us + i·periodUs). Same layout as @gaitwatch/protocol's ImuFrame.
 */
export interface ImuBlock {
  readonly athleteId: string;
  readonly sessionId: string;
  readonly sensor: SensorId;
  readonly t0Us: number;
  readonly periodUs: number;
  /** count × 6 values per sample: ax, ay, az (m/s²), gx, gy, gz (rad/s). */
  readonly samples: ArrayLike<number>;
}

/** One raw sample as read back. */
export interface ImuSample {
  readonly athleteId: string;
  readonly sessionId: string;
  readonly sensor: string;
  readonly tUs: number;
  readonly axMps2: number;
  readonly ayMps2: number;
  readonly azMps2: number;
  readonly gxRadps: number;
  readonly gyRadps: number;
  readonly gzRadps: number;
}

/** What one `write` call hands over; records of many sessions may be mixed. */
export interface WriteBatch {
  readonly strides?: readonly StrideRecord[];
  readonly reps?: readonly RepRecord[];
  readonly alerts?: readonly AlertRecord[];
  readonly sessions?: readonly SessionRecord[];
  readonly checkpoints?: readonly CheckpointRecord[];
  /** Dropped (and counted) unless raw storage is on for the athlete: see RawImuPolicy. */
  readonly imu?: readonly ImuBlock[];
}

/**
 * The part of a pino logger the store uses (pass the service's logger). The
 * store logs state changes only — database lost, spool replayed, spool full,
 * a corrupt spool record, a refused batch — never once per write.
 */
export interface StoreLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const SILENT_LOGGER: StoreLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Raw IMU storage: off by default, on for everyone or for listed athletes. */
export type RawImuPolicy = 'off' | 'all' | { readonly athletes: readonly string[] };

/** A page of results and the cursor of the next page (null: no more). Cursors are opaque strings. */
export interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}

interface Paged {
  /** Most items per page (default 1000, at most 10 000). A page never splits items of the same time, so it may hold fewer. */
  readonly limit?: number;
  /** `next` of the previous page. */
  readonly cursor?: string;
}

interface TimeRange {
  /** Inclusive lower bound, µs since the Unix epoch. */
  readonly fromUs?: number;
  /** Exclusive upper bound, µs since the Unix epoch. */
  readonly toUs?: number;
}

export type OneOrMany<T> = T | readonly T[];

/** Strides of one session, in time order (then side). */
export interface StrideQuery extends Paged, TimeRange {
  readonly athleteId: string;
  readonly sessionId: string;
  readonly side?: Side;
}

/** Reps of one session, in time order (start time, then side). */
export interface RepQuery extends Paged, TimeRange {
  readonly athleteId: string;
  readonly sessionId: string;
  readonly side?: Side;
}

export interface AlertQuery extends Paged, TimeRange {
  readonly athleteId?: OneOrMany<string>;
  readonly sessionId?: string;
  readonly type?: OneOrMany<AlertType>;
  readonly severity?: OneOrMany<AlertSeverity>;
  readonly phase?: 'raised' | 'resolved';
  /** Default 'asc' (oldest first). */
  readonly order?: 'asc' | 'desc';
}

/** What a session was, as its summary's `activity` says (ingest records the `start`'s): absent means a run. */
export type SessionActivity = 'run' | 'screen';

/** Sessions whose startUs falls in the range; newest first unless order is 'asc'. */
export interface SessionQuery extends Paged, TimeRange {
  readonly athleteId?: OneOrMany<string>;
  readonly order?: 'asc' | 'desc';
  /** Only sessions of this activity (`summary.activity`; a session whose summary names none is a run). */
  readonly activity?: SessionActivity;
}

/**
 * Athletes known to the store — with an athlete record, a session, or both —
 * in athlete-id order (byte order of the ASCII id), paged by id.
 */
export interface AthleteQuery extends Paged {
  /** Only these athletes (an empty list matches none); absent: every athlete. */
  readonly athleteIds?: readonly string[] | undefined;
}

export interface ImuQuery extends Paged, TimeRange {
  readonly athleteId: string;
  readonly sessionId: string;
  readonly sensor?: SensorId;
}

/**
 * Counters and gauges for Prometheus, as plain numbers. Counters only grow;
 * "points" are records (a stride, an alert, one raw sample …).
 */
export interface StoreMetrics {
  /** Points the database acknowledged (InfluxDB 2xx, SQLite commit), replays included. */
  readonly pointsWritten: number;
  /** Batches the database acknowledged. */
  readonly batchesWritten: number;
  /** Points put in the disk spool because the database was away or slow. */
  readonly pointsSpooled: number;
  /** Points sent from the spool and acknowledged by the database. */
  readonly pointsReplayed: number;
  /** Retried HTTP attempts (each failed attempt that will be tried again). */
  readonly writeRetries: number;
  /** Points the database refused as invalid (HTTP 400/413/422), kept in the dead-letter file. */
  readonly pointsRejected: number;
  /** Write calls refused because the spool was full (back-pressure). */
  readonly writesRefusedFull: number;
  /** Raw IMU samples dropped because raw storage is off for their athlete. */
  readonly imuSamplesSkipped: number;
  /** Spool records found corrupt (bad checksum, torn tail) and skipped. */
  readonly spoolCorruptRecords: number;
  /** Gauge: batches waiting in the spool. */
  readonly spoolDepthBatches: number;
  /** Gauge: bytes of the spool on disk (the bound applies to this). */
  readonly spoolBytes: number;
  /** Gauge: points accepted by `write` and not yet acknowledged (in memory). */
  readonly pendingPoints: number;
  /** Gauge: 1 while the spool refuses writes, else 0. */
  readonly spoolFull: number;
  /** Duration of the last acknowledged database write, ms. */
  readonly lastWriteMs: number;
  /** Gauge: points waiting in the spool (accepted, durable on disk, not yet in the database). */
  readonly spoolPoints: number;
}

/**
 * Why InfluxDB refuses every write in a way waiting cannot heal (write-condition.ts):
 * `database_missing` (1.x database / 2.x bucket or org not found), `retention_policy_missing`,
 * `endpoint_missing` (a 404 naming no database: a URL with a path, or the v2 API on 1.x before 1.8),
 * `unauthorized` (401/403).
 */
export const STORE_WRITE_PROBLEM_REASONS = ['database_missing', 'retention_policy_missing', 'endpoint_missing', 'unauthorized'] as const;
export type StoreWriteProblemReason = (typeof STORE_WRITE_PROBLEM_REASONS)[number];

/** A persistent write failure, from its first failed write until a write succeeds. Points meanwhile wait in the spool. */
export interface StoreWriteProblem {
  readonly reason: StoreWriteProblemReason;
  /** The HTTP status InfluxDB answered. */
  readonly status: number;
  /** What is wrong and what to do (no secrets), e.g. `InfluxDB at http://db:8086 has no database "gw": create it (…) or fix INFLUX_DB`. */
  readonly message: string;
  /** Since when, ms since 1970. */
  readonly sinceMs: number;
}

/**
 * The store of gaitwatch: InfluxDB (InfluxStore) or the embedded SQLite store
 * (LocalStore) behind one interface and one contract-test suite.
 */
export interface GaitStore {
  readonly kind: 'influx' | 'local';
  /**
   * Resolves once every record is durable (committed to SQLite, acknowledged
   * by InfluxDB with a 2xx, or fsync'd into the spool). Rejects with
   * StoreFullError when the spool is full (slow intake down and retry),
   * TypeError/RangeError for an invalid record (nothing of the call is stored),
   * StoreClosedError after close.
   */
  write(batch: WriteBatch): Promise<void>;
  /** Sends what is batched now and waits for it; InfluxStore's spool may still hold batches (its `drain` waits for those). */
  flush(): Promise<void>;
  /** False while new writes would be refused (spool full): back-pressure for intake. */
  readonly accepting: boolean;
  queryStrides(query: StrideQuery): Promise<Page<StrideRecord>>;
  /** Every stride of a session matching the query, page by page (bounded memory), for export. */
  streamStrides(query: Omit<StrideQuery, 'cursor' | 'limit'> & { readonly pageSize?: number }): AsyncIterable<StrideRecord>;
  /** Reps of a movement-screen session, in time order (paged like strides). */
  queryReps(query: RepQuery): Promise<Page<RepRecord>>;
  /** Every rep of a session matching the query, page by page (bounded memory), for export. */
  streamReps(query: Omit<RepQuery, 'cursor' | 'limit'> & { readonly pageSize?: number }): AsyncIterable<RepRecord>;
  queryAlerts(query: AlertQuery): Promise<Page<AlertRecord>>;
  querySessions(query: SessionQuery): Promise<Page<SessionRecord>>;
  /** The session with the latest startUs under this id, or null. */
  getSession(athleteId: string, sessionId: string): Promise<SessionRecord | null>;
  latestCheckpoint(athleteId: string, sessionId: string): Promise<CheckpointRecord | null>;
  queryImu(query: ImuQuery): Promise<Page<ImuSample>>;
  /** The athlete's stored record, or null (an athlete known only from sessions has none). */
  getAthlete(athleteId: string): Promise<AthleteRecord | null>;
  /**
   * Stores the athlete's record whole (not a merge); the latest write wins.
   * Resolves once durable (SQLite commit; InfluxDB 2xx or the spool).
   * Rejects with TypeError/RangeError for an invalid record.
   */
  putAthlete(record: AthleteRecord): Promise<void>;
  /** Athletes with a record or a session (the union), in id order, paged by id. */
  listAthletes(query: AthleteQuery): Promise<Page<AthleteListItem>>;
  /**
   * Acknowledges a raised alert. Idempotent: an alert acknowledged before keeps
   * its first ack (`created: false`). Null when no raised alert has that key.
   * The ack then shows on the alert in `queryAlerts` results.
   */
  ackAlert(ack: AlertAckInput): Promise<AlertAckResult | null>;
  readonly metrics: StoreMetrics;
  /**
   * InfluxStore: set while InfluxDB refuses writes for a reason waiting cannot heal (no database, bad
   * credentials, wrong URL); writes are still accepted into the spool and retried. Undefined otherwise
   * (and always for LocalStore). For /readyz.
   */
  readonly writeProblem?: StoreWriteProblem | undefined;
  /** Flushes, stops timers and closes files; pending spool stays on disk for the next start. */
  close(): Promise<void>;
}
