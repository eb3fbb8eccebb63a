// `gaitwatch replay` and `simulate --mqtt-url` against the deployed Mosquitto
// (deploy/mosquitto, real broker): a login the ACL does not let write where
// the command publishes is told in one line with exit 2, where MQTT 3.1.1
// would have had every publish acknowledged and dropped and the command
// report success. The CLI runs as a user runs it, in a child process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentials, deployBinaries, startDeployBroker, type Credentials, type DeployBroker } from './broker.ts';
import { connectClient, type TestClient } from './mqtt-clients.ts';
import { runGaitwatch } from '../harness/cli.ts';

const bins = deployBinaries('deploy publish-refusal tests', ['mosquitto', 'mosquitto_passwd']);

const gaitwatch = runGaitwatch;

describe.skipIf(bins.skip)('publishing where the login may not: replay and simulate say so (real Mosquitto, deploy ACL)', () => {
  let dir: string;
  let creds: Credentials;
  let broker: DeployBroker;
  let ingest: TestClient;
  let csv: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-publish-refused-'));
    creds = await createCredentials(dir, ['ana', 'bob']);
    broker = await startDeployBroker(bins.paths['mosquitto']!, creds.passwdFile);
    ingest = await connectClient(broker.url, 'ingest', creds.services['ingest']!);
    expect(await ingest.subscribe(['gaitwatch/v1/+/+/imu', 'gaitwatch/v1/+/+/status'])).toEqual([1, 1]);
    const sim = await gaitwatch(['simulate', '--out', dir, '--duration', '25s', '--seed', '1']);
    expect(sim.status, sim.stderr).toBe(0);
    csv = join(dir, 'steady-s1-r0.csv');
  }, 60_000);

  afterAll(async () => {
    await ingest?.end();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const replay = (athlete: string, session: string): string[] => ['replay', csv, '--mqtt-url', broker.url, '--athlete', athlete, '--session', session, '--speedup', '1000'];

  it('replay as another athlete: exit 2, one line naming the refusal and the login, no password, nothing delivered', async () => {
    const run = await gaitwatch(replay('bob', 'forged'), { MQTT_USERNAME: 'ana', MQTT_PASSWORD: creds.devices['ana']! });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^gaitwatch: [^\n]+\n$/);
    expect(run.stderr).toContain(`the broker at ${broker.url} refused the data (not authorized, MQTT reason 135): the login "ana" may not publish for this athlete — use athlete bob's device login`);
    expect(run.stderr).not.toContain(creds.devices['ana']!);
    expect(ingest.received.filter((m) => m.topic.startsWith('gaitwatch/v1/bob/'))).toEqual([]);
  }, 60_000);

  it('replay with the athlete\'s own login: every frame arrives, and it says how many (the positive control)', async () => {
    const run = await gaitwatch(replay('ana', 'own'), { MQTT_USERNAME: 'ana', MQTT_PASSWORD: creds.devices['ana']! });
    expect(run.status, run.stderr).toBe(0);
    const frames = Number(/in (\d+) frames/.exec(run.stdout)?.[1]);
    expect(frames).toBeGreaterThan(100);
    await ingest.waitForTopic('gaitwatch/v1/ana/own/status');
    const deadline = Date.now() + 10_000;
    while (ingest.received.filter((m) => m.topic === 'gaitwatch/v1/ana/own/imu').length < frames && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ingest.received.filter((m) => m.topic === 'gaitwatch/v1/ana/own/imu').length).toBe(frames);
    // start and stop.
    expect(ingest.received.filter((m) => m.topic === 'gaitwatch/v1/ana/own/status').map((m) => (JSON.parse(m.payload) as { state: string }).state)).toEqual(['start', 'stop']);
  }, 60_000);

  it('simulate --mqtt-url with a device login: exit 2 naming the refusal; with the sim login it runs', async () => {
    const args = ['simulate', '--mqtt-url', broker.url, '--duration', '25s', '--speedup', '200', '--seed', '1'];
    const refused = await gaitwatch(args, { MQTT_USERNAME: 'ana', MQTT_PASSWORD: creds.devices['ana']! });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^gaitwatch: [^\n]+\n$/);
    expect(refused.stderr).toContain('refused the data (not authorized, MQTT reason 135): the login "ana" may not publish for this athlete — use one login for every runner');
    const allowed = await gaitwatch(args, { MQTT_USERNAME: 'sim', MQTT_PASSWORD: creds.services['sim']! });
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(ingest.received.some((m) => m.topic.startsWith('gaitwatch/v1/sim-1-0/'))).toBe(true);
  }, 90_000);
});
