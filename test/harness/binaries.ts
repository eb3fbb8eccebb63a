import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort, waitUntil } from './ports.ts';
import { findBinary, startProcess, type ManagedProcess } from './process.ts';
import type { MosquittoOptions, RunningService, ServiceKind } from './types.ts';

export const BINARY_NAMES: Record<ServiceKind, string> = {
  mosquitto: 'mosquitto',
  influxdb: 'influxd',
  victoriametrics: 'victoria-metrics',
};

async function scratchDir(kind: ServiceKind): Promise<string> {
  return mkdtemp(join(tmpdir(), `gw-${kind}-`));
}

function stopper(proc: ManagedProcess, dir: string): () => Promise<void> {
  return async () => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url);
  return res.ok;
}

async function ready(what: string, proc: ManagedProcess, dir: string, probe: () => Promise<boolean>): Promise<void> {
  try {
    await waitUntil(what, probe, 30_000, proc.exited);
  } catch (error) {
    await stopper(proc, dir)();
    throw new Error(`${(error as Error).message}\n--- output ---\n${proc.output()}`);
  }
}

export async function startMosquittoBinary(options: MosquittoOptions = {}): Promise<RunningService> {
  const bin = findBinary(BINARY_NAMES.mosquitto)!;
  const dir = await scratchDir('mosquitto');
  const port = await freePort();
  for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), content, { mode: 0o600 });
  const config = [
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${options.allowAnonymous ?? true}`,
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    ...(options.configLines ?? []).map((line) => line.replaceAll('{dir}', dir)),
  ];
  const configPath = join(dir, 'mosquitto.conf');
  await writeFile(configPath, `${config.join('\n')}\n`);
  const proc = startProcess(bin, ['-c', configPath]);
  await ready('mosquitto', proc, dir, () => canConnect(port));
  return { kind: 'mosquitto', mode: 'binary', url: `mqtt://127.0.0.1:${port}`, port, dir, stop: stopper(proc, dir) };
}

/**
 * influxd 1.x's configuration for a throwaway server (tests, the bench): loopback
 * only, data under `dir`, no usage reporting, no query or HTTP request log (their
 * I/O would be measured too), no internal monitor database.
 */
export function influxdConfig(dir: string, port: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[monitor]
  store-enabled = false
`;
}

/** InfluxDB 1.x (Debian ships 1.6.7): v1 `/write` and `/query`, no auth, one database created. */
export async function startInfluxBinary(): Promise<RunningService> {
  const bin = findBinary(BINARY_NAMES.influxdb)!;
  const dir = await scratchDir('influxdb');
  const [port, rpcPort] = [await freePort(), await freePort()];
  const configPath = join(dir, 'influxdb.conf');
  await writeFile(configPath, influxdConfig(dir, port, rpcPort));
  const proc = startProcess(bin, ['-config', configPath]);
  const url = `http://127.0.0.1:${port}`;
  await ready('influxd', proc, dir, async () => (await fetch(`${url}/ping`)).status === 204);
  const database = 'gaitwatch_test';
  const created = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${database}` }) });
  if (!created.ok) throw new Error(`influxd: CREATE DATABASE failed: ${created.status} ${await created.text()}`);
  return { kind: 'influxdb', mode: 'binary', url, port, dir, database, stop: stopper(proc, dir) };
}

/** VictoriaMetrics: accepts the InfluxDB v2 write API (`/api/v2/write`), so the v2 client path is exercised for real. */
export async function startVictoriaMetricsBinary(): Promise<RunningService> {
  const bin = findBinary(BINARY_NAMES.victoriametrics)!;
  const dir = await scratchDir('victoriametrics');
  const port = await freePort();
  const proc = startProcess(bin, [`-storageDataPath=${dir}/data`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR']);
  const url = `http://127.0.0.1:${port}`;
  await ready('victoria-metrics', proc, dir, () => httpOk(`${url}/health`));
  return { kind: 'victoriametrics', mode: 'binary', url, port, dir, stop: stopper(proc, dir) };
}
