// deploy/mosquitto on a real Mosquitto: authentication and the per-athlete ACL.
// Credentials come from deploy/mosquitto/create-credentials.sh itself.
//
// "Never arrives" is checked with a sentinel, not a sleep: the forbidden
// message is published first (and acknowledged by the broker), then one the
// same subscriber may receive. Mosquitto handles publishes one at a time and
// queues them to a subscriber in order, so had the forbidden one been let
// through it would be there before the sentinel.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createLogger, loadConfig, startIngest } from '@gaitwatch/ingest';
import { LocalStore } from '@gaitwatch/storage';
import { ApiMetrics, connectLiveFeed, LiveHub } from '@gaitwatch/api';
import { waitFor } from '../ingest/helpers.ts';
import { createCredentials, deployBinaries, MOSQUITTO_DIR, startDeployBroker, type Credentials, type DeployBroker } from './broker.ts';
import { connectClient, connectError, type TestClient } from './mqtt-clients.ts';

const bins = deployBinaries('deploy Mosquitto ACL tests', ['mosquitto', 'mosquitto_passwd']);

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const A = 'ath-a.1';
const B = 'ath-b_2';
const topic = (athlete: string, kind: string, session = 's1'): string => `gaitwatch/v1/${athlete}/${session}/${kind}`;

describe.skipIf(bins.skip)('deploy/mosquitto: authentication and ACL on a real broker', () => {
  let dir: string;
  let creds: Credentials;
  let broker: DeployBroker;
  const open: TestClient[] = [];
  const connect = async (user: string, password: string): Promise<TestClient> => {
    const c = await connectClient(broker.url, user, password);
    open.push(c);
    return c;
  };
  const device = (athlete: string): Promise<TestClient> => connect(athlete, creds.devices[athlete]!);
  const service = (user: 'ingest' | 'api' | 'sim'): Promise<TestClient> => connect(user, creds.services[user]!);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-deploy-acl-'));
    creds = await createCredentials(dir, [A, B]);
    broker = await startDeployBroker(bins.paths['mosquitto']!, creds.passwdFile);
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.end()));
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('made a credential per athlete and per service, strong and distinct', () => {
    expect(Object.keys(creds.devices).sort()).toEqual([A, B].sort());
    const all = [...Object.values(creds.devices), ...Object.values(creds.services)];
    expect(new Set(all).size).toBe(5);
    for (const pw of all) expect(pw).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('refuses anonymous clients, wrong passwords, and a device with another athlete\'s password', async () => {
    expect((await connectError(broker.url, {}))?.message).toMatch(/Not authorized|Bad username or password/);
    expect((await connectError(broker.url, { username: 'ingest', password: 'not-the-password' }))?.message).toMatch(/Not authorized|Bad username or password/);
    expect((await connectError(broker.url, { username: A, password: creds.devices[B]! }))?.message).toMatch(/Not authorized|Bad username or password/);
    expect((await connectError(broker.url, { username: 'nobody', password: 'x' }))?.message).toMatch(/Not authorized|Bad username or password/);
    // The positive control: the right password gets in.
    expect(await connectError(broker.url, { username: A, password: creds.devices[A]! })).toBeUndefined();
  });

  it('lets a device publish its own imu and status to ingest, and nothing into another athlete\'s topics', async () => {
    const ingest = await service('ingest');
    expect(await ingest.subscribe(['gaitwatch/v1/+/+/imu', 'gaitwatch/v1/+/+/status'])).toEqual([1, 1]);
    const a = await device(A);
    await a.client.publishAsync(topic(B, 'imu'), 'forged imu', { qos: 1 });
    await a.client.publishAsync(topic(B, 'status'), '{"state":"stop"}', { qos: 1 });
    await a.client.publishAsync(topic(A, 'status'), '{"state":"start"}', { qos: 1 });
    await a.client.publishAsync(topic(A, 'imu'), 'own imu', { qos: 1 });
    await ingest.waitForTopic(topic(A, 'imu'));
    expect(ingest.received).toEqual([
      { topic: topic(A, 'status'), payload: '{"state":"start"}' },
      { topic: topic(A, 'imu'), payload: 'own imu' },
    ]);
  });

  it("keeps another athlete's alerts, strides and raw data from a device, even subscribed to #", async () => {
    const ingest = await service('ingest');
    const a = await device(A);
    const b = await device(B);
    const refusedOrGranted = await a.subscribe([topic(B, 'alerts', '+'), '#', topic(A, 'alerts', '+')]);
    // Own alerts: granted. B's and '#': refused (128) or granted and then filtered per message; either way nothing arrives.
    expect(refusedOrGranted[2]).toBe(1);
    expect(await b.subscribe([topic(B, 'alerts', '+'), topic(B, 'live', '+')])).toEqual([1, 1]);
    await b.client.publishAsync(topic(B, 'imu'), "B's raw data", { qos: 1 });
    await ingest.client.publishAsync(topic(B, 'live'), "B's stride", { qos: 0 });
    await ingest.client.publishAsync(topic(B, 'alerts'), "B's alert", { qos: 1 });
    await ingest.client.publishAsync(topic(A, 'alerts'), "A's alert", { qos: 1 });
    await b.waitForTopic(topic(B, 'alerts'));
    await a.waitForTopic(topic(A, 'alerts'));
    // B's own device got B's alert (so the ACL does let alerts through)...
    expect(b.received.map((m) => m.payload)).toContain("B's alert");
    // ...and A got its own alert and nothing else.
    expect(a.received).toEqual([{ topic: topic(A, 'alerts'), payload: "A's alert" }]);
  });

  it('lets ingest publish alerts and live strides; a device cannot publish alerts or live, even its own', async () => {
    const api = await service('api');
    expect(await api.subscribe(['gaitwatch/v1/+/+/alerts', 'gaitwatch/v1/+/+/live', 'gaitwatch/v1/+/+/status'])).toEqual([1, 1, 1]);
    const a = await device(A);
    await a.client.publishAsync(topic(A, 'alerts', 's2'), 'forged alert', { qos: 1 });
    await a.client.publishAsync(topic(A, 'live', 's2'), 'forged stride', { qos: 1 });
    await a.client.publishAsync(topic(A, 'status', 's2'), '{"state":"stop"}', { qos: 1 });
    await api.waitForTopic(topic(A, 'status', 's2'));
    expect(api.received).toEqual([{ topic: topic(A, 'status', 's2'), payload: '{"state":"stop"}' }]);

    const ingest = await service('ingest');
    await ingest.client.publishAsync(topic(A, 'live', 's3'), 'stride', { qos: 1 });
    await ingest.client.publishAsync(topic(A, 'alerts', 's3'), 'alert', { qos: 1 });
    await api.waitForTopic(topic(A, 'alerts', 's3'));
    expect(api.received.slice(1)).toEqual([
      { topic: topic(A, 'live', 's3'), payload: 'stride' },
      { topic: topic(A, 'alerts', 's3'), payload: 'alert' },
    ]);
  });

  it('gives the api user alerts, live and status to read and nothing to write or read beyond them', async () => {
    const ingest = await service('ingest');
    expect(await ingest.subscribe(['gaitwatch/v1/+/+/imu', 'gaitwatch/v1/+/+/status'])).toEqual([1, 1]);
    const api = await service('api');
    const granted = await api.subscribe(['gaitwatch/v1/+/+/imu', 'gaitwatch/v1/+/+/alerts']);
    expect(granted[1]).toBe(1);
    // The api publishes imu and status (refused), then a device publishes its own (allowed): ingest gets the device's only.
    await api.client.publishAsync(topic(B, 'imu', 's4'), 'api imu', { qos: 1 });
    await api.client.publishAsync(topic(B, 'status', 's4'), 'api status', { qos: 1 });
    await api.client.publishAsync(topic(B, 'alerts', 's4'), 'api alert', { qos: 1 });
    const b = await device(B);
    await b.client.publishAsync(topic(B, 'imu', 's4'), 'device imu', { qos: 1 });
    await b.client.publishAsync(topic(B, 'alerts', 's4'), 'device alert', { qos: 1 });
    await ingest.client.publishAsync(topic(B, 'alerts', 's4'), 'ingest alert', { qos: 1 });
    await ingest.waitForTopic(topic(B, 'imu', 's4'));
    await api.waitForTopic(topic(B, 'alerts', 's4'));
    expect(ingest.received).toEqual([{ topic: topic(B, 'imu', 's4'), payload: 'device imu' }]);
    // The api reads neither raw data nor its own or a device's forged alerts.
    expect(api.received).toEqual([{ topic: topic(B, 'alerts', 's4'), payload: 'ingest alert' }]);
  });

  it('lets the simulator publish as its own athletes only', async () => {
    const ingest = await service('ingest');
    expect(await ingest.subscribe(['gaitwatch/v1/+/+/imu'])).toEqual([1]);
    const sim = await service('sim');
    await sim.client.publishAsync(topic(A, 'imu', 's5'), 'sim as A', { qos: 1 });
    await sim.client.publishAsync(topic('sim-1-2', 'imu', 's5'), 'sim runner', { qos: 1 });
    await ingest.waitForTopic(topic('sim-1-2', 'imu', 's5'));
    expect(ingest.received).toEqual([{ topic: topic('sim-1-2', 'imu', 's5'), payload: 'sim runner' }]);
  });

  it("runs docker-compose.yml's sim command with the sim credential: every simulated runner reaches ingest", async () => {
    const ingest = await service('ingest');
    expect(await ingest.subscribe(['gaitwatch/v1/+/+/status'])).toEqual([1]);
    const compose = parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: { sim: { command: string[] } } };
    const args = [...compose.services.sim.command];
    // The compose command as is, but against this broker, 30 s of running at ×60.
    args[args.indexOf('--mqtt-url') + 1] = broker.url;
    args[args.indexOf('--duration') + 1] = '30s';
    args.push('--speedup', '60');
    const env = { ...process.env, MQTT_USERNAME: 'sim', MQTT_PASSWORD: creds.services['sim']! };
    await run(process.execPath, [join(ROOT, 'bin/gaitwatch.mjs'), ...args], { env, timeout: 75_000 });
    const runners = Number(args[args.indexOf('--runners') + 1]);
    const athletes = new Set(ingest.received.map((m) => m.topic.split('/')[2]));
    expect(athletes.size).toBe(runners);
    for (const athlete of athletes) expect(athlete).toMatch(/^sim-1-\d$/);
  }, 90_000);
  it('ingest refused by the broker (a wrong password): not ready and saying why, then connected once the broker takes it, without a restart', async () => {
    // An operator probe: after one refusal mqtt.js stopped trying, and ingest sat unconnected until restarted.
    const wrong = 'NotTheIngestPassword1234';
    const ingestDir = await mkdtemp(join(dir, 'ingest-'));
    const config = loadConfig({
      MQTT_URL: broker.url,
      MQTT_USERNAME: 'ingest',
      MQTT_PASSWORD: wrong,
      MQTT_CLIENT_ID: 'gw-ingest-refused',
      MQTT_RECONNECT_MIN_MS: '100',
      MQTT_RECONNECT_MAX_MS: '400',
      DATA_DIR: ingestDir,
      INGEST_HTTP_PORT: '0',
      INGEST_HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    const store = new LocalStore({ dataDir: ingestDir, synchronous: 'normal' });
    const ingest = await startIngest(config, { store, logger: createLogger('silent') });
    const fixed = join(dir, 'passwd-fixed');
    try {
      const readyz = async (): Promise<{ status: number; text: string }> => {
        const res = await fetch(`http://127.0.0.1:${ingest.httpPort}/readyz`);
        return { status: res.status, text: await res.text() };
      };
      await waitFor(async () => (await readyz()).text.includes('refuses the login'), 10_000, 'readyz names the refusal');
      expect(await readyz()).toEqual({ status: 503, text: 'not ready: not connected to the broker: it refuses the login (Connection refused: Not authorized; check MQTT_USERNAME / MQTT_PASSWORD)\n' });
      // The operator fixes the password file and has the broker reread it (no restart); ingest must be still trying.
      await copyFile(creds.passwdFile, fixed);
      await run(bins.paths['mosquitto_passwd']!, ['-b', fixed, 'ingest', wrong]);
      await broker.reloadPasswords(fixed);
      await waitFor(() => ingest.intake.connected, 10_000, 'ingest connected after the fix');
      expect((await readyz()).status).toBe(200);
    } finally {
      await ingest.stop();
      await store.close();
      await broker.reloadPasswords(creds.passwdFile);
    }
  }, 30_000);
  it('deploy/mosquitto/reload.sh adds a device to the running broker: refused before, it logs in after', async () => {
    const src = await mkdtemp(join(dir, 'src-'));
    await copyFile(join(MOSQUITTO_DIR, 'acl'), join(src, 'acl'));
    await copyFile(creds.passwdFile, join(src, 'passwd'));
    const newcomer = 'ath-c.3';
    const { stdout } = await run(join(MOSQUITTO_DIR, 'create-credentials.sh'), ['--passwd', join(src, 'passwd'), newcomer]);
    const password = stdout.trim().split('\n').map((l) => l.split('\t')).find(([id]) => id === newcomer)![1]!;
    expect(await connectError(broker.url, { username: newcomer, password })).toBeDefined();
    const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
    const out = await run(join(MOSQUITTO_DIR, 'reload.sh'), [], { env: { ...process.env, GW_MOSQUITTO_SRC: src, GW_MOSQUITTO_RUN: broker.runDir, GW_MOSQUITTO_PID: String(broker.pid), GW_MOSQUITTO_OWNER: owner } });
    expect(out.stdout).toContain('password file and ACL reread');
    await waitFor(async () => (await connectError(broker.url, { username: newcomer, password })) === undefined, 10_000, 'the new device logs in after the reload');
    await broker.reloadPasswords(creds.passwdFile);
  });
  it('the API live feed refused by the broker keeps trying and connects once the broker takes its password', async () => {
    const wrong = 'NotTheApiPassword12345678';
    const feed = connectLiveFeed(new LiveHub(), { url: broker.url, username: 'api', password: wrong, clientId: 'gw-api-refused' }, { logger: createLogger('silent'), metrics: new ApiMetrics() });
    const fixed = join(dir, 'passwd-api-fixed');
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(feed.connected).toBe(false);
      await copyFile(creds.passwdFile, fixed);
      await run(bins.paths['mosquitto_passwd']!, ['-b', fixed, 'api', wrong]);
      await broker.reloadPasswords(fixed);
      await waitFor(() => feed.connected, 10_000, 'the live feed connected after the fix');
    } finally {
      await feed.close();
      await broker.reloadPasswords(creds.passwdFile);
    }
  }, 30_000);
});
