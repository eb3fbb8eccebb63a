import { createReadStream } from 'node:fs';
import {
  buildTopic,
  CHANNELS_PER_SAMPLE,
  encodeBinaryImu,
  encodeJsonImu,
  MAX_SEQ,
  RecordingParser,
  SENSOR_IDS,
  type ImuFrame,
  type RecordingRow,
  type RecordingRowError,
  type SensorId,
  type StatusStart,
} from '@gaitwatch/protocol';
import { connectPublisher } from './connect-publisher.ts';

export interface ReplayOptions {
  readonly mqttUrl: string;
  readonly athleteId: string;
  readonly sessionId: string;
  readonly format: 'json' | 'binary';
  /** Recording seconds per wall-clock second. */
  readonly speedup: number;
  readonly samplesPerMessage?: number;
  readonly username?: string;
  readonly password?: string;
}

export interface ReplayResult {
  readonly frames: number;
  readonly samples: number;
  /** The first bad lines (the parser keeps a few) … */
  readonly parseErrors: readonly RecordingRowError[];
  /** …and how many there were in all. */
  readonly parseErrorCount: number;
}

interface SensorPlan {
  periodUs: number;
  firstUs: number;
}

async function readRows(path: string, onRow: (row: RecordingRow) => void | Promise<void>): Promise<{ errors: readonly RecordingRowError[]; count: number }> {
  const parser = new RecordingParser();
  const pending: RecordingRow[] = [];
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
    parser.feed(chunk, (row) => pending.push(row));
    for (const row of pending.splice(0)) await onRow(row);
  }
  parser.end((row) => pending.push(row));
  for (const row of pending.splice(0)) await onRow(row);
  return { errors: parser.errors, count: parser.errorCount };
}

/** First pass: which sensors, their period (median interval, µs) and first sample time. */
async function plan(path: string): Promise<Map<SensorId, SensorPlan>> {
  const intervals = new Map<SensorId, number[]>();
  const last = new Map<SensorId, number>();
  const first = new Map<SensorId, number>();
  await readRows(path, ({ sensor, tUs }) => {
    const previous = last.get(sensor);
    if (previous === undefined) first.set(sensor, tUs);
    else if (tUs > previous) {
      const list = intervals.get(sensor) ?? [];
      if (list.length < 1000) list.push(tUs - previous);
      intervals.set(sensor, list);
    }
    last.set(sensor, tUs);
  });
  const plans = new Map<SensorId, SensorPlan>();
  for (const [sensor, firstUs] of first) {
    const list = (intervals.get(sensor) ?? [5000]).sort((a, b) => a - b);
    plans.set(sensor, { periodUs: Math.round(list[list.length >> 1]!), firstUs });
  }
  return plans;
}

/**
 * Publishes a recording as a live session in the MQTT contract: status
 * `start` (with the sensors found and their rate), IMU frames of up to
 * `samplesPerMessage` samples per sensor at QoS 1, paced by the recording's own
 * timestamps ÷ speedup, and `stop`. A frame never spans a gap (> 1.5 periods):
 * frames carry t0 + i·period, so a gap ends the frame and the next one starts
 * at the real time of its first sample.
 */
export async function replayRecording(path: string, options: ReplayOptions): Promise<ReplayResult> {
  const plans = await plan(path);
  if (plans.size === 0) throw new RangeError(`${path} holds no valid samples to replay`);
  const perMessage = options.samplesPerMessage ?? 15;
  const imuTopic = buildTopic(options.athleteId, options.sessionId, 'imu');
  const statusTopic = buildTopic(options.athleteId, options.sessionId, 'status');
  const client = await connectPublisher(options.mqttUrl, {
    clientId: `replay-${options.athleteId}-${options.sessionId}`.slice(0, 64),
    clean: false,
    ...(options.username !== undefined ? { username: options.username, password: options.password ?? '' } : {}),
    will: { topic: statusTopic, payload: Buffer.from(JSON.stringify({ state: 'lost' })), qos: 1, retain: false },
  });
  const sensors = SENSOR_IDS.filter((s) => plans.has(s));
  const startUs = Math.min(...[...plans.values()].map((p) => p.firstUs));
  const rateHz = Math.round(1e6 / plans.get(sensors[0]!)!.periodUs);
  const start: StatusStart = { state: 'start', tUs: startUs, sensors, sampleRateHz: Math.min(1000, Math.max(50, rateHz)), firmware: 'gaitwatch-replay/1', format: options.format };
  await client.publishAsync(statusTopic, JSON.stringify(start), { qos: 1 });

  const buffers = new Map(sensors.map((s) => [s, { t0Us: 0, lastUs: 0, count: 0, seq: 0, samples: new Float64Array(perMessage * CHANNELS_PER_SAMPLE) }]));
  const wallStart = performance.now();
  let frames = 0;
  let samples = 0;
  let lastUs = startUs;
  const publish = async (sensor: SensorId): Promise<void> => {
    const b = buffers.get(sensor)!;
    if (b.count === 0) return;
    const frame: ImuFrame = { sensor, seq: b.seq, t0Us: b.t0Us, periodUs: plans.get(sensor)!.periodUs, count: b.count, samples: b.samples.slice(0, b.count * CHANNELS_PER_SAMPLE) };
    b.seq = b.seq === MAX_SEQ ? 0 : b.seq + 1;
    b.count = 0;
    const payload = options.format === 'binary' ? Buffer.from(encodeBinaryImu(frame)) : encodeJsonImu(frame);
    // Pace by the recording's clock: this frame is due when its last sample was taken.
    const dueMs = (b.lastUs - startUs) / 1000 / options.speedup;
    const waitMs = dueMs - (performance.now() - wallStart);
    if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs));
    await client.publishAsync(imuTopic, payload, { qos: 1 });
    frames++;
  };
  const parsed = await readRows(path, async ({ sensor, tUs, values }) => {
    const b = buffers.get(sensor)!;
    const periodUs = plans.get(sensor)!.periodUs;
    if (b.count > 0 && (tUs <= b.lastUs || tUs - b.lastUs > 1.5 * periodUs)) await publish(sensor);
    if (b.count === 0) b.t0Us = tUs;
    b.samples.set(values, b.count * CHANNELS_PER_SAMPLE);
    b.count++;
    b.lastUs = tUs;
    samples++;
    lastUs = Math.max(lastUs, tUs);
    if (b.count === perMessage) await publish(sensor);
  });
  for (const sensor of sensors) await publish(sensor);
  await client.publishAsync(statusTopic, JSON.stringify({ state: 'stop', tUs: lastUs }), { qos: 1 });
  await client.endAsync();
  return { frames, samples, parseErrors: parsed.errors, parseErrorCount: parsed.count };
}
