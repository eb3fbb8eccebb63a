import { Worker } from 'node:worker_threads';
import { parseTopic } from '@gaitwatch/protocol';
import type { CheckpointRecord } from '@gaitwatch/storage';
import type { Logger } from 'pino';
import type { IngestMetrics } from '../metrics.ts';
import type { AnalysisThreadData, FromThread, MessageBatch, MetricOp, ToThread } from './analysis-protocol.ts';
import type { EndReason } from './live-session.ts';
import type { AthleteSettingsSource, CheckpointSource, SessionOutput } from './session-manager.ts';
import type { SessionHost } from './session-host.ts';

export interface AnalysisPoolOptions {
  /** Analysis threads, ≥ 1 (INGEST_ANALYSIS_THREADS). */
  readonly threads: number;
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  readonly output: SessionOutput;
  readonly checkpoints?: CheckpointSource;
  readonly athleteSettings?: AthleteSettingsSource;
  readonly idleTimeoutS: number;
  readonly jitterMs: number;
  readonly jitterMaxFrames: number;
  /**
   * Sessions a thread checkpoints per step of a checkpoint round, taking the batches that came meanwhile
   * between steps (default 10, ~10–20 ms of work: a round at once held a thread 0.2–0.35 s per 200 sessions).
   */
  readonly checkpointStepSessions?: number;
  /** Messages queued for one thread (sent, not yet analysed) past which `saturated` holds the intake. */
  readonly maxQueuedMessages?: number;
  /** Bytes of batches one thread's replay log may hold before its oldest leave it (default 256 MiB; trimLog). */
  readonly maxReplayBytes?: number;
  /** Resolves when what the output was handed is durable: a restarted thread reads its sessions' checkpoints after it. */
  readonly durable: () => Promise<void>;
  /** Test hook: a thread dies when it handles a message on this topic (once: the restarted thread is not given it)… */
  readonly crashOnTopic?: string;
  /** …or, with this, every time (a poison message that kills each replacement in its replay). */
  readonly crashOnTopicEveryStart?: boolean;
}

/**
 * A thread that dies this many times in a row without a covering checkpoint in between is taken to be killed
 * by its own replay (a message that crashes whoever analyses it): the replay's messages are dropped, counted
 * and logged, and its sessions resume from their stored checkpoints. Without this, one such message would
 * restart the thread forever, its log would grow, and the back-pressure hold would stop every runner's intake.
 */
export const MAX_CRASHES_IN_A_ROW = 3;

/** Default back-pressure bound per thread: ~2 s of 1,000 runners' frames. */
const MAX_QUEUED_MESSAGES = 20_000;

/** Default bound on one thread's replay log: over a minute of 1,000 runners' binary frames with no covering checkpoint. */
const MAX_REPLAY_BYTES = 256 * 1024 * 1024;

/** A stable 32-bit FNV-1a hash of a session key: a session always goes to the same thread. */
export function sessionThread(key: string, threads: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % threads;
}

/** A thread that dies within this of its start is restarted after this pause, ms. */
const RESTART_PAUSE_MS = 1000;

/** Ended sessions remembered per thread for a replay (as many as the session manager remembers stopped ones). */
const MAX_ENDED_REMEMBERED = 10_000;

/** The batch without the messages of `keys`' sessions. */
function withoutSessions(batch: MessageBatch, keys: ReadonlySet<string>): MessageBatch {
  if (keys.size === 0) return batch;
  const topics: string[] = [];
  const payloads: Uint8Array[] = [];
  const arrivedMs: number[] = [];
  let start = 0;
  batch.topics.forEach((topic, i) => {
    const parsed = parseTopic(topic);
    const end = batch.ends[i]!;
    if (parsed === undefined || !keys.has(`${parsed.athleteId}/${parsed.sessionId}`)) {
      topics.push(topic);
      payloads.push(batch.bytes.subarray(start, end));
      arrivedMs.push(batch.arrivedMs[i]!);
    }
    start = end;
  });
  return packBatch(topics, payloads, arrivedMs);
}

/** One buffer of payloads and their ends: a single copy across the port. */
function packBatch(topics: string[], payloads: readonly Uint8Array[], arrivedMs: readonly number[]): MessageBatch {
  const ends = new Uint32Array(payloads.length);
  let end = 0;
  payloads.forEach((p, i) => (ends[i] = end += p.byteLength));
  return { topics, bytes: Buffer.concat(payloads), ends, arrivedMs: Float64Array.from(arrivedMs) };
}

interface Thread {
  readonly index: number;
  worker: Worker | undefined;
  /** Messages waiting for the next batch (sent once per event-loop turn). */
  pending: { topics: string[]; payloads: Uint8Array[]; arrivedMs: number[] };
  /** Messages sent and not yet analysed, plus pending ones. */
  queued: number;
  /**
   * What was sent since the checkpoint before the last covering one (batches and commands, not ticks), replayed
   * to a restarted thread: its sessions resume from the stored checkpoint and drop what it already holds as stale.
   * Kept only with checkpoints (without, a crash loses the thread's sessions' state as a process crash would).
   */
  log: ToThread[];
  /** Payload bytes of the batches in `log`. */
  logBytes: number;
  lastCut: ToThread | undefined;
  /** Without checkpoints (no log): commands posted and not yet done, sent again to a restarted thread… */
  commands: ToThread[];
  /** …then what was sent while it was down, in order. */
  whileDown: ToThread[];
  /** When the current worker was started (a thread dying right after its start is restarted after a pause). */
  startedMs: number;
  /** Deaths since the last covering checkpoint taken after a restart (MAX_CRASHES_IN_A_ROW)… */
  crashesInARow: number;
  /** …the newest command id a restart replayed: the replay's own checkpoints prove no progress. */
  replayedThroughId: number;
  /** Sessions that ended (closed in the store): never replayed, or they would open afresh. */
  ended: Set<string>;
  live: Map<string, number>;
  opening: number;
  sessionsActive: number;
  bufferedFrames: number;
}

/**
 * Sessions spread over analysis threads (node:worker_threads), each session on one thread by a hash of its
 * key, its messages analysed in arrival order. The main thread keeps the broker, the store, publishing and
 * metrics; a thread decodes, de-duplicates, buffers and analyses (analysis-worker.ts). Messages go over in one
 * batch per thread per event-loop turn; when a thread falls `maxQueuedMessages` behind, `saturated` holds
 * the intake (the broker keeps the rest). A thread that dies is counted, logged and restarted, and what it
 * was sent since its sessions' checkpoints is replayed to it.
 */
export class AnalysisPool implements SessionHost {
  private readonly threads: Thread[] = [];
  private readonly maxQueued: number;
  private readonly maxReplayBytes: number;
  /** Commands sent to every thread, by id: which threads have answered (a replaced thread answers a replayed command again: counted once). */
  private readonly waiting = new Map<number, { answered: Set<number>; covered: boolean; resolve: (covered: boolean) => void }>();
  private nextId = 0;
  private flushScheduled = false;
  private closing = false;
  private wasSaturated = false;
  private crashOnTopic: string | undefined;

  constructor(private readonly options: AnalysisPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`analysis threads must be an integer ≥ 1, got ${options.threads}`);
    this.maxQueued = options.maxQueuedMessages ?? MAX_QUEUED_MESSAGES;
    this.maxReplayBytes = options.maxReplayBytes ?? MAX_REPLAY_BYTES;
    this.crashOnTopic = options.crashOnTopic;
    for (let index = 0; index < options.threads; index++) {
      const thread: Thread = { index, worker: undefined, pending: { topics: [], payloads: [], arrivedMs: [] }, queued: 0, log: [], logBytes: 0, lastCut: undefined, commands: [], whileDown: [], startedMs: 0, crashesInARow: 0, replayedThroughId: -1, ended: new Set(), live: new Map(), opening: 0, sessionsActive: 0, bufferedFrames: 0 };
      this.threads.push(thread);
      this.start(thread);
    }
  }

  private start(thread: Thread): void {
    const data: AnalysisThreadData = {
      thread: thread.index,
      logLevel: this.options.logger.level,
      idleTimeoutS: this.options.idleTimeoutS,
      jitterMs: this.options.jitterMs,
      jitterMaxFrames: this.options.jitterMaxFrames,
      checkpoints: this.options.checkpoints !== undefined,
      athleteSettings: this.options.athleteSettings !== undefined,
      ...(this.options.checkpointStepSessions !== undefined ? { checkpointStepSessions: this.options.checkpointStepSessions } : {}),
      ...(this.crashOnTopic !== undefined ? { crashOnTopic: this.crashOnTopic } : {}),
    };
    const worker = new Worker(new URL('./analysis-worker.mjs', import.meta.url), { workerData: data });
    thread.worker = worker;
    thread.startedMs = Date.now();
    worker.on('message', (message: FromThread) => this.receive(thread, message));
    worker.on('error', (error) => this.options.logger.error({ thread: thread.index, err: { message: error.message, stack: error.stack } }, 'analysis thread failed'));
    worker.on('exit', (code) => {
      if (this.closing || thread.worker !== worker) return;
      void this.restart(thread, code);
    });
  }

  /** A thread died: count it, wait until what it wrote is durable, start another and replay what its sessions need. */
  private async restart(thread: Thread, code: number): Promise<void> {
    thread.worker = undefined;
    this.options.metrics.analysisThreadRestarts.inc({ thread: String(thread.index) });
    this.options.logger.error({ thread: thread.index, exitCode: code, replayed: thread.log.length }, 'analysis thread died; restarting it, its sessions resume from their checkpoints');
    thread.live.clear();
    if (this.options.crashOnTopicEveryStart !== true) this.crashOnTopic = undefined;
    if (++thread.crashesInARow >= MAX_CRASHES_IN_A_ROW && thread.log.some((m) => m.type === 'batch')) {
      const dropped = this.dropLoggedBatches(thread);
      thread.crashesInARow = 0;
      this.options.metrics.analysisReplayDropped.inc(dropped);
      this.options.logger.error(
        { thread: thread.index, crashes: MAX_CRASHES_IN_A_ROW, droppedMessages: dropped },
        'analysis thread keeps dying in its replay; its replayed messages are dropped and its sessions resume from their stored checkpoints',
      );
    }
    // A thread that dies at once (a broken build, a bad environment) is not restarted in a hot loop.
    const pause = Date.now() - thread.startedMs < RESTART_PAUSE_MS ? RESTART_PAUSE_MS : 0;
    await Promise.all([this.options.durable().catch(() => undefined), new Promise((r) => setTimeout(r, pause))]);
    if (this.closing) return;
    for (const m of thread.log) if ('id' in m && typeof m.id === 'number') thread.replayedThroughId = Math.max(thread.replayedThroughId, m.id);
    this.start(thread);
    thread.queued = thread.pending.topics.length;
    for (const logged of thread.log) {
      const message = logged.type === 'batch' ? { type: 'batch' as const, batch: withoutSessions(logged.batch, thread.ended) } : logged;
      if (message.type === 'batch') thread.queued += message.batch.topics.length;
      thread.worker!.postMessage(message);
    }
    if (this.options.checkpoints === undefined) {
      for (const message of [...thread.commands, ...thread.whileDown.splice(0)]) {
        if (message.type === 'batch') thread.queued += message.batch.topics.length;
        else if (!thread.commands.includes(message)) thread.commands.push(message);
        thread.worker!.postMessage(message);
      }
    }
    this.flush();
  }

  handle(topic: string, payload: Uint8Array): void {
    const parsed = parseTopic(topic);
    // Off-contract topics go to thread 0, which rejects and counts them.
    const thread = this.threads[parsed === undefined ? 0 : sessionThread(`${parsed.athleteId}/${parsed.sessionId}`, this.threads.length)]!;
    thread.pending.topics.push(topic);
    thread.pending.payloads.push(payload);
    thread.pending.arrivedMs.push(performance.timeOrigin + performance.now());
    thread.queued++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends every thread its pending messages as one batch (one buffer of payloads). */
  private flush(): void {
    this.flushScheduled = false;
    for (const thread of this.threads) {
      const { topics, payloads, arrivedMs } = thread.pending;
      if (topics.length === 0) continue;
      const batch = packBatch(topics, payloads, arrivedMs);
      thread.pending = { topics: [], payloads: [], arrivedMs: [] };
      this.send(thread, { type: 'batch', batch });
    }
    this.updateQueueMetrics();
  }

  private send(thread: Thread, message: ToThread): void {
    // In order with everything else sent to this thread, also while it is down (sent again once it is back).
    if (this.options.checkpoints !== undefined) {
      thread.log.push(message);
      if (message.type === 'batch') {
        thread.logBytes += message.batch.bytes.byteLength;
        // Only what a running thread has been given: while it is down the log is also its backlog (bounded by `saturated`).
        if (thread.worker !== undefined && thread.logBytes > this.maxReplayBytes) this.trimLog(thread);
      }
    }
    if (thread.worker === undefined) {
      if (this.options.checkpoints === undefined) thread.whileDown.push(message);
      return;
    }
    if (this.options.checkpoints === undefined && message.type !== 'batch') thread.commands.push(message);
    thread.worker.postMessage(message);
  }

  private receive(thread: Thread, message: FromThread): void {
    const { output, logger } = this.options;
    switch (message.type) {
      case 'output':
        switch (message.method) {
          case 'stride':
            output.stride(message.record as unknown as Parameters<SessionOutput['stride']>[0]);
            return;
          case 'rep':
            output.rep(message.record as unknown as Parameters<SessionOutput['rep']>[0]);
            return;
          case 'alert':
            output.alert(message.record as unknown as Parameters<SessionOutput['alert']>[0]);
            return;
          case 'session': {
            const record = message.record as unknown as Parameters<SessionOutput['session']>[0];
            if (record.endUs !== null) {
              thread.ended.add(`${record.athleteId}/${record.sessionId}`);
              if (thread.ended.size > MAX_ENDED_REMEMBERED) thread.ended.delete(thread.ended.values().next().value!);
            }
            output.session(record);
            return;
          }
          case 'checkpoint':
            output.checkpoint(message.record as CheckpointRecord);
            return;
        }
        return;
      case 'publish':
        if (message.kind === 'live') output.publishLive(message.athleteId, message.sessionId, message.payload);
        else output.publishAlert(message.athleteId, message.sessionId, message.payload);
        return;
      case 'load':
        this.load(thread, message);
        return;
      case 'metrics':
        this.apply(thread, message.ops);
        return;
      case 'log': {
        const { level, time: _time, pid: _pid, hostname: _hostname, service: _service, msg, ...rest } = JSON.parse(message.line) as Record<string, unknown>;
        const label = logger.levels.labels[level as number] as 'info' | undefined;
        logger[label ?? 'info'](rest, msg as string);
        return;
      }
      case 'sessions':
        thread.live = new Map(message.live);
        thread.opening = message.opening;
        return;
      case 'handled':
        thread.queued -= message.messages;
        this.updateQueueMetrics();
        return;
      case 'done': {
        if (thread.commands.length > 0) thread.commands = thread.commands.filter((c) => !('id' in c) || c.id !== message.id);
        const wait = this.waiting.get(message.id);
        if (thread.log.length > 0 && message.covered === true) this.cutLog(thread, message.id);
        if (message.covered === true && message.id > thread.replayedThroughId) thread.crashesInARow = 0;
        if (wait === undefined) return; // a replayed command
        if (wait.answered.has(thread.index)) return;
        wait.answered.add(thread.index);
        wait.covered &&= message.covered !== false;
        if (wait.answered.size === this.threads.length) {
          this.waiting.delete(message.id);
          wait.resolve(wait.covered);
        }
        return;
      }
    }
  }

  /** A covering checkpoint is done: what came before the previous covering one is no longer needed for a replay. */
  private cutLog(thread: Thread, id: number): void {
    const command = thread.log.find((m) => m.type === 'checkpoint' && m.id === id);
    if (command === undefined) return;
    if (thread.lastCut !== undefined) {
      const previous = thread.log.indexOf(thread.lastCut);
      if (previous > 0) {
        for (const m of thread.log.splice(0, previous)) if (m.type === 'batch') thread.logBytes -= m.batch.bytes.byteLength;
      }
    }
    thread.lastCut = command;
  }

  /**
   * The replay log outgrew maxReplayBytes: no checkpoint round has covered this thread for a long while (a
   * session that stays opening — its checkpoint read unanswered — keeps every round from covering). Memory
   * wins over crash recovery: the batches the running thread was given leave the log (commands stay), counted
   * and logged. The live analysis is untouched; should the thread die before a covering checkpoint, its
   * sessions resume from their stored checkpoints with a gap where these messages were.
   */
  private trimLog(thread: Thread): void {
    const bytes = thread.logBytes;
    const dropped = this.dropLoggedBatches(thread);
    this.options.metrics.analysisReplayTrimmed.inc(dropped);
    this.options.logger.error(
      { thread: thread.index, droppedMessages: dropped, bytes, maxReplayBytes: this.maxReplayBytes },
      'analysis thread replay log over its bound with no covering checkpoint (a session stuck opening?); its oldest messages leave it — a crash now would resume its sessions with a gap',
    );
  }

  /**
   * Takes the batches out of a thread's replay log (a poison replay, or past its byte bound); returns how many
   * messages they held. Commands stay: they are awaited (a checkpoint, a suspend) and a replacement answers them.
   */
  private dropLoggedBatches(thread: Thread): number {
    const dropped = thread.log.reduce((n, m) => n + (m.type === 'batch' ? m.batch.topics.length : 0), 0);
    thread.log = thread.log.filter((m) => m.type !== 'batch');
    thread.logBytes = 0;
    return dropped;
  }

  private load(thread: Thread, message: Extract<FromThread, { type: 'load' }>): void {
    const source =
      message.what === 'checkpoint'
        ? this.options.checkpoints?.load(message.athleteId, message.sessionId)
        : this.options.athleteSettings?.load(message.athleteId);
    // The answer goes to the worker that asked, or nowhere: a replacement numbers its reads from 0 again, so a
    // late answer to a dead thread's read would land on another session's read under the same id.
    const asker = thread.worker;
    const reply = (answer: ToThread): void => {
      if (thread.worker === asker) asker?.postMessage(answer);
    };
    Promise.resolve(source).then(
      (value) => reply({ type: 'loaded', id: message.id, value }),
      (error: unknown) => reply({ type: 'loaded', id: message.id, value: undefined, error: (error as Error).message }),
    );
  }

  private apply(thread: Thread, ops: readonly MetricOp[]): void {
    const m = this.options.metrics;
    for (const op of ops) {
      const name = op[0];
      if (op[1] === 'set') {
        if (name === 'sessionsActive') thread.sessionsActive = op[2];
        else if (name === 'bufferedFrames') thread.bufferedFrames = op[2];
      } else if (op[1] === 'inc') (m[name as 'messages'] as { inc(labels: Record<string, string>, value: number): void }).inc(op[3] ?? {}, op[2]);
      else {
        const histogram = m[name as 'analysisLag'] as { observe(value: number): void };
        for (const value of op[2]) histogram.observe(value);
      }
    }
    m.sessionsActive.set(this.threads.reduce((n, t) => n + t.sessionsActive, 0));
    m.bufferedFrames.set(this.threads.reduce((n, t) => n + t.bufferedFrames, 0));
  }

  private updateQueueMetrics(): void {
    for (const t of this.threads) {
      this.options.metrics.analysisQueue.set({ thread: String(t.index) }, t.queued);
      this.options.metrics.analysisReplayBytes.set({ thread: String(t.index) }, t.logBytes);
    }
  }

  get saturated(): boolean {
    const now = this.threads.some((t) => t.queued > this.maxQueued);
    if (now && !this.wasSaturated) this.options.metrics.analysisHolds.inc();
    this.wasSaturated = now;
    return now;
  }

  /** Messages queued per thread (sent or pending, not yet analysed). */
  queueDepths(): number[] {
    return this.threads.map((t) => t.queued);
  }

  tick(held = false): void {
    this.flush();
    // Not logged for a replay: a restarted thread's clocks move on with the next tick.
    for (const thread of this.threads) thread.worker?.postMessage({ type: 'tick', held } satisfies ToThread);
  }

  get activeSessions(): number {
    return this.threads.reduce((n, t) => n + t.live.size, 0);
  }

  session(athleteId: string, sessionId: string): { readonly strides: number } | undefined {
    const key = `${athleteId}/${sessionId}`;
    const strides = this.threads[sessionThread(key, this.threads.length)]!.live.get(key);
    return strides === undefined ? undefined : { strides };
  }

  /** Sends a command to every thread after their pending messages; resolves when all have done it. */
  private command(make: (id: number) => ToThread): Promise<boolean> {
    this.flush();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, { answered: new Set(), covered: true, resolve });
      for (const thread of this.threads) this.send(thread, make(id));
    });
  }

  checkpointAll(drain: boolean): Promise<boolean> {
    if (this.options.checkpoints === undefined) return Promise.resolve(true);
    return this.command((id) => ({ type: 'checkpoint', id, drain }));
  }

  stopIntake(): Promise<boolean> {
    return this.command((id) => ({ type: 'stopIntake', id }));
  }

  async settled(): Promise<void> {
    await this.command((id) => ({ type: 'settled', id }));
  }

  async suspendAll(): Promise<void> {
    await this.command((id) => ({ type: 'suspend', id }));
  }

  async closeAll(reason: EndReason): Promise<void> {
    await this.command((id) => ({ type: 'close', id, reason }));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker?.terminate()));
  }
}
