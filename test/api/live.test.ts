/**
 * The live stream end to end against a real Mosquitto: what ingest publishes
 * on `alerts` / `live` and the phones on `status` reaches exactly the SSE
 * clients allowed to see it, and a client that reconnects with Last-Event-ID
 * gets the alerts it missed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, KeyRing, LiveHub, loadApiConfig, startApi, type RunningApi } from '@gaitwatch/api';
import { buildTopic } from '@gaitwatch/protocol';
import { LocalStore } from '@gaitwatch/storage';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { counterValue } from '../ingest/helpers.ts';
import { KEY_ENTRIES, KEYS, PEPPER, T0_US, type Who } from './helpers.ts';
import { openSse, type SseStream } from './sse-client.ts';

const services = await realServices(['mosquitto']);

let alertSeq = 0;
function alertPayload(athleteId: string, sessionId: string, overrides: Record<string, unknown> = {}): string {
  alertSeq++;
  return JSON.stringify({
    type: 'form_breakdown',
    severity: 'warning',
    athleteId,
    sessionId,
    tUs: T0_US + alertSeq * 1_000_000,
    metric: 'pelvicDropDeg',
    value: 8.2,
    baseline: 5.1,
    message: `alert ${alertSeq}`,
    phase: 'raised',
    side: 'left',
    ...overrides,
  });
}

function stridePayload(athleteId: string, sessionId: string, i: number): string {
  return JSON.stringify({ athleteId, sessionId, side: i % 2 === 0 ? 'left' : 'right', icUs: T0_US + i * 350_000, toUs: T0_US + i * 350_000 + 220_000, strideTimeS: 0.7, gctS: 0.22, cadenceSpm: 171, pelvicDropDeg: 5.5, shankFrontalDeg: 2 });
}

describe.skipIf(services.skip)('GET /v1/live over a real broker', () => {
  const running = services.use();
  let dir: string;
  let api: RunningApi;
  let ingest: MqttClient;
  const streams: SseStream[] = [];
  const live = async (who: Who | null, query = '', headers: Record<string, string> = {}): Promise<SseStream> => {
    const stream = await openSse(`${api.url}/v1/live${query}`, { ...(who !== null ? { authorization: `Bearer ${KEYS[who]}` } : {}), ...headers });
    streams.push(stream);
    return stream;
  };
  const publish = (athleteId: string, sessionId: string, kind: 'alerts' | 'live' | 'status', payload: string, qos: 0 | 1 = 1) =>
    ingest.publishAsync(buildTopic(athleteId, sessionId, kind), payload, { qos });
  const alertMessages = (s: SseStream) => s.of<{ athleteId: string; message: string }>('alert').map((a) => `${a.athleteId}:${a.message}`);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-api-live-'));
    await writeFile(join(dir, 'keys.json'), JSON.stringify({ keys: KEY_ENTRIES }));
    const url = running.get('mosquitto').url;
    const config = loadApiConfig({ API_PORT: '0', DATA_DIR: join(dir, 'data'), API_KEYS_FILE: join(dir, 'keys.json'), API_KEY_PEPPER: PEPPER, MQTT_URL: url, API_MQTT_CLIENT_ID: `api-live-${process.pid}` });
    api = await startApi(config, { logger: pino({ level: 'silent' }) });
    ingest = await mqtt.connectAsync(url, { clientId: `fake-ingest-${process.pid}`, reconnectPeriod: 0 });
    // The feed subscribes once connected: wait until a probe alert comes through to an admin stream.
    const probe = await live('admin');
    const deadline = Date.now() + 10_000;
    while (probe.of('alert').length === 0 && Date.now() < deadline) {
      await publish('probe', 'p', 'alerts', alertPayload('probe', 'p'));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(probe.of('alert').length).toBeGreaterThan(0);
    probe.close();
  }, 30_000);

  afterAll(async () => {
    for (const s of streams) s.close();
    await ingest?.endAsync();
    await api?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('each key sees only its athletes: runner its own, coach the roster, admin and researcher everyone', async () => {
    const [r1, r2, coach, admin, researcher, coachEmpty] = await Promise.all([live('runnerR1'), live('runnerR2'), live('coach'), live('admin'), live('researcher'), live('coachEmpty')]);
    expect(r1.status).toBe(200);
    expect(r1.headers.get('content-type')).toMatch(/^text\/event-stream/);
    for (const a of ['r1', 'r2', 'r3']) {
      await publish(a, 's9', 'status', JSON.stringify({ state: 'start', tUs: T0_US, sensors: ['pelvis'], sampleRateHz: 200, firmware: 'secret-fw-1.2' }));
      await publish(a, 's9', 'alerts', alertPayload(a, 's9'));
      await publish(a, 's9', 'live', stridePayload(a, 's9', 1), 0);
    }
    await admin.waitFor((e) => e.filter((x) => x.event === 'stride').length === 3 && e.filter((x) => x.event === 'alert').length === 3, 5_000, 'three alerts and strides');
    await researcher.waitFor((e) => e.filter((x) => x.event === 'stride').length === 3, 5_000, 'researcher strides');
    await coach.waitFor((e) => e.filter((x) => x.event === 'stride').length === 2, 5_000, 'coach strides');
    await r1.waitFor((e) => e.some((x) => x.event === 'stride'), 5_000, 'runner stride');
    await r2.waitFor((e) => e.some((x) => x.event === 'stride'), 5_000, 'runner stride');
    const athletes = (s: SseStream) => [...new Set(s.events.filter((e) => ['stride', 'alert', 'session'].includes(e.event)).map((e) => (JSON.parse(e.data) as { athleteId: string }).athleteId))].sort();
    expect(athletes(r1)).toEqual(['r1']);
    expect(athletes(r2)).toEqual(['r2']);
    expect(athletes(coach)).toEqual(['r1', 'r3']);
    expect(athletes(admin)).toEqual(['r1', 'r2', 'r3']);
    expect(athletes(coachEmpty)).toEqual([]);
    // Status events say start/stop/lost, not the device's metadata.
    expect(r1.of('session')).toEqual([{ athleteId: 'r1', sessionId: 's9', state: 'start' }]);
    expect(JSON.stringify(admin.events)).not.toContain('secret-fw');
    // Every event carries an id of this API's stream (what Last-Event-ID sends back).
    expect(admin.events.filter((e) => e.event === 'alert').every((e) => /^[0-9a-f]{8}-\d+$/.test(e.id ?? ''))).toBe(true);
  });

  it('filters narrow the stream; asking for an athlete the key may not see is 403, no key 401', async () => {
    const only = await live('coach', '?athlete=r3&session=s10');
    await publish('r1', 's10', 'alerts', alertPayload('r1', 's10'));
    await publish('r3', 's11', 'alerts', alertPayload('r3', 's11'));
    await publish('r3', 's10', 'alerts', alertPayload('r3', 's10', { message: 'wanted' }));
    await only.waitFor((e) => e.some((x) => x.event === 'alert'), 5_000, 'the r3/s10 alert');
    await new Promise((r) => setTimeout(r, 200));
    expect(alertMessages(only)).toEqual(['r3:wanted']);

    for (const [who, query] of [['runnerR1', '?athlete=r2'], ['coach', '?athlete=r1,r2'], ['coachEmpty', '?athlete=r1']] as const) {
      const denied = await live(who, query);
      expect(denied.status, `${who} ${query}`).toBe(403);
    }
    expect((await live(null)).status).toBe(401);
    expect((await live(null, '', { authorization: 'Bearer gw_not-a-key-000000000000000000' })).status).toBe(401);
    // Path and query tricks: a wildcard or traversal as an athlete id is a bad query, never "everyone".
    for (const query of ['?athlete=%2B', '?athlete=%23', '?athlete=..%2Fr2', '?athlete=r1&bogus=1']) {
      expect((await live('runnerR1', query)).status, query).toBe(400);
    }
  });

  it('a client that reconnects with Last-Event-ID gets the alerts it missed, and nothing twice', async () => {
    const first = await live('runnerR1');
    await publish('r1', 's12', 'alerts', alertPayload('r1', 's12', { message: 'before' }));
    await first.waitFor((e) => e.some((x) => x.event === 'alert'), 5_000, 'the first alert');
    const lastId = first.lastId()!;
    first.close();
    // While the client is away: two alerts and strides for r1, one alert for r2.
    await publish('r1', 's12', 'alerts', alertPayload('r1', 's12', { message: 'missed-1' }));
    await publish('r2', 's12', 'alerts', alertPayload('r2', 's12', { message: 'not-yours' }));
    await publish('r1', 's12', 'live', stridePayload('r1', 's12', 2), 0);
    await publish('r1', 's12', 'alerts', alertPayload('r1', 's12', { message: 'missed-2' }));
    // Wait until the API has them (an admin stream that was open all along).
    const admin = await live('admin', '?session=s12');
    await admin.waitFor(() => true, 0, '');
    await new Promise((r) => setTimeout(r, 300));
    const again = await live('runnerR1', '', { 'last-event-id': lastId });
    await again.waitFor((e) => e.some((x) => x.event === 'ready'), 5_000, 'ready');
    expect(alertMessages(again)).toEqual(['r1:missed-1', 'r1:missed-2']);
    expect(again.of('stride')).toHaveLength(1);
    expect(again.events.some((e) => e.event === 'reset')).toBe(false);
    // And it keeps going live after the replay.
    await publish('r1', 's12', 'alerts', alertPayload('r1', 's12', { message: 'after' }));
    await again.waitFor((e) => e.filter((x) => x.event === 'alert').length === 3, 5_000, 'the live alert after the replay');
  });

  it('an id from another API run gets a reset, then every alert kept', async () => {
    const stream = await live('runnerR2', '', { 'last-event-id': '00000000-5' });
    await stream.waitFor((e) => e.some((x) => x.event === 'ready'), 5_000, 'ready');
    expect(stream.events[0]).toMatchObject({ event: 'reset' });
    expect(JSON.parse(stream.events[0]!.data)).toEqual({ reason: 'unknown_stream' });
    expect(alertMessages(stream)).toContain('r2:not-yours');
    expect(alertMessages(stream).every((m) => m.startsWith('r2:'))).toBe(true);
  });

  it('payloads off the contract are dropped and counted, never streamed', async () => {
    const admin = await live('admin', '?athlete=r9');
    const before = {
      json: await counterValue(api.app.metrics.liveRejected, { reason: 'json' }),
      schema: await counterValue(api.app.metrics.liveRejected, { reason: 'alerts_schema' }),
      mismatch: await counterValue(api.app.metrics.liveRejected, { reason: 'ids_mismatch' }),
    };
    await publish('r9', 's1', 'alerts', '{not json');
    await publish('r9', 's1', 'alerts', JSON.stringify({ type: 'nope' }));
    // A payload claiming another athlete than its topic (which the broker's ACL checked).
    await publish('r9', 's1', 'alerts', alertPayload('r1', 's1'));
    await publish('r9', 's1', 'alerts', alertPayload('r9', 's1', { message: 'good' }));
    await admin.waitFor((e) => e.some((x) => x.event === 'alert'), 5_000, 'the good alert');
    expect(alertMessages(admin)).toEqual(['r9:good']);
    expect(await counterValue(api.app.metrics.liveRejected, { reason: 'json' })).toBe(before.json + 1);
    expect(await counterValue(api.app.metrics.liveRejected, { reason: 'alerts_schema' })).toBe(before.schema + 1);
    expect(await counterValue(api.app.metrics.liveRejected, { reason: 'ids_mismatch' })).toBe(before.mismatch + 1);
  });
});

describe('GET /v1/live limits', () => {
  it('is 503 GW_API_LIVE_OFF without a broker, 429 past the per-key stream limit, and streams end when the app closes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gw-api-live-limits-'));
    const store = new LocalStore({ dataDir });
    const keys = new KeyRing(KEY_ENTRIES, PEPPER);
    const off = await buildApp({ store, auth: { keys }, rateLimit: false, docs: false });
    const response = await off.inject({ url: '/v1/live', headers: { authorization: `Bearer ${KEYS.admin}` } });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: { code: 'GW_API_LIVE_OFF' } });
    await off.close();

    const hub = new LiveHub();
    const app = await buildApp({ store, auth: { keys }, rateLimit: false, docs: false, live: { hub, maxStreamsPerKey: 2 } });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const open = (key: string) => openSse(`${url}/v1/live`, { authorization: `Bearer ${key}` });
    const a = await open(KEYS.admin);
    const b = await open(KEYS.admin);
    const c = await open(KEYS.admin);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect(c.headers.get('content-type')).toMatch(/json/);
    expect((await open(KEYS.researcher)).status).toBe(200);
    a.close();
    await new Promise((r) => setTimeout(r, 100));
    const d = await open(KEYS.admin);
    expect(d.status).toBe(200);
    hub.publish('alert', 'r1', 's1', '{"athleteId":"r1"}');
    await d.waitFor((e) => e.some((x) => x.event === 'alert'), 2_000, 'alert');
    // Closing the app ends the open streams instead of waiting for them forever.
    await app.close();
    await Promise.all([b.ended, d.ended]);
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});
