import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore, type AlertRecord } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { athleteContract, expectClosed, repContract, storeContract } from './contract.ts';
import { T0_US, alert, freshIds, strides } from './fixtures.ts';

describe('LocalStore (SQLite, better-sqlite3 12, WAL)', () => {
  let dir: string;
  let store: LocalStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-local-'));
    store = new LocalStore({ dataDir: dir, rawImu: { athletes: ['raw-athlete'] } });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  storeContract(() => store);
  describe('athletes and alert acknowledgements', () => athleteContract(() => store));
  describe('movement-screen reps and sessions by activity', () => repContract(() => store));

  it('stores raw IMU for an athlete the policy names, one row per sample, paged by time', async () => {
    const { sessionId } = freshIds('imu');
    const samples = Float64Array.from({ length: 5 * 6 }, (_, i) => i / 7);
    await store.write({ imu: [{ athleteId: 'raw-athlete', sessionId, sensor: 'shank_left', t0Us: T0_US, periodUs: 5000, samples }] });
    const page = await store.queryImu({ athleteId: 'raw-athlete', sessionId, limit: 3 });
    expect(page.items.map((s) => s.tUs)).toEqual([T0_US, T0_US + 5000, T0_US + 10_000]);
    expect(page.items[1]).toMatchObject({ sensor: 'shank_left', axMps2: 6 / 7, gzRadps: 11 / 7 });
    const rest = await store.queryImu({ athleteId: 'raw-athlete', sessionId, cursor: page.next! });
    expect(rest.items).toHaveLength(2);
  });

  it('lets a second store on the same file (the API beside ingest) read what the first commits', async () => {
    const reader = new LocalStore({ dataDir: dir });
    try {
      const { athleteId, sessionId } = freshIds('two');
      await store.write({ alerts: [{ type: 'pelvic_drop_high', severity: 'critical', athleteId, sessionId, tUs: T0_US, metric: 'pelvicDropDeg', value: 9, baseline: 8, message: 'm', phase: 'raised' }] });
      expect((await reader.queryAlerts({ athleteId })).items).toHaveLength(1);
    } finally {
      await reader.close();
    }
  });

  it('keeps the earliest of racing acks whichever arrives last (the upsert never lets a later ack replace it)', async () => {
    const { athleteId, sessionId } = freshIds('ack-order');
    const lateFirst = alert(athleteId, sessionId, T0_US + 3);
    const earlyFirst = alert(athleteId, sessionId, T0_US + 4);
    await store.write({ alerts: [lateFirst, earlyFirst] });
    const ack = (a: AlertRecord, ackedBy: string, ackedUs: number) =>
      store.ackAlert({ athleteId, sessionId, tUs: a.tUs, type: a.type, severity: a.severity, metric: a.metric, ackedBy, ackedUs });
    // Both calls pass the "already acknowledged?" check before either writes (one JS thread: deterministic).
    await Promise.all([ack(lateFirst, 'coach-anna', T0_US + 2_000_000), ack(lateFirst, 'admin-1', T0_US + 1_000_000)]);
    await Promise.all([ack(earlyFirst, 'admin-1', T0_US + 1_000_000), ack(earlyFirst, 'coach-anna', T0_US + 2_000_000)]);
    expect((await store.queryAlerts({ athleteId })).items.map((a) => a.ack)).toEqual([0, 1].map(() => ({ by: 'admin-1', atUs: T0_US + 1_000_000 })));
  });

  it('keeps its data across close and reopen, in WAL mode', async () => {
    const sub = await mkdtemp(join(tmpdir(), 'gw-local-reopen-'));
    try {
      const first = new LocalStore({ dataDir: sub });
      const { athleteId, sessionId } = freshIds('reopen');
      await first.write({ sessions: [{ athleteId, sessionId, startUs: T0_US, endUs: null, summary: { state: 'active' } }] });
      await first.close();
      await expectClosed(first);
      const second = new LocalStore({ dataDir: sub });
      expect(await second.getSession(athleteId, sessionId)).toMatchObject({ startUs: T0_US, endUs: null });
      await second.close();
    } finally {
      await rm(sub, { recursive: true, force: true });
    }
  });
});

describe('LocalStore files', () => {
  it('are owner-only: the folder it makes 0700, the database and its WAL 0600, also a database that was readable by all', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gw-local-mode-'));
    try {
      const dataDir = join(root, 'made', 'data');
      const store = new LocalStore({ dataDir, writerThread: false });
      const { athleteId, sessionId } = freshIds('mode');
      await store.write({ alerts: [alert(athleteId, sessionId, T0_US)] });
      const mode = async (name: string): Promise<number> => (await stat(join(dataDir, name))).mode & 0o777;
      expect(await mode('.')).toBe(0o700);
      expect(await mode('gaitwatch.sqlite')).toBe(0o600);
      expect(await mode('gaitwatch.sqlite-wal')).toBe(0o600);
      expect(await mode('gaitwatch.sqlite-shm')).toBe(0o600);
      await store.close();
      // A store from before (or copied around) with files everyone could read: tightened when opened.
      await chmod(join(dataDir, 'gaitwatch.sqlite'), 0o644);
      const reopened = new LocalStore({ dataDir, writerThread: false });
      expect(await mode('gaitwatch.sqlite')).toBe(0o600);
      await reopened.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('LocalStore writer thread', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-local-writer-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  /** Resolves with the store's next writer thread once it differs from `than`. */
  async function nextThread(store: LocalStore, than: unknown): Promise<NonNullable<LocalStore['writerThread']>> {
    for (let i = 0; i < 500; i++) {
      const t = store.writerThread;
      if (t !== undefined && t !== than) return t;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no new writer thread within 5 s');
  }

  it('commits on a thread of its own; a write whose thread dies goes to the next one, nothing lost', async () => {
    const store = new LocalStore({ dataDir: dir, fileName: 'crash.sqlite' });
    try {
      const first = store.writerThread!;
      expect(first).toBeDefined();
      const { athleteId, sessionId } = freshIds('crash');
      await store.write({ strides: strides(athleteId, sessionId, 10) });
      // Killed with a write owed (a batch big enough to be mid-commit, sealed and handed over now): it must land on the next thread.
      const owed = store.write({ strides: strides(athleteId, sessionId, 4000, T0_US + 60e6) });
      void store.flush();
      await Promise.resolve();
      await first.terminate();
      await owed;
      expect(store.writerThread).not.toBe(first);
      let stored = 0;
      for (let page = await store.queryStrides({ athleteId, sessionId, limit: 1000 }); ; page = await store.queryStrides({ athleteId, sessionId, limit: 1000, cursor: page.next! })) {
        stored += page.items.length;
        if (page.next === undefined || page.next === null) break;
      }
      expect(stored).toBe(4010);
    } finally {
      await store.close();
    }
  }, 30_000);

  it('refuses a write after its third thread died under it, and goes on writing', async () => {
    const store = new LocalStore({ dataDir: dir, fileName: 'poison.sqlite' });
    try {
      const { athleteId, sessionId } = freshIds('poison');
      await store.write({ strides: strides(athleteId, sessionId, 1) });
      let thread = store.writerThread!;
      // Big enough to be mid-commit when its first thread dies; the next two die before they are ready.
      const doomed = store.write({ strides: strides(athleteId, sessionId, 4000, T0_US + 60e6) });
      const outcome = doomed.then(() => 'stored', (e: Error) => e.message);
      void store.flush();
      await Promise.resolve();
      for (let i = 0; i < 3; i++) {
        await thread.terminate();
        if (i < 2) thread = await nextThread(store, thread);
      }
      expect(await outcome).toMatch(/writer thread exited .*failed on 3 threads and was not stored/);
      await store.write({ strides: strides(athleteId, sessionId, 2, T0_US + 7200e6) });
      expect((await store.queryStrides({ athleteId, sessionId, limit: 100 })).items).toHaveLength(3);
    } finally {
      await store.close();
    }
  }, 30_000);
});
