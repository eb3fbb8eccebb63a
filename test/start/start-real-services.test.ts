/**
 * `gaitwatch start` pointed at real services by the same variables the
 * separate services read: MQTT_URL (a real Mosquitto instead of the embedded
 * broker) and INFLUX_URL/INFLUX_DB (InfluxDB instead of the local store). The
 * simulated runners go through the real broker, the strides and alerts land
 * in InfluxDB, and the API answers from there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGaitwatch, type RunningGaitwatch } from '../../src/start/index.ts';
import { realServices } from '../harness/index.ts';

const services = await realServices(['mosquitto', 'influxdb']);

describe.skipIf(services.skip)('gaitwatch start with MQTT_URL and INFLUX_URL', () => {
  const running = services.use();
  let dataDir: string | undefined;
  let system: RunningGaitwatch | undefined;
  afterAll(async () => {
    await system?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('uses the real broker and InfluxDB instead of the embedded ones, end to end to an alert', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gw-start-real-'));
    const mosquitto = running.get('mosquitto');
    const influx = running.get('influxdb');
    const log: string[] = [];
    system = await startGaitwatch({
      dataDir,
      apiPort: 0,
      env: { MQTT_URL: mosquitto.url, INFLUX_URL: influx.url, INFLUX_DB: influx.database!, LOG_LEVEL: 'warn', INGEST_HTTP_PORT: '0' },
      logDestination: { write: (line: string) => void log.push(line) },
    });
    expect(system.broker).toBeUndefined();
    expect(system.mqttUrl).toBe(mosquitto.url);
    expect(system.ingest.store.kind).toBe('influx');

    // The runner whose hips tire: her form alert, read back through the API from InfluxDB.
    const deadline = Date.now() + 90_000;
    let alerts: { athleteId: string; type: string }[] = [];
    while (Date.now() < deadline) {
      const res = await fetch(`${system.apiUrl}/v1/alerts?athlete=demo-ana&type=form_breakdown,pelvic_drop_high`, { headers: { authorization: `Bearer ${system.token}` } });
      expect(res.status).toBe(200);
      alerts = ((await res.json()) as { items: typeof alerts }).items;
      if (alerts.length > 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(alerts.length, `no alert via InfluxDB; log tail:\n${log.slice(-20).join('')}`).toBeGreaterThan(0);
    // It is really in InfluxDB (DATA_DIR holds only the spool): ask InfluxDB itself.
    const influxql = async (query: string): Promise<unknown> => {
      const res = await fetch(`${influx.url}/query?db=${influx.database}&q=${encodeURIComponent(query)}`);
      return ((await res.json()) as { results: { series?: { values: unknown[][] }[] }[] }).results[0]?.series?.[0]?.values[0]?.[1];
    };
    expect(await influxql(`SELECT count("message") FROM "alert" WHERE "athlete" = 'demo-ana'`)).toBeGreaterThan(0);
    expect(await influxql(`SELECT count("schemaVersion") FROM "stride" WHERE "athlete" = 'demo-ben'`)).toBeGreaterThan(10);
    // The returning runner's six past weeks went to InfluxDB too, and the load report reads them back from it.
    const load = (await (await fetch(`${system.apiUrl}/v1/athletes/demo-dora/load?weeks=7`, { headers: { authorization: `Bearer ${system.token}` } })).json()) as { weeks: { distanceM: number }[] };
    expect(load.weeks.map((w) => w.distanceM > 0)).toEqual([true, true, true, true, true, true, false]);
  }, 150_000);
});
