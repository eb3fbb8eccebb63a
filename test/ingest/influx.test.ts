// Ingest configured for InfluxDB from environment variables only (the
// harness's InfluxDB 1.x: INFLUX_URL + INFLUX_DB, the v1 write API): a
// simulated runner's strides and session summary land in InfluxDB.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, startIngest } from '@gaitwatch/ingest';
import { runFleet } from '@gaitwatch/runner-sim';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { storedAlerts, storedStrides, waitFor } from './helpers.ts';

const services = await realServices(['mosquitto', 'influxdb']);

describe.skipIf(services.skip)('ingest into InfluxDB', () => {
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0'] } });

  it('stores the strides, alerts and the session summary of a simulated runner in InfluxDB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-ingest-influx-'));
    const influx = running.get('influxdb');
    const config = loadConfig({
      MQTT_URL: running.get('mosquitto').url,
      MQTT_CLIENT_ID: `gw-influx-${process.pid}`,
      DATA_DIR: dir,
      INFLUX_URL: influx.url,
      INFLUX_DB: influx.database!,
      INGEST_HTTP_PORT: '0',
      INGEST_HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: process.env['GW_TEST_LOGS'] ?? 'silent',
    });
    expect(config.store.influx?.api).toBe('v1');
    const service = await startIngest(config, { logger: createLogger(config.logLevel) });
    try {
      expect(service.store.kind).toBe('influx');
      await waitFor(() => service.intake.subscribes > 0, 10_000, 'subscribed');
      const result = await runFleet({ mqttUrl: running.get('mosquitto').url, runners: 1, session: { scenario: 'steady', durationS: 40, seed: 41 }, format: 'binary', speedup: 40, staggerS: 0 });
      const { athleteId, sessionId } = result.relays[0]!;
      await waitFor(async () => {
        await service.flush();
        await service.store.flush();
        return ((await service.store.getSession(athleteId, sessionId))?.endUs ?? null) !== null;
      }, 30_000, 'session summary in InfluxDB');
      const session = await service.store.getSession(athleteId, sessionId);
      const counted = session!.summary['strides'] as { left: number; right: number };
      const strides = await storedStrides(service.store, athleteId, sessionId);
      expect(strides.length).toBeGreaterThan(80);
      expect(strides.length).toBe(counted.left + counted.right);
      expect(await storedAlerts(service.store, athleteId, sessionId)).toEqual(expect.any(Array));
      expect(service.store.metrics.pointsWritten).toBeGreaterThan(strides.length);
    } finally {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
