/**
 * The light replay publisher of the ingest scenario and its bookkeeping: every
 * message pre-built (binary or JSON frames of N sessions, status first), a
 * publisher on a worker thread (publisher-worker.mjs), and per-consumer arrival
 * times matched to publish times.
 */
import { Worker } from 'node:worker_threads';
import { SENSOR_IDS, buildTopic, encodeBinaryImu, encodeJsonImu } from '@gaitwatch/protocol';
import { BENCH_SEED, frameAt, type Frame } from './data.ts';

/** Twin topic root of the baseline's messages: same length as `gaitwatch`, not subscribed by ingest. */
export const BASE_ROOT = 'benchmark';
/** Epoch ms with sub-ms resolution, comparable across worker threads. */
export const now = (): number => performance.timeOrigin + performance.now();

export interface Plan {
  /** Topic strings: ingest's N status topics, N imu topics, then the baseline's 2N. */
  readonly topics: string[];
  readonly payloads: Uint8Array;
  readonly offsets: Int32Array;
  readonly topicOf: Int32Array;
  /** Message index ranges, per phase, for ingest and for the baseline (same payloads, twin topics). */
  readonly phases: { name: string; ingest: [number, number]; base: [number, number]; samples: number }[];
  /** For each message, the session it belongs to and its position among that session's messages. */
  readonly sessionOf: Int32Array;
}

/**
 * Builds every message up front: status `start` of each session, then its
 * frames round-robin by session (every session's m-th frame before any
 * (m+1)-th), cut into phases by data time; each phase laid out twice, for
 * ingest and for the baseline's twin topics.
 */
export function buildPlan(sessions: number, sources: readonly Frame[][], phaseEnds: readonly { name: string; toS: number }[]): Plan {
  const encoded = sources.map((frames) => frames.map((f) => encodeBinaryImu(f)));
  const text = new TextEncoder();
  // JSON phases (name starting `json-`) carry the same frames as JSON payloads (the decoder tells them apart by the first byte).
  const encodedJson = sources.map((frames) => frames.map((f) => text.encode(encodeJsonImu(f))));
  const topics: string[] = [];
  const ids = Array.from({ length: sessions }, (_, i) => ({ athlete: `bench-${BENCH_SEED}-${i}`, session: `run-${i}` }));
  for (const root of ['gaitwatch', BASE_ROOT]) {
    for (const kind of ['status', 'imu'] as const) {
      for (const { athlete, session } of ids) topics.push(buildTopic(athlete, session, kind).replace(/^gaitwatch/, root));
    }
  }
  const topicIndex = (root: number, kind: 0 | 1, i: number): number => root * 2 * sessions + kind * sessions + i;
  const chunks: Uint8Array[] = [];
  const topicOf: number[] = [];
  const sessionOf: number[] = [];
  const phases: Plan['phases'] = [];
  const start = (i: number): Uint8Array => {
    const t0 = sources[i % sources.length]![0]!.t0Us;
    return new TextEncoder().encode(JSON.stringify({ state: 'start', tUs: t0, sensors: SENSOR_IDS, sampleRateHz: 200, firmware: 'bench', format: 'binary' }));
  };
  let fromFrame = 0;
  for (const phase of phaseEnds) {
    const toFrame = Math.min(...sources.map((f) => frameAt(f, phase.toS)));
    const ranges: [number, number][] = [];
    let samples = 0;
    for (const root of [0, 1]) {
      const first = topicOf.length;
      if (fromFrame === 0) {
        for (let i = 0; i < sessions; i++) {
          chunks.push(start(i));
          topicOf.push(topicIndex(root, 0, i));
          sessionOf.push(i);
        }
      }
      for (let m = fromFrame; m < toFrame; m++) {
        for (let i = 0; i < sessions; i++) {
          const k = i % sources.length;
          chunks.push((phase.name.startsWith('json-') ? encodedJson : encoded)[k]![m]!);
          topicOf.push(topicIndex(root, 1, i));
          sessionOf.push(i);
          if (root === 0) samples += sources[k]![m]!.count;
        }
      }
      ranges.push([first, topicOf.length]);
    }
    phases.push({ name: phase.name, ingest: ranges[0]!, base: ranges[1]!, samples });
    fromFrame = toFrame;
  }
  const offsets = new Int32Array(chunks.length + 1);
  for (let i = 0; i < chunks.length; i++) offsets[i + 1] = offsets[i]! + chunks[i]!.length;
  const payloads = new Uint8Array(offsets[chunks.length]!);
  for (let i = 0; i < chunks.length; i++) payloads.set(chunks[i]!, offsets[i]!);
  return { topics, payloads, offsets, topicOf: Int32Array.from(topicOf), phases, sessionOf: Int32Array.from(sessionOf) };
}

/**
 * A consumer's record of arrivals. Each topic is published on one connection
 * and QoS 1 keeps a topic's order, so the k-th message to arrive on a topic is
 * the k-th sent on it: `expect` queues what is about to be sent, in order.
 */
export class Arrivals {
  readonly at: Float64Array;
  private readonly queues: number[][];
  private readonly heads: Int32Array;
  count = 0;
  constructor(private readonly plan: Plan) {
    this.at = new Float64Array(plan.topicOf.length);
    this.queues = plan.topics.map(() => []);
    this.heads = new Int32Array(plan.topics.length);
  }
  expect([from, to]: [number, number]): void {
    for (let i = from; i < to; i++) this.queues[this.plan.topicOf[i]!]!.push(i);
  }
  record(topicIndex: number): void {
    const i = this.queues[topicIndex]![this.heads[topicIndex]!++];
    if (i !== undefined) this.at[i] = now();
    this.count++;
  }
}

export interface Publisher {
  run(command: { kind: 'blast'; from: number; to: number } | { kind: 'paced'; from: number; to: number; perS: number }): Promise<{ startedAt: number; endedAt: number }>;
  close(): Promise<void>;
  readonly sentAt: Float64Array;
}

export async function startPublisher(url: string, plan: Plan, clients: number): Promise<Publisher> {
  const sentAtBuffer = new SharedArrayBuffer(plan.topicOf.length * 8);
  const worker = new Worker(new URL('./publisher-worker.mjs', import.meta.url), {
    workerData: { url, clients, topics: plan.topics, payloads: plan.payloads, offsets: plan.offsets, topicOf: plan.topicOf, sentAt: sentAtBuffer },
  });
  const replies: ((m: { kind: string; startedAt: number; endedAt: number; error: string | null }) => void)[] = [];
  let failure: Error | undefined;
  worker.on('message', (m: { kind: string; startedAt: number; endedAt: number; error: string | null }) => replies.shift()?.(m));
  worker.on('error', (error) => (failure = error));
  const next = (): Promise<{ kind: string; startedAt: number; endedAt: number; error: string | null }> =>
    new Promise((resolve, reject) => (failure !== undefined ? reject(failure) : replies.push(resolve)));
  await next(); // ready
  return {
    sentAt: new Float64Array(sentAtBuffer),
    async run(command) {
      const reply = next();
      worker.postMessage(command);
      const m = await reply;
      if (m.error !== null) throw new Error(`publisher: ${m.error}`);
      return m;
    },
    async close() {
      const reply = next();
      worker.postMessage({ kind: 'close' });
      await reply;
      await worker.terminate();
    },
  };
}

export async function waitFor(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
