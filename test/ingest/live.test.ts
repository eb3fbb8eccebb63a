// Ingest against a real Mosquitto: simulated runners and replayed recordings
// go through the broker and the service into a local store and back out on
// the alerts topic; live and offline analysis must agree.
import { describeAnalysis } from '@gaitwatch/dsp';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, type AnalysisEvent } from '@gaitwatch/dsp';
import { buildTopic, encodeBinaryImu, MAX_IMU_PAYLOAD_BYTES } from '@gaitwatch/protocol';
import { athleteIdFor, replayRecording, runFleet, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { alertKey, byTime, counterValue, listenAlerts, startTestIngest, storedAlerts, storedStrides, strideKey, waitClosed } from './helpers.ts';

const services = await realServices(['mosquitto']);

/** Offline analysis of a recording file, as `gaitwatch analyze` does it. */
async function analyzeFile(path: string, athleteId: string, sessionId: string): Promise<AnalysisEvent[]> {
  const events: AnalysisEvent[] = [];
  await analyzeRecording(createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>, (e) => events.push(e), {}, { athleteId, sessionId });
  return events;
}

describe.skipIf(services.skip)('ingest against a real Mosquitto', () => {
  // A subscriber that falls behind must not lose QoS 1 messages (Mosquitto's default queue is 1000).
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0', 'max_inflight_messages 0'] } });
  let dir: string;
  /** A 2-minute run whose hip abductors tire half-way, without timestamp jitter so frames carry the file's exact times. */
  let recording: string;
  let offline: AnalysisEvent[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-ingest-rec-'));
    const session = new SimulatedSession({ scenario: 'itb-fatigue', durationS: 120, seed: 3, timestampJitterUs: 0 });
    recording = (await writeRecording(session, dir, 'fatigue')).csv;
    offline = await analyzeFile(recording, 'ath-1', 'run-1');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('a simulated runner gives strides and alerts in the store and on the alerts topic, and a closed session', async () => {
    const url = running.get('mosquitto').url;
    const t = await startTestIngest(url);
    const listener = await listenAlerts(url);
    try {
      const result = await runFleet({ mqttUrl: url, runners: 1, session: { scenario: 'itb-fatigue', durationS: 120, seed: 11 }, format: 'binary', speedup: 30, staggerS: 0 });
      const { athleteId, sessionId } = result.relays[0]!;
      expect(athleteId).toBe(athleteIdFor(11, 0));
      await waitClosed(t, athleteId, sessionId);
      const strides = await storedStrides(t.store, athleteId, sessionId);
      const alerts = await storedAlerts(t.store, athleteId, sessionId);
      // ~170 spm for 2 minutes, less the standing start.
      expect(strides.length).toBeGreaterThan(250);
      expect(alerts.map((a) => a.type)).toContain('form_breakdown');
      const session = await t.store.getSession(athleteId, sessionId);
      expect(session?.summary).toMatchObject({ state: 'closed', endReason: 'stop', startedBy: 'status' });
      // What produced the numbers is stored with them (exports cite it: manifest source "session").
      expect(session?.summary['analysis']).toEqual(JSON.parse(JSON.stringify(describeAnalysis())));
      // The phone's GPS distance from its `stop` is kept (the relay sends speed × running time).
      expect(session?.summary['gpsDistanceM']).toBeGreaterThan(0);
      const summaryStrides = (session!.summary['strides'] as { left: number; right: number });
      expect(summaryStrides.left + summaryStrides.right).toBe(strides.length);
      // Every stored alert was published on the session's alerts topic (QoS 1), and nothing else.
      const topic = buildTopic(athleteId, sessionId, 'alerts');
      await expect.poll(() => listener.received.length, { timeout: 10_000 }).toBe(alerts.length);
      expect(listener.received.every((m) => m.topic === topic)).toBe(true);
      expect(byTime(listener.received.map((m) => m.payload as never)).map(alertKey)).toEqual(byTime(alerts).map(alertKey));
      expect(await counterValue(t.service.metrics.strides)).toBe(strides.length);
      const metricsText = await (await fetch(`http://127.0.0.1:${t.service.httpPort}/metrics`)).text();
      expect(metricsText).toMatch(/^gaitwatch_ingest_messages_total\{kind="imu"\} \d+/m);
      expect((await fetch(`http://127.0.0.1:${t.service.httpPort}/readyz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${t.service.httpPort}/healthz`)).status).toBe(200);
    } finally {
      await listener.stop();
      await t.close();
    }
  });

  it('live and offline agree: a recording replayed through Mosquitto and ingest gives the stances and alerts of analyzing the file', async () => {
    const url = running.get('mosquitto').url;
    const t = await startTestIngest(url);
    try {
      await replayRecording(recording, { mqttUrl: url, athleteId: 'ath-1', sessionId: 'run-1', format: 'json', speedup: 30 });
      await waitClosed(t, 'ath-1', 'run-1');
      const strides = await storedStrides(t.store, 'ath-1', 'run-1');
      const alerts = await storedAlerts(t.store, 'ath-1', 'run-1');
      const offStrides = offline.filter((e) => e.kind === 'stride');
      const offAlerts = offline.filter((e) => e.kind === 'alert');
      expect(offStrides.length).toBeGreaterThan(250);
      expect(offAlerts.some((a) => a.type === 'form_breakdown')).toBe(true);
      // Identical, number for number: JSON frames carry the file's values and times exactly, in order per sensor.
      expect(byTime(strides).map(strideKey)).toEqual(byTime(offStrides).map(strideKey));
      expect(byTime(alerts).map(alertKey)).toEqual(byTime(offAlerts).map(alertKey));
    } finally {
      await t.close();
    }
  });

  it('absorbs duplicated and reordered messages: the same strides as a clean run', async () => {
    const url = running.get('mosquitto').url;
    const run = async (faults: boolean): Promise<{ strides: object[]; duplicates: number }> => {
      const t = await startTestIngest(url);
      try {
        const result = await runFleet({
          mqttUrl: url,
          runners: 1,
          session: { scenario: 'steady', durationS: 60, seed: 12 },
          format: 'binary',
          speedup: 30,
          staggerS: 0,
          ...(faults ? { faults: { duplicateRate: 0.1, reorderRate: 0.1 } } : {}),
        });
        const { athleteId, sessionId, stats } = result.relays[0]!;
        if (faults) {
          expect(stats.faults.duplicated).toBeGreaterThan(10);
          expect(stats.faults.reordered).toBeGreaterThan(10);
        }
        await waitClosed(t, athleteId, sessionId);
        const duplicates = await counterValue(t.service.metrics.duplicateFrames);
        if (faults) expect(duplicates).toBe(stats.faults.duplicated);
        expect(await counterValue(t.service.metrics.staleSamples)).toBe(0);
        return { strides: byTime(await storedStrides(t.store, athleteId, sessionId)).map(strideKey), duplicates };
      } finally {
        await t.close();
      }
    };
    const clean = await run(false);
    const faulty = await run(true);
    expect(clean.duplicates).toBe(0);
    expect(clean.strides.length).toBeGreaterThan(120);
    expect(faulty.strides).toEqual(clean.strides);
  });

  it('a flood of garbage beside a normal session: every bad message counted by reason, the service up, the session as offline', async () => {
    const url = running.get('mosquitto').url;
    const t = await startTestIngest(url);
    const flood = await mqtt.connectAsync(url, { clientId: `garbage-${process.pid}`, reconnectPeriod: 0 });
    try {
      const imu = buildTopic('ath-1', 'run-1', 'imu');
      const otherImu = buildTopic('vandal', 'x', 'imu');
      const goodFrame = encodeBinaryImu({ sensor: 'pelvis', seq: 1, t0Us: 1_767_254_400_000_000, periodUs: 5000, count: 1, samples: new Float64Array(6) });
      const kinds: [topic: string, payload: Buffer | string, reason: string, kind: string][] = [
        [otherImu, Buffer.from([0x01, 0xff, 0xfe, 0x00, 0x80]), 'not_json', 'imu'],
        [otherImu, '{"sensor":"pelvis","seq":"one","t0Us":1767254400000000,"periodUs":5000,"samples":[[0,0,0,0,0,0]]}', 'schema', 'imu'],
        [otherImu, '{"sensor":"pelvis","seq":1,"t0Us":0,"periodUs":5000,"samples":[[0,0,0,0,0,0]]}', 'bad_time', 'imu'],
        [otherImu, '{"sensor":"pelvis","seq":1,"t0Us":1767254400000000,"periodUs":5000,"samples":[[0,0,0,0,0,NaN]]}', 'not_json', 'imu'],
        [otherImu, Buffer.from(JSON.stringify({ sensor: 'pelvis', seq: 1, t0Us: 1767254400000000, periodUs: 5000, samples: [[0, 0, 0, 0, 0, 1e9]] })), 'non_finite', 'imu'],
        [otherImu, '{"sensor":"elbow","seq":1,"t0Us":1767254400000000,"periodUs":5000,"samples":[[0,0,0,0,0,0]]}', 'unknown_sensor', 'imu'],
        [otherImu, Buffer.alloc(MAX_IMU_PAYLOAD_BYTES + 1, 0x20), 'oversize', 'imu'],
        [otherImu, Buffer.concat([goodFrame.subarray(0, goodFrame.length - 3)]), 'bad_frame', 'imu'],
        [otherImu, '', 'empty', 'imu'],
        ['gaitwatch/v1/bad id!/x/imu', '{}', 'bad_topic', 'unknown'],
        [buildTopic('vandal', 'x', 'status'), '{"state":"begin"}', 'schema', 'status'],
      ];
      const rounds = 150;
      const replay = replayRecording(recording, { mqttUrl: url, athleteId: 'ath-1', sessionId: 'run-1', format: 'json', speedup: 30 });
      for (let r = 0; r < rounds; r++) {
        await Promise.all(kinds.map(([topic, payload]) => flood.publishAsync(topic, payload, { qos: 1 })));
        // Garbage also on the normal session's own topic: refused there too, the session goes on.
        await flood.publishAsync(imu, '{"not":"a frame"}', { qos: 0 });
        if (r % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await replay;
      await waitClosed(t, 'ath-1', 'run-1');
      // QoS 0 garbage from another client may still be on its way behind the session's stop.
      const total = rounds * (kinds.length + 1);
      await expect.poll(() => counterValue(t.service.metrics.rejected), { timeout: 10_000 }).toBe(total);
      for (const [, , reason, kind] of kinds) {
        const expected = kinds.filter(([, , r, k]) => r === reason && k === kind).length * rounds + (reason === 'schema' && kind === 'imu' ? rounds : 0);
        expect({ reason, kind, count: await counterValue(t.service.metrics.rejected, { reason, kind }) }).toEqual({ reason, kind, count: expected });
      }
      expect((await fetch(`http://127.0.0.1:${t.service.httpPort}/healthz`)).status).toBe(200);
      // The normal session is untouched: exactly what the offline analysis of its file gives.
      const strides = await storedStrides(t.store, 'ath-1', 'run-1');
      expect(byTime(strides).map(strideKey)).toEqual(byTime(offline.filter((e) => e.kind === 'stride')).map(strideKey));
      const alerts = await storedAlerts(t.store, 'ath-1', 'run-1');
      expect(byTime(alerts).map(alertKey)).toEqual(byTime(offline.filter((e) => e.kind === 'alert')).map(alertKey));
      // No session was opened for the garbage.
      expect(await t.store.getSession('vandal', 'x')).toBeNull();
    } finally {
      await flood.endAsync();
      await t.close();
    }
  });
});
