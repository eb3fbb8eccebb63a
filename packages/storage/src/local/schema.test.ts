import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStore } from './local-store.ts';
import { SCHEMA_VERSION } from './schema.ts';

const T0_US = 1_764_000_000_000_000;

/** A database as version 1 of the schema left it (today's file without the athletes and acks tables), with one session. */
async function versionOneFile(dir: string): Promise<void> {
  const store = new LocalStore({ dataDir: dir });
  await store.write({ sessions: [{ athleteId: 'r1', sessionId: 's1', startUs: T0_US, endUs: null, summary: {} }] });
  await store.close();
  const db = new Database(join(dir, 'gaitwatch.sqlite'));
  db.exec('DROP TABLE athletes; DROP TABLE alert_acks;');
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
      expect(SCHEMA_VERSION).toBe(2);
      expect(await store.getSession('r1', 's1')).toMatchObject({ startUs: T0_US });
      expect((await store.listAthletes({})).items).toEqual([{ athleteId: 'r1', settings: {}, updatedUs: null }]);
      await store.putAthlete({ athleteId: 'r1', settings: { pelvicDropLimitDeg: 7 }, updatedUs: T0_US });
      expect(await store.getAthlete('r1')).toEqual({ athleteId: 'r1', settings: { pelvicDropLimitDeg: 7 }, updatedUs: T0_US });
    } finally {
      await store.close();
    }
    const db = new Database(join(dir, 'gaitwatch.sqlite'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('refuses a file from a newer build', () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-schema-'));
    const db = new Database(join(dir, 'gaitwatch.sqlite'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new LocalStore({ dataDir: dir! })).toThrow(/schema version 3 on disk, this build knows 2/);
  });
});
