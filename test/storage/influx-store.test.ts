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
import { expectClosed, storeContract } from './contract.ts';
import { T0_US, freshIds } from './fixtures.ts';
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

  it('stores raw IMU for an athlete the policy names, one point per sample', async () => {
    const { sessionId } = freshIds('imu');
    const samples = Float64Array.from({ length: 4 * 6 }, (_, i) => i / 7);
    await store.write({ imu: [{ athleteId: 'raw-athlete', sessionId, sensor: 'pelvis', t0Us: T0_US, periodUs: 5000, samples }] });
    const page = await store.queryImu({ athleteId: 'raw-athlete', sessionId, sensor: 'pelvis' });
    expect(page.items.map((s) => s.tUs)).toEqual([T0_US, T0_US + 5000, T0_US + 10_000, T0_US + 15_000]);
    expect(page.items[3]).toMatchObject({ axMps2: 18 / 7, gzRadps: 23 / 7 });
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
