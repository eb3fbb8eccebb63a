import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStore } from './local-store.ts';
import { SCHEMA_VERSION } from './schema.ts';

const T0_US = 1_764_000_000_000_000;

/** A database as version 1 of the schema left it (today's file without the athletes, acks and reps tables), with one session. */
async function versionOneFile(dir: string): Promise<void> {
  const store = new LocalStore({ dataDir: dir });
  await store.write({ sessions: [{ athleteId: 'r1', sessionId: 's1', startUs: T0_US, endUs: null, summary: {} }] });
  await store.close();
  const db = new Database(join(dir, 'gaitwatch.sqlite'));
  db.exec('DROP TABLE athletes; DROP TABLE alert_acks; DROP TABLE reps;');
  db.pragma('user_version = 1');
  db.close();
}

describe('local store schema', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('brings a version-1 file up to the current version and keeps its data', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-schema-'));
    await versionOneFile(dir);
    const store = new LocalStore({ dataDir: dir });
    try {
      expect(SCHEMA_VERSION).toBe(3);
      expect(await store.getSession('r1', 's1')).toMatchObject({ startUs: T0_US });
      expect((await store.listAthletes({})).items).toEqual([{ athleteId: 'r1', settings: {}, updatedUs: null }]);
      await store.putAthlete({ athleteId: 'r1', settings: { pelvicDropLimitDeg: 7 }, updatedUs: T0_US });
      expect(await store.getAthlete('r1')).toEqual({ athleteId: 'r1', settings: { pelvicDropLimitDeg: 7 }, updatedUs: T0_US });
    } finally {
      await store.close();
    }
    const db = new Database(join(dir, 'gaitwatch.sqlite'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    db.close();
  });

  it('brings a version-2 file (before reps) up to version 3: reps can be written, older data stays', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-schema-'));
    const first = new LocalStore({ dataDir: dir });
    await first.putAthlete({ athleteId: 'r1', settings: { pelvicDropLimitDeg: 7 }, updatedUs: T0_US });
    await first.close();
    const db = new Database(join(dir, 'gaitwatch.sqlite'));
    db.exec('DROP TABLE reps;');
    db.pragma('user_version = 2');
    db.close();
    const store = new LocalStore({ dataDir: dir });
    try {
      const rep = { athleteId: 'r1', sessionId: 's1', side: 'left', set: 1, rep: 1, startUs: T0_US, bottomUs: T0_US + 1, endUs: T0_US + 2, durationS: 2e-6, pelvicDropDeg: 3, shankFrontalDeg: null, depthDeg: 40, pelvicDropVerdict: 'level' } as const;
      await store.write({ reps: [rep] });
      expect((await store.queryReps({ athleteId: 'r1', sessionId: 's1' })).items).toEqual([rep]);
      expect(await store.getAthlete('r1')).toMatchObject({ settings: { pelvicDropLimitDeg: 7 } });
    } finally {
      await store.close();
    }
  });

  it('refuses a file from a newer build', () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-schema-'));
    const db = new Database(join(dir, 'gaitwatch.sqlite'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new LocalStore({ dataDir: dir! })).toThrow(/schema version 4 on disk, this build knows 3/);
  });
});
