// A measurement, not a timing assertion: `gaitwatch ingest` as its own
// process under a bounded live load (20 simulated runners at real speed,
// published from this process), and what its /metrics say about the time from
// a frame's arrival to its analysis and about the event loop. The numbers are
// written to stdout (`[ingest latency] …`) and kept in services/ingest/README.md
// ("Latency"); the test itself only checks that every session was analysed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFleet } from '@gaitwatch/runner-sim';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { startIngestProcess, waitFor } from './helpers.ts';

const services = await realServices(['mosquitto']);

const RUNNERS = 20;
const DURATION_S = 25;

/** Upper bucket bound below which a fraction `q` of a prom-client histogram's observations fall. */
function quantile(text: string, name: string, q: number): string {
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm'))].map((m) => ({ le: m[1]!, n: Number(m[2]) }));
  const total = buckets.at(-1)?.n ?? 0;
  return buckets.find((b) => b.n >= q * total)?.le ?? 'n/a';
}

const value = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe.skipIf(services.skip)('ingest latency under a bounded load (measured, not asserted)', () => {
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0', 'max_inflight_messages 0'] } });

  it(`analyses ${RUNNERS} live runners; logs arrival-to-analysis time and event-loop lag`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-latency-'));
    const child = await startIngestProcess({ MQTT_URL: running.get('mosquitto').url, MQTT_CLIENT_ID: `gw-lat-${process.pid % 10000}`, DATA_DIR: dir });
    try {
      await waitFor(() => child.output().includes('"msg":"subscribed"'), 20_000, 'subscribed');
      let maxTimerLagS = 0;
      const poll = setInterval(() => {
        void child.metrics().then((t) => (maxTimerLagS = Math.max(maxTimerLagS, value(t, 'gaitwatch_ingest_timer_lag_seconds'))), () => undefined);
      }, 250);
      const fleet = await runFleet({ mqttUrl: running.get('mosquitto').url, runners: RUNNERS, session: { scenario: 'steady', durationS: DURATION_S, seed: 77 }, format: 'binary', speedup: 1, staggerS: 0.1 });
      await waitFor(async () => (await child.counter('gaitwatch_ingest_sessions_closed_total')) >= RUNNERS, 20_000, 'every session closed');
      clearInterval(poll);
      const text = await child.metrics();
      const frames = value(text, 'gaitwatch_ingest_frame_latency_seconds_count');
      expect(frames).toBeGreaterThan(RUNNERS * DURATION_S * 3 * 10);
      expect(await child.counter('gaitwatch_ingest_rejected_total')).toBe(0);
      expect(fleet.messagesAcked).toBe(fleet.messagesSent);
      const line = {
        runners: RUNNERS,
        messagesPerS: Math.round(fleet.messagesSent / fleet.elapsedS),
        frames,
        frameLatencyS: { p50: quantile(text, 'gaitwatch_ingest_frame_latency_seconds', 0.5), p99: quantile(text, 'gaitwatch_ingest_frame_latency_seconds', 0.99), max: quantile(text, 'gaitwatch_ingest_frame_latency_seconds', 1) },
        handleMeanMs: Number(((value(text, 'gaitwatch_ingest_analysis_lag_seconds_sum') / value(text, 'gaitwatch_ingest_analysis_lag_seconds_count')) * 1000).toFixed(3)),
        handleS: { p50: quantile(text, 'gaitwatch_ingest_analysis_lag_seconds', 0.5), p99: quantile(text, 'gaitwatch_ingest_analysis_lag_seconds', 0.99), max: quantile(text, 'gaitwatch_ingest_analysis_lag_seconds', 1) },
        // Analysis threads (the default): message arrival on the main thread → analysed on its thread.
        arrivalToAnalysisS: { p50: quantile(text, 'gaitwatch_ingest_arrival_to_analysis_seconds', 0.5), p99: quantile(text, 'gaitwatch_ingest_arrival_to_analysis_seconds', 0.99), max: quantile(text, 'gaitwatch_ingest_arrival_to_analysis_seconds', 1) },
        maxTimerLagS,
      };
      process.stdout.write(`[ingest latency] ${JSON.stringify(line)}\n`);
      child.process.kill('SIGTERM');
      expect(await child.exited).toBe(0);
    } finally {
      child.process.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 55_000);
});
