// Ingest configured from environment variables for an InfluxDB 1.x whose
// database was never created (an operator probe: /readyz said 200 while every
// write failed with 404 and the spool grew, with nothing in the log): /readyz
// answers 503 naming the missing database and what to do, the log says it
// once at error, /metrics shows it, a simulated runner's points wait in the
// spool; once the database is created through InfluxDB's HTTP /query, the
// spool drains into it with no restart and /readyz answers 200.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, startIngest } from '@gaitwatch/ingest';
import { runFleet } from '@gaitwatch/runner-sim';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { influxValues } from '../storage/influx-connection.ts';
import { counterValue, waitFor } from './helpers.ts';

const services = await realServices(['mosquitto', 'influxdb']);

// 1.x only (the harness's Debian influxd): CREATE DATABASE is InfluxQL of 1.x.
describe.skipIf(services.skip || services.modes.influxdb !== 'binary')('ingest into an InfluxDB 1.x without its database', () => {
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0'] } });

  it('/readyz 503 naming the missing database while points wait in the spool; after CREATE DATABASE they arrive and /readyz is 200', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-ingest-nodb-'));
    const influx = running.get('influxdb');
    const database = `gw_ingest_missing_${process.pid}`;
    const password = 'pw-Ingest-Secret-5';
    const config = loadConfig({
      MQTT_URL: running.get('mosquitto').url,
      MQTT_CLIENT_ID: `gw-nodb-${process.pid}`,
      DATA_DIR: dir,
      INFLUX_URL: influx.url,
      INFLUX_DB: database,
      INFLUX_USERNAME: 'gw-writer',
      INFLUX_PASSWORD: password, // 1.x without auth ignores it; it must never be logged
      INGEST_HTTP_PORT: '0',
      INGEST_HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    const logs: string[] = [];
    const service = await startIngest(config, { logger: createLogger('info', { write: (line: string) => void logs.push(line) }) });
    const http = `http://127.0.0.1:${service.httpPort}`;
    const readyz = async (): Promise<{ status: number; body: string }> => {
      const res = await fetch(`${http}/readyz`);
      return { status: res.status, body: await res.text() };
    };
    const countInInflux = async (q: string): Promise<number> => ((await influxValues({ ...influx, database }, q))[0]?.[1] as number | undefined) ?? 0;
    try {
      await waitFor(() => service.intake.subscribes > 0, 10_000, 'subscribed');
      // Before any runner: the store's open-time probe found the database missing.
      await waitFor(async () => (await readyz()).status === 503, 10_000, '/readyz 503');
      const fix = `InfluxDB at ${influx.url} has no database "${database}": create it (influx -execute 'CREATE DATABASE ${database}') or fix INFLUX_DB`;
      expect((await readyz()).body).toBe(`not ready: the store cannot write: ${fix}; 0 points wait in the spool\n`);

      const result = await runFleet({ mqttUrl: running.get('mosquitto').url, runners: 1, session: { scenario: 'steady', durationS: 30, seed: 43 }, format: 'binary', speedup: 40, staggerS: 0 });
      const { athleteId, sessionId } = result.relays[0]!;
      await waitFor(async () => (await counterValue(service.metrics.sessionsClosed)) >= 1, 30_000, 'the session closed in ingest');
      await service.flush(); // every record handed to the store: acknowledged from the spool
      const waiting = service.store.metrics.spoolPoints;
      expect(waiting).toBeGreaterThan(60);
      expect(service.store.metrics.pointsWritten).toBe(0);
      expect(await readyz()).toEqual({ status: 503, body: `not ready: the store cannot write: ${fix}; ${waiting} points wait in the spool\n` });
      const metrics = await (await fetch(`${http}/metrics`)).text();
      expect(metrics).toMatch(/^gaitwatch_store_write_problem\{reason="database_missing"\} 1$/m);
      expect(metrics).toMatch(/^gaitwatch_store_write_problem\{reason="unauthorized"\} 0$/m);
      expect(metrics).toMatch(new RegExp(`^gaitwatch_store_spool_points ${waiting}$`, 'm'));
      // One error line from the store for the condition, whatever the number of retries, never the password.
      const told = logs.filter((l) => l.includes(`has no database \\"${database}\\"`));
      expect(told).toHaveLength(1);
      expect(JSON.parse(told[0]!)).toMatchObject({ level: 50, part: 'store', reason: 'database_missing', status: 404 });
      expect(logs.join('\n')).not.toContain(password);

      const created = await fetch(`${influx.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${database}` }) });
      expect(created.status).toBe(200);
      // The replayer retries with backoff (≤ 10 s apart by default): no restart needed.
      await waitFor(async () => service.store.metrics.spoolPoints === 0 && (await readyz()).status === 200, 30_000, 'the spool drained and /readyz 200');
      expect(service.store.writeProblem).toBeUndefined();
      expect(await (await fetch(`${http}/metrics`)).text()).toMatch(/^gaitwatch_store_write_problem\{reason="database_missing"\} 0$/m);
      // Every stride the session counted is in InfluxDB, asked of the server itself.
      const summary = (await service.store.getSession(athleteId, sessionId))!.summary;
      const counted = summary['strides'] as { left: number; right: number };
      expect(counted.left + counted.right).toBeGreaterThan(40);
      expect(await countInInflux(`SELECT COUNT("schemaVersion") FROM "stride" WHERE "athlete" = '${athleteId}' AND "session" = '${sessionId}'`)).toBe(counted.left + counted.right);
      expect(logs.filter((l) => l.includes('takes writes again'))).toHaveLength(1);
    } finally {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
