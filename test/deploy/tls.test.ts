// TLS end to end: deploy/mosquitto/mosquitto-tls.conf on a real Mosquitto
// with a CA and server certificate from deploy/mosquitto/create-certs.sh, and
// the real ingest service (MQTT_URL mqtts://, MQTT_CA_FILE) in front of it.
// The right CA: ingest connects, subscribes, becomes ready and receives a
// device's data over TLS. An unrelated CA, none (Node's public CAs), or a host
// name the certificate does not name: it never connects, says why in an error
// log line, and stays not ready.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger, loadConfig, startIngest, type IngestService } from '@gaitwatch/ingest';
import { LocalStore } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterValue, startTestIngest, waitFor } from '../ingest/helpers.ts';
import { createCerts, createCredentials, deployBinaries, startDeployBroker, type Credentials, type DeployBroker } from './broker.ts';
import { connectClient, connectError } from './mqtt-clients.ts';

const run = promisify(execFile);
const bins = deployBinaries('deploy TLS tests', ['mosquitto', 'mosquitto_passwd', 'openssl']);
const ATHLETE = 'tls-runner';

describe.skipIf(bins.skip)('deploy/mosquitto TLS listener and ingest over mqtts', () => {
  let dir: string;
  let creds: Credentials;
  let broker: DeployBroker;
  let caFile: string;
  let otherCaFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-deploy-tls-'));
    creds = await createCredentials(dir, [ATHLETE]);
    await createCerts(join(dir, 'certs'), ['127.0.0.1']);
    caFile = join(dir, 'certs', 'ca.crt');
    // An unrelated CA with the very same name: only the key tells them apart.
    await mkdir(join(dir, 'other'));
    otherCaFile = join(dir, 'other', 'ca.crt');
    await run(bins.paths['openssl']!, ['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1', '-subj', '/CN=gaitwatch broker CA', '-keyout', join(dir, 'other', 'ca.key'), '-out', otherCaFile]);
    broker = await startDeployBroker(bins.paths['mosquitto']!, creds.passwdFile, { certsDir: join(dir, 'certs') });
  });

  afterAll(async () => {
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves MQTT over TLS with the generated certificate, still with passwords', async () => {
    const ca = await readFile(caFile);
    expect(broker.tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const device = await connectClient(broker.tlsUrl!, ATHLETE, creds.devices[ATHLETE]!, { ca, rejectUnauthorized: true });
    await device.end();
    expect((await connectError(broker.tlsUrl!, { ca, rejectUnauthorized: true }))?.message).toMatch(/Not authorized|Bad username or password/);
    expect((await connectError(broker.tlsUrl!, { ca: await readFile(otherCaFile), rejectUnauthorized: true, username: ATHLETE, password: creds.devices[ATHLETE]! }))?.message).toMatch(/certificate/i);
  });

  it('runs the real ingest service over mqtts with MQTT_CA_FILE: connected, subscribed, ready, receiving', async () => {
    const ingest = await startTestIngest(broker.tlsUrl!, { MQTT_USERNAME: 'ingest', MQTT_PASSWORD: creds.services['ingest']!, MQTT_CA_FILE: caFile });
    try {
      await waitFor(() => ingest.service.notReady() === undefined, 10_000, 'ingest ready over TLS');
      expect(ingest.service.intake.subscribes).toBe(1);
      const device = await connectClient(broker.tlsUrl!, ATHLETE, creds.devices[ATHLETE]!, { ca: await readFile(caFile) });
      await device.client.publishAsync(`gaitwatch/v1/${ATHLETE}/run-1/status`, JSON.stringify({ state: 'stop' }), { qos: 1 });
      await device.end();
      await waitFor(async () => (await counterValue(ingest.service.metrics.messages, { kind: 'status' })) === 1, 10_000, 'the status message received over TLS');
    } finally {
      await ingest.close();
    }
  });

  it.each([
    ['an unrelated CA', () => ({ MQTT_CA_FILE: otherCaFile })],
    ["no CA file (Node's public CAs)", () => ({})],
    // The right CA, but the certificate names 127.0.0.1 only: the host name is verified too.
    ['a host name the certificate does not name', () => ({ MQTT_CA_FILE: caFile, MQTT_URL: broker.tlsUrl!.replace('127.0.0.1', 'localhost') })],
  ])('does not connect with %s: not ready, and says why at error level', async (_what, tlsEnv) => {
    const storeDir = await mkdtemp(join(tmpdir(), 'gw-deploy-tls-ingest-'));
    const lines: Record<string, unknown>[] = [];
    const config = loadConfig({
      MQTT_URL: broker.tlsUrl!,
      MQTT_USERNAME: 'ingest',
      MQTT_PASSWORD: creds.services['ingest']!,
      MQTT_CLIENT_ID: `gw-tls-bad-${process.pid % 10000}`,
      MQTT_RECONNECT_MIN_MS: '100',
      MQTT_RECONNECT_MAX_MS: '200',
      DATA_DIR: storeDir,
      INGEST_HTTP_PORT: '0',
      INGEST_HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...tlsEnv(),
    });
    const store = new LocalStore({ dataDir: storeDir, synchronous: 'normal' });
    let service: IngestService | undefined;
    try {
      service = await startIngest(config, { store, logger: createLogger(config.logLevel, { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) });
      const rejected = (): Record<string, unknown>[] => lines.filter((l) => l['msg'] === "broker TLS certificate rejected (check MQTT_CA_FILE and the broker's certificate)");
      // A few reconnect attempts (100–200 ms apart), each refused by the TLS check.
      const svc = service;
      await waitFor(() => rejected().length >= 3 || svc.intake.connected, 10_000, 'three TLS rejections logged');
      expect(svc.intake.connected, 'connected to a broker whose certificate it must refuse').toBe(false);
      expect(rejected()[0]).toMatchObject({ level: 50, err: { code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/) } });
      expect(service.intake.connected).toBe(false);
      expect(service.notReady()).toBe('not connected to the broker');
      expect(await counterValue(service.metrics.mqttConnects)).toBe(0);
      // Never a secret in the logs.
      expect(JSON.stringify(lines)).not.toContain(creds.services['ingest']!);
    } finally {
      await service?.stop();
      await store.close();
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
