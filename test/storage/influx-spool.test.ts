/**
 * The InfluxDB store when the database goes away, is slow, refuses data, or
 * the writer dies: the real InfluxDB of the harness behind a loopback TCP
 * proxy that the test cuts and restores.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxStore, InfluxWriteError, StoreFullError, type InfluxStoreOptions } from '@gaitwatch/storage';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { startWriterChild } from './child.ts';
import { T0_US, freshIds, session, strides } from './fixtures.ts';
import { connectionFor, influxValues } from './influx-connection.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
import { batchStrides } from './writer-child.ts';

const services = await realServices(['influxdb']);

/** Fast retries so that a test sees the database come back within a second. */
const FAST = { maxBatchDelayMs: 2, liveAttempts: 1, requestTimeoutMs: 1000, backoff: { initialDelayMs: 20, maxDelayMs: 200, factor: 2 } } as const;

describe.skipIf(services.skip)('InfluxStore spool and replay against a real InfluxDB', () => {
  const running = services.use();
  let proxy: TcpProxy;
  let dir: string;
  const opened: InfluxStore[] = [];

  beforeAll(async () => {
    proxy = await startTcpProxy(running.get('influxdb').port);
  });
  afterAll(async () => {
    await proxy?.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-spool-it-'));
    await proxy.set('up');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function open(options: Partial<InfluxStoreOptions> = {}, spoolDir = dir): Promise<InfluxStore> {
    const store = await InfluxStore.open({ url: proxy.url, ...connectionFor(running.get('influxdb')), spoolDir, ...FAST, ...options });
    opened.push(store);
    return store;
  }

  /** Points of a session in InfluxDB, counted by the server (each stride has exactly one schemaVersion field). */
  async function countStrides(athleteId: string, sessionId: string): Promise<number> {
    const values = await influxValues(running.get('influxdb'), `SELECT COUNT("schemaVersion") FROM "stride" WHERE "athlete" = '${athleteId}' AND "session" = '${sessionId}'`);
    return (values[0]?.[1] as number | undefined) ?? 0;
  }

  it('acknowledges writes from the spool while the database is down, then replays every point exactly once, in order', async () => {
    await proxy.set('down');
    const store = await open();
    const { athleteId, sessionId } = freshIds('down');
    const batches = Array.from({ length: 6 }, (_, i) => strides(athleteId, sessionId, 20, T0_US + i * 60_000_000));
    for (const [i, batch] of batches.entries()) {
      // Each write is acknowledged (fsync'd in the spool) although nothing reaches the database.
      await store.write({ strides: batch, sessions: [{ ...session(athleteId, sessionId, T0_US), summary: { lastBatch: i } }] });
    }
    expect(store.metrics).toMatchObject({ pointsWritten: 0, pointsSpooled: 6 * 21, spoolDepthBatches: 6 });
    expect(store.metrics.spoolBytes).toBeGreaterThan(0);
    expect(await countStrides(athleteId, sessionId)).toBe(0);

    await proxy.set('up');
    await store.drain();
    expect(await countStrides(athleteId, sessionId)).toBe(120);
    // In order: the last batch's session summary is the one that stays.
    expect((await store.getSession(athleteId, sessionId))?.summary).toEqual({ lastBatch: 5 });
    expect(store.metrics).toMatchObject({ pointsReplayed: 6 * 21, spoolDepthBatches: 0, spoolBytes: 0 });
    expect(store.metrics.writeRetries).toBeGreaterThan(0);
    // Back to live writes once the spool is empty.
    await store.write({ strides: strides(athleteId, sessionId, 1, T0_US + 3_600_000_000) });
    expect(store.metrics.pointsSpooled).toBe(6 * 21);
  });

  it('spools a batch when the database hangs past the request timeout', async () => {
    await proxy.set('hang');
    const store = await open({ requestTimeoutMs: 300 });
    const { athleteId, sessionId } = freshIds('slow');
    const startedMs = Date.now();
    await store.write({ strides: strides(athleteId, sessionId, 5) });
    expect(Date.now() - startedMs).toBeLessThan(5_000);
    expect(store.metrics.pointsSpooled).toBe(5);
    await proxy.set('up');
    await store.drain();
    expect(await countStrides(athleteId, sessionId)).toBe(5);
  });

  it('keeps the spool of a writer killed with SIGKILL and replays it, in order, in the next process', async () => {
    await proxy.set('down');
    const { athleteId, sessionId } = freshIds('sigkill');
    const config = { kind: 'influx' as const, dir, url: proxy.url, connection: connectionFor(running.get('influxdb')), athleteId, sessionId, batches: 1_000_000, stridesPerBatch: 10 };
    const child = startWriterChild(config);
    try {
      await child.ackOf(15);
    } finally {
      await child.kill();
    }
    const acked = child.lastAck();

    await proxy.set('up');
    const store = await open();
    await store.drain();
    const keys = new Set<string>();
    for await (const s of store.streamStrides({ athleteId, sessionId })) keys.add(`${s.icUs}/${s.side}`);
    for (let i = 0; i <= acked; i++) for (const s of batchStrides(config, i)) expect(keys.has(`${s.icUs}/${s.side}`)).toBe(true);
    expect(await countStrides(athleteId, sessionId)).toBe(keys.size);
    const last = (await store.getSession(athleteId, sessionId))?.summary['lastBatch'];
    expect(last).toBeGreaterThanOrEqual(acked);
  });

  it('replays the same spool twice without doubling a point (idempotent replay)', async () => {
    await proxy.set('down');
    const first = await open();
    const { athleteId, sessionId } = freshIds('twice');
    for (let i = 0; i < 3; i++) await first.write({ strides: strides(athleteId, sessionId, 10, T0_US + i * 60_000_000) });
    await first.close();
    // A crash between "sent" and "acknowledged in the spool" means the next run sends the same records again.
    const copy = join(dir, '..', `${dir.split('/').pop()}-copy`);
    await cp(dir, copy, { recursive: true });
    try {
      await proxy.set('up');
      await (await open({}, dir)).drain();
      expect(await countStrides(athleteId, sessionId)).toBe(30);
      const again = await open({}, copy);
      await again.drain();
      expect(again.metrics.pointsReplayed).toBe(30);
      expect(await countStrides(athleteId, sessionId)).toBe(30);
      await again.close();
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('refuses writes when the spool is full (StoreFullError, accepting false, counted) and loses nothing it acknowledged', async () => {
    await proxy.set('down');
    const logged: string[] = [];
    const logger = { info: (_: object, m: string) => logged.push(`info ${m}`), warn: (_: object, m: string) => logged.push(`warn ${m}`), error: (_: object, m: string) => logged.push(`error ${m}`) };
    const store = await open({ maxSpoolBytes: 16 * 1024, spoolSegmentBytes: 2 * 1024, logger });
    const { athleteId, sessionId } = freshIds('full');
    const acked: number[] = [];
    let refused: unknown;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      try {
        await store.write({ strides: strides(athleteId, sessionId, 5, T0_US + i * 60_000_000) });
        acked.push(i);
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toBeInstanceOf(StoreFullError);
    expect(store.accepting).toBe(false);
    expect(store.metrics).toMatchObject({ spoolFull: 1, writesRefusedFull: 1 });
    expect(store.metrics.spoolBytes).toBeLessThanOrEqual(16 * 1024);
    // Refused at once while full, before any batching.
    await expect(store.write({ strides: strides(athleteId, sessionId, 1, T0_US - 1_000_000) })).rejects.toThrow(StoreFullError);
    expect(store.metrics.writesRefusedFull).toBe(2);

    // One line per state change, not one per refused write.
    expect(logged.filter((l) => l.includes('spool full'))).toEqual(['error influx: spool full, refusing writes until the database takes the backlog']);

    await proxy.set('up');
    await store.drain();
    expect(store.accepting).toBe(true);
    expect(await countStrides(athleteId, sessionId)).toBe(acked.length * 5);
    expect(logged).toContain('info influx: spool replayed, writing live again');
  });

  it('never refuses a write that `accepting` let through: below maxPendingPoints a write is admitted whole, at it refused', async () => {
    // A long batch delay keeps the points pending in memory until the explicit flush.
    const store = await open({ maxPendingPoints: 100, maxBatchPoints: 5000, maxBatchDelayMs: 60_000 });
    const { athleteId, sessionId } = freshIds('pending');
    const first = store.write({ strides: strides(athleteId, sessionId, 60, T0_US) });
    expect(store.metrics.pendingPoints).toBe(60);
    // 60 of 100 pending: accepting, so the next write is taken whole although 60 + 60 passes the bound.
    expect(store.accepting).toBe(true);
    const second = store.write({ strides: strides(athleteId, sessionId, 60, T0_US + 60_000_000) });
    expect(store.metrics.pendingPoints).toBe(120);
    expect(store.accepting).toBe(false);
    const refused = await store.write({ strides: strides(athleteId, sessionId, 1, T0_US + 120_000_000) }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoreFullError);
    expect(refused).toMatchObject({ what: 'pending', used: 120, max: 100 });
    expect(store.metrics.writesRefusedFull).toBe(1);

    await store.flush();
    await Promise.all([first, second]);
    expect(store.accepting).toBe(true);
    expect(store.metrics.pendingPoints).toBe(0);
    expect(await countStrides(athleteId, sessionId)).toBe(120);
  });

  it('skips a corrupt spool record and a torn tail, counts them, and replays the records around them', async () => {
    await proxy.set('down');
    const first = await open();
    const { athleteId, sessionId } = freshIds('corrupt');
    for (let i = 0; i < 3; i++) await first.write({ strides: strides(athleteId, sessionId, 4, T0_US + i * 60_000_000) });
    await first.close();
    const [segment] = (await readdir(dir)).filter((n) => n.endsWith('.seg'));
    const path = join(dir, segment!);
    const bytes = await readFile(path);
    // Flip one payload byte of the second record (its checksum no longer matches) and leave half a record at the end.
    const second = bytes.indexOf(Buffer.from([0x47, 0x57, 0x53, 0x01]), 1);
    const flipAt = second + 24 + 10;
    bytes.writeUInt8(bytes.readUInt8(flipAt) ^ 0xff, flipAt);
    await writeFile(path, Buffer.concat([bytes, bytes.subarray(0, 30)]));

    await proxy.set('up');
    const store = await open();
    await store.drain();
    expect(store.metrics.spoolCorruptRecords).toBe(2);
    const got = (await store.queryStrides({ athleteId, sessionId })).items.map((s) => s.icUs);
    expect(got).toEqual([...strides(athleteId, sessionId, 4, T0_US), ...strides(athleteId, sessionId, 4, T0_US + 120_000_000)].map((s) => s.icUs));
  });

  it('rejects a batch the database refuses (field type conflict) and keeps it in the dead-letter file', async () => {
    const store = await open();
    const { athleteId, sessionId } = freshIds('conflict');
    const [a, b] = strides(athleteId, sessionId, 2);
    await store.write({ strides: [{ ...a!, conflictField: 1.5 }] });
    const refused = store.write({ strides: [{ ...b!, conflictField: 'text' }] });
    await expect(refused).rejects.toThrow(InfluxWriteError);
    expect(store.metrics.pointsRejected).toBe(1);
    const deadLetter = await readFile(join(dir, 'dead-letter.lp'), 'utf8');
    expect(deadLetter).toMatch(/^# .* HTTP (400|422) .*field type conflict/); // 1.x answers 400, 2.x 422
    expect(deadLetter).toContain(`conflictField="text"`);
  });
});
