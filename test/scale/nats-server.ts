/**
 * A real nats-server for the scale tests: a child process on free loopback
 * ports with a generated config — `server_name`, JetStream on a scratch
 * directory, the MQTT listener (needs both), and the account `mappings`
 * that partition sessions (`serverMappings` of @gaitwatch/ingest, the same
 * block deploy/SCALING.md gives). Debian's `nats-server` (2.9.10) is enough.
 *
 * Skip policy as test/harness: missing binary → the suite is skipped with a
 * loud line, except under CI=true where it fails.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverMappings } from '@gaitwatch/ingest';
import { isCi } from '../harness/index.ts';
import { canConnect, freePort, waitUntil } from '../harness/ports.ts';
import { findBinary, startProcess } from '../harness/process.ts';

export interface RunningNats {
  /** nats://127.0.0.1:port */
  readonly natsUrl: string;
  /** mqtt://127.0.0.1:port: nats-server's MQTT listener, where the phones publish. */
  readonly mqttUrl: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Whether nats-server is here: true → skip (loudly); throws under CI=true when it is missing. */
export function natsServerMissing(): boolean {
  if (findBinary('nats-server') !== undefined) return false;
  const hint = 'install the Debian package (apt-get install -y nats-server; .ci/run does)';
  if (isCi()) throw new Error(`CI=true but nats-server is missing (not on PATH nor in /usr/sbin): ${hint}. The NATS scale test must not skip in CI.`);
  console.warn(`\n!!! SKIPPING the NATS scale tests: nats-server not found; ${hint}.\n`);
  return true;
}

/** The config file: JetStream + MQTT on free ports, sessions mapped into `partitions` partitions. */
export function natsConfig(options: { dir: string; port: number; mqttPort: number; partitions: number }): string {
  const mappings = Object.entries(serverMappings(options.partitions))
    .map(([from, to]) => `  "${from}": "${to}"`)
    .join('\n');
  return `server_name: gw-test-${options.port}
listen: 127.0.0.1:${options.port}
jetstream {
  store_dir: "${options.dir}/jetstream"
}
mqtt {
  listen: 127.0.0.1:${options.mqttPort}
}
mappings {
${mappings}
}
`;
}

/** Servers not stopped yet: stopAllNatsServers() in an afterAll also catches a test that timed out mid-way. */
const running = new Set<RunningNats>();

export async function stopAllNatsServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

export async function startNatsServer(options: { partitions: number }): Promise<RunningNats> {
  const bin = findBinary('nats-server')!;
  const dir = await mkdtemp(join(tmpdir(), 'gw-nats-'));
  const [port, mqttPort] = [await freePort(), await freePort()];
  const configPath = join(dir, 'nats.conf');
  await writeFile(configPath, natsConfig({ dir, port, mqttPort, partitions: options.partitions }));
  const proc = startProcess(bin, ['-c', configPath]);
  const stop = async (): Promise<void> => {
    running.delete(server);
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const server: RunningNats = { natsUrl: `nats://127.0.0.1:${port}`, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, dir, stop };
  running.add(server);
  try {
    await waitUntil('nats-server', async () => (await canConnect(port)) && (await canConnect(mqttPort)), 30_000, proc.exited);
  } catch (error) {
    const output = proc.output();
    await stop();
    throw new Error(`${(error as Error).message}\n--- output ---\n${output}`);
  }
  return server;
}
