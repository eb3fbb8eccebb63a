// The deployed Mosquitto configuration (deploy/mosquitto) on a real broker:
// mosquitto.conf, acl and (optionally) mosquitto-tls.conf copied to a scratch
// directory with the container paths rewritten to it and the listeners moved
// to free loopback ports, credentials made by create-credentials.sh and
// certificates by create-certs.sh — the deploy scripts themselves, run here.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isCi } from '../harness/index.ts';
import { canConnect, freePort, waitUntil } from '../harness/ports.ts';
import { findBinary, startProcess } from '../harness/process.ts';

const run = promisify(execFile);

export const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
export const MOSQUITTO_DIR = join(DEPLOY, 'mosquitto');

/**
 * The binaries these suites need. Missing outside CI: the suite skips with a
 * loud line; missing under CI=true: it fails (DESIGN.md "Real services").
 * Docker mode cannot stand in: the suites run the deploy scripts, which call
 * mosquitto_passwd and openssl on this machine.
 */
export function deployBinaries(suite: string, names: readonly string[]): { skip: boolean; paths: Record<string, string> } {
  const paths: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const path = findBinary(name);
    if (path === undefined) missing.push(name);
    else paths[name] = path;
  }
  if (missing.length > 0) {
    const message = `${suite}: ${missing.join(', ')} not found (Debian: apt-get install -y mosquitto openssl)`;
    if (isCi()) throw new Error(`CI=true but ${message}. Tests must not skip them in CI.`);
    console.warn(`\n!!! SKIPPING ${message}.\n`);
  }
  return { skip: missing.length > 0, paths };
}

export interface Credentials {
  /** Device passwords by athlete id, as create-credentials.sh printed them. */
  readonly devices: Record<string, string>;
  /** Service passwords by user (ingest, api, sim), from the env file it wrote. */
  readonly services: Record<string, string>;
  readonly passwdFile: string;
}

/** Runs deploy/mosquitto/create-credentials.sh into `dir` for these athletes. */
export async function createCredentials(dir: string, athletes: readonly string[]): Promise<Credentials> {
  const passwdFile = join(dir, 'passwd');
  const envFile = join(dir, 'test.env');
  const { stdout } = await run(join(MOSQUITTO_DIR, 'create-credentials.sh'), ['--passwd', passwdFile, '--env', envFile, ...athletes]);
  const devices = Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t') as [string, string]),
  );
  const env = await readFile(envFile, 'utf8');
  const services: Record<string, string> = {};
  for (const user of ['ingest', 'api', 'sim']) {
    const match = new RegExp(`^MQTT_${user.toUpperCase()}_PASSWORD=([A-Za-z0-9]+)$`, 'm').exec(env);
    if (match === null) throw new Error(`create-credentials.sh wrote no password for ${user}`);
    services[user] = match[1]!;
  }
  return { devices, services, passwdFile };
}

/** Runs deploy/mosquitto/create-certs.sh: a CA and a server certificate for `names` in `dir`. */
export async function createCerts(dir: string, names: readonly string[]): Promise<void> {
  await run(join(MOSQUITTO_DIR, 'create-certs.sh'), [dir, ...names]);
}

export interface DeployBroker {
  /** mqtt://127.0.0.1:port (the plain listener). */
  readonly url: string;
  /** mqtts://127.0.0.1:port when started with TLS. */
  readonly tlsUrl?: string;
  /** Broker output so far (log lines), for failure messages and log assertions. */
  output(): string;
  /** Replaces the broker's password file and has it reread (SIGHUP: no restart, connections stay), as deploy/README says. */
  reloadPasswords(passwdFile: string): Promise<void>;
  /** Where the broker reads its password file and ACL from (the container's /mosquitto/run), and its pid: for deploy/mosquitto/reload.sh. */
  readonly runDir: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Rewrites every container path and listener of a deploy config; throws if one is left (the config changed under the test). */
function localise(text: string, dir: string, ports: { plain: number; tls?: number }): string {
  const out = text
    .replaceAll('/mosquitto/run/', `${dir}/run/`)
    .replaceAll('/mosquitto/data/', `${dir}/data/`)
    .replaceAll('/gaitwatch/mosquitto/conf.d', `${dir}/conf.d`)
    .replace(/^listener 1883$/m, `listener ${ports.plain} 127.0.0.1`)
    .replace(/^listener 8883$/m, `listener ${ports.tls ?? 0} 127.0.0.1`);
  const left = out.split('\n').filter((line) => !line.startsWith('#') && /(^|\s)\/(mosquitto|gaitwatch)\//.test(line));
  if (left.length > 0) throw new Error(`deploy config has container paths the test does not map: ${left.join('; ')}`);
  return out;
}

/**
 * Starts mosquitto with deploy/mosquitto's config, the given password file,
 * and, with `certsDir`, the TLS listener of mosquitto-tls.conf (its files
 * copied as start.sh does in the container).
 */
export async function startDeployBroker(binary: string, passwdFile: string, options: { certsDir?: string } = {}): Promise<DeployBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-deploy-mosquitto-'));
  const ports = { plain: await freePort(), ...(options.certsDir !== undefined ? { tls: await freePort() } : {}) };
  await Promise.all(['run', 'data', 'conf.d'].map((d) => mkdir(join(dir, d))));
  await copyFile(passwdFile, join(dir, 'run', 'passwd'));
  await copyFile(join(MOSQUITTO_DIR, 'acl'), join(dir, 'run', 'acl'));
  if (options.certsDir !== undefined) {
    for (const f of ['ca.crt', 'server.crt', 'server.key']) await copyFile(join(options.certsDir, f), join(dir, 'run', f));
    await writeFile(join(dir, 'conf.d', 'tls.conf'), localise(await readFile(join(MOSQUITTO_DIR, 'mosquitto-tls.conf'), 'utf8'), dir, ports));
  }
  const conf = localise(await readFile(join(MOSQUITTO_DIR, 'mosquitto.conf'), 'utf8'), dir, ports);
  // Started as root, Mosquitto drops to the user `mosquitto`, which cannot read our 0700 scratch directory
  // (in the container start.sh hands the files to that user instead).
  const extra = process.getuid?.() === 0 ? 'user root\n' : '';
  const confPath = join(dir, 'mosquitto.conf');
  await writeFile(confPath, `${conf}\n${extra}`);
  const proc = startProcess(binary, ['-c', confPath]);
  const stop = async (): Promise<void> => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('mosquitto (deploy config)', async () => (await canConnect(ports.plain)) && (ports.tls === undefined || (await canConnect(ports.tls))), 20_000, proc.exited);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- mosquitto output ---\n${proc.output()}`);
  }
  return {
    url: `mqtt://127.0.0.1:${ports.plain}`,
    ...(ports.tls !== undefined ? { tlsUrl: `mqtts://127.0.0.1:${ports.tls}` } : {}),
    output: () => proc.output(),
    runDir: join(dir, 'run'),
    pid: proc.child.pid!,
    async reloadPasswords(file: string) {
      await copyFile(file, join(dir, 'run', 'passwd'));
      proc.child.kill('SIGHUP');
    },
    stop,
  };
}
