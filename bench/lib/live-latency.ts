/**
 * The latency scenario's wall-clock half: one simulated runner published in
 * real time (binary frames, QoS 1, each message sent when its last sample is
 * due, as a phone relay sends) through a real Mosquitto into the real ingest
 * (startIngest, LocalStore), and the `live` and `alerts` messages ingest
 * publishes back, received by a plain subscriber. Latency = a message's
 * arrival − the wall time of the true foot contact it reports (or of the
 * alert's stance). The first `fastForwardS` of data (standing calibration,
 * walk-off) go at 10× so the run is short; only contacts in the real-time
 * part are counted, and only those the published data releases (up to
 * releaseAfterS + 0.5 s before its end).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARAMS } from '@gaitwatch/dsp';
import { createLogger, loadConfig, startIngest } from '@gaitwatch/ingest';
import { SENSOR_IDS, buildTopic, encodeBinaryImu } from '@gaitwatch/protocol';
import { MessageSource, SimulatedSession, stanceTruth } from '@gaitwatch/runner-sim';
import { LocalStore } from '@gaitwatch/storage';
import mqtt from 'mqtt';
import { startMosquittoBinary } from '../../test/harness/binaries.ts';
import { BENCH_SEED, SAMPLES_PER_MESSAGE } from './data.ts';

const FAST_FORWARD_SPEED = 10;
const MATCH_US = 100_000;

export interface LiveLatency {
  /** Contact → `live` stride message, s, per matched stride with its contact in the real-time part. */
  readonly stride: number[];
  /** Alert's stance → `alerts` message, s. */
  readonly alert: number[];
  readonly liveMessages: number;
  readonly alertMessages: number;
  /** Wall time of the published part, s. */
  readonly publishedS: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function measureLiveLatency(options: { runnerIndex: number; fastForwardS: number; untilS: number; pelvicDropLimitDeg: number }): Promise<LiveLatency> {
  const { runnerIndex, fastForwardS, untilS } = options;
  const session = new SimulatedSession({ scenario: 'steady', durationS: Math.max(untilS + 5, 25), seed: BENCH_SEED, runnerIndex });
  const source = new MessageSource(session, SAMPLES_PER_MESSAGE);
  const frames: { lastS: number; payload: Uint8Array }[] = [];
  for (let f = source.next(); f !== undefined; f = source.next()) {
    const lastS = (f.t0Us + (f.count - 1) * f.periodUs - session.startUs) / 1e6;
    if (lastS > untilS) break;
    frames.push({ lastS, payload: encodeBinaryImu(f) });
  }
  frames.sort((a, b) => a.lastS - b.lastS);
  const truth = stanceTruth(session.body);
  const athleteId = `bench-${BENCH_SEED}-live`;
  const sessionId = `latency-${runnerIndex}`;

  const broker = await startMosquittoBinary();
  const dir = await mkdtemp(join(tmpdir(), 'gw-bench-latency-'));
  const store = new LocalStore({ dataDir: dir });
  await store.putAthlete({ athleteId, settings: { pelvicDropLimitDeg: options.pelvicDropLimitDeg }, updatedUs: Date.now() * 1000 });
  const config = loadConfig({ MQTT_URL: broker.url, DATA_DIR: dir, MQTT_CLIENT_ID: `gw-bench-lat-${process.pid % 100000}`, INGEST_HTTP_PORT: '0', INGEST_HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  const service = await startIngest(config, { store, logger: createLogger('silent') });
  const sub = await mqtt.connectAsync(broker.url, { clientId: `bench-lat-sub-${process.pid}`, clean: true, reconnectPeriod: 0 });
  const pub = await mqtt.connectAsync(broker.url, { clientId: `bench-lat-pub-${process.pid}`, clean: true, reconnectPeriod: 0 });
  const received: { topic: 'live' | 'alerts'; atMs: number; body: { side?: string; icUs?: number; tUs?: number; type?: string; phase?: string } }[] = [];
  sub.on('message', (topic, payload) => {
    const atMs = performance.now();
    received.push({ topic: topic.endsWith('/live') ? 'live' : 'alerts', atMs, body: JSON.parse(payload.toString('utf8')) as never });
  });
  try {
    await sub.subscribeAsync([buildTopic(athleteId, sessionId, 'live'), buildTopic(athleteId, sessionId, 'alerts')], { qos: 1 });
    const imuTopic = buildTopic(athleteId, sessionId, 'imu');
    await pub.publishAsync(buildTopic(athleteId, sessionId, 'status'), JSON.stringify({ state: 'start', tUs: session.startUs, sensors: SENSOR_IDS, sampleRateHz: 200, firmware: 'bench', format: 'binary' }), { qos: 1 });
    // Wall clock of data time s: 10× up to fastForwardS, then real time.
    const wallStart = performance.now();
    const wallOf = (s: number): number => wallStart + (s < fastForwardS ? s / FAST_FORWARD_SPEED : fastForwardS / FAST_FORWARD_SPEED + (s - fastForwardS)) * 1000;
    for (const f of frames) {
      const wait = wallOf(f.lastS) - performance.now();
      if (wait > 1) await sleep(wait);
      pub.publish(imuTopic, Buffer.from(f.payload), { qos: 1 });
    }
    const publishedS = (performance.now() - wallStart) / 1000;
    // Only contacts whose release the published data forces are counted (later ones wait for the silence timeout, which
    // is no latency a running runner feels); strides come out in time order, so one past the cut-off means all before it are in.
    const cutoffS = untilS - DEFAULT_PARAMS.releaseAfterS - 0.5;
    const cutoffUs = session.startUs + cutoffS * 1e6;
    const deadline = performance.now() + 10_000;
    while (!received.some((m) => m.topic === 'live' && (m.body.icUs ?? 0) >= cutoffUs) && performance.now() < deadline) await sleep(50);
    const stride: number[] = [];
    const alert: number[] = [];
    for (const m of received) {
      if (m.topic === 'live' && typeof m.body.icUs === 'number') {
        const icUs = m.body.icUs;
        const t = truth.find((st) => st.side === m.body.side && Math.abs(session.startUs + st.icS * 1e6 - icUs) <= MATCH_US);
        if (t === undefined || t.icS < fastForwardS || t.icS > cutoffS) continue;
        stride.push((m.atMs - wallOf(t.icS)) / 1000);
      } else if (m.topic === 'alerts' && typeof m.body.tUs === 'number' && m.body.type !== 'data_quality' && m.body.phase !== 'resolved') {
        const s = (m.body.tUs - session.startUs) / 1e6;
        if (s >= fastForwardS && s <= cutoffS) alert.push((m.atMs - wallOf(s)) / 1000);
      }
    }
    return { stride, alert, liveMessages: received.filter((m) => m.topic === 'live').length, alertMessages: received.filter((m) => m.topic === 'alerts').length, publishedS };
  } finally {
    await pub.endAsync().catch(() => undefined);
    await sub.endAsync().catch(() => undefined);
    await service.stop();
    await store.close();
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
