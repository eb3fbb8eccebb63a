import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeImu, decodeStatus, parseTopic, topicFilter, type ImuFrame } from '@gaitwatch/protocol';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayRecording, runFleet, RunnerRelay, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { readRecordingRows } from '../fixtures/recording.ts';
import { realServices } from '../harness/index.ts';

const services = await realServices(['mosquitto']);

interface Received {
  imu: { key: string; frame: ImuFrame }[];
  status: { key: string; state: string; tUs?: number; distanceM?: number }[];
}

/** Subscribes to every session's imu and status topics and collects what arrives. */
async function listen(url: string): Promise<{ received: Received; stop: () => Promise<void> }> {
  const client = await mqtt.connectAsync(url, { clientId: `listener-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0 });
  const received: Received = { imu: [], status: [] };
  client.on('message', (topic, payload) => {
    const parsed = parseTopic(topic);
    if (parsed === undefined) throw new Error(`off-contract topic ${topic}`);
    const key = `${parsed.athleteId}/${parsed.sessionId}`;
    if (parsed.kind === 'imu') {
      const decoded = decodeImu(payload);
      if (!decoded.ok) throw new Error(`undecodable IMU payload: ${decoded.reason} ${decoded.detail}`);
      received.imu.push({ key, frame: decoded.frame });
    } else if (parsed.kind === 'status') {
      const decoded = decodeStatus(payload);
      if (!decoded.ok) throw new Error(`undecodable status: ${decoded.detail}`);
      const st = decoded.status as { state: string; tUs?: number; distanceM?: number };
      received.status.push({ key, state: st.state, ...(st.tUs !== undefined ? { tUs: st.tUs } : {}), ...(st.distanceM !== undefined ? { distanceM: st.distanceM } : {}) });
    }
  });
  await client.subscribeAsync([topicFilter('imu'), topicFilter('status')], { qos: 1 });
  return { received, stop: () => client.endAsync() };
}

/**
 * Waits until `count()` reaches `expected` (QoS 1 deliveries still in flight
 * after the publishers finish; a loaded machine may pause them for seconds),
 * then a little longer so that anything extra would show. Fails after 30 s.
 */
async function settle(count: () => number, expected: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (count() < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 300));
}

describe.skipIf(services.skip)('live simulator against a real Mosquitto', () => {
  // Mosquitto drops QoS 1 messages for a subscriber whose queue passes
  // max_queued_messages (default 1000). The listener here shares a busy test
  // thread with the publishers, so on a loaded CI machine it falls behind by
  // more than that; a real ingest deployment needs the same setting (deploy/).
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0', 'max_inflight_messages 0'] } });

  it.each(['binary', 'json'] as const)('delivers every %s message of a 3-runner fleet, in order, framed by start and stop', async (format) => {
    const { received, stop } = await listen(running.get('mosquitto').url);
    try {
      const result = await runFleet({
        mqttUrl: running.get('mosquitto').url,
        runners: 3,
        session: { scenario: 'steady', durationS: 30, seed: 21 },
        format,
        speedup: 30,
        staggerS: 0.1,
      });
      await settle(() => received.imu.length + received.status.length, result.relays.reduce((n, r) => n + r.stats.produced + 2, 0));
      expect(result.relays).toHaveLength(3);
      for (const relay of result.relays) {
        const key = `${relay.athleteId}/${relay.sessionId}`;
        const frames = received.imu.filter((m) => m.key === key).map((m) => m.frame);
        expect(frames.length).toBe(relay.stats.produced);
        expect(relay.stats.acked).toBe(relay.stats.produced);
        expect(relay.stats.errors).toEqual([]);
        for (const sensor of ['pelvis', 'shank_left', 'shank_right'] as const) {
          const seqs = frames.filter((f) => f.sensor === sensor).map((f) => f.seq);
          expect(seqs).toEqual(seqs.map((_, i) => i));
        }
        for (const f of frames) expect(f.count).toBeGreaterThanOrEqual(1);
        expect(frames.every((f) => f.count <= 20)).toBe(true);
        expect(received.status.filter((s) => s.key === key).map((s) => s.state)).toEqual(['start', 'stop']);
      }
    } finally {
      await stop();
    }
  });

  it('a fleet stopped early says where each run stopped: stop time and GPS distance from the time run, not the plan', async () => {
    const { received, stop } = await listen(running.get('mosquitto').url);
    try {
      const abort = new AbortController();
      const planS = 600;
      // ×30 for ~2 s of wall time: about 60 s of a 10-minute plan.
      setTimeout(() => abort.abort(), 2000);
      const result = await runFleet({ mqttUrl: running.get('mosquitto').url, runners: 1, session: { scenario: 'steady', durationS: planS, seed: 23 }, format: 'binary', speedup: 30, staggerS: 0, signal: abort.signal });
      const relay = result.relays[0]!;
      const key = `${relay.athleteId}/${relay.sessionId}`;
      await settle(() => received.status.filter((m) => m.key === key && m.state === 'stop').length, 1);
      const frames = received.imu.filter((m) => m.key === key).map((m) => m.frame);
      const start = new SimulatedSession({ scenario: 'steady', durationS: planS, seed: 23 });
      const lastUs = Math.max(...frames.map((f) => f.t0Us + (f.count - 1) * f.periodUs));
      const ranS = (lastUs - start.startUs) / 1e6;
      expect(ranS).toBeGreaterThan(20);
      expect(ranS).toBeLessThan(planS / 2);
      const stopped = received.status.find((m) => m.key === key && m.state === 'stop')!;
      expect(Math.abs(stopped.tUs! - lastUs)).toBeLessThan(0.1e6);
      const expectedM = start.profile.speedMps * Math.max(0, ranS - start.plan.standingS);
      expect(Math.abs(stopped.distanceM! - expectedM)).toBeLessThan(start.profile.speedMps * 0.2 + 1);
    } finally {
      await stop();
    }
  });

  it('injects exactly the loss, duplicates and reordering asked for', async () => {
    const { received, stop } = await listen(running.get('mosquitto').url);
    try {
      const result = await runFleet({
        mqttUrl: running.get('mosquitto').url,
        runners: 1,
        session: { scenario: 'steady', durationS: 40, seed: 22 },
        format: 'binary',
        speedup: 40,
        faults: { lossRate: 0.05, duplicateRate: 0.05, reorderRate: 0.05 },
      });
      const { stats } = result.relays[0]!;
      await settle(() => received.imu.length, stats.produced - stats.faults.lost + stats.faults.duplicated);
      expect(stats.faults.lost).toBeGreaterThan(0);
      expect(stats.faults.duplicated).toBeGreaterThan(0);
      expect(stats.faults.reordered).toBeGreaterThan(0);
      expect(received.imu.length).toBe(stats.produced - stats.faults.lost + stats.faults.duplicated);
      const seen = new Set<string>();
      let duplicates = 0;
      let outOfOrder = 0;
      const lastSeq = new Map<string, number>();
      for (const { frame } of received.imu) {
        const id = `${frame.sensor}:${frame.seq}`;
        if (seen.has(id)) duplicates++;
        seen.add(id);
        if (frame.seq < (lastSeq.get(frame.sensor) ?? -1)) outOfOrder++;
        lastSeq.set(frame.sensor, Math.max(frame.seq, lastSeq.get(frame.sensor) ?? -1));
      }
      expect(duplicates).toBe(stats.faults.duplicated);
      // Each held-back message arrives once behind a newer one of its sensor (one may
      // be the sensor's last message, released at the end with nothing newer behind it).
      expect(outOfOrder).toBeLessThanOrEqual(stats.faults.reordered);
      expect(outOfOrder).toBeGreaterThanOrEqual(stats.faults.reordered - 3);
    } finally {
      await stop();
    }
  });

  it('drops the connection mid-run: the broker sends the last will, the backlog arrives after reconnecting', async () => {
    const { received, stop } = await listen(running.get('mosquitto').url);
    try {
      const result = await runFleet({
        mqttUrl: running.get('mosquitto').url,
        runners: 1,
        session: { scenario: 'steady', durationS: 40, seed: 23 },
        format: 'binary',
        speedup: 20,
        faults: { disconnectAtS: 15, disconnectForS: 10 },
      });
      const { stats } = result.relays[0]!;
      await settle(() => new Set(received.imu.map(({ frame }) => `${frame.sensor}:${frame.seq}`)).size + received.status.length, stats.produced + 3);
      expect(stats.faults.backlogged).toBeGreaterThan(0);
      // QoS 1 is at-least-once: frames in flight when the socket died may come twice.
      const unique = new Set(received.imu.map(({ frame }) => `${frame.sensor}:${frame.seq}`));
      expect(unique.size).toBe(stats.produced);
      expect(received.imu.length - unique.size).toBeLessThan(50);
      expect(received.status.map((s) => s.state)).toEqual(['start', 'lost', 'stop']);
    } finally {
      await stop();
    }
  });

  it('gaitwatch simulate --mqtt-url runs a fleet across worker threads and delivers every message', async () => {
    const url = running.get('mosquitto').url;
    const { received, stop } = await listen(url);
    try {
      const bin = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
      const child = spawn(process.execPath, [bin, 'simulate', '--mqtt-url', url, '--runners', '4', '--duration', '30s', '--speedup', '30', '--seed', '31'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
      const sent = Number(/messages (\d+) sent, (\d+) acked/.exec(stdout)?.[1]);
      expect(stdout).toMatch(/4\/4 done/);
      await settle(() => received.imu.length + received.status.length, sent + 8);
      expect(sent).toBeGreaterThan(4 * 1000);
      expect(received.imu.length).toBe(sent);
      expect(new Set(received.imu.map((m) => m.key)).size).toBe(4);
      expect(received.status.filter((s) => s.state === 'stop')).toHaveLength(4);
    } finally {
      await stop();
    }
  });

  it('replays a recording as a live session: every sample, its value and its time, between start and stop', async () => {
    const url = running.get('mosquitto').url;
    const dir = await mkdtemp(join(tmpdir(), 'gw-replay-'));
    const { received, stop } = await listen(url);
    try {
      const paths = await writeRecording(new SimulatedSession({ scenario: 'steady', durationS: 25, seed: 41 }), dir, 'rec');
      const rows = await readRecordingRows(paths.csv);
      const result = await replayRecording(paths.csv, { mqttUrl: url, athleteId: 'lab-7', sessionId: 'trial-1', format: 'json', speedup: 200 });
      expect(result.samples).toBe(rows.length);
      await settle(() => received.imu.length + received.status.length, result.frames + 2);
      expect(received.status.filter((m) => m.key === 'lab-7/trial-1').map((m) => m.state)).toEqual(['start', 'stop']);
      for (const sensor of ['pelvis', 'shank_left', 'shank_right'] as const) {
        const frames = received.imu.filter((m) => m.key === 'lab-7/trial-1' && m.frame.sensor === sensor).map((m) => m.frame);
        const expected = rows.filter((r) => r.sensor === sensor);
        const got = frames.flatMap((f) => Array.from({ length: f.count }, (_, i) => ({ tUs: f.t0Us + i * f.periodUs, values: Array.from(f.samples.subarray(i * 6, i * 6 + 6)) })));
        expect(got).toHaveLength(expected.length);
        expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
        got.forEach((g, i) => {
          // JSON carries the values exactly (but for -0, which it writes as 0); frame times are
          // t0 + i·period, so the relay's jitter (σ 60 µs) stays within 1 ms.
          expect(g.values).toEqual(expected[i]!.values.map((v) => v + 0));
          expect(Math.abs(g.tUs - expected[i]!.tUs)).toBeLessThan(1000);
        });
      }
    } finally {
      await stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('a screen says so in its start (activity: screen); a run leaves the default', async () => {
    const url = running.get('mosquitto').url;
    const client = await mqtt.connectAsync(url, { clientId: `activity-${process.pid}`, reconnectPeriod: 0 });
    const starts = new Map<string, unknown>();
    client.on('message', (topic, payload) => {
      const decoded = decodeStatus(payload);
      if (decoded.ok && decoded.status.state === 'start') starts.set(parseTopic(topic)!.sessionId, decoded.status.activity);
    });
    await client.subscribeAsync(topicFilter('status'), { qos: 1 });
    try {
      for (const scenario of ['screen-squat', 'steady'] as const) {
        const relay = new RunnerRelay(new SimulatedSession({ scenario, durationS: 60, seed: 3 }), { mqttUrl: url, athleteId: 'activity', sessionId: scenario, format: 'binary' });
        await relay.connect();
        await relay.start();
        await relay.close();
      }
      await settle(() => starts.size, 2);
      expect(Object.fromEntries(starts)).toEqual({ 'screen-squat': 'screen', steady: undefined });
    } finally {
      await client.endAsync();
    }
  });
});
