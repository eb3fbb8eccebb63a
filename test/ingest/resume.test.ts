// A rolling restart: ingest stopped (SIGTERM path) in the middle of a run
// checkpoints its session; the next ingest process continues it from the
// checkpoint — the fatigue onset after the restart is alerted against the
// fresh-legs baseline learnt before it, as the uninterrupted analysis does.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, type AnalysisEvent } from '@gaitwatch/dsp';
import type { SessionCheckpoint } from '@gaitwatch/ingest';
import { replayRecording, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { expectResumedStrides, storedAlerts, storedStrides, startTestIngest, strideKey, waitClosed, waitFor } from './helpers.ts';

const services = await realServices(['mosquitto']);

describe.skipIf(services.skip)('ingest restarted mid-session', () => {
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0', 'max_inflight_messages 0'] } });

  it('the next process resumes the session from its checkpoint: baseline kept, fatigue alerted once, strides as uninterrupted outside the cut', async () => {
    const url = running.get('mosquitto').url;
    const dir = await mkdtemp(join(tmpdir(), 'gw-resume-rec-'));
    try {
      const recording = (await writeRecording(new SimulatedSession({ scenario: 'itb-fatigue', durationS: 120, seed: 3, timestampJitterUs: 0 }), dir, 'fatigue')).csv;
      const offline: AnalysisEvent[] = [];
      await analyzeRecording(createReadStream(recording, { encoding: 'utf8' }) as AsyncIterable<string>, (e) => offline.push(e), {}, { athleteId: 'ath-k', sessionId: 'run-k' });
      const clientId = `gw-resume-${process.pid}`;
      // The first process analyses in its main thread, the next on analysis threads: a checkpoint moves between the two.
      const first = await startTestIngest(url, { MQTT_CLIENT_ID: clientId, INGEST_ANALYSIS_THREADS: '0' });
      const replay = replayRecording(recording, { mqttUrl: url, athleteId: 'ath-k', sessionId: 'run-k', format: 'json', speedup: 20 });
      // ~30 s into the run (≈ 2.8 stances/s after a 3 s standing start): the baseline is learnt, the fatigue (from 60 s) not begun.
      await waitFor(() => (first.service.sessions.session('ath-k', 'run-k')?.strides ?? 0) >= 75, 30_000, 'a baseline worth of strides');
      await first.close(true);
      const second = await startTestIngest(url, { MQTT_CLIENT_ID: clientId, INGEST_ANALYSIS_THREADS: '2' }, { dir: first.dir });
      try {
        const saved = await second.store.latestCheckpoint('ath-k', 'run-k');
        const cutUs = (JSON.parse(Buffer.from(saved!.data).toString('utf8')) as SessionCheckpoint).dataUs!;
        const startUs = offline.find((e) => e.kind === 'stride')!.icUs;
        expect(cutUs - startUs).toBeGreaterThan(20e6);
        expect(cutUs - startUs).toBeLessThan(55e6);
        await replay;
        await waitClosed(second, 'ath-k', 'run-k');
        const session = await second.store.getSession('ath-k', 'run-k');
        expect(session?.summary).toMatchObject({ state: 'closed', endReason: 'stop', startedBy: 'status', resumed: true });

        const offFatigue = offline.filter((e) => e.kind === 'alert' && e.type === 'form_breakdown' && e.phase === 'raised');
        const fatigue = (await storedAlerts(second.store, 'ath-k', 'run-k')).filter((a) => a.type === 'form_breakdown' && a.phase === 'raised');
        expect(offFatigue.length).toBeGreaterThan(0);
        // One episode, one alert — after the cut, within a stride of the uninterrupted run's, against the same baseline.
        expect(fatigue.map((a) => a.metric)).toEqual(offFatigue.map((a) => (a.kind === 'alert' ? a.metric : '')));
        for (const [i, a] of fatigue.entries()) {
          const o = offFatigue[i]!;
          if (o.kind !== 'alert') throw new Error('not an alert');
          expect(a.tUs).toBeGreaterThan(cutUs);
          expect(Math.abs(a.tUs - o.tUs)).toBeLessThan(1.5e6);
          expect(a.baseline).toBeCloseTo(o.baseline!, 1);
        }

        // Strides away from the cut are the uninterrupted run's; around it a stance per leg may be missing.
        const strides = await storedStrides(second.store, 'ath-k', 'run-k');
        const offStrides = offline.filter((e) => e.kind === 'stride');
        const away = (icUs: number): boolean => icUs < cutUs - 8e6 || icUs > cutUs + 3e6;
        expectResumedStrides(strides.filter((s) => away(s.icUs)).map(strideKey), offStrides.filter((s) => away(s.icUs)).map(strideKey));
        expect(Math.abs(strides.length - offStrides.length)).toBeLessThanOrEqual(4);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
