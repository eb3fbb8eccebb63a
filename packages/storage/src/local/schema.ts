/**
 * SQLite schema of the local store. Each table's primary key is the point's
 * identity of DESIGN.md (tags + time), so a replayed write is an upsert onto
 * itself. WITHOUT ROWID keeps each table a single B-tree ordered by that key:
 * the per-session time-range reads are then one index range scan.
 */
import type Database from 'better-sqlite3';

/** Bumped when the schema changes; `PRAGMA user_version` records the one on disk. */
export const SCHEMA_VERSION = 3;

const SCHEMA_V1 = `
CREATE TABLE strides (
  athlete TEXT NOT NULL,
  session TEXT NOT NULL,
  ic_us INTEGER NOT NULL,
  side TEXT NOT NULL,
  to_us INTEGER,
  stride_time_s REAL,
  gct_s REAL,
  cadence_spm REAL,
  pelvic_drop_deg REAL,
  shank_frontal_deg REAL,
  vertical_oscillation_cm REAL,
  braking_mps REAL,
  extra TEXT,
  PRIMARY KEY (athlete, session, ic_us, side)
) WITHOUT ROWID;
-- Strides of one athlete over a period (return-to-run load), across sessions.
CREATE INDEX strides_by_athlete_time ON strides (athlete, ic_us);

CREATE TABLE alerts (
  athlete TEXT NOT NULL,
  session TEXT NOT NULL,
  t_us INTEGER NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  metric TEXT NOT NULL,
  phase TEXT NOT NULL,
  sensor TEXT NOT NULL DEFAULT '',
  side TEXT NOT NULL DEFAULT '',
  value REAL,
  baseline REAL,
  message TEXT NOT NULL,
  episode_id TEXT,
  extra TEXT,
  PRIMARY KEY (athlete, session, t_us, type, severity, metric, phase, sensor, side)
) WITHOUT ROWID;
-- A coach's roster feed (athlete over time) and an admin's feed (all by time).
CREATE INDEX alerts_by_athlete_time ON alerts (athlete, t_us);
CREATE INDEX alerts_by_time ON alerts (t_us);

CREATE TABLE sessions (
  athlete TEXT NOT NULL,
  session TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER,
  summary TEXT NOT NULL,
  PRIMARY KEY (athlete, session, start_us)
) WITHOUT ROWID;
CREATE INDEX sessions_by_athlete_start ON sessions (athlete, start_us);
CREATE INDEX sessions_by_start ON sessions (start_us);

CREATE TABLE checkpoints (
  athlete TEXT NOT NULL,
  session TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  at_us INTEGER NOT NULL,
  version INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (athlete, session, start_us)
) WITHOUT ROWID;

CREATE TABLE imu (
  athlete TEXT NOT NULL,
  session TEXT NOT NULL,
  t_us INTEGER NOT NULL,
  sensor TEXT NOT NULL,
  ax REAL NOT NULL, ay REAL NOT NULL, az REAL NOT NULL,
  gx REAL NOT NULL, gy REAL NOT NULL, gz REAL NOT NULL,
  PRIMARY KEY (athlete, session, t_us, sensor)
) WITHOUT ROWID;
`;

/**
 * Version 2: athlete records and alert acknowledgements. `settings` is the
 * AthleteSettings JSON (validated before it is written, replaced whole).
 * An ack's key is its raised alert's identity without the phase: one row
 * per alert, and the upsert in local-store.ts keeps the first ack atomically.
 */
const SCHEMA_V2 = `
CREATE TABLE athletes (
  athlete TEXT NOT NULL PRIMARY KEY,
  display_name TEXT,
  settings TEXT NOT NULL,
  updated_us INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE alert_acks (
  athlete TEXT NOT NULL,
  session TEXT NOT NULL,
  t_us INTEGER NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  metric TEXT NOT NULL,
  sensor TEXT NOT NULL DEFAULT '',
  side TEXT NOT NULL DEFAULT '',
  acked_by TEXT NOT NULL,
  acked_us INTEGER NOT NULL,
  note TEXT,
  PRIMARY KEY (athlete, session, t_us, type, severity, metric, sensor, side)
) WITHOUT ROWID;
-- The acks of a page of alerts: by athlete and time, or by time (an admin's feed).
CREATE INDEX alert_acks_by_athlete_time ON alert_acks (athlete, t_us);
CREATE INDEX alert_acks_by_time ON alert_acks (t_us);
`;

/**
 * Version 3: reps of movement screens (single-leg squat, step-down), keyed
 * like strides with the rep's start as its time. `set_no`/`rep_no` because
 * SET is an SQL keyword.
 */
const SCHEMA_V3 = `
CREATE TABLE reps (
  athlete TEXT NOT NULL,
  session TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  side TEXT NOT NULL,
  set_no INTEGER NOT NULL,
  rep_no INTEGER NOT NULL,
  bottom_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  duration_s REAL NOT NULL,
  pelvic_drop_deg REAL,
  shank_frontal_deg REAL,
  depth_deg REAL,
  pelvic_drop_verdict TEXT,
  extra TEXT,
  PRIMARY KEY (athlete, session, start_us, side)
) WITHOUT ROWID;
`;

/** Schema scripts by the version they lead to; a database is brought up one version at a time. */
const MIGRATIONS: readonly (readonly [number, string])[] = [
  [1, SCHEMA_V1],
  [2, SCHEMA_V2],
  [3, SCHEMA_V3],
];

/**
 * Opens the database for durable, concurrent use and creates the schema.
 * WAL lets the API read while ingest writes; synchronous=FULL fsyncs the WAL
 * at every commit, so a committed (acknowledged) batch survives a power cut,
 * not only a killed process (NORMAL would risk the last commits on power loss).
 */
export function prepareDatabase(db: Database.Database, synchronous: 'full' | 'normal'): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  // A reader (the API in another process) holding the WAL must not fail a write at once.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = OFF');
  // IMMEDIATE: two processes opening a new file at once (ingest and API) must not both create the schema.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === SCHEMA_VERSION) return;
    if (version > SCHEMA_VERSION) throw new Error(`local store: schema version ${version} on disk, this build knows ${SCHEMA_VERSION}`);
    // An older file gains the new tables (v2: athletes and acks; v3: reps); its data stays as it is.
    for (const [to, script] of MIGRATIONS) if (to > version) db.exec(script);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
