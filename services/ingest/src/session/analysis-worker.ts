import { parentPort, workerData } from 'node:worker_threads';
import type { AthleteSettings, CheckpointRecord, JsonObject } from '@gaitwatch/storage';
import { pino, type Level } from 'pino';
import type { AnalysisThreadData, FromThread, ToThread } from './analysis-protocol.ts';
import type { SessionCheckpoint } from './live-session.ts';
import { MetricBuffer } from './metric-buffer.ts';
import { SessionManager, type SessionOutput } from './session-manager.ts';

/**
 * An analysis thread: a SessionManager of its own for the sessions the main thread routes here (a stable hash
 * of the session key), fed batches of raw MQTT messages in arrival order. Decode, de-duplication, jitter buffer,
 * analysis and checkpoint JSON run here; everything it produces — store records, publishes, metric updates,
 * log lines — goes back to the main thread, which owns the store, the broker and /metrics.
 */
const port = parentPort!;
const data = workerData as AnalysisThreadData;
const send = (message: FromThread): void => port.postMessage(message);

/** Metric updates since the last send, summed: shipped with every batch/tick result (MetricBuffer: why). */
const metricBuffer = new MetricBuffer();
const metrics = metricBuffer.metrics;
const flushOps = (): void => {
  const ops = metricBuffer.take();
  if (ops.length > 0) send({ type: 'metrics', ops });
};

const logger = pino({ level: data.logLevel as Level, base: { service: 'ingest', thread: data.thread } }, { write: (line: string) => send({ type: 'log', line }) });

let nextLoad = 0;
const loads = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
const load = <T>(what: 'checkpoint' | 'settings', athleteId: string, sessionId: string): Promise<T | undefined> =>
  new Promise((resolve, reject) => {
    const id = nextLoad++;
    loads.set(id, { resolve: resolve as (value: unknown) => void, reject });
    send({ type: 'load', id, what, athleteId, sessionId });
  });

const output = (method: 'stride' | 'rep' | 'alert' | 'session' | 'checkpoint') => (record: object) => send({ type: 'output', method, record: record as JsonObject | CheckpointRecord });
const sessions = new SessionManager({
  logger,
  metrics,
  idleTimeoutS: data.idleTimeoutS,
  jitterMs: data.jitterMs,
  jitterMaxFrames: data.jitterMaxFrames,
  ...(data.checkpoints ? { checkpoints: { load: (a: string, s: string) => load<SessionCheckpoint>('checkpoint', a, s) } } : {}),
  ...(data.athleteSettings ? { athleteSettings: { load: (a: string) => load<AthleteSettings>('settings', a, '') } } : {}),
  output: {
    stride: output('stride'),
    rep: output('rep'),
    alert: output('alert'),
    session: output('session'),
    checkpoint: output('checkpoint'),
    publishLive: (athleteId, sessionId, payload) => send({ type: 'publish', kind: 'live', athleteId, sessionId, payload }),
    publishAlert: (athleteId, sessionId, payload) => send({ type: 'publish', kind: 'alerts', athleteId, sessionId, payload }),
  } satisfies Required<SessionOutput>,
});

const wallMs = (): number => performance.timeOrigin + performance.now();

/** Sessions checkpointed per step of a round: ~10–20 ms of work, then the batches that came meanwhile. */
const CHECKPOINT_STEP_SESSIONS = data.checkpointStepSessions ?? 10;
/** The checkpoint round in progress: stepped between batches, finished before any other command. */
let round: { readonly step: (sessions: number) => boolean; readonly id: number; readonly covered: boolean } | undefined;
const stepRound = (all: boolean): void => {
  const current = round;
  if (current === undefined) return;
  const done = current.step(all ? Number.POSITIVE_INFINITY : CHECKPOINT_STEP_SESSIONS);
  flushOps();
  if (!done) {
    // Only this round's own chain steps it on (a round finished early by a command leaves its chain nothing to do).
    setImmediate(() => {
      if (round === current) stepRound(false);
    });
    return;
  }
  send({ type: 'done', id: current.id, covered: current.covered });
  round = undefined;
};

port.on('message', (message: ToThread) => {
  // Commands keep their order: a round still in progress is finished first (batches and ticks go between its steps).
  if (round !== undefined && message.type !== 'batch' && message.type !== 'tick' && message.type !== 'loaded') stepRound(true);
  switch (message.type) {
    case 'batch': {
      const { topics, bytes, ends, arrivedMs } = message.batch;
      let start = 0;
      for (let i = 0; i < topics.length; i++) {
        if (topics[i] === data.crashOnTopic) throw new Error(`test hook: analysis thread ${data.thread} crashes on ${topics[i]}`);
        sessions.handle(topics[i]!, bytes.subarray(start, ends[i]));
        start = ends[i]!;
        metricBuffer.observe('arrivalLag', (wallMs() - arrivedMs[i]!) / 1000);
      }
      flushOps();
      send({ type: 'handled', messages: topics.length });
      return;
    }
    case 'tick':
      sessions.tick(message.held);
      flushOps();
      send({ type: 'sessions', live: sessions.liveStrides(), opening: sessions.openingSessions });
      return;
    case 'checkpoint': {
      round = { step: sessions.checkpointRound(message.drain).step, id: message.id, covered: sessions.openingSessions === 0 };
      // A draining round (INGEST_ACK=checkpoint) is done at once: the broker's acknowledgements it releases cover
      // the messages taken before it, and a session checkpointed later in a stepped round would also hold later,
      // unacknowledged ones, which the broker then redelivers after a crash onto a state that has them (a SIGKILL
      // test saw stances stored twice). Without draining, nothing is acknowledged by it: stepped.
      stepRound(message.drain);
      return;
    }
    case 'suspend':
      sessions.suspendAll();
      flushOps();
      send({ type: 'done', id: message.id });
      return;
    case 'close':
      sessions.closeAll(message.reason);
      flushOps();
      send({ type: 'done', id: message.id });
      return;
    case 'stopIntake': {
      const covered = sessions.openingSessions === 0;
      sessions.stopIntake();
      send({ type: 'done', id: message.id, covered });
      return;
    }
    case 'settled':
      void sessions.settled().then(() => {
        flushOps();
        send({ type: 'done', id: message.id });
      });
      return;
    case 'loaded': {
      const pending = loads.get(message.id);
      loads.delete(message.id);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.value);
      return;
    }
  }
});
