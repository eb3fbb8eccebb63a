import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisEvent } from '@gaitwatch/dsp';
import { createLogger, loadConfig, startIngest, type IngestService } from '@gaitwatch/ingest';
import { topicFilter } from '@gaitwatch/protocol';
import { LocalStore, type AlertRecord, type GaitStore, type StrideRecord } from '@gaitwatch/storage';
import mqtt from 'mqtt';

export interface TestIngest {
  readonly service: IngestService;
  readonly store: GaitStore;
  readonly dir: string;
  /** Stops the service and the store, removes the directory unless `keepDir`. */
  close(keepDir?: boolean): Promise<void>;
}

let clients = 0;

/** An ingest service on `mqttUrl` with a local store in a fresh directory; logs go nowhere unless GW_TEST_LOGS is set. */
export async function startTestIngest(mqttUrl: string, env: Record<string, string> = {}, reuse?: { dir: string }): Promise<TestIngest> {
  const dir = reuse?.dir ?? (await mkdtemp(join(tmpdir(), 'gw-ingest-')));
  const config = loadConfig({
    MQTT_URL: mqttUrl,
    DATA_DIR: dir,
    MQTT_CLIENT_ID: `gw-ingest-t${process.pid % 10000}-${clients++}`,
    MQTT_RECONNECT_MIN_MS: '100',
    MQTT_RECONNECT_MAX_MS: '1000',
    INGEST_HTTP_PORT: '0',
    INGEST_HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: process.env['GW_TEST_LOGS'] ?? 'silent',
    ...env,
  });
  // synchronous 'normal': the tests need durability across no power cut, only speed.
  const store = new LocalStore({ dataDir: dir, synchronous: 'normal' });
  const service = await startIngest(config, { store, logger: createLogger(config.logLevel) });
  // Subscribed (SUBACK), or the broker kept the subscriptions of an earlier run.
  await waitFor(() => service.intake.subscribes > 0 || (service.intake.connected && service.intake.sessionPresent), 10_000, 'ingest subscribed');
  return {
    service,
    store,
    dir,
    async close(keepDir = false) {
      await service.stop();
      await store.close();
      if (!keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(test: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the session's stop summary is stored. */
export async function waitClosed(t: TestIngest, athleteId: string, sessionId: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => {
    await t.service.flush();
    return ((await t.store.getSession(athleteId, sessionId))?.endUs ?? null) !== null;
  }, timeoutMs, `session ${athleteId}/${sessionId} closed in the store`);
}

export async function storedStrides(store: GaitStore, athleteId: string, sessionId: string): Promise<StrideRecord[]> {
  const out: StrideRecord[] = [];
  for await (const s of store.streamStrides({ athleteId, sessionId })) out.push(s);
  return out;
}

export async function storedAlerts(store: GaitStore, athleteId: string, sessionId: string): Promise<AlertRecord[]> {
  const out: AlertRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.queryAlerts({ athleteId, sessionId, limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
    out.push(...page.items);
    if (page.next === null) return out;
    cursor = page.next;
  }
}

/** The fields that define a stance, for comparing live and offline. */
export function strideKey(s: StrideRecord | Extract<AnalysisEvent, { kind: 'stride' }>): object {
  return { side: s.side, icUs: s.icUs, toUs: s.toUs, strideTimeS: s.strideTimeS, gctS: s.gctS, cadenceSpm: s.cadenceSpm, pelvicDropDeg: s.pelvicDropDeg, shankFrontalDeg: s.shankFrontalDeg };
}

export { expectResumedStrides } from '../fixtures/resumed.ts';

export function alertKey(a: AlertRecord | Extract<AnalysisEvent, { kind: 'alert' }>): object {
  return { type: a.type, severity: a.severity, tUs: a.tUs, metric: a.metric, phase: a.phase, value: a.value, baseline: a.baseline, sensor: a.sensor ?? null, side: a.side ?? null };
}

/** Sorted as the store returns them: time, then the rest of the identity. */
export const byTime = <T extends { icUs?: number; tUs?: number; side?: string; metric?: string }>(list: T[]): T[] =>
  [...list].sort((a, b) => (a.icUs ?? a.tUs ?? 0) - (b.icUs ?? b.tUs ?? 0) || String(a.side ?? a.metric).localeCompare(String(b.side ?? b.metric)));

/** Listens on every session's alerts topic (QoS 1). */
export async function listenAlerts(url: string): Promise<{ received: { topic: string; payload: Record<string, unknown> }[]; stop: () => Promise<void> }> {
  const client = await mqtt.connectAsync(url, { clientId: `alerts-listener-${clients++}-${process.pid}`, reconnectPeriod: 0 });
  const received: { topic: string; payload: Record<string, unknown> }[] = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString('utf8')) as Record<string, unknown> }));
  await client.subscribeAsync(topicFilter('alerts'), { qos: 1 });
  return { received, stop: () => client.endAsync() };
}

/** Sum of a labelled counter's values matching `labels`. */
export async function counterValue(metric: { get(): Promise<{ values: { value: number; labels: Partial<Record<string, string | number>> }[] }> }, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((n, v) => n + v.value, 0);
}

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));

export interface IngestProcess {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** A metric's value from its /metrics (labelled series summed). */
  counter(name: string): Promise<number>;
  /** Its /metrics text. */
  metrics(): Promise<string>;
}

/**
 * `gaitwatch ingest` as a child process, configured by `env` only (the test's
 * own MQTT_/INFLUX_/DATA_DIR/INGEST_ variables removed; metrics on a free
 * loopback port, info logs); resolves once it says it started.
 */
export async function startIngestProcess(env: Record<string, string>): Promise<IngestProcess> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MQTT_|INFLUX_|DATA_DIR|INGEST_)/.test(k)));
  const child = spawn(process.execPath, [BIN, 'ingest'], {
    env: { ...inherited, INGEST_HTTP_PORT: '0', INGEST_HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(() => out.includes('"msg":"ingest started"'), 20_000, 'the service started');
  const port = Number(/"httpPort":(\d+)/.exec(out)![1]);
  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    process: child,
    exited,
    output: () => out,
    metrics,
    async counter(name) {
      const text = await metrics();
      return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    },
  };
}
