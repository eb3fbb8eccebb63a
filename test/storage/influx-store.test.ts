/**
 * The store contract against a real InfluxDB (Debian's 1.6.7 from the test
 * harness: the v1 `/write?db=` path and InfluxQL `/query`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxStore } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { athleteContract, expectClosed, repContract, storeContract } from './contract.ts';
import { T0_US, alert, freshIds } from './fixtures.ts';
import { connectionFor } from './influx-connection.ts';

const services = await realServices(['influxdb']);

describe.skipIf(services.skip)('InfluxStore against a real InfluxDB 1.x (v1 /write, InfluxQL)', () => {
  const running = services.use();
  let dir: string;
  let store: InfluxStore;
  beforeAll(async () => {
    const influx = running.get('influxdb');
    dir = await mkdtemp(join(tmpdir(), 'gw-influx-store-'));
    store = await InfluxStore.open({ url: influx.url, ...connectionFor(influx), spoolDir: dir, maxBatchDelayMs: 5, rawImu: { athletes: ['raw-athlete'] } });
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  storeContract(() => store);
  describe('athletes and alert acknowledgements', () => athleteContract(() => store));
  describe('movement-screen reps and sessions by activity', () => repContract(() => store));

  it('stores raw IMU for an athlete the policy names, one point per sample', async () => {
    const { sessionId } = freshIds('imu');
    const samples = Float64Array.from({ length: 4 * 6 }, (_, i) => i / 7);
    await store.write({ imu: [{ athleteId: 'raw-athlete', sessionId, sensor: 'pelvis', t0Us: T0_US, periodUs: 5000, samples }] });
    const page = await store.queryImu({ athleteId: 'raw-athlete', sessionId, sensor: 'pelvis' });
    expect(page.items.map((s) => s.tUs)).toEqual([T0_US, T0_US + 5000, T0_US + 10_000, T0_US + 15_000]);
    expect(page.items[3]).toMatchObject({ axMps2: 18 / 7, gzRadps: 23 / 7 });
  });

  it('reads the earliest of several stored acks of one alert (two keys racing write two points)', async () => {
    const { athleteId, sessionId } = freshIds('ack-points');
    const a = alert(athleteId, sessionId, T0_US + 7);
    await store.write({ alerts: [a] });
    const influx = running.get('influxdb');
    const tags = `athlete=${athleteId},session=${sessionId},type=${a.type},severity=${a.severity},metric=${a.metric}`;
    // Straight to the database, as two racing API replicas would leave them: the later ack written last.
    const lines = [`alert_ack,${tags},ackedBy=admin-1 ackedUs=${T0_US + 1_000_000}i,note="" ${a.tUs}`, `alert_ack,${tags},ackedBy=coach-anna ackedUs=${T0_US + 2_000_000}i,note="late" ${a.tUs}`];
    for (const line of lines) {
      const url = influx.token === undefined ? `${influx.url}/write?db=${influx.database}&precision=u` : `${influx.url}/api/v2/write?org=${influx.org}&bucket=${influx.database}&precision=us`;
      const res = await fetch(url, { method: 'POST', body: line, headers: influx.token === undefined ? {} : { authorization: `Token ${influx.token}` } });
      expect(res.status).toBe(204);
    }
    expect((await store.queryAlerts({ athleteId })).items[0]!.ack).toEqual({ by: 'admin-1', atUs: T0_US + 1_000_000 });
    expect(await store.ackAlert({ athleteId, sessionId, tUs: a.tUs, type: a.type, severity: a.severity, metric: a.metric, ackedBy: 'coach-bob', ackedUs: T0_US })).toMatchObject({ created: false, alert: { ack: { by: 'admin-1' } } });
  });

  it('answers ping, wrote nothing to the spool, and refuses writes after close', async () => {
    expect(await store.ping()).toBe(true);
    expect(store.metrics).toMatchObject({ pointsSpooled: 0, spoolDepthBatches: 0, pointsRejected: 0 });
    const influx = running.get('influxdb');
    const other = await InfluxStore.open({ url: influx.url, ...connectionFor(influx), spoolDir: join(dir, 'other') });
    await other.close();
    await expectClosed(other);
  });
});
