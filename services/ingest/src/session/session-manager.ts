import { DEFAULT_SCREEN_PARAMS, type AlertEvent, type StrideEvent } from '@gaitwatch/dsp';
import { buildTopic, decodeImu, decodeStatus, parseTopic, RepMetricsSchema, TOPIC_KINDS, type RejectionReason, type SessionTopic, type Status, type TopicKind } from '@gaitwatch/protocol';
import type { AthleteSettings, CheckpointRecord, JsonObject } from '@gaitwatch/storage';
import type { Logger } from 'pino';
import type { IngestMetrics } from '../metrics.ts';
import { RateLimitedLog } from '../rate-limited-log.ts';
import type { AnalyzerFactory, RepEvent } from './analyzer-factory.ts';
import { CHECKPOINT_VERSION, LiveSession, type EndReason, type LiveSessionOptions, type SessionCheckpoint, type SessionSink } from './live-session.ts';

/** What the manager needs of the outside world: storage and the broker. */
export interface SessionOutput {
  stride(record: StrideEvent & { athleteId: string; sessionId: string }): void;
  /**
   * One rep of a movement screen (stored as measurement `rep`). The service always takes them; an output
   * without it (a test's that only looks at runs) leaves reps unstored, though still published on `live`.
   */
  rep(record: RepEvent & { athleteId: string; sessionId: string }): void;
  alert(record: AlertEvent): void;
  session(record: { athleteId: string; sessionId: string; startUs: number; endUs: number | null; summary: JsonObject }): void;
  checkpoint(record: CheckpointRecord): void;
  publishLive(athleteId: string, sessionId: string, payload: string): void;
  publishAlert(athleteId: string, sessionId: string, payload: string): void;
}

/**
 * Where checkpoints come back from: the latest checkpoint of a session that
 * is still open in the store, or undefined (none, closed, another format).
 */
export interface CheckpointSource {
  load(athleteId: string, sessionId: string): Promise<SessionCheckpoint | undefined>;
}

/**
 * Where an athlete's settings come from when a session opens (the store's
 * athlete record, written through the API): undefined when there are none.
 */
export interface AthleteSettingsSource {
  load(athleteId: string): Promise<AthleteSettings | undefined>;
}

/**
 * The athlete's thresholds for a session opening afresh, and where each came from. A run's `pelvic_drop_high`
 * limit: the coach's setting wins over the phone's runner profile; neither, the analysis default. A screen's
 * `level`/`dropping` threshold: the coach's `screenPelvicDropLevelMaxDeg`, else the screen analysis default
 * (5°, dsp's screen-params.ts, with its source in dsp's screen README).
 */
export function sessionThresholds(
  start: Extract<Status, { state: 'start' }> | undefined,
  settings: AthleteSettings | undefined,
): { pelvicDropLimitDeg: number | undefined; limitSource: 'athlete' | 'runner_profile' | 'default'; pelvicDropLevelMaxDeg: number | undefined; levelSource: 'athlete' | 'default' } {
  const fromProfile = start?.runnerProfile?.pelvicDropLimitDeg;
  const level = settings?.screenPelvicDropLevelMaxDeg;
  return {
    pelvicDropLimitDeg: settings?.pelvicDropLimitDeg ?? fromProfile,
    limitSource: settings?.pelvicDropLimitDeg !== undefined ? 'athlete' : fromProfile !== undefined ? 'runner_profile' : 'default',
    pelvicDropLevelMaxDeg: level,
    levelSource: level !== undefined ? 'athlete' : 'default',
  };
}

/**
 * How long a session waits after its device's last will (`lost`) for data to
 * come back before it ends, s (at most the idle timeout). A will does not
 * mean the run is over: a broker that restarts publishes the will of every
 * client connected to it (Mosquitto 2.0 does, on a clean shutdown), and a
 * phone that lost its network for a few seconds reconnects and goes on.
 * Ended at once, one run became several sessions (an operator probe: a 4 s
 * Mosquitto restart split a run into three, the last one calibrated from
 * tired running and missing two of its four alerts).
 */
export const LOST_GRACE_S = 30;

/** Messages held per session while its checkpoint is being read (a few ms from the store); past it they are refused. */
const MAX_HELD_WHILE_OPENING = 10_000;

export interface SessionManagerOptions {
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  readonly output: SessionOutput;
  readonly idleTimeoutS: number;
  /** Overrides LOST_GRACE_S (tests). */
  readonly lostGraceS?: number;
  readonly jitterMs: number;
  readonly jitterMaxFrames: number;
  /** Contract topics remembered with their parsed parts (topicOf), at most; default TOPIC_MEMORY. */
  readonly topicMemory?: number;
  /**
   * Turns checkpointing on: sessions are checkpointed every few seconds
   * (checkpointAll) and at shutdown (suspendAll, instead of finishing them), and a
   * session opened here continues from its checkpoint when the store has one.
   */
  readonly checkpoints?: CheckpointSource;
  /**
   * The athlete's settings, read once when a session opens (not for a session
   * continued from a checkpoint: it keeps the analyzer it had). The athlete's
   * `pelvicDropLimitDeg` (set by their coach) wins over the one a runner
   * profile in the `start` status carries; with neither, the analysis default.
   * A screen's verdict threshold is the athlete's `screenPelvicDropLevelMaxDeg`,
   * else the screen analysis default (sessionThresholds).
   */
  readonly athleteSettings?: AthleteSettingsSource;
  readonly nowMs?: () => number;
  /** How long opening a session waits for its checkpoint and settings reads, ms (default LOAD_TIMEOUT_MS); then it opens without them. */
  readonly loadTimeoutMs?: number;
  /** How each session's analyzer is made for its activity (default: analyzer-factory.ts's createAnalyzer / restoreAnalyzer). */
  readonly analyzers?: AnalyzerFactory;
}

/** Sessions closed by `stop` are remembered this long so a re-sent frame does not reopen them, ms. */
const CLOSED_MEMORY_MS = 10 * 60_000;
const CLOSED_MEMORY_MAX = 10_000;

type StatusKey = `${string}/${string}`;

/** A contract topic's parts and the key of its session. */
interface KnownTopic {
  readonly parsed: SessionTopic;
  readonly key: StatusKey;
}

/** Topics remembered at most (topicOf): ~3 per live session, so 16k covers thousands of sessions in ~3 MB. */
const TOPIC_MEMORY = 16_384;

/** One label object per topic kind: a literal per message was garbage, and MetricBuffer keys a label set by its object. */
const KIND_LABELS = Object.fromEntries(TOPIC_KINDS.map((kind) => [kind, Object.freeze({ kind })])) as Record<TopicKind, Readonly<{ kind: TopicKind }>>;

/**
 * Opening a session waits this long for its reads, ms: the InfluxDB client gives up on a request after 5 s
 * and the local store answers at once, so a read still pending at 15 s is stuck and will not answer.
 */
const LOAD_TIMEOUT_MS = 15_000;

/** `promise` (undefined: resolved with undefined), or a rejection naming `what` once it has not settled within `ms`. */
function timeLimited<T>(promise: Promise<T> | undefined, ms: number, what: string): Promise<T | undefined> {
  if (promise === undefined) return Promise.resolve(undefined);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not answered within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The input counters LiveSession.inputTotals sums: samples, stale samples, gaps, missing samples, clock-jumped frames. */
const INPUT_COUNTERS = 5;

/**
 * All live sessions of this process, keyed by athlete/session: messages are
 * dispatched here by topic kind, a session is created on `start` or its first
 * data, and closed on `stop`, `lost` with no data after it (LOST_GRACE_S), an idle timeout or shutdown, its
 * summary written as a SessionRecord.
 */
export class SessionManager {
  private readonly sessions = new Map<StatusKey, LiveSession>();
  private readonly topics = new Map<string, KnownTopic>();
  /** The per-message input counters before and after a frame (countInput). */
  private readonly inputBefore = new Float64Array(INPUT_COUNTERS);
  private readonly inputAfter = new Float64Array(INPUT_COUNTERS);
  /** Sessions whose checkpoint is being read, with the messages that arrived meanwhile (in order). */
  private readonly opening = new Map<StatusKey, { topic: string; payload: Uint8Array }[]>();
  private readonly loads = new Set<Promise<void>>();
  /** Sessions ended by `stop`: late or re-sent data for them is dropped, not a new session. */
  private readonly stopped = new Map<StatusKey, number>();
  private readonly nowMs: () => number;
  private readonly rejectLog: RateLimitedLog;
  private readonly sink: SessionSink;
  private accepting = true;
  private readonly observeFrameMs = (ms: number): void => this.options.metrics.frameLatency.observe(ms / 1000);

  constructor(private readonly options: SessionManagerOptions) {
    this.nowMs = options.nowMs ?? Date.now;
    this.rejectLog = new RateLimitedLog(options.logger, 10_000, this.nowMs);
    const { metrics, output } = options;
    this.sink = {
      stride: (session, stride) => {
        metrics.strides.inc();
        const record = { ...stride, athleteId: session.athleteId, sessionId: session.sessionId };
        output.stride(record);
        const { kind: _kind, ...live } = record;
        output.publishLive(session.athleteId, session.sessionId, JSON.stringify(live));
      },
      rep: (session, rep) => {
        // Checked against the contract before it is stored or published: a rep the store would refuse would
        // take the whole write batch (strides of other sessions included) down with it.
        const checked = RepMetricsSchema.safeParse(rep);
        if (!checked.success) {
          const issue = checked.error.issues[0];
          this.reject('rep', 'invalid_rep', `analysis emitted a rep off the contract: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
          return;
        }
        metrics.reps.inc({ side: rep.side });
        // The contract's fields only (zod drops the rest): what is stored and published is exactly a LiveRep, and
        // the live payload keeps `kind: "rep"`, so consumers tell it from a stride.
        const record = { ...checked.data, kind: 'rep' as const, athleteId: session.athleteId, sessionId: session.sessionId };
        output.rep(record);
        output.publishLive(session.athleteId, session.sessionId, JSON.stringify(record));
      },
      alert: (session, alert) => {
        metrics.alerts.inc({ type: alert.type, phase: alert.phase });
        output.alert(alert);
        const { kind: _kind, ...payload } = alert;
        output.publishAlert(session.athleteId, session.sessionId, JSON.stringify(payload));
        session.logger.info({ type: alert.type, metric: alert.metric, phase: alert.phase, severity: alert.severity }, 'alert');
      },
    };
  }

  /** Topics remembered now (topicOf): bounded by the topicMemory option. */
  get rememberedTopics(): number {
    return this.topics.size;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Every live session's key (athlete/session) and strides so far (an analysis thread reports them to the main thread). */
  liveStrides(): [string, number][] {
    return [...this.sessions].map(([key, session]) => [key, session.strides]);
  }

  session(athleteId: string, sessionId: string): LiveSession | undefined {
    return this.sessions.get(`${athleteId}/${sessionId}`);
  }

  /** One MQTT message. Never throws: bad input is counted and logged (rate-limited). */
  handle(topic: string, payload: Uint8Array): void {
    if (!this.accepting) return;
    const started = performance.now();
    const known = this.topicOf(topic);
    if (known === undefined) {
      this.reject('unknown', 'bad_topic', `topic is off the contract (${topic.length} chars)`);
      return;
    }
    this.options.metrics.messages.inc(KIND_LABELS[known.parsed.kind]);
    // guarded() inline: a closure per message was a third of this method's garbage.
    try {
      this.dispatch(topic, known, payload);
    } catch (error) {
      this.internalError(known.parsed.kind, error);
    }
    this.options.metrics.analysisLag.observe((performance.now() - started) / 1000);
  }

  /**
   * A topic's parts and its session key, remembered by topic string: every
   * message of a session comes under the same two or three topics, and
   * parsing them again (a split, four strings, a key) was ~1 KB of garbage per
   * message on an analysis thread. Only contract topics are kept, at most
   * TOPIC_MEMORY of them (then forgotten all at once and learnt again).
   */
  private topicOf(topic: string): KnownTopic | undefined {
    let known = this.topics.get(topic);
    if (known === undefined) {
      const parsed = parseTopic(topic);
      if (parsed === undefined) return undefined;
      known = { parsed, key: `${parsed.athleteId}/${parsed.sessionId}` };
      if (this.topics.size >= (this.options.topicMemory ?? TOPIC_MEMORY)) this.topics.clear();
      this.topics.set(topic, known);
    }
    return known;
  }

  /**
   * Runs `work`; an exception (a bug in a stage, never bad input, which is
   * rejected before) is counted as `internal_error`, logged rate-limited,
   * and never reaches mqtt.js or the timer: one broken session must not take
   * the process with it.
   */
  private guarded(kind: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.internalError(kind, error);
    }
  }

  private internalError(kind: string, error: unknown): void {
    this.reject(kind, 'internal_error', `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300));
  }

  private dispatch(topic: string, { parsed, key }: KnownTopic, payload: Uint8Array): void {
    const held = this.opening.get(key);
    if (held !== undefined && (parsed.kind === 'imu' || parsed.kind === 'status')) {
      if (held.length < MAX_HELD_WHILE_OPENING) held.push({ topic, payload });
      else this.reject(parsed.kind, 'overflow', `${key}: more than ${MAX_HELD_WHILE_OPENING} messages while its checkpoint loads`);
      return;
    }
    switch (parsed.kind) {
      case 'imu':
        this.onImu(key, parsed.athleteId, parsed.sessionId, payload);
        break;
      case 'status':
        this.onStatus(key, parsed.athleteId, parsed.sessionId, payload);
        break;
      case 'alerts':
      case 'live':
        // Our own output (a broad subscription); nothing to do.
        return;
    }
  }

  private reject(kind: string, reason: RejectionReason | 'bad_topic' | 'after_stop' | 'overflow' | 'internal_error' | 'invalid_rep' | 'unknown_session' | 'implausible_distance', detail: string): void {
    this.options.metrics.rejected.inc({ kind, reason });
    this.rejectLog.warn(`${kind}:${reason}`, { kind, reason, detail }, 'message rejected');
  }

  private onImu(key: StatusKey, athleteId: string, sessionId: string, payload: Uint8Array): void {
    const decoded = decodeImu(payload);
    if (!decoded.ok) {
      this.reject('imu', decoded.reason, decoded.detail);
      return;
    }
    let session = this.sessions.get(key);
    if (session === undefined) {
      if (this.stopped.has(key)) {
        this.reject('imu', 'after_stop', `data for ${key} after its stop`);
        return;
      }
      if (this.loadsOnOpen) {
        this.openLoaded(key, athleteId, sessionId, undefined, { topic: buildTopic(athleteId, sessionId, 'imu'), payload }, decoded.frame);
        return;
      }
      session = this.open(athleteId, sessionId, undefined, decoded.frame);
    }
    if (!Number.isNaN(session.lostAtMs)) {
      session.lostAtMs = Number.NaN;
      session.logger.info('data again after the device’s last will: the session goes on');
    }
    session.inputTotals(this.inputBefore);
    const fresh = session.onFrame(decoded.frame);
    if (!fresh) this.options.metrics.duplicateFrames.inc();
    this.countInput(session, this.inputBefore);
  }

  private onStatus(key: StatusKey, athleteId: string, sessionId: string, payload: Uint8Array): void {
    const decoded = decodeStatus(payload);
    if (!decoded.ok) {
      this.reject('status', decoded.reason, decoded.detail);
      return;
    }
    const status: Status = decoded.status;
    const session = this.sessions.get(key);
    switch (status.state) {
      case 'start':
        if (session !== undefined) {
          // Data came first (the start was lost or delayed): keep the running analysis.
          session.lastActivityMs = this.nowMs();
          session.logger.info({ startedBy: session.startedBy }, 'start for a session already running; kept as is');
          return;
        }
        this.stopped.delete(key);
        if (this.loadsOnOpen) this.openLoaded(key, athleteId, sessionId, status, { topic: buildTopic(athleteId, sessionId, 'status'), payload });
        else this.open(athleteId, sessionId, status);
        return;
      case 'stop':
      case 'lost':
        if (session === undefined) {
          // A stop delivered again (QoS 1 redelivery) for a session already ended here: nothing to do.
          if (this.stopped.has(key)) return;
          // A session suspended into a checkpoint (a restart, a rebalance) ends where it left off, with the phone's
          // distance: the stop is the message that resumes it, as data would.
          if (this.options.checkpoints !== undefined) this.openLoaded(key, athleteId, sessionId, undefined, { topic: buildTopic(athleteId, sessionId, 'status'), payload }, undefined, true);
          else this.reject('status', 'unknown_session', `${status.state} for ${key}, which is not running here`);
          return;
        }
        if (status.state === 'lost') {
          // Ended only if no data comes back within the grace (tick): see LOST_GRACE_S.
          if (Number.isNaN(session.lostAtMs)) session.logger.info({ graceS: this.lostGraceS }, 'device’s last will (lost): the session ends unless its data comes back');
          session.lostAtMs = this.nowMs();
          return;
        }
        this.close(key, session, 'stop', status.distanceM, status.tUs);
        this.rememberStopped(key);
        return;
    }
  }

  /** The wait after a last will, s: LOST_GRACE_S, or the tests' own, never past the idle timeout. */
  private get lostGraceS(): number {
    return Math.min(this.options.lostGraceS ?? LOST_GRACE_S, this.options.idleTimeoutS);
  }

  /** True when opening a session reads the store first (its checkpoint, the athlete's settings). */
  private get loadsOnOpen(): boolean {
    return this.options.checkpoints !== undefined || this.options.athleteSettings !== undefined;
  }

  /**
   * Reads the session's checkpoint and the athlete's settings (whichever are
   * configured, together), holding its messages meanwhile (the first one
   * included), then opens it — continued from the checkpoint when there is
   * one for this run — and hands it the held messages in order. A read that
   * fails, or does not answer within loadTimeoutMs, opens the session anyway:
   * afresh, or with the default settings (its messages must not wait on a
   * store that hangs, nor its thread's replay log grow behind them).
   */
  private openLoaded(
    key: StatusKey,
    athleteId: string,
    sessionId: string,
    start: Extract<Status, { state: 'start' }> | undefined,
    first: { topic: string; payload: Uint8Array },
    firstFrame?: Parameters<LiveSession['onFrame']>[0],
    /** `first` is a stop/lost: resume only from a checkpoint, never open a session just to end it. */
    resumeOnly = false,
  ): void {
    const held = [first];
    this.opening.set(key, held);
    const limitMs = this.options.loadTimeoutMs ?? LOAD_TIMEOUT_MS;
    const checkpointLoad = timeLimited(this.options.checkpoints?.load(athleteId, sessionId), limitMs, 'checkpoint read').catch((error: unknown) => {
      this.options.logger.warn({ athleteId, sessionId, err: { message: (error as Error).message } }, 'checkpoint unreadable; starting the session afresh');
      return undefined;
    });
    const settingsLoad = timeLimited(this.options.athleteSettings?.load(athleteId), limitMs, 'athlete settings read').catch((error: unknown) => {
      this.options.logger.warn({ athleteId, sessionId, err: { message: (error as Error).message } }, 'athlete settings unreadable; opening the session with the defaults');
      return undefined;
    });
    const load = Promise.all([checkpointLoad, settingsLoad])
      .then(([checkpoint, settings]) => {
        this.opening.delete(key);
        if (!this.accepting) return;
        // A start of another run under the same id (its time differs) begins afresh.
        const usable = checkpoint !== undefined && (start === undefined || checkpoint.startUs === start.tUs) ? checkpoint : undefined;
        if (resumeOnly && usable === undefined) {
          // A stop for a session neither running nor checkpointed: counted, and the messages that came after it go on as usual.
          this.reject('status', 'unknown_session', `end of ${key}, which is not running here and has no checkpoint`);
          held.shift();
        } else {
          this.open(athleteId, sessionId, start, firstFrame, usable, settings);
          // The start that opened it is not handed over again (it logged "start for a session already running").
          if (start !== undefined) held.shift();
        }
        for (const message of held) {
          const known = this.topicOf(message.topic)!;
          this.guarded(known.parsed.kind, () => this.dispatch(message.topic, known, message.payload));
        }
      })
      .finally(() => this.loads.delete(load));
    this.loads.add(load);
  }

  /** Resolves when no checkpoint is being read (shutdown waits for it). */
  async settled(): Promise<void> {
    while (this.loads.size > 0) await Promise.all([...this.loads]);
  }

  private open(
    athleteId: string,
    sessionId: string,
    start: Extract<Status, { state: 'start' }> | undefined,
    firstFrame?: Parameters<LiveSession['onFrame']>[0],
    checkpoint?: SessionCheckpoint,
    settings?: AthleteSettings,
  ): LiveSession {
    const key: StatusKey = `${athleteId}/${sessionId}`;
    const logger = this.options.logger.child({ athleteId, sessionId });
    const thresholds = sessionThresholds(start, settings);
    const options: LiveSessionOptions = {
      athleteId,
      sessionId,
      ...(start !== undefined ? { start } : {}),
      ...(thresholds.pelvicDropLimitDeg !== undefined ? { pelvicDropLimitDeg: thresholds.pelvicDropLimitDeg } : {}),
      ...(thresholds.pelvicDropLevelMaxDeg !== undefined ? { pelvicDropLevelMaxDeg: thresholds.pelvicDropLevelMaxDeg } : {}),
      jitterMs: this.options.jitterMs,
      jitterMaxFrames: this.options.jitterMaxFrames,
      logger,
      sink: this.sink,
      nowMs: this.nowMs,
      ...(this.options.analyzers !== undefined ? { analyzers: this.options.analyzers } : {}),
      observeFrameMs: this.observeFrameMs,
    };
    let session: LiveSession;
    try {
      session = new LiveSession(options, firstFrame, checkpoint);
    } catch (error) {
      if (checkpoint === undefined) throw error;
      // A checkpoint its analyzer cannot continue (another analyzer's snapshot, e.g. a screen checkpointed before
      // screens had their own analyzer, or another snapshot version): the session goes on afresh, not nowhere.
      logger.warn({ err: { message: (error as Error).message }, activity: checkpoint.activity ?? 'run' }, 'checkpoint cannot be restored; starting the session afresh');
      session = new LiveSession(options, firstFrame);
    }
    this.sessions.set(key, session);
    this.options.metrics.sessionsActive.set(this.sessions.size);
    // The threshold that applies to this activity's verdicts, and where it came from (resumed: the analyzer's own).
    const applied =
      session.activity === 'screen'
        ? { pelvicDropLevelMaxDeg: thresholds.pelvicDropLevelMaxDeg ?? DEFAULT_SCREEN_PARAMS.pelvicDropLevelMaxDeg, levelSource: thresholds.levelSource }
        : { pelvicDropLimitDeg: thresholds.pelvicDropLimitDeg, limitSource: thresholds.limitSource };
    logger.info({ startedBy: session.startedBy, activity: session.activity, sensors: start?.sensors, startUs: session.startUs, resumed: session.resumed, ...(session.resumed ? {} : applied) }, 'session opened');
    if (session.resumed) return session;
    this.options.output.session({
      athleteId,
      sessionId,
      startUs: session.startUs,
      endUs: null,
      summary: { state: 'running', startedBy: session.startedBy, activity: session.activity, analysis: session.analyzer.describe() as unknown as JsonObject, ...(start !== undefined ? { start: start as unknown as JsonObject } : {}) },
    });
    return session;
  }

  /**
   * `distanceM`: the phone's GPS distance from its `stop`, kept in the summary (training load, onset distance)
   * unless it is faster over the session than anybody runs: then it is kept aside as `gpsDistanceRejected`,
   * counted and logged, and the load estimates the distance as for a phone that sent none.
   */
  private close(key: StatusKey, session: LiveSession, reason: EndReason, distanceM?: number, stopUs?: number): void {
    // Out of the map first: a session whose finish() failed is not tried again.
    this.sessions.delete(key);
    const before = new Float64Array(INPUT_COUNTERS);
    session.inputTotals(before);
    const { summary, input, endUs } = session.finish(reason);
    this.countInput(session, before);
    this.options.metrics.sessionsActive.set(this.sessions.size);
    this.options.metrics.sessionsClosed.inc({ reason });
    const distance = plausibleDistance(distanceM, session.startUs, Math.max(endUs ?? session.startUs, stopUs ?? Number.NEGATIVE_INFINITY));
    if (distance.rejected !== undefined) this.reject('status', 'implausible_distance', `${session.athleteId}/${session.sessionId}: ${distance.rejected.distanceM} m in ${distance.rejected.durationS} s is faster than ${MAX_SESSION_SPEED_MPS} m/s: kept aside, not used as the run's distance`);
    this.options.output.session({
      athleteId: session.athleteId,
      sessionId: session.sessionId,
      startUs: session.startUs,
      endUs,
      summary: { ...(summary as unknown as JsonObject), analysis: session.analyzer.describe() as unknown as JsonObject, state: 'closed', endReason: reason, startedBy: session.startedBy, activity: session.activity, resumed: session.resumed, ...(distance.accepted !== undefined ? { gpsDistanceM: distance.accepted } : {}), ...(distance.rejected !== undefined ? { gpsDistanceRejected: distance.rejected } : {}), ingest: input as unknown as JsonObject },
    });
  }

  private rememberStopped(key: StatusKey): void {
    this.stopped.set(key, this.nowMs());
    if (this.stopped.size > CLOSED_MEMORY_MAX) this.stopped.delete(this.stopped.keys().next().value!);
  }

  /** Adds what one call changed in the session's input counters to the process metrics. */
  private countInput(session: LiveSession, before: Float64Array): void {
    const after = this.inputAfter;
    session.inputTotals(after);
    const m = this.options.metrics;
    if (after[0]! > before[0]!) m.samples.inc(after[0]! - before[0]!);
    if (after[1]! > before[1]!) m.staleSamples.inc(after[1]! - before[1]!);
    if (after[2]! > before[2]!) m.gaps.inc(after[2]! - before[2]!);
    if (after[3]! > before[3]!) m.missingSamples.inc(after[3]! - before[3]!);
    if (after[4]! > before[4]!) {
      m.rejected.inc({ kind: 'imu', reason: 'clock_jump' }, after[4]! - before[4]!);
      this.rejectLog.warn('imu:clock_jump', { kind: 'imu', reason: 'clock_jump', detail: `${session.athleteId}/${session.sessionId}: a frame far ahead of its sensor's stream, which went on where it was` }, 'message rejected');
    }
  }

  /** The timer: releases buffers, moves session clocks, closes idle sessions (neither while `held`: SessionHost.tick). */
  tick(held = false): void {
    const now = this.nowMs();
    let buffered = 0;
    for (const [key, session] of this.sessions) {
      if (!held && now - session.lostAtMs >= this.lostGraceS * 1000) {
        session.logger.info({ graceS: this.lostGraceS }, 'no data since the device’s last will: closing');
        this.guarded('timer', () => this.close(key, session, 'lost'));
        continue;
      }
      if (!held && now - session.lastActivityMs >= this.options.idleTimeoutS * 1000) {
        session.logger.info({ idleS: this.options.idleTimeoutS }, 'session idle: closing');
        this.guarded('timer', () => this.close(key, session, 'idle'));
        continue;
      }
      session.inputTotals(this.inputBefore);
      this.guarded('timer', () => session.tick(held));
      this.countInput(session, this.inputBefore);
      buffered += session.bufferedFrames();
    }
    this.options.metrics.bufferedFrames.set(buffered);
    for (const [key, at] of this.stopped) {
      if (now - at < CLOSED_MEMORY_MS) break;
      this.stopped.delete(key);
    }
  }

  /**
   * The periodic checkpoint (no-op unless checkpointing is on). `drain`: the
   * jitter buffers are emptied into the analyzers first, so the checkpoint
   * holds every message taken so far (acknowledge-at-checkpoint); a frame
   * arriving later than the drained edge is then stale.
   */
  checkpointAll(drain = false): void {
    this.checkpointRound(drain).step(Number.POSITIVE_INFINITY);
  }

  /**
   * The periodic checkpoint in steps: the sessions open now, checkpointed a
   * few at a time by `step(n)` (true once all are done; a session closed in
   * between is skipped — its close wrote its final state). A checkpoint is
   * ~44 KB of JSON and 1–1.7 ms a session, so checkpointing 200 sessions at
   * once held an analysis thread for 0.2–0.35 s every period, and every frame
   * that arrived meanwhile waited (the bench's processing-latency p99); an
   * analysis thread steps through the round between its batches instead.
   * A session checkpointed later in the round also holds the messages it took
   * in between: a checkpoint covers at least what was handed over before the
   * round began, which is what a thread's replay needs. A draining round
   * (acknowledge-at-checkpoint) must hold exactly what its acknowledgements
   * release, so its caller takes it in one step (analysis-worker.ts).
   */
  checkpointRound(drain = false): { step(sessions: number): boolean } {
    if (this.options.checkpoints === undefined) return { step: () => true };
    const due = [...this.sessions];
    let next = 0;
    return {
      step: (sessions) => {
        for (let done = 0; next < due.length && done < sessions; next++, done++) {
          const [key, session] = due[next]!;
          if (this.sessions.get(key) === session) this.guarded('timer', () => this.writeCheckpoint(session, drain));
        }
        return next >= due.length;
      },
    };
  }

  /** Sessions whose checkpoint is being read: their messages are held in memory, in no checkpoint yet. */
  get openingSessions(): number {
    return this.opening.size;
  }

  private writeCheckpoint(session: LiveSession, drain: boolean): void {
    const before = new Float64Array(INPUT_COUNTERS);
    session.inputTotals(before);
    const data = Buffer.from(JSON.stringify(session.checkpoint(drain)), 'utf8');
    this.countInput(session, before);
    this.options.output.checkpoint({ athleteId: session.athleteId, sessionId: session.sessionId, startUs: session.startUs, atUs: this.nowMs() * 1000, version: CHECKPOINT_VERSION, data });
  }

  /**
   * Shutdown with checkpointing: every session's buffers drained into its
   * analyzer and checkpointed, not finished — the next worker continues it.
   */
  suspendAll(): void {
    for (const session of this.sessions.values()) {
      this.guarded('shutdown', () => this.writeCheckpoint(session, true));
      session.logger.info({ strides: session.strides }, 'session checkpointed for the next worker');
    }
    this.sessions.clear();
    this.options.metrics.sessionsActive.set(0);
  }

  /** Stops taking messages (shutdown): later ones are left to the broker's persistent session. */
  stopIntake(): void {
    this.accepting = false;
  }

  /** Closes every session (shutdown): checkpoint, flush, summary. */
  closeAll(reason: EndReason): void {
    for (const [key, session] of [...this.sessions]) this.guarded('shutdown', () => this.close(key, session, reason));
  }
}

/**
 * The fastest average speed a whole session's GPS distance is believed at, m/s: above the 100 m world record's
 * average (10.4 m/s), so no real run is refused, while a distance from a wrong unit, a GPS jump or a stop that
 * reports a longer run than was made is.
 */
export const MAX_SESSION_SPEED_MPS = 10.5;

/** The phone's distance, accepted, or rejected with what made it implausible (start to stop, whichever later of data and `stop`). */
export function plausibleDistance(distanceM: number | undefined, startUs: number, endUs: number): { accepted?: number; rejected?: { distanceM: number; durationS: number } } {
  if (distanceM === undefined) return {};
  const durationS = Math.max(0, (endUs - startUs) / 1e6);
  if (distanceM > MAX_SESSION_SPEED_MPS * durationS) return { rejected: { distanceM, durationS: Math.round(durationS * 10) / 10 } };
  return { accepted: distanceM };
}
