import { isSensorId, type SensorId, type Side } from '@gaitwatch/protocol/core';
import { ReleaseQueue, type AnalysisEvent, type SummaryEvent, type TimedEvent } from './analysis-events.ts';
import { describeAnalysis, type AnalysisDescription } from './describe.ts';
import type { GaitEventDetector } from './events/detector.ts';
import { ShankEventDetector } from './events/shank-events.ts';
import { FormMonitor } from './form/form-monitor.ts';
import { bridgeReachUs } from './input/recent-samples.ts';
import { DEFAULT_PARAMS, mergeParams, validateParams, type AnalyzerParams, type DeepPartial } from './params.ts';
import { SessionQuality } from './quality/session-quality.ts';
import type { PelvisTracker } from './segments/pelvis-tracker.ts';
import type { ShankTracker } from './segments/shank-tracker.ts';
import { CHANNELS, SensorTrack } from './sensor-track.ts';
import { alertContext } from './session/alerts.ts';
import { ClockCoordinator } from './session/clock-coordinator.ts';
import { GapBridge } from './session/gap-bridge.ts';
import { checkHistoryLengths, HistoryRetention } from './session/history-retention.ts';
import { NONE, ReleaseGate } from './session/release-gate.ts';
import { sensorParts } from './session/sensor-parts.ts';
import { SessionStats } from './session/session-stats.ts';
import { SHANK_SIDE, shanksWorn } from './session/sides.ts';
import { checkSnapshot, restoreSnapshot, takeSnapshot, type AnalyzerSnapshot } from './session/snapshot.ts';
import { StanceMeter } from './session/stance-meter.ts';
import { StrideAssembler } from './session/stride-assembler.ts';
import { Arena, enterArena, float64Array, leaveArena } from './signal/arena.ts';

export interface AnalyzerOptions {
  /**
   * The sensors the session wears (the status `start` message says). A
   * sensor left out that sends data anyway joins them from its first sample
   * (the summary's `unannouncedSensors` names it).
   */
  readonly sensors?: readonly SensorId[];
  readonly athleteId?: string;
  readonly sessionId?: string;
  /** This athlete's absolute pelvic-drop limit, degrees (default: params.form.pelvicDropLimitDeg). */
  readonly pelvicDropLimitDeg?: number;
}

/**
 * Samples of a sensor between moves of its recent-sample bound (a power of
 * two: the check is a mask). Each move is a few comparisons; the ring holds
 * this many samples beyond what a bridge reaches back to (16 B each).
 */
const RETAIN_EVERY = 32;

/**
 * Streaming analysis of one session. Feed samples in time order per sensor
 * (sensors may interleave in any way); strides come out in time order. The
 * output depends only on the samples, never on how they were chunked.
 *
 * The façade: it owns the per-sensor state (tracks, segments, detectors),
 * runs each sample through it, and wires the session's parts (session/*),
 * each of which holds its own state, so a snapshot walks them all.
 */
export class SessionAnalyzer {
  readonly params: AnalyzerParams;
  /** Where the session's small typed arrays are carved from (signal/arena.ts). */
  private readonly arena = new Arena();
  private readonly tracks = new Map<SensorId, SensorTrack>();
  private readonly detectors = new Map<SensorId, GaitEventDetector>();
  private pelvis: PelvisTracker | undefined;
  private readonly shanks = new Map<Side, ShankTracker>();
  /** Strides, alerts and pelvis contacts found, in time order, waiting for release. */
  private readonly unreleased = new ReleaseQueue();
  /** Contacts into strides, pending stances, pelvis stand-ins (session/stride-assembler.ts). */
  private readonly strides: StrideAssembler;
  /** What the closing summary counts of the released output (session/session-stats.ts). */
  private readonly stats = new SessionStats();
  /** The data_quality alerts' monitors (quality/session-quality.ts). */
  private readonly quality: SessionQuality;
  private readonly form: FormMonitor;
  /** The metrics of released strides and what watches them (session/stance-meter.ts). */
  private readonly meter: StanceMeter;
  /** The sensors' clocks judged against each other (session/clock-coordinator.ts). */
  private readonly clocks: ClockCoordinator;
  /** Short gaps filled in so attitude and detectors carry across (session/gap-bridge.ts). */
  private readonly bridge: GapBridge;
  /** What goes out when, measured (session/release-gate.ts). */
  private readonly gate: ReleaseGate;
  /** What the angle histories may drop (session/history-retention.ts). */
  private readonly retention: HistoryRetention;
  /** The newest accepted sample, µs. */
  private newestUs = Number.NEGATIVE_INFINITY;
  /** The latest advanceTo time, µs. */
  private clockUs = Number.NEGATIVE_INFINITY;
  /** Calls (rows or frames) for a sensor id outside the contract, ignored. */
  private unknownSensorPushes = 0;
  /**
   * The session's sensors: those declared (options.sensors), then each other
   * sensor of the contract as its first sample comes (in that order). The
   * parts read this one array — what gates the release, what is watched for
   * silence, whether shanks are worn — so a sensor the `start` forgot is
   * taken up as if declared, not half of it. Grows only in trackOf; not in
   * a snapshot (SKIP): restore rebuilds it from the options and the tracks.
   */
  private readonly worn: SensorId[];
  /** pushSample's and pushFrame's row, and the session's time for checkSilence: typed cells, so no double crosses a call boxed. */
  private readonly scratchRow: Float64Array;
  private readonly nowScratch: Float64Array;

  /**
   * @param options.sensors the sensors the session wears (the status `start`
   *   message says): strides wait for every expected shank, so the output does
   *   not depend on which sensor's data happens to arrive first. Without it the
   *   analyzer learns the sensors as they appear (fine for a time-ordered file);
   *   with it, a sensor it leaves out is learnt the same way when it sends data
   *   (its data is the runner's: a phone's incomplete `start` must not cost the
   *   knee proxy, nor mix a shank's contacts into pelvis-only strides).
   */
  constructor(
    params: DeepPartial<AnalyzerParams> = {},
    private readonly options: AnalyzerOptions = {},
  ) {
    // Everything the session builds now or as its data comes is carved from its own arena (signal/arena.ts).
    const outer = enterArena(this.arena);
    try {
      this.scratchRow = float64Array(CHANNELS);
      this.nowScratch = float64Array(1);
      this.worn = [...(options.sensors ?? [])];
      this.params = mergeParams(DEFAULT_PARAMS, params);
      validateParams(this.params, params);
      checkHistoryLengths(this.params);
      if (options.pelvicDropLimitDeg !== undefined && !(options.pelvicDropLimitDeg > 0 && options.pelvicDropLimitDeg < 45)) {
        throw new RangeError(`pelvicDropLimitDeg must be degrees between 0 and 45, got ${options.pelvicDropLimitDeg}`);
      }
      this.quality = new SessionQuality(this.params, this.tracks, { ...options, sensors: this.worn }, (alert) => this.unreleased.add(alert));
      const silentBeforeUs = (): number => this.silentBeforeUs();
      this.strides = new StrideAssembler({
        params: this.params,
        tracks: this.tracks,
        shanks: this.shanks,
        queue: this.unreleased,
        sensors: this.worn,
        readShankEarly: (stride, lastContactUs) => this.meter.readShankEarly(stride, lastContactUs),
        newestUs: () => this.newestUs,
        silentBeforeUs,
      });
      this.clocks = new ClockCoordinator({ tracks: this.tracks, quality: this.quality, silentBeforeUs });
      this.retention = new HistoryRetention({
        maxStrideS: this.params.maxStrideS,
        tracks: this.tracks,
        queue: this.unreleased,
        earliestPendingUs: () => this.strides.earliestPendingUs(),
        segmentOf: (sensor) => this.segmentOf(sensor),
      });
      this.bridge = new GapBridge({ gapPeriods: this.params.gapPeriods, strideUsOf: (sensor) => this.strides.strideUsOf(sensor) });
      this.meter = new StanceMeter(
        { params: this.params, sensors: this.worn, tracks: this.tracks, shanks: this.shanks, quality: this.quality, lastContactUs: this.strides.lastContactUs, pelvis: () => this.pelvis },
        alertContext(options),
      );
      this.form = new FormMonitor(this.params.form, {
        athleteId: options.athleteId ?? 'unknown',
        sessionId: options.sessionId ?? 'unknown',
        pelvicDropLimitDeg: options.pelvicDropLimitDeg ?? this.params.form.pelvicDropLimitDeg,
      });
      this.gate = new ReleaseGate({ params: this.params, sensors: this.worn, tracks: this.tracks, queue: this.unreleased, strides: this.strides, meter: this.meter, form: this.form, silentBeforeUs });
    } finally {
      leaveArena(outer);
    }
  }

  /** One sample: t (µs), ax ay az (m/s²), gx gy gz (rad/s). Returns the events it released (usually none). */
  pushSample(sensor: SensorId, tUs: number, ax: number, ay: number, az: number, gx: number, gy: number, gz: number): readonly TimedEvent[] {
    const row = this.scratchRow;
    row[0] = tUs;
    row[1] = ax;
    row[2] = ay;
    row[3] = az;
    row[4] = gx;
    row[5] = gy;
    row[6] = gz;
    return this.pushRows(sensor, row, 0, 1);
  }

  /**
   * `count` consecutive sample rows of one sensor from `buf`, starting at
   * `offset`, each row t, ax, ay, az, gx, gy, gz (7 values). The fast path:
   * only indices cross function boundaries, so V8 never boxes a double per sample.
   */
  pushRows(sensor: SensorId, buf: Float64Array, offset: number, count: number): readonly TimedEvent[] {
    const outer = enterArena(this.arena);
    try {
      return this.pushRowsIn(sensor, buf, offset, count);
    } finally {
      leaveArena(outer);
    }
  }

  private pushRowsIn(sensor: SensorId, buf: Float64Array, offset: number, count: number): readonly TimedEvent[] {
    const track = this.trackOf(sensor);
    if (track === undefined) return NONE;
    let released: TimedEvent[] | undefined;
    for (let i = 0, o = offset; i < count; i++, o += CHANNELS) {
      this.pushRow(track, buf, o);
      released = this.releaseDue(track, released);
    }
    return released ?? NONE;
  }

  /**
   * A decoded protocol frame (ImuFrame of @gaitwatch/protocol): `count`
   * samples of `sensor`, the i-th at t0Us + i × periodUs, `samples` holding
   * ax, ay, az, gx, gy, gz per sample (6 values). Read in place: no row
   * array is built, each sample passes through one preallocated scratch row.
   */
  pushFrame(sensor: SensorId, t0Us: number, periodUs: number, samples: Float64Array, count = samples.length / 6): readonly TimedEvent[] {
    const outer = enterArena(this.arena);
    try {
      return this.pushFrameIn(sensor, t0Us, periodUs, samples, count);
    } finally {
      leaveArena(outer);
    }
  }

  private pushFrameIn(sensor: SensorId, t0Us: number, periodUs: number, samples: Float64Array, count: number): readonly TimedEvent[] {
    const track = this.trackOf(sensor);
    if (track === undefined) return NONE;
    const row = this.scratchRow;
    let released: TimedEvent[] | undefined;
    for (let i = 0, s = 0; i < count; i++, s += 6) {
      row[0] = Math.round(t0Us + i * periodUs);
      for (let c = 0; c < 6; c++) row[c + 1] = samples[s + c]!;
      this.pushRow(track, row, 0);
      released = this.releaseDue(track, released);
    }
    return released ?? NONE;
  }

  /**
   * The session's clock moved to `nowUs` (µs, the data's time base) without
   * data, as a live service calls it when a session's messages stop: sensors
   * whose last sample is older than silentAfterS are silent (their
   * data_quality alert is raised) and stop holding the release back, so the
   * strides and alerts already found come out — at most silentAfterS +
   * releaseAfterS after the data stopped. A `nowUs` earlier than the newest
   * data changes nothing. Strides closed here because their sensor fell
   * silent keep no stride time even if its data arrives later.
   */
  advanceTo(nowUs: number): readonly TimedEvent[] {
    if (!(nowUs > this.clockUs) || !Number.isFinite(nowUs)) return NONE;
    this.clockUs = nowUs;
    this.nowScratch[0] = this.sessionNowUs();
    const outer = enterArena(this.arena);
    try {
      this.quality.checkSilence(this.nowScratch);
      return this.release(false);
    } finally {
      leaveArena(outer);
    }
  }

  /** The session's time: its newest accepted sample, or what advanceTo said when later, µs. */
  private sessionNowUs(): number {
    return this.clockUs > this.newestUs ? this.clockUs : this.newestUs;
  }

  /** The track of a sensor of the contract; an unknown id's samples are counted and ignored (undefined). */
  private trackOf(sensor: SensorId): SensorTrack | undefined {
    let track = this.tracks.get(sensor);
    if (track !== undefined) return track;
    if (!isSensorId(sensor)) {
      this.unknownSensorPushes++;
      return undefined;
    }
    track = new SensorTrack(sensor, this.params);
    this.tracks.set(sensor, track);
    if (!this.worn.includes(sensor)) this.worn.push(sensor);
    this.gate.sensorsChanged();
    return track;
  }

  /** After each sample: the histories told what to keep, and what is ready released, appended to `released` (created only when something is). */
  private releaseDue(track: SensorTrack, released: TimedEvent[] | undefined): TimedEvent[] | undefined {
    this.retention.check(track);
    if (!this.gate.due(track)) return released;
    const out = this.release(false);
    if (out.length === 0) return released;
    const into = released ?? [];
    for (let i = 0; i < out.length; i++) into.push(out[i]!);
    return into;
  }

  /** One sample row at `at`: its clock, its track's conditioning and quality watch, then its segment and detector (a short gap bridged first). */
  private pushRow(track: SensorTrack, rows: Float64Array, at: number): void {
    // A time that is no number at all (NaN, ±Infinity) is bad input, not a clock to judge.
    if (!Number.isFinite(rows[at]!)) {
      track.invalid++;
      return;
    }
    const buf = this.clocks.admit(track, rows, at);
    if (buf === null) return;
    const o = buf === rows ? at : 0;
    const flatBefore = track.flatLined;
    const verdict = track.accept(buf, o);
    if (track.flatLined !== flatBefore) this.quality.flatChanged(track, buf[o]!);
    if (track.laterStandingNew) {
      // A shank that calibrated from running stood still: its knee proxy gets its standing reference.
      track.laterStandingNew = false;
      this.segmentOf(track.sensor)?.recalibrate(track.laterStanding!);
      const detector = this.detectors.get(track.sensor);
      if (detector instanceof ShankEventDetector) detector.setUp(track.laterStanding!.upSensor);
    }
    if (verdict === 'drop') return;
    this.clocks.accepted(track);
    const tUs = buf[o]!;
    if (tUs > this.newestUs) this.newestUs = tUs;
    this.quality.watch(track, buf, o);
    if (verdict === 'held') {
      if (track.calibration !== undefined) this.startDetector(track);
      return;
    }
    // What a bridge of this sensor's next gap can reach back to, checked by its own sample count (not the other sensors').
    if ((track.samples & (RETAIN_EVERY - 1)) === 0) track.recent.retainFrom(tUs - bridgeReachUs(this.strides.strideUsOf(track.sensor)), RETAIN_EVERY);
    // The segment first: the pelvis detector reads its world-frame vertical of this sample.
    const segment = this.segmentOf(track.sensor);
    const detector = this.detectors.get(track.sensor);
    const world = track.sensor === 'pelvis' ? this.pelvis?.vertical : undefined;
    if (verdict === 'bridge') this.bridge.bridge(track, buf, o, segment, detector, world);
    if (segment !== undefined) {
      if (verdict === 'gap') segment.reset();
      segment.push(buf, o);
    }
    if (detector !== undefined) {
      if (verdict === 'gap') detector.reset();
      detector.push(buf, o, world);
    }
  }

  /** A sensor calibrated: its segment and detector start, and replay what it held while calibrating. */
  private startDetector(track: SensorTrack): void {
    const calibration = track.calibration!;
    if (this.quality.checkAccelerometerUnits(track.sensor, track.lastTUs, calibration.gravityMps2, calibration.quality === 'standing')) this.meter.accUnitsSuspect.add(track.sensor);
    const parts = sensorParts(track, this.params, () => shanksWorn(this.worn), this.strides, this.unreleased);
    if (parts.side !== undefined) this.shanks.set(parts.side, parts.segment);
    else this.pelvis = parts.segment;
    const { segment, detector } = parts;
    // Restored after a later stand: the detector's axial direction is the stand's (the segment's reference comes back with its state).
    if (track.laterStanding !== undefined && detector instanceof ShankEventDetector) detector.setUp(track.laterStanding.upSensor);
    this.detectors.set(track.sensor, detector);
    const world = track.sensor === 'pelvis' ? this.pelvis?.vertical : undefined;
    track.drainHeld((buf, o) => {
      segment.push(buf, o);
      detector.push(buf, o, world);
    });
  }

  /** Releases what is ready (`all`: everything), counted for the summary. */
  private release(all: boolean): readonly TimedEvent[] {
    const out = this.gate.release(all);
    this.stats.count(out);
    return out;
  }

  /** A sensor whose last sample is older than this is silent: silentAfterS behind the newest sample, µs. */
  private silentBeforeUs(): number {
    return this.sessionNowUs() - this.params.silentAfterS * 1e6;
  }

  /**
   * The session's state as plain JSON-serialisable data (session/snapshot.ts),
   * for a checkpoint: a restarted or another worker continues the session
   * with SessionAnalyzer.restore(). Costs a walk of the state (~tens of KB):
   * call it every few seconds, not per message.
   */
  snapshot(): AnalyzerSnapshot {
    return takeSnapshot(this.params, this.options, this.tracks, this);
  }

  /** What produces this session's numbers (package, version, parameters, per-session limit): stored with the session, cited by exports. */
  describe(): AnalysisDescription {
    return describeAnalysis(this.params, { pelvicDropLimitDeg: this.options.pelvicDropLimitDeg });
  }

  /**
   * Continues a session from its snapshot. What is carried: calibration,
   * attitude, mounting, clocks, baselines, episodes, monitors, unreleased
   * strides, summary statistics. What re-syncs from the data that follows:
   * the event detectors (a leg's stance whose report was pending at the cut
   * and the one in progress may be missed, up to three in all; pelvis-only contacts need the side filter's ~3 s) and the angle
   * histories (strides whose windows reach back before the cut — those still
   * unreleased, up to releaseAfterS + a stride — have no angles). A short
   * pause between the cut and the next data is bridged like any gap; a long
   * one re-levels the attitude. A stride spanning a stance the restarted
   * detectors missed is judged as one across a gap (no stride time). The
   * pelvis's mounting estimate reads its step from the restarted detector:
   * the pelvis's metrics may differ in their last digit afterwards, and a
   * snapshot from before the step was known learns the mounting later.
   * @throws TypeError for something that is not a snapshot of this version
   */
  static restore(snapshot: unknown): SessionAnalyzer {
    checkSnapshot(snapshot);
    const analyzer = new SessionAnalyzer(snapshot.params, snapshot.options as AnalyzerOptions);
    const outer = enterArena(analyzer.arena);
    try {
      restoreSnapshot(
        analyzer,
        snapshot,
        (sensor) => analyzer.trackOf(sensor as SensorId),
        (track) => analyzer.startDetector(track),
      );
    } finally {
      leaveArena(outer);
    }
    return analyzer;
  }

  /** Ends the session: flushes what is pending and returns the remaining strides and the summary. */
  finish(): AnalysisEvent[] {
    for (const track of this.tracks.values()) {
      // A flat-lined sensor's few samples are not a calibration (gravity 0 would read as wrong units).
      if (track.calibration === undefined && !track.flatLined) {
        track.flushCalibration();
        if (track.calibration !== undefined) this.startDetector(track);
      }
    }
    // The pelvis detector holds its last contacts back for its side filter's delay.
    for (const detector of this.detectors.values()) detector.finish();
    this.strides.closeAll();
    const rest: AnalysisEvent[] = [...this.release(true)];
    rest.push(this.summary());
    return rest;
  }

  private segmentOf(sensor: SensorId): PelvisTracker | ShankTracker | undefined {
    return sensor === 'pelvis' ? this.pelvis : this.shanks.get(SHANK_SIDE[sensor]!);
  }

  private summary(): SummaryEvent {
    return this.stats.summary({
      tracks: this.tracks,
      mountingOf: (id) => this.segmentOf(id)?.mountingEstimate,
      anglesWithheldSOf: (id) => this.segmentOf(id)?.anglesWithheldS,
      mountingWaitSOf: (id) => this.segmentOf(id)?.mountingWaitS,
      unknownSensorPushes: this.unknownSensorPushes,
      declaredSensors: this.options.sensors,
      invalidStrides: this.strides.outOfOrderContacts + this.gate.invalidStrides,
      sidesSwappedFromUs: this.meter.sideCheck.swappedFromUs,
      baselines: this.form.baselines(),
    });
  }
}
