/**
 * A real InfluxDB 1.x server (Debian's influxd) for the bench, as test/harness
 * starts one, but on a port and data directory the bench keeps: it can be
 * stopped and started again on the same port with its data (an outage the
 * InfluxStore's spool must ride out).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { influxdConfig } from '../../test/harness/binaries.ts';
import { freePort, waitUntil } from '../../test/harness/ports.ts';
import { findBinary, startProcess, type ManagedProcess } from '../../test/harness/process.ts';

export interface Influxd {
  readonly url: string;
  readonly port: number;
  /** Starts the server (again); resolves once /ping answers 204. */
  start(): Promise<void>;
  /** Stops the server; its data stays for the next start. */
  stop(): Promise<void>;
  /** Stops it and removes its data. */
  dispose(): Promise<void>;
  /** An InfluxQL statement through /query (POST), for CREATE/DROP and counts. */
  query(q: string, db?: string): Promise<unknown>;
}

export const influxdBinary = (): string | undefined => findBinary('influxd');

export async function createInfluxd(): Promise<Influxd> {
  const bin = influxdBinary();
  if (bin === undefined) throw new Error('no influxd binary (apt-get install influxdb)');
  const dir = await mkdtemp(join(tmpdir(), 'gw-bench-influxd-'));
  const [port, rpcPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const configPath = join(dir, 'influxdb.conf');
  await writeFile(configPath, influxdConfig(dir, port, rpcPort));
  let proc: ManagedProcess | undefined;
  const stop = async (): Promise<void> => {
    await proc?.stop();
    proc = undefined;
  };
  return {
    url,
    port,
    async start() {
      if (proc !== undefined) return;
      const started = startProcess(bin, ['-config', configPath]);
      proc = started;
      try {
        await waitUntil('influxd', async () => (await fetch(`${url}/ping`)).status === 204, 30_000, started.exited);
      } catch (error) {
        const output = started.output();
        await stop();
        throw new Error(`${(error as Error).message}\n--- influxd output ---\n${output}`);
      }
    },
    stop,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    async query(q, db) {
      const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, ...(db === undefined ? {} : { db }) }) });
      const text = await res.text();
      if (!res.ok) throw new Error(`influxd query ${q}: HTTP ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as unknown;
    },
  };
}
