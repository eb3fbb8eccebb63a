// Mosquitto restarted under a running ingest: it reconnects on its own, makes
// its subscriptions again when the broker forgot them, and receives what is
// published afterwards. Needs the mosquitto binary (a restart on the same port).
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, type AnalysisEvent } from '@gaitwatch/dsp';
import { replayRecording, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { canConnect, freePort, waitUntil } from '../harness/ports.ts';
import { findBinary, startProcess, type ManagedProcess } from '../harness/process.ts';
import { byTime, counterValue, startTestIngest, storedStrides, strideKey, waitClosed, waitFor } from './helpers.ts';

const services = await realServices(['mosquitto']);
const binary = findBinary('mosquitto');
if (!services.skip && binary === undefined) console.warn('\n!!! SKIPPING the broker-restart tests: they restart mosquitto on one port and need its binary (Docker mode cannot).\n');

/** A Mosquitto of our own on a fixed port, so that it can be stopped and started again where ingest looks for it. */
async function startBroker(port: number, dir: string, persistence: boolean): Promise<ManagedProcess> {
  const config = join(dir, 'mosquitto.conf');
  await writeFile(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${persistence}`,
      `persistence_location ${dir}/`,
      // Started as root, Mosquitto drops to the user `mosquitto`, which cannot write the database into our 0700 scratch directory.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      // Settings that lose nothing for a subscriber that is slow or away (services/ingest/README.md).
      'max_queued_messages 0',
      'max_inflight_messages 0',
      'log_dest stderr',
      'log_type error',
    ].join('\n') + '\n',
  );
  const proc = startProcess(binary!, ['-c', config]);
  await waitUntil('mosquitto', () => canConnect(port), 20_000, proc.exited);
  return proc;
}

describe.skipIf(services.skip || binary === undefined)('ingest across a Mosquitto restart', () => {
  let dir: string;
  let recording: string;
  const offline: AnalysisEvent[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-restart-'));
    recording = (await writeRecording(new SimulatedSession({ scenario: 'steady', durationS: 40, seed: 4, timestampJitterUs: 0 }), dir, 'steady')).csv;
    await analyzeRecording(createReadStream(recording, { encoding: 'utf8' }) as AsyncIterable<string>, (e) => offline.push(e), {}, { athleteId: 'ath-r', sessionId: 'after' });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it.each([
    ['without persistence: the broker forgot the session, ingest subscribes again', false],
    ['with persistence: the broker kept the session and queued what was published while ingest was away', true],
  ])('%s', async (_name, persistence) => {
    const brokerDir = await mkdtemp(join(dir, 'broker-'));
    const port = await freePort();
    let broker = await startBroker(port, brokerDir, persistence);
    let t: Awaited<ReturnType<typeof startTestIngest>> | undefined;
    try {
      // With persistence ingest stays away (first retry after 10 s) while the session is published: the broker must queue it.
      // (4 s was too short on a loaded CI box: the broker's restart and the replay took longer, and ingest came back first.)
      const ingest = (t = await startTestIngest(`mqtt://127.0.0.1:${port}`, persistence ? { MQTT_RECONNECT_MIN_MS: '10000', MQTT_RECONNECT_MAX_MS: '10000' } : {}));
      expect(ingest.service.intake.subscribes).toBe(1);
      await broker.stop();
      await waitFor(() => !ingest.service.intake.connected, 10_000, 'ingest noticed the broker is gone');
      expect((await fetch(`http://127.0.0.1:${ingest.service.httpPort}/readyz`)).status).toBe(503);
      broker = await startBroker(port, brokerDir, persistence);
      if (persistence) {
        // Published at once, before ingest is back: the broker holds it for ingest's persistent session.
        await replayRecording(recording, { mqttUrl: `mqtt://127.0.0.1:${port}`, athleteId: 'ath-r', sessionId: 'after', format: 'json', speedup: 40 });
        expect(ingest.service.intake.connected).toBe(false);
        await waitFor(() => ingest.service.intake.connected, 20_000, 'ingest reconnected');
        expect(ingest.service.intake.subscribes).toBe(1);
        expect(await counterValue(ingest.service.metrics.mqttConnects, { session_present: 'true' })).toBe(1);
      } else {
        await waitFor(() => ingest.service.intake.subscribes === 2, 15_000, 'ingest subscribed again');
        expect(await counterValue(ingest.service.metrics.mqttConnects, { session_present: 'false' })).toBe(2);
        await replayRecording(recording, { mqttUrl: `mqtt://127.0.0.1:${port}`, athleteId: 'ath-r', sessionId: 'after', format: 'json', speedup: 40 });
      }
      await waitClosed(ingest, 'ath-r', 'after');
      const strides = await storedStrides(ingest.store, 'ath-r', 'after');
      const expected = offline.filter((e) => e.kind === 'stride');
      expect(expected.length).toBeGreaterThan(80);
      expect(byTime(strides).map(strideKey)).toEqual(byTime(expected).map(strideKey));
      expect((await fetch(`http://127.0.0.1:${ingest.service.httpPort}/readyz`)).status).toBe(200);
    } finally {
      await t?.close();
      await broker.stop();
    }
  });

  it('a device mid-run across a restart: Mosquitto publishes its last will, the device comes back, one session with every stride', async () => {
    // An operator probe: a 4 s restart split a run into three sessions (the will ended the first at once), the
    // last calibrated from tired running, with different angles on every stride and two of four alerts missing.
    const brokerDir = await mkdtemp(join(dir, 'broker-'));
    const port = await freePort();
    let broker = await startBroker(port, brokerDir, true);
    let t: Awaited<ReturnType<typeof startTestIngest>> | undefined;
    let watcher: MqttClient | undefined;
    try {
      const ingest = (t = await startTestIngest(`mqtt://127.0.0.1:${port}`, { MQTT_RECONNECT_MIN_MS: '200', MQTT_RECONNECT_MAX_MS: '500' }));
      // Watches the status topic: the will must really have been published, or this test proves nothing.
      const states: string[] = [];
      watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'status-watcher', clean: false, reconnectPeriod: 200 });
      watcher.on('message', (_topic, payload) => states.push((JSON.parse(payload.toString('utf8')) as { state: string }).state));
      await watcher.subscribeAsync('gaitwatch/v1/ath-r/mid/status', { qos: 1 });
      // 40 s of running in ~8 s; the broker goes down (SIGTERM: a clean shutdown) 3 s in, back 1 s later.
      const replay = replayRecording(recording, { mqttUrl: `mqtt://127.0.0.1:${port}`, athleteId: 'ath-r', sessionId: 'mid', format: 'json', speedup: 5 });
      await new Promise((r) => setTimeout(r, 3000));
      await broker.stop();
      await new Promise((r) => setTimeout(r, 1000));
      broker = await startBroker(port, brokerDir, true);
      await replay;
      await waitFor(() => states.includes('stop'), 20_000, 'the stop reached the watcher');
      expect(states).toContain('lost');
      await waitClosed(ingest, 'ath-r', 'mid');
      const strides = await storedStrides(ingest.store, 'ath-r', 'mid');
      const expected = offline.filter((e) => e.kind === 'stride');
      expect(byTime(strides).map(strideKey)).toEqual(byTime(expected).map(strideKey));
      const summary = (await ingest.store.getSession('ath-r', 'mid'))!.summary as { endReason?: string; strides?: { left: number; right: number } };
      expect(summary.endReason).toBe('stop');
      expect(summary.strides!.left + summary.strides!.right).toBe(expected.length);
    } finally {
      await watcher?.endAsync(true);
      await t?.close();
      await broker.stop();
    }
  });
});
