/**
 * Storage write rate (issue 14 figure 6, local-store half): strides/s into
 * the embedded LocalStore (SQLite via better-sqlite3, WAL, synchronous FULL:
 * the defaults ingest uses) through its public write() in batches as a store
 * writer sends them, against a bare better-sqlite3 loop inserting the same
 * rows into the same table (same DDL, same pragmas, one transaction per 5,000
 * rows, as the LocalStore's batcher commits) in the same repetition.
 *
 *   pnpm bench --only store
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore, type StrideRecord } from '@gaitwatch/storage';
import { Random } from '@gaitwatch/runner-sim';
import { BENCH_SEED } from '../lib/data.ts';
import { median, type Row, type ScenarioResult } from '../lib/result.ts';
import { profiled, progress, type ScenarioOptions } from '../lib/scenario.ts';

const NAME = 'store';
/** Strides per write() call (a store writer's flush of a few hundred ms of a busy ingest). */
const WRITE_BATCH = 50;
/** Rows per transaction in the baseline: the LocalStore's default maxBatchPoints. */
const TX_ROWS = 5000;

/** The part of better-sqlite3 the baseline uses (the bench has no types for it: it is @gaitwatch/storage's dependency). */
interface Statement {
  run(...params: unknown[]): unknown;
}
interface Database {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  prepare(source: string): Statement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}
type DatabaseConstructor = new (path: string) => Database;

/** better-sqlite3 as @gaitwatch/storage resolves it: the same build and SQLite the LocalStore runs on. */
function loadSqlite(): DatabaseConstructor {
  const storageEntry = import.meta.resolve('@gaitwatch/storage');
  return createRequire(storageEntry)('better-sqlite3') as DatabaseConstructor;
}

/** The strides table as packages/storage/src/local/schema.ts creates it (copied: the bench must not import storage internals). */
const STRIDES_DDL = `
CREATE TABLE strides (
  athlete TEXT NOT NULL, session TEXT NOT NULL, ic_us INTEGER NOT NULL, side TEXT NOT NULL, to_us INTEGER,
  stride_time_s REAL, gct_s REAL, cadence_spm REAL, pelvic_drop_deg REAL, shank_frontal_deg REAL,
  vertical_oscillation_cm REAL, braking_mps REAL, extra TEXT,
  PRIMARY KEY (athlete, session, ic_us, side)
) WITHOUT ROWID;
CREATE INDEX strides_by_athlete_time ON strides (athlete, ic_us);`;

/** Seeded strides: `sessions` sessions of consecutive stances, values in realistic ranges. */
function makeStrides(count: number, sessions: number): StrideRecord[] {
  const random = new Random(BENCH_SEED);
  const rand = (): number => random.next();
  const out: StrideRecord[] = [];
  const t0 = 1_767_254_400_000_000;
  for (let i = 0; i < count; i++) {
    const s = i % sessions;
    const k = Math.floor(i / sessions);
    const icUs = t0 + s * 3_600_000_000 + k * 360_000;
    out.push({
      athleteId: `bench-${s % 50}`,
      sessionId: `run-${s}`,
      side: k % 2 === 0 ? 'left' : 'right',
      icUs,
      toUs: icUs + 230_000,
      strideTimeS: 0.7 + 0.04 * rand(),
      gctS: 0.22 + 0.02 * rand(),
      cadenceSpm: 170 + 10 * rand(),
      pelvicDropDeg: 4 + 3 * rand(),
      shankFrontalDeg: 2 + 3 * rand(),
      verticalOscillationCm: 7 + 2 * rand(),
      brakingMps: 0.2 + 0.1 * rand(),
    });
  }
  return out;
}

async function localStoreRate(strides: readonly StrideRecord[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-store-'));
  const store = new LocalStore({ dataDir: dir });
  try {
    // Its writer thread starts with the store (~0.3–0.8 s under tsx, once per process): one write before the clock starts.
    await store.write({ strides: strides.slice(0, 1) });
    const started = performance.now();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < strides.length; i += WRITE_BATCH) writes.push(store.write({ strides: strides.slice(i, i + WRITE_BATCH) }));
    await Promise.all(writes);
    await store.flush();
    return strides.length / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function bareRate(Sqlite: DatabaseConstructor, strides: readonly StrideRecord[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-sqlite-'));
  const db = new Sqlite(join(dir, 'bare.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(STRIDES_DDL);
    const insert = db.prepare('INSERT OR REPLACE INTO strides VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const many = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const s = strides[i]!;
        insert.run(s.athleteId, s.sessionId, s.icUs, s.side, s.toUs, s.strideTimeS, s.gctS, s.cadenceSpm, s.pelvicDropDeg, s.shankFrontalDeg, s.verticalOscillationCm ?? null, s.brakingMps ?? null, null);
      }
    });
    const started = performance.now();
    for (let i = 0; i < strides.length; i += TX_ROWS) many(i, Math.min(strides.length, i + TX_ROWS));
    return strides.length / ((performance.now() - started) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function storeScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const wallStarted = performance.now();
  const { quick, runs } = options;
  const count = quick ? 2_000 : 40_000;
  const sessions = quick ? 10 : 200;
  const setupStarted = performance.now();
  const strides = makeStrides(count, sessions);
  const Sqlite = loadSqlite();
  const setupS = (performance.now() - setupStarted) / 1000;
  const local: number[] = [];
  const bare: number[] = [];
  // One untimed pass of each warms the JIT and the page cache.
  await localStoreRate(strides.slice(0, Math.min(count, 5000)));
  bareRate(Sqlite, strides.slice(0, Math.min(count, 5000)));
  for (let r = 0; r < runs; r++) {
    local.push(await profiled(`store-local-${r}`, () => localStoreRate(strides)));
    bare.push(bareRate(Sqlite, strides));
    progress(NAME, `run ${r + 1}/${runs}: LocalStore ${local.at(-1)!.toFixed(0)} strides/s, bare better-sqlite3 ${bare.at(-1)!.toFixed(0)} strides/s`);
  }
  const rows: Row[] = [
    { id: 'local-store', figure: `LocalStore.write, ${count} strides in batches of ${WRITE_BATCH}`, unit: 'strides/s', values: local, higherIsBetter: true, baseline: 'bare-sqlite', target: '≥ 80 % of the plain rate', met: median(local) >= 0.8 * median(bare) },
    { id: 'bare-sqlite', figure: `baseline: bare better-sqlite3 INSERT, ${TX_ROWS} rows a transaction`, unit: 'strides/s', values: bare, higherIsBetter: true },
  ];
  const notes = [
    `${count} seeded strides over ${sessions} sessions, each repetition into a fresh database in ${tmpdir()} (WAL, synchronous FULL; LocalStore defaults: batches of ≤ 5,000 points or 20 ms, one transaction each); the same rows, same table DDL and pragmas for the bare loop. One untimed pass of 5,000 first.`,
    'The InfluxDB write path (points/s with raw IMU on, vs a plain batched /write, and the spool replay rate) is the influx scenario.',
  ];
  return { name: NAME, title: 'Store write rate (LocalStore, SQLite)', runs, rows, notes, setupS, wallS: (performance.now() - wallStarted) / 1000 };
}
