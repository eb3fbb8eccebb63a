import type { AlertEvent, StrideEvent } from '@gaitwatch/dsp';
import type { ImuFrame, SensorId, StatusStart } from '@gaitwatch/protocol';
import type { Logger } from 'pino';
import { DEFAULT_ANALYZERS, type AnalyzerFactory, type HostedAnalyzer, type HostedEvent, type HostedSummary, type RepEvent } from './analyzer-factory.ts';
import { SensorInput, type ReleasedFrame, type SensorInputStats } from './sensor-input.ts';

/** Format of ingest's checkpoint envelope (CheckpointRecord.version); the analyzer's snapshot inside has its own. */
export const CHECKPOINT_VERSION = 1;

/** What a checkpoint holds: the analyzer's snapshot and ingest's own per-session state. JSON, stored as UTF-8. */
export interface SessionCheckpoint {
  readonly startUs: number;
  readonly startedBy: 'status' | 'data';
  /** The start's activity (absent in checkpoints written before it was kept: a run). */
  readonly activity?: 'run' | 'screen';
  readonly strides: number;
  /** Reps emitted so far (absent in checkpoints written before screens: none). */
  readonly reps?: number;
  readonly alerts: number;
  readonly dataUs: number | null;
  readonly inputs: Record<string, ReturnType<SensorInput['checkpoint']>>;
  /** The analyzer's own snapshot, restored by the same kind of analyzer (analyzer-factory.ts). */
  readonly analyzer: unknown;
}

/** Why a session ended (stored in its summary). */
export type EndReason = 'stop' | 'lost' | 'idle' | 'shutdown';

/** Where a session's results go: the session manager wires it to the store and MQTT. */
export interface SessionSink {
  stride(session: LiveSession, stride: StrideEvent): void;
  /** One rep of a movement screen. */
  rep(session: LiveSession, rep: RepEvent): void;
  alert(session: LiveSession, alert: AlertEvent): void;
}

export interface LiveSessionOptions {
  readonly athleteId: string;
  readonly sessionId: string;
  /** The `start` status, when it came before the data. */
  readonly start?: StatusStart;
  /**
   * This athlete's absolute pelvic-drop limit, degrees, as the session manager
   * chose it (athlete settings, else the start's runner profile); absent: the
   * analysis default.
   */
  readonly pelvicDropLimitDeg?: number;
  /**
   * A screen's `level`/`dropping` threshold for this athlete, degrees, as the
   * session manager chose it (athlete settings); absent: the screen analysis
   * default (dsp's screen-params.ts). A run ignores it.
   */
  readonly pelvicDropLevelMaxDeg?: number;
  readonly jitterMs: number;
  readonly jitterMaxFrames: number;
  readonly logger: Logger;
  readonly sink: SessionSink;
  /** Wall clock, ms (injectable for tests). */
  readonly nowMs: () => number;
  /** How the analyzer is made for the session's activity (default: analyzer-factory.ts's). */
  readonly analyzers?: AnalyzerFactory;
  /** Called per frame handed to the analyzer with the time since it arrived, ms (jitter buffer + analysis). */
  readonly observeFrameMs?: (ms: number) => void;
}

/**
 * One live session: its sensors' input stages (dedupe + jitter buffer) in
 * front of one analyzer (SessionAnalyzer for a run, ScreenAnalyzer for a
 * screen: analyzer-factory.ts), and the session's data clock for advanceTo.
 * Single-threaded and synchronous: everything slow (store, MQTT) is the
 * sink's business.
 */
export class LiveSession {
  readonly athleteId: string;
  readonly sessionId: string;
  /** The sample period the start announced, µs (undefined: no start seen by this process). */
  private readonly announcedPeriodUs: number | undefined;
  readonly logger: Logger;
  readonly analyzer: HostedAnalyzer;
  /** Session start, µs: the start status's time, else the first frame's. Stable: it is the stored session's identity. */
  readonly startUs: number;
  readonly startedBy: 'status' | 'data';
  /** What the start said the session is (DESIGN.md): a run unless it said `screen`; kept in the summary so training load counts runs only. */
  readonly activity: 'run' | 'screen';
  private readonly inputs = new Map<SensorId, SensorInput>();
  /** The same inputs as a list: summed per message (inputTotals) without an iterator. */
  private readonly inputList: SensorInput[] = [];
  /** Newest sample time handed to the analyzer, µs, and the wall time it arrived, ms. */
  private dataUs = Number.NEGATIVE_INFINITY;
  private dataArrivedMs = 0;
  /** The last tick the intake was held at: the data clock runs on from here, not from before the hold (tick). */
  private heldAtMs = Number.NEGATIVE_INFINITY;
  /** Wall time of the last message (data or status) for the idle timeout, ms. */
  lastActivityMs: number;
  /** Wall time the device's last will (`lost`) came with no data since, ms; NaN: none (session-manager.ts LOST_GRACE_S). */
  lostAtMs = Number.NaN;
  strides = 0;
  reps = 0;
  alerts = 0;
  private finished = false;

  /** True when the session continues from a checkpoint. */
  readonly resumed: boolean;

  /**
   * @param checkpoint a SessionCheckpoint of this session (from the store):
   *   the analyzer is restored from it — calibration, fresh-legs baselines,
   *   alert episodes — instead of starting afresh.
   */
  constructor(
    private readonly options: LiveSessionOptions,
    firstFrame?: ImuFrame,
    checkpoint?: SessionCheckpoint,
  ) {
    this.athleteId = options.athleteId;
    this.sessionId = options.sessionId;
    this.logger = options.logger;
    const start = options.start;
    this.announcedPeriodUs = start !== undefined ? 1e6 / start.sampleRateHz : undefined;
    this.lastActivityMs = options.nowMs();
    this.resumed = checkpoint !== undefined;
    if (checkpoint !== undefined) {
      this.startedBy = checkpoint.startedBy;
      this.activity = checkpoint.activity ?? 'run';
      this.startUs = checkpoint.startUs;
      this.strides = checkpoint.strides;
      this.reps = checkpoint.reps ?? 0;
      this.alerts = checkpoint.alerts;
      this.analyzer = (options.analyzers ?? DEFAULT_ANALYZERS).restore(this.activity, checkpoint.analyzer);
      for (const [sensor, state] of Object.entries(checkpoint.inputs)) this.inputOf(sensor as SensorId).restore(state);
      if (checkpoint.dataUs !== null) {
        this.dataUs = checkpoint.dataUs;
        this.dataArrivedMs = options.nowMs();
      }
      return;
    }
    this.startedBy = start !== undefined ? 'status' : 'data';
    this.activity = start?.activity ?? 'run';
    this.startUs = start?.tUs ?? firstFrame?.t0Us ?? options.nowMs() * 1000;
    this.analyzer = (options.analyzers ?? DEFAULT_ANALYZERS).create(
      this.activity,
      {},
      {
        athleteId: this.athleteId,
        sessionId: this.sessionId,
        ...(start !== undefined ? { sensors: start.sensors } : {}),
        ...(options.pelvicDropLimitDeg !== undefined ? { pelvicDropLimitDeg: options.pelvicDropLimitDeg } : {}),
        ...(options.pelvicDropLevelMaxDeg !== undefined ? { pelvicDropLevelMaxDeg: options.pelvicDropLevelMaxDeg } : {}),
      },
    );
  }

  private inputOf(sensor: SensorId): SensorInput {
    let input = this.inputs.get(sensor);
    if (input === undefined) {
      input = new SensorInput(sensor, { jitterUs: this.options.jitterMs * 1000, jitterMs: this.options.jitterMs, maxFrames: this.options.jitterMaxFrames });
      this.inputs.set(sensor, input);
      this.inputList.push(input);
    }
    return input;
  }

  /** A decoded frame; false when it was a duplicate (same sensor, seq and t0). */
  onFrame(frame: ImuFrame): boolean {
    const nowMs = this.options.nowMs();
    this.lastActivityMs = nowMs;
    const input = this.inputOf(frame.sensor);
    const announcedUs = this.announcedPeriodUs;
    if (announcedUs !== undefined && Math.abs(frame.periodUs - announcedUs) > 0.05 * announcedUs && input.stats.periodMismatchFrames++ === 0) {
      this.logger.warn({ sensor: frame.sensor, framePeriodUs: frame.periodUs, announcedRateHz: this.options.start!.sampleRateHz }, 'frames disagree with the sample rate the start announced; analysed at the frames’ rate');
    }
    const fresh = input.offer(frame, nowMs);
    input.release(nowMs, this.feed);
    return fresh;
  }

  /** Pushes a released frame through the analyzer and hands what comes out to the sink. */
  private readonly feed = (frame: ReleasedFrame): void => {
    const lastUs = Math.round(frame.t0Us + (frame.count - 1) * frame.periodUs);
    if (lastUs > this.dataUs) {
      this.dataUs = lastUs;
      this.dataArrivedMs = this.options.nowMs();
    }
    this.deliver(this.analyzer.pushFrame(frame.sensor, frame.t0Us, frame.periodUs, frame.samples, frame.count));
    this.options.observeFrameMs?.(this.options.nowMs() - frame.arrivedMs);
  };

  private deliver(events: readonly HostedEvent[]): HostedSummary | undefined {
    let summary: HostedSummary | undefined;
    for (const event of events) {
      switch (event.kind) {
        case 'stride':
          this.strides++;
          this.options.sink.stride(this, event);
          break;
        case 'rep':
          this.reps++;
          this.options.sink.rep(this, event);
          break;
        case 'alert':
          this.alerts++;
          this.options.sink.alert(this, event);
          break;
        case 'summary':
          summary = event;
          break;
      }
    }
    return summary;
  }

  /**
   * The timer's call: releases frames that waited long enough, then moves the
   * analyzer's clock to the session's data time — the newest sample plus the
   * wall time since it arrived — so strides and silence alerts come out when
   * the data stops. `held`: the intake is holding messages back, so the
   * clock stands at the newest sample (and the session is not idle) until
   * data flows again — otherwise a few seconds of our own back-pressure would
   * read as every sensor falling silent, and the strides around it would lose
   * their stride times.
   */
  tick(held = false): void {
    if (this.finished) return;
    const nowMs = this.options.nowMs();
    for (const input of this.inputs.values()) input.release(nowMs, this.feed);
    if (held) {
      this.lastActivityMs = nowMs;
      this.heldAtMs = nowMs;
      return;
    }
    if (this.dataUs === Number.NEGATIVE_INFINITY) return;
    this.deliver(this.analyzer.advanceTo(this.dataUs + (nowMs - Math.max(this.dataArrivedMs, this.heldAtMs)) * 1000));
  }

  /** Data time lag: how far (ms, wall) the newest analysed sample is behind now. */
  lagMs(): number {
    return this.dataUs === Number.NEGATIVE_INFINITY ? 0 : this.options.nowMs() - this.dataArrivedMs;
  }

  /**
   * Input counters summed over sensors into `into`: samples analysed, stale
   * samples dropped, gaps, missing samples, frames dropped for a clock jump. Into a caller's array: the
   * session manager reads them twice per message.
   */
  inputTotals(into: Float64Array): void {
    let samples = 0;
    let stale = 0;
    let gaps = 0;
    let missing = 0;
    let jumped = 0;
    const inputs = this.inputList;
    for (let i = 0; i < inputs.length; i++) {
      const stats = inputs[i]!.stats;
      samples += stats.samples;
      stale += stats.staleSamples;
      gaps += stats.gaps;
      missing += stats.missingSamples;
      jumped += stats.jumpedFrames;
    }
    into[0] = samples;
    into[1] = stale;
    into[2] = gaps;
    into[3] = missing;
    into[4] = jumped;
  }

  /** Frames waiting in the jitter buffers. */
  bufferedFrames(): number {
    let n = 0;
    for (const input of this.inputs.values()) n += input.depth;
    return n;
  }

  /**
   * The session's state for a checkpoint. `drain` first hands every held
   * frame to the analyzer (shutdown: those frames were acknowledged to the
   * broker, so only the checkpoint can carry them); the periodic checkpoint
   * leaves the buffers alone (a crash loses them along with everything
   * acknowledged since the checkpoint before).
   */
  checkpoint(drain: boolean): SessionCheckpoint {
    if (drain) {
      const nowMs = this.options.nowMs();
      for (const input of this.inputs.values()) input.release(nowMs, this.feed, true);
    }
    return {
      startUs: this.startUs,
      startedBy: this.startedBy,
      activity: this.activity,
      strides: this.strides,
      reps: this.reps,
      alerts: this.alerts,
      dataUs: Number.isFinite(this.dataUs) ? this.dataUs : null,
      inputs: Object.fromEntries([...this.inputs].map(([sensor, input]) => [sensor, input.checkpoint()])),
      analyzer: this.analyzer.snapshot(),
    };
  }

  /**
   * Ends the session: flushes the buffers and the analyzer; returns the summary (a run's, or a screen's with
   * `activity: 'screen'`) with ingest's own input counts.
   */
  finish(reason: EndReason): { summary: HostedSummary; input: Record<string, SensorInputStats & { completenessPct: number | null }>; endUs: number } {
    this.finished = true;
    const nowMs = this.options.nowMs();
    for (const input of this.inputs.values()) input.release(nowMs, this.feed, true);
    const summary = this.deliver(this.analyzer.finish())!;
    const input = Object.fromEntries([...this.inputs].map(([sensor, i]) => [sensor, { ...i.stats, completenessPct: i.completenessPct() }]));
    const endUs = Number.isFinite(this.dataUs) ? Math.max(this.dataUs, this.startUs) : this.startUs;
    this.logger.info({ reason, strides: this.strides, reps: this.reps, alerts: this.alerts }, 'session closed');
    return { summary, input, endUs };
  }
}
