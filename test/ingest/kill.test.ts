// Reliability test 3 of issue 11: `gaitwatch ingest` (the process, configured
// by environment variables) SIGKILLed in the middle of a run and started
// again. The broker queued the run's messages for the persistent session
// meanwhile: they are processed; the session continues from its last periodic
// checkpoint, so the fatigue onset after the restart is alerted against the
// fresh-legs baseline learnt before the kill; the episode is alerted once.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, type AnalysisEvent } from '@gaitwatch/dsp';
import type { SessionCheckpoint } from '@gaitwatch/ingest';
import { replayRecording, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { LocalStore } from '@gaitwatch/storage';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { expectResumedStrides, startIngestProcess, storedAlerts, storedStrides, strideKey, waitFor, type IngestProcess } from './helpers.ts';

const services = await realServices(['mosquitto']);

describe.skipIf(services.skip)('gaitwatch ingest SIGKILLed mid-run', () => {
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0', 'max_inflight_messages 0'] } });

  const startChild = (dataDir: string, clientId: string): Promise<IngestProcess> =>
    // Checkpoints every second, acknowledged at checkpoints: a SIGKILL then loses nothing the broker does not redeliver.
    startIngestProcess({ MQTT_URL: running.get('mosquitto').url, MQTT_CLIENT_ID: clientId, DATA_DIR: dataDir, INGEST_CHECKPOINT_S: '1', INGEST_ACK: 'checkpoint' });

  it('restarted after SIGKILL: queued messages processed, session continued from its checkpoint, fatigue alerted once against the old baseline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-kill-'));
    const dataDir = join(dir, 'data');
    const athleteId = `ath-kill-${process.pid % 10000}`;
    const sessionId = 'run-kill';
    const clientId = `gw-kill-${process.pid % 10000}`;
    const children: IngestProcess[] = [];
    try {
      // 120 s, fatigue from 60 s (the scenario's onset for so short a run); the offline analysis of the file is the uninterrupted run.
      const recording = (await writeRecording(new SimulatedSession({ scenario: 'itb-fatigue', durationS: 120, fatigueOnsetS: 60, seed: 3, timestampJitterUs: 0 }), dir, 'fatigue')).csv;
      const offline: AnalysisEvent[] = [];
      await analyzeRecording(createReadStream(recording, { encoding: 'utf8' }) as AsyncIterable<string>, (e) => offline.push(e), {}, { athleteId, sessionId });
      const offFatigue = offline.filter((e): e is Extract<AnalysisEvent, { kind: 'alert' }> => e.kind === 'alert' && e.type === 'form_breakdown' && e.phase === 'raised');
      const offStrides = offline.filter((e) => e.kind === 'stride');
      const startUs = offStrides[0]!.icUs;
      expect(offFatigue.length).toBeGreaterThan(0);
      expect(offFatigue[0]!.tUs - startUs).toBeGreaterThan(55e6);

      const first = await startChild(dataDir, clientId);
      children.push(first);
      await waitFor(() => first.output().includes('"msg":"subscribed"'), 20_000, 'subscribed');
      // ×12: 10 s of wall time; the kill comes ~25 s into the run (baseline learnt, fatigue not begun).
      const replay = replayRecording(recording, { mqttUrl: running.get('mosquitto').url, athleteId, sessionId, format: 'json', speedup: 12 });
      await waitFor(async () => (await first.counter('gaitwatch_ingest_strides_total')) >= 65, 20_000, 'a baseline worth of strides');
      // And a checkpoint past 10 s of data: under load checkpoints (1 s of wall time each) lag the strides.
      const watch = new LocalStore({ dataDir, writerThread: false });
      try {
        await waitFor(async () => {
          const saved = await watch.latestCheckpoint(athleteId, sessionId);
          return saved !== null && (JSON.parse(Buffer.from(saved.data).toString('utf8')) as SessionCheckpoint).dataUs! - startUs > 10e6;
        }, 20_000, 'a checkpoint more than 10 s into the run');
      } finally {
        await watch.close();
      }
      first.process.kill('SIGKILL');
      await first.exited;

      // What the killed process left: its last checkpoint, and the strides it stored (some after that checkpoint).
      const before = new LocalStore({ dataDir });
      let cutUs: number;
      let lastStoredUs: number;
      try {
        const saved = await before.latestCheckpoint(athleteId, sessionId);
        expect(saved).not.toBeNull();
        cutUs = (JSON.parse(Buffer.from(saved!.data).toString('utf8')) as SessionCheckpoint).dataUs!;
        lastStoredUs = Math.max(...(await storedStrides(before, athleteId, sessionId)).map((s) => s.icUs));
        expect((await before.getSession(athleteId, sessionId))?.endUs).toBeNull();
      } finally {
        await before.close();
      }
      expect(cutUs - startUs).toBeGreaterThan(10e6);
      expect(lastStoredUs - startUs).toBeLessThan(50e6);

      // Down for a while: the publisher goes on; the broker queues for the persistent session.
      await new Promise((r) => setTimeout(r, 1500));
      const second = await startChild(dataDir, clientId);
      children.push(second);
      const published = await replay;
      const store = new LocalStore({ dataDir });
      try {
        await waitFor(async () => ((await store.getSession(athleteId, sessionId))?.endUs ?? null) !== null, 30_000, 'the session closed by its stop');
        expect(second.output()).toContain('"sessionPresent":true');
        expect(await second.counter('gaitwatch_ingest_messages_total')).toBeGreaterThan(100);
        const session = await store.getSession(athleteId, sessionId);
        expect(session?.summary).toMatchObject({ state: 'closed', endReason: 'stop', resumed: true });
        // Nothing the killed process had acknowledged is missing from the analysis (INGEST_ACK=checkpoint): no hole in any sensor.
        const input = session!.summary['ingest'] as Record<string, { gaps: number; missingSamples: number; samples: number; completenessPct: number }>;
        expect(Object.keys(input).sort()).toEqual(['pelvis', 'shank_left', 'shank_right']);
        for (const sensor of Object.values(input)) expect(sensor).toMatchObject({ gaps: 0, missingSamples: 0, completenessPct: 100 });
        expect(Object.values(input).reduce((n, i) => n + i.samples, 0)).toBe(published.samples);

        // The fatigue episode: raised once, after the cut, near the uninterrupted run's time, against its baseline.
        const alerts = await storedAlerts(store, athleteId, sessionId);
        const fatigue = alerts.filter((a) => a.type === 'form_breakdown' && a.phase === 'raised');
        expect(fatigue.map((a) => a.metric)).toEqual(offFatigue.map((a) => a.metric));
        for (const [i, a] of fatigue.entries()) {
          const o = offFatigue[i]!;
          expect(a.tUs).toBeGreaterThan(lastStoredUs);
          expect(Math.abs(a.tUs - o.tUs)).toBeLessThan(1.5e6);
          expect(a.baseline).toBeCloseTo(o.baseline!, 1);
        }
        // No episode alerted twice (a raised alert re-sent after the restart would be a second record: another time).
        const episodes = alerts.filter((a) => a.episodeId !== undefined).map((a) => `${a.type}/${a.metric}/${a.phase}/${String(a.episodeId)}`);
        expect(new Set(episodes).size).toBe(episodes.length);

        // The queued and redelivered messages were analysed: away from the cut every stance is the uninterrupted run's;
        // at the cut the restored analyzer may miss a stance per leg (dsp's restore).
        const strides = await storedStrides(store, athleteId, sessionId);
        const cut = Math.max(cutUs, lastStoredUs);
        const after = (icUs: number): boolean => icUs > cut + 3e6;
        const early = (icUs: number): boolean => icUs < cutUs - 8e6;
        expectResumedStrides(strides.filter((s) => after(s.icUs)).map(strideKey), offStrides.filter((s) => after(s.icUs)).map(strideKey));
        expect(strides.filter((s) => early(s.icUs)).map(strideKey)).toEqual(offStrides.filter((s) => early(s.icUs)).map(strideKey));
        expect(strides.filter((s) => after(s.icUs)).length).toBeGreaterThan(200);
        // Seen: 0 to 3 across CI runs, depending on where the kill lands (the fresh detectors' first stances;
        // a third is not explained yet — see the issue note). Every one of them is at the cut (asserted above).
        const missing = offStrides.filter((o) => !strides.some((s) => s.side === o.side && s.icUs === o.icUs));
        expect(missing.length).toBeLessThanOrEqual(4);
      } finally {
        await store.close();
      }
      second.process.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      for (const c of children) c.process.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 55_000);
});
