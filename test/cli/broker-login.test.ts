import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAccount, startEmbeddedBroker, type EmbeddedBroker } from '../../src/start/index.ts';
import { runGaitwatch, type CliRun } from '../harness/cli.ts';

// `gaitwatch replay` and `simulate --mqtt-url` as a user runs them (the real CLI in a child process)
// against a real broker that wants a login (gaitwatch start's embedded one, here in-process) and
// against a port where nothing listens: a refused login or connection is one line on stderr and
// exit 2, like the CLI's other errors, never a stack; the password is never printed; the right
// login works.

const PASSWORD = 'ana-device-pw-0123456789';
const SIM_PASSWORD = 'sim-device-pw-0123456789';

type Run = CliRun;
const gaitwatch = runGaitwatch;

/** Exit 2, and stderr exactly one line matching `message`, without a stack frame. */
function expectOneLine(run: Run, message: RegExp): void {
  expect(run.stderr).toMatch(/^gaitwatch: [^\n]+\n$/);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toContain('    at ');
  expect(run.status).toBe(2);
}

/** A port nothing listens on: one the system gave out and that is closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let broker: EmbeddedBroker;
let dir: string;
let csv: string;

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    accounts: [
      brokerAccount('ana', { kind: 'device', athleteId: 'ana' }, PASSWORD),
      // simulate --runners 1 --seed 1 publishes as athlete sim-1-0.
      brokerAccount('sim-1-0', { kind: 'device', athleteId: 'sim-1-0' }, SIM_PASSWORD),
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'gw-broker-login-'));
  // The shortest run simulate makes: 25 s, replayed at 1000× (a few hundred frames, well under a second).
  const sim = await gaitwatch(['simulate', '--out', dir, '--duration', '25s', '--seed', '1']);
  expect(sim.status, sim.stderr).toBe(0);
  csv = join(dir, 'steady-s1-r0.csv');
}, 60_000);

afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

const replayArgs = (url: string): string[] => ['replay', csv, '--mqtt-url', url, '--athlete', 'ana', '--session', 'login-test', '--speedup', '1000'];
const simulateArgs = (url: string): string[] => ['simulate', '--mqtt-url', url, '--duration', '25s', '--speedup', '200', '--seed', '1'];

describe('gaitwatch replay against a broker that wants a login', () => {
  it('without a login: one line naming MQTT_USERNAME and MQTT_PASSWORD and where gaitwatch start keeps them, exit 2', async () => {
    const refusedBefore = broker.refused.connect;
    const run = await gaitwatch(replayArgs(broker.url));
    expectOneLine(run, /^gaitwatch: the broker at mqtt:\/\/127\.0\.0\.1:\d+ refused the login \(not authorized\): set MQTT_USERNAME and MQTT_PASSWORD \(.*start-secrets\.json\)\n$/);
    expect(broker.refused.connect).toBeGreaterThan(refusedBefore);
  });

  it('with a wrong password: names the user, never the password (not even one in the URL)', async () => {
    const run = await gaitwatch(replayArgs(broker.url), { MQTT_USERNAME: 'ana', MQTT_PASSWORD: 'wrong-pw-secret' });
    expectOneLine(run, /the broker at mqtt:\/\/127\.0\.0\.1:\d+ refused the login of "ana" \(not authorized\): check MQTT_USERNAME and MQTT_PASSWORD/);
    expect(run.stderr).not.toContain('wrong-pw-secret');
    const inUrl = await gaitwatch(replayArgs(broker.url.replace('mqtt://', 'mqtt://ana:url-pw-secret@')));
    expectOneLine(inUrl, /the broker at mqtt:\/\/127\.0\.0\.1:\d+ refused the login/);
    expect(inUrl.stderr).not.toContain('url-pw-secret');
  });

  it('with the right login: publishes the recording (exit 0)', async () => {
    const run = await gaitwatch(replayArgs(broker.url), { MQTT_USERNAME: 'ana', MQTT_PASSWORD: PASSWORD });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^replayed 14997 samples in \d+ frames to ana\/login-test\n$/);
  });

  it('to a port where nothing listens: one line, connection refused, exit 2', async () => {
    const url = `mqtt://127.0.0.1:${await closedPort()}`;
    expectOneLine(await gaitwatch(replayArgs(url)), new RegExp(`^gaitwatch: cannot connect to the broker at ${url}: connection refused — is it running\\?\\n$`));
  });

  it('to a port where something else answers (an HTTP server), or closes at once: one line, exit 2', async () => {
    const http = createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const closer = createServer((socket) => socket.destroy());
    const listen = async (server: ReturnType<typeof createServer>): Promise<string> => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
    };
    try {
      const httpUrl = await listen(http);
      expectOneLine(await gaitwatch(replayArgs(httpUrl)), new RegExp(`^gaitwatch: cannot connect to the broker at ${httpUrl}: the answer is not MQTT \\(.+\\) — is that the broker's port\\?\\n$`));
      const closerUrl = await listen(closer);
      expectOneLine(await gaitwatch(replayArgs(closerUrl)), new RegExp(`^gaitwatch: cannot connect to the broker at ${closerUrl}: (the connection closed before an MQTT answer — is that the broker's port\\?|the connection was reset)\\n$`));
    } finally {
      http.close();
      closer.close();
    }
  });

  it('to a URL that is no broker URL: one line, exit 2', async () => {
    expectOneLine(await gaitwatch(replayArgs('127.0.0.1:1883')), /--mqtt-url "127\.0\.0\.1:1883" is not a broker URL: use mqtt:\/\/host:port/);
  });

  it('says in --help where the login comes from', async () => {
    const { stdout } = await gaitwatch(['replay', '--help']);
    expect(stdout).toMatch(/Environment:\n\s+MQTT_USERNAME\s.*\n\s+MQTT_PASSWORD\s/);
    expect(stdout).toContain('start-secrets.json');
  });
});

describe('gaitwatch simulate --mqtt-url against a broker that wants a login', () => {
  it('without a login, and with a wrong one: one line, exit 2 (the error comes from a worker thread)', async () => {
    expectOneLine(await gaitwatch(simulateArgs(broker.url)), /^gaitwatch: the broker at mqtt:\/\/127\.0\.0\.1:\d+ refused the login \(not authorized\): set MQTT_USERNAME and MQTT_PASSWORD \(.*sim-1-<n>.*\)\n$/);
    const wrong = await gaitwatch(simulateArgs(broker.url), { MQTT_USERNAME: 'sim-1-0', MQTT_PASSWORD: 'wrong-pw-secret' });
    expectOneLine(wrong, /refused the login of "sim-1-0" \(not authorized\): check MQTT_USERNAME and MQTT_PASSWORD/);
    expect(wrong.stderr).not.toContain('wrong-pw-secret');
  });

  it('with the right login: runs (exit 0)', async () => {
    const run = await gaitwatch(simulateArgs(broker.url), { MQTT_USERNAME: 'sim-1-0', MQTT_PASSWORD: SIM_PASSWORD });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/runners 0 active, 1\/1 done · messages (\d+) sent, \1 acked/);
  });

  it('to a port where nothing listens: one line, connection refused, exit 2', async () => {
    const url = `mqtt://127.0.0.1:${await closedPort()}`;
    expectOneLine(await gaitwatch(simulateArgs(url)), new RegExp(`^gaitwatch: cannot connect to the broker at ${url}: connection refused — is it running\\?\\n$`));
  });

  it('says in --help where the login comes from', async () => {
    const { stdout } = await gaitwatch(['simulate', '--help']);
    expect(stdout).toMatch(/Environment \(live\):\n\s+MQTT_USERNAME\s.*\n\s+MQTT_PASSWORD\s/);
  });
});
