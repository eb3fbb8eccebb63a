/**
 * The InfluxDB store pointed at a real InfluxDB 1.x that lacks its database
 * (an operator probe: every write failed with 404 and points piled up in the
 * spool with nothing said), or at a URL that answers 404: the condition is
 * named (`writeProblem`) and logged once with what to do, the points stay in
 * the spool, and once the operator runs CREATE DATABASE (here through the
 * real HTTP /query endpoint) the spool drains with no restart. Also: a spool
 * taken over from a killed process is said so in the log, and its points sent.
 *
 * 1.x only (the harness's Debian influxd): CREATE DATABASE is InfluxQL of 1.x.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxStore, type InfluxStoreOptions, type StoreLogger } from '@gaitwatch/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { realServices, type RunningService } from '../harness/index.ts';
import { startWriterChild } from './child.ts';
import { T0_US, freshIds, strides } from './fixtures.ts';
import { influxValues } from './influx-connection.ts';

const services = await realServices(['influxdb']);

/** Fast retries so that the test sees the created database within a fraction of a second. */
const FAST = { maxBatchDelayMs: 2, liveAttempts: 2, requestTimeoutMs: 1000, backoff: { initialDelayMs: 20, maxDelayMs: 200, factor: 2 } } as const;
/** Credentials the store is given (1.x without auth ignores them): they must never reach a log line. */
const SECRETS = { username: 'gw-writer', password: 'pw-Secret-91', token: 'tok-Secret-77' } as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(test: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(20);
  }
}

/** A StoreLogger keeping each line as pino would print it (level, fields, msg) in JSON. */
function jsonLogger(): StoreLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (fields: object, msg: string) => void lines.push(JSON.stringify({ level, ...fields, msg }));
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

let databases = 0;
const missingDatabase = (): string => `gw_missing_${process.pid}_${databases++}`;

describe.skipIf(services.skip || services.modes.influxdb !== 'binary')('InfluxStore against an InfluxDB 1.x without its database', () => {
  const running = services.use();
  let dir: string;
  const opened: InfluxStore[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-missing-db-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function open(options: Partial<InfluxStoreOptions> & { database: string }, logger: StoreLogger): Promise<InfluxStore> {
    const store = await InfluxStore.open({ url: running.get('influxdb').url, api: 'v1', spoolDir: dir, ...FAST, ...options, logger });
    opened.push(store);
    return store;
  }

  /** CREATE DATABASE through InfluxDB's own HTTP API, as an operator would (`influx -execute` does the same). */
  async function createDatabase(database: string): Promise<void> {
    const res = await fetch(`${running.get('influxdb').url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${database}` }) });
    expect(res.status).toBe(200);
  }

  async function countStrides(database: string, athleteId: string, sessionId: string): Promise<number> {
    const influx: RunningService = { ...running.get('influxdb'), database };
    const values = await influxValues(influx, `SELECT COUNT("schemaVersion") FROM "stride" WHERE "athlete" = '${athleteId}' AND "session" = '${sessionId}'`);
    return (values[0]?.[1] as number | undefined) ?? 0;
  }

  it('names the missing database, logs it once with the fix, keeps every point; after CREATE DATABASE the spool drains with no restart', async () => {
    const database = missingDatabase();
    const log = jsonLogger();
    const store = await open({ database, ...SECRETS }, log);
    // The open-time probe (an empty write) finds it before any point is written.
    await waitFor(() => store.writeProblem !== undefined, 5_000, 'the probe found the database missing');
    expect(store.writeProblem).toMatchObject({ reason: 'database_missing', status: 404 });
    expect(store.writeProblem!.message).toBe(`InfluxDB at ${running.get('influxdb').url} has no database "${database}": create it (influx -execute 'CREATE DATABASE ${database}') or fix INFLUX_DB`);

    const { athleteId, sessionId } = freshIds('nodb');
    for (let i = 0; i < 4; i++) await store.write({ strides: strides(athleteId, sessionId, 25, T0_US + i * 60_000_000) }); // each acknowledged from the spool
    expect(store.metrics).toMatchObject({ pointsWritten: 0, spoolPoints: 100, pointsRejected: 0 });
    expect(store.accepting).toBe(true);
    await sleep(1_000); // the replayer retries every ≤ 200 ms meanwhile
    expect(store.metrics.writeRetries).toBeGreaterThan(3);
    expect(store.metrics.writeRetries).toBeLessThan(40); // with backoff (≥ 10 ms, growing to 100–200 ms), not a busy loop
    expect(store.metrics.spoolPoints).toBe(100);
    expect(await countStrides(database, athleteId, sessionId)).toBe(0);

    const errors = log.lines.filter((l) => l.includes('"level":"error"'));
    expect(errors).toHaveLength(1); // once per change of condition, not per retry
    const line = JSON.parse(errors[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ reason: 'database_missing', status: 404, url: running.get('influxdb').url, database });
    expect(line['msg']).toContain(`has no database "${database}": create it (influx -execute 'CREATE DATABASE ${database}') or fix INFLUX_DB; points are kept in the spool`);
    expect(log.lines.join('\n')).not.toMatch(/pw-Secret-91|tok-Secret-77|gw-writer/);

    await createDatabase(database);
    await store.drain();
    expect(await countStrides(database, athleteId, sessionId)).toBe(100);
    expect(store.writeProblem).toBeUndefined();
    expect(store.metrics).toMatchObject({ spoolPoints: 0, spoolDepthBatches: 0, pointsReplayed: 100, pointsRejected: 0 });
    expect(log.lines.filter((l) => l.includes('takes writes again'))).toHaveLength(1);
    // Live again: the next write goes straight in.
    await store.write({ strides: strides(athleteId, sessionId, 5, T0_US + 3_600_000_000) });
    expect(await countStrides(database, athleteId, sessionId)).toBe(105);
    expect(store.metrics.pointsSpooled).toBe(100);
  });

  it('a URL path the server does not serve (404 naming no database) is named too, and the points wait', async () => {
    const log = jsonLogger();
    const store = await open({ url: `${running.get('influxdb').url}/influxdb`, database: running.get('influxdb').database!, probeAtOpen: false }, log);
    const { athleteId, sessionId } = freshIds('path');
    await store.write({ strides: strides(athleteId, sessionId, 10) });
    expect(store.writeProblem).toMatchObject({ reason: 'endpoint_missing', status: 404 });
    expect(store.writeProblem!.message).toContain("INFLUX_URL must be the server's base URL");
    expect(store.metrics.spoolPoints).toBe(10);
    expect(log.lines.filter((l) => l.includes('"level":"error"'))).toHaveLength(1);
  });

  it('the v2 API on InfluxDB 1.6 (no /api/v2/write): endpoint_missing, telling to use the v1 API', async () => {
    const log = jsonLogger();
    const store = await InfluxStore.open({ url: running.get('influxdb').url, api: 'v2', bucket: 'gw', org: 'club', token: SECRETS.token, spoolDir: dir, ...FAST, logger: log });
    opened.push(store);
    await waitFor(() => store.writeProblem !== undefined, 5_000, 'the probe found no v2 endpoint');
    expect(store.writeProblem).toMatchObject({ reason: 'endpoint_missing', status: 404 });
    expect(store.writeProblem!.message).toContain('InfluxDB 1.x before 1.8 has no v2 API (set INFLUX_DB, or INFLUX_API=v1)');
    expect(log.lines.join('\n')).not.toContain(SECRETS.token);
  });

  it('a spool left by a killed process: taken over and said so at open; its points sent once the database exists', async () => {
    const database = missingDatabase();
    const { athleteId, sessionId } = freshIds('takeover');
    const config = { kind: 'influx' as const, dir, url: running.get('influxdb').url, connection: { api: 'v1' as const, database }, athleteId, sessionId, batches: 6, stridesPerBatch: 10 };
    const child = startWriterChild(config);
    try {
      await child.ackOf(5); // all six batches acknowledged: in the child's spool (the database is missing)
    } finally {
      await child.kill();
    }
    const log = jsonLogger();
    const store = await open({ database }, log);
    const warned = log.lines.filter((l) => l.includes('took over the spool'));
    expect(warned).toHaveLength(1);
    expect(JSON.parse(warned[0]!)).toMatchObject({
      level: 'warn',
      tookOverFromPid: child.process.pid, // not `pid`: a default pino logger binds its own
      spoolDir: dir,
      msg: `took over the spool at ${dir} from process ${child.process.pid}, which is gone; its unsent points will be sent (66 waiting)`,
    });
    await waitFor(() => store.writeProblem?.reason === 'database_missing', 5_000, 'the replay found the database missing');
    await createDatabase(database);
    await store.drain();
    expect(await countStrides(database, athleteId, sessionId)).toBe(60);
  });

  it('no take-over warning when the last owner closed the spool cleanly', async () => {
    const database = running.get('influxdb').database!;
    const log = jsonLogger();
    await (await open({ database }, log)).close();
    opened.splice(0);
    const again = await open({ database }, log);
    await again.close();
    opened.splice(0);
    expect(log.lines.filter((l) => l.includes('took over'))).toHaveLength(0);
  });
});
