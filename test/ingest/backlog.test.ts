// A burst: runners publish while ingest is away (its persistent session keeps
// the subscription), then ingest comes back and gets the whole backlog at once,
// far faster than real time. Every sample must be analysed and every stride stored.
import { SENSOR_IDS } from '@gaitwatch/protocol';
import { runFleet, SimulatedSession } from '@gaitwatch/runner-sim';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { counterValue, startTestIngest, storedStrides, waitClosed } from './helpers.ts';

const services = await realServices(['mosquitto']);

describe.skipIf(services.skip)('ingest draining a backlog', () => {
  // Mosquitto's default max_queued_messages (1000) would silently drop most of the backlog.
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0', 'max_inflight_messages 0'] } });

  it('analyses every sample and stores every stride of sessions published while it was away', async () => {
    const url = running.get('mosquitto').url;
    const clientId = `gw-backlog-${process.pid}`;
    const first = await startTestIngest(url, { MQTT_CLIENT_ID: clientId });
    // A graceful stop leaves the persistent session (and its subscriptions) with the broker.
    await first.close(true);
    const sessionOptions = { scenario: 'steady' as const, durationS: 60, seed: 51 };
    const result = await runFleet({ mqttUrl: url, runners: 3, session: sessionOptions, format: 'binary', speedup: 60, staggerS: 0 });
    const messages = result.relays.reduce((n, r) => n + r.stats.produced, 0);
    expect(messages).toBeGreaterThan(2000);
    // Two analysis threads and a small queue bound: the backlog is spread over both and held back, never lost.
    const t = await startTestIngest(url, { MQTT_CLIENT_ID: clientId, INGEST_ANALYSIS_THREADS: '2', INGEST_ANALYSIS_MAX_QUEUE: '300' }, { dir: first.dir });
    try {
      for (const [index, relay] of result.relays.entries()) {
        await waitClosed(t, relay.athleteId, relay.sessionId, 60_000);
        const simulated = new SimulatedSession({ ...sessionOptions, runnerIndex: index });
        const session = await t.store.getSession(relay.athleteId, relay.sessionId);
        const input = session!.summary['ingest'] as Record<string, { samples: number; duplicateFrames: number; staleSamples: number }>;
        for (const sensor of SENSOR_IDS) expect({ sensor, samples: input[sensor]!.samples }).toEqual({ sensor, samples: simulated.sampleCount(sensor) });
        const counted = session!.summary['strides'] as { left: number; right: number };
        expect(counted.left + counted.right).toBeGreaterThan(100);
        expect((await storedStrides(t.store, relay.athleteId, relay.sessionId)).length).toBe(counted.left + counted.right);
      }
      expect(await counterValue(t.service.metrics.messages, { kind: 'imu' })).toBe(messages);
      expect(await counterValue(t.service.metrics.analysisHolds)).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
