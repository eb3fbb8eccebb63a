/**
 * Reps on the live stream (issue 17) against a real Mosquitto: a screen session's `live` payloads are reps
 * (`kind: "rep"`), which reach the SSE clients allowed to see the athlete as `rep` events; a rep off the contract
 * is dropped and counted, never passed on; a client that reconnects with Last-Event-ID gets the reps it missed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApiConfig, startApi, type RunningApi } from '@gaitwatch/api';
import { buildTopic } from '@gaitwatch/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { counterValue } from '../ingest/helpers.ts';
import { KEY_ENTRIES, KEYS, PEPPER, T0_US, type Who } from './helpers.ts';
import { openSse, type SseStream } from './sse-client.ts';

const services = await realServices(['mosquitto']);

function repPayload(athleteId: string, sessionId: string, n: number, overrides: Record<string, unknown> = {}): string {
  const startUs = T0_US + n * 3_000_000;
  return JSON.stringify({ kind: 'rep', athleteId, sessionId, side: 'left', set: 1, rep: n, startUs, bottomUs: startUs + 1_000_000, endUs: startUs + 2_500_000, durationS: 2.5, pelvicDropDeg: 4 + n, shankFrontalDeg: 2, depthDeg: 40, pelvicDropVerdict: n > 2 ? 'dropping' : 'level', ...overrides });
}

describe.skipIf(services.skip)('GET /v1/live: reps of movement screens over a real broker', () => {
  const running = services.use();
  let dir: string;
  let api: RunningApi;
  let ingest: MqttClient;
  const streams: SseStream[] = [];
  const live = async (who: Who, query = '', headers: Record<string, string> = {}): Promise<SseStream> => {
    const stream = await openSse(`${api.url}/v1/live${query}`, { authorization: `Bearer ${KEYS[who]}`, ...headers });
    streams.push(stream);
    return stream;
  };
  const publishLive = (athleteId: string, sessionId: string, payload: string) => ingest.publishAsync(buildTopic(athleteId, sessionId, 'live'), payload, { qos: 0 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-api-live-reps-'));
    await writeFile(join(dir, 'keys.json'), JSON.stringify({ keys: KEY_ENTRIES }));
    const url = running.get('mosquitto').url;
    const config = loadApiConfig({ API_PORT: '0', DATA_DIR: join(dir, 'data'), API_KEYS_FILE: join(dir, 'keys.json'), API_KEY_PEPPER: PEPPER, MQTT_URL: url, API_MQTT_CLIENT_ID: `api-live-reps-${process.pid}` });
    api = await startApi(config, { logger: pino({ level: 'silent' }) });
    ingest = await mqtt.connectAsync(url, { clientId: `fake-ingest-reps-${process.pid}`, reconnectPeriod: 0 });
    // The feed subscribes once connected: wait until a probe rep comes through to an admin stream.
    const probe = await live('admin', '?athlete=probe');
    const deadline = Date.now() + 10_000;
    while (probe.of('rep').length === 0 && Date.now() < deadline) {
      await publishLive('probe', 'p', repPayload('probe', 'p', 1));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(probe.of('rep').length).toBeGreaterThan(0);
    probe.close();
  }, 30_000);

  afterAll(async () => {
    for (const s of streams) s.close();
    await ingest?.endAsync();
    await api?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('streams reps as `rep` events to whoever may see the athlete, and drops reps off the contract or under another athlete', async () => {
    const [r1, r2, coach, admin] = await Promise.all([live('runnerR1'), live('runnerR2'), live('coach'), live('admin', '?session=sq9')]);
    const rejectedBefore = await counterValue(api.app.metrics.liveRejected, { reason: 'rep_schema' });
    const mismatchBefore = await counterValue(api.app.metrics.liveRejected, { reason: 'ids_mismatch' });
    await publishLive('r1', 'sq9', repPayload('r1', 'sq9', 1, { endUs: T0_US })); // ends before it starts
    await publishLive('r1', 'sq9', repPayload('r2', 'sq9', 1)); // names another athlete than its topic
    for (const a of ['r1', 'r2']) for (const n of [1, 2]) await publishLive(a, 'sq9', repPayload(a, 'sq9', n));
    await admin.waitFor((e) => e.filter((x) => x.event === 'rep').length === 4, 5_000, 'four reps');
    await r1.waitFor((e) => e.filter((x) => x.event === 'rep').length === 2, 5_000, 'r1 reps');
    await r2.waitFor((e) => e.filter((x) => x.event === 'rep').length === 2, 5_000, 'r2 reps');
    await coach.waitFor((e) => e.filter((x) => x.event === 'rep').length === 2, 5_000, 'coach reps');
    const reps = (s: SseStream) => s.of<{ athleteId: string; rep: number; kind: string }>('rep').map((r) => `${r.athleteId}:${r.rep}:${r.kind}`);
    expect(reps(r1)).toEqual(['r1:1:rep', 'r1:2:rep']);
    expect(reps(r2)).toEqual(['r2:1:rep', 'r2:2:rep']);
    expect(reps(coach)).toEqual(['r1:1:rep', 'r1:2:rep']);
    expect(r1.of('rep')[0]).toEqual(JSON.parse(repPayload('r1', 'sq9', 1)));
    // Neither stream ever got a rep as a stride.
    expect(admin.of('stride')).toEqual([]);
    expect((await counterValue(api.app.metrics.liveRejected, { reason: 'rep_schema' })) - rejectedBefore).toBe(1);
    expect((await counterValue(api.app.metrics.liveRejected, { reason: 'ids_mismatch' })) - mismatchBefore).toBe(1);
  });

  it('a client that reconnects with Last-Event-ID gets the reps it missed', async () => {
    const first = await live('runnerR1', '?session=sq10');
    const watcher = await live('admin', '?session=sq10');
    await publishLive('r1', 'sq10', repPayload('r1', 'sq10', 1));
    await first.waitFor((e) => e.some((x) => x.event === 'rep'), 5_000, 'first rep');
    const lastId = first.events.filter((e) => e.event === 'rep').at(-1)!.id!;
    first.close();
    await publishLive('r1', 'sq10', repPayload('r1', 'sq10', 2));
    await publishLive('r1', 'sq10', repPayload('r1', 'sq10', 3));
    await watcher.waitFor((e) => e.filter((x) => x.event === 'rep').length === 3, 5_000, 'the missed reps published');
    const again = await live('runnerR1', '?session=sq10', { 'last-event-id': lastId });
    await again.waitFor((e) => e.some((x) => x.event === 'ready'), 5_000, 'ready');
    expect(again.of<{ rep: number }>('rep').map((r) => r.rep)).toEqual([2, 3]);
  });
});
