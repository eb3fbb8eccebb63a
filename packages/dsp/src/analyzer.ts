import { isSensorId, SENSOR_IDS, type Alert, type SensorId, type Side } from '@gaitwatch/protocol/core';
import { StanceMeter, STRIDE_END_MARGIN_US } from './session/stance-meter.ts';
import { alertContext } from './session/alerts.ts';
import { buildSummary } from './summary.ts';
import { ReleaseQueue, timeOf, type AnalysisEvent, type Candidate, type QueuedEvent, type StrideEvent, type SummaryEvent, type TimedEvent } from './analysis-events.ts';
import { PelvisFallback } from './pelvis-fallback.ts';
import { SessionQuality } from './quality/session-quality.ts';
import { PelvisEventDetector } from './events/pelvis-events.ts';
import { ShankEventDetector } from './events/shank-events.ts';
import type { GaitEventDetector } from './events/detector.ts';
import { describeAnalysis, type AnalysisDescription } from './describe.ts';
import { DEFAULT_PARAMS, validateParams, type AnalyzerParams } from './params.ts';
import { Histogram } from './signal/histogram.ts';
import { CHANNELS, SensorTrack } from './sensor-track.ts';
import { bridgeReachUs } from './input/recent-samples.ts';
import { PelvisTracker } from './segments/pelvis-tracker.ts';
import { ShankTracker } from './segments/shank-tracker.ts';
import { FormMonitor } from './form/form-monitor.ts';
import { checkSnapshot, restoreSnapshot, takeSnapshot, type AnalyzerSnapshot } from './session/snapshot.ts';
import { Arena, enterArena, float64Array, float64From, leaveArena } from './signal/arena.ts';


/** Returned when a sample releases nothing: one shared empty array, not a new one per sample. */
const NONE: readonly TimedEvent[] = Object.freeze([]);

/** A stance as the detectors report it; toe-off is unknown in pelvis-only mode. */
interface Stance {
  readonly icUs: number;
  readonly toUs: number | null;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Defaults overlaid with the overrides, at any depth (parameters are plain data). */
function mergeParams<T extends object>(defaults: T, overrides: DeepPartial<T>): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) {
    const base = (defaults as Record<string, unknown>)[key];
    out[key] = typeof base === 'object' && base !== null && typeof value === 'object' && value !== null ? mergeParams(base, value) : value;
  }
  return out as T;
}

/** A shank "has data" around a pelvis contact when its samples cover ± this, s. */
const CANDIDATE_COVER_S = 0.5;

/** A time difference for a message: "3600.0 s ahead of" / "2.5 s behind". */
const describeJump = (dUs: number): string => `${Math.abs(dUs / 1e6).toFixed(1)} s ${dUs >= 0 ? 'ahead of' : 'behind'}`;

/** An interval across a gap this many times the last stride, or more, has lost a contact in the gap. */
const MISSED_CONTACT_STRIDES = 1.5;

/** What a shank's history keeps beyond the latest a stride can close (maxStrideS + releaseAfterS): the stance's own span, s. */
const SHANK_HISTORY_MARGIN_S = 0.5;

/** How often (in data time) finished events are released, µs: 20 ms of latency at most. */
const RELEASE_CHECK_US = 20_000;
/** What the histories keep before the earliest contact a later read can start at (a stance metric reads a few records around its window), µs. */
const RETAIN_MARGIN_US = 500_000;
/** How often (data time) the histories are told what to keep: a later bound only keeps a little more, µs. */
const RETAIN_CHECK_US = 250_000;

const SIDES: readonly Side[] = ['left', 'right'];
const other = (side: Side): Side => (side === 'left' ? 'right' : 'left');
const SHANK_OF: Record<Side, SensorId> = { left: 'shank_left', right: 'shank_right' };

const SHANK_SIDE: Partial<Record<SensorId, Side>> = { shank_left: 'left', shank_right: 'right' };

export interface AnalyzerOptions {
  /** The sensors the session wears (the status `start` message says). */
  readonly sensors?: readonly SensorId[];
  readonly athleteId?: string;
  readonly sessionId?: string;
  /** This athlete's absolute pelvic-drop limit, degrees (default: params.form.pelvicDropLimitDeg). */
  readonly pelvicDropLimitDeg?: number;
}

/**
 * Streaming analysis of one session. Feed samples in time order per sensor
 * (sensors may interleave in any way); strides come out in time order. The
 * output depends only on the samples, never on how they were chunked.
 */
export class SessionAnalyzer {
  readonly params: AnalyzerParams;
  /** Where the session's small typed arrays are carved from (signal/arena.ts). */
  private readonly arena = new Arena();
  private readonly tracks = new Map<SensorId, SensorTrack>();
  private readonly detectors = new Map<SensorId, GaitEventDetector>();
  private pelvis: PelvisTracker | undefined;
  private readonly shanks = new Map<Side, ShankTracker>();
  private readonly pendingStance = new Map<Side, Stance>();
  private readonly unreleased = new ReleaseQueue();
  private readonly fallback: PelvisFallback;
  /** Summary statistics, in constant memory (1 ms bins). */
  private readonly strideTimes = new Histogram(0, 3, 0.001);
  private readonly contactTimes = new Histogram(0, 2, 0.001);
  private readonly strideCounts = { left: 0, right: 0 };
  /** Per-side medians for the summary's left/right comparison (0.5 ms, 0.01° bins). */
  private readonly perSide = {
    left: { gctS: new Histogram(0, 2, 0.0005), pelvicDropDeg: new Histogram(-20, 40, 0.01), shankFrontalDeg: new Histogram(-20, 40, 0.01) },
    right: { gctS: new Histogram(0, 2, 0.0005), pelvicDropDeg: new Histogram(-20, 40, 0.01), shankFrontalDeg: new Histogram(-20, 40, 0.01) },
  };
  private alertCount = 0;
  private readonly quality: SessionQuality;
  /** Cache of gating(); reset when the set of tracks or the mode changes. */
  private gatingSensors: readonly SensorId[] | undefined;
  private nextReleaseCheckUs = Number.NEGATIVE_INFINITY;
  private readonly scratchRow: Float64Array;

  private newestUs = Number.NEGATIVE_INFINITY;
  private readonly form: FormMonitor;
  /** The metrics of released strides and what watches them (session/stance-meter.ts). */
  private readonly meter: StanceMeter;

  /**
   * @param options.sensors the sensors the session wears (the status `start`
   *   message says): strides wait for every expected shank, so the output does
   *   not depend on which sensor's data happens to arrive first. Without it the
   *   analyzer learns the sensors as they appear (fine for a time-ordered file).
   */
  constructor(
    params: DeepPartial<AnalyzerParams> = {},
    private readonly options: AnalyzerOptions = {},
  ) {
    // Everything the session builds now or as its data comes is carved from its own arena (signal/arena.ts).
    const outer = enterArena(this.arena);
    try {
      this.scratchRow = float64Array(CHANNELS);
      this.bridgeRow = float64Array(CHANNELS);
      this.mappedRow = float64Array(CHANNELS);
      this.nowScratch = float64Array(1);
      this.lastScratch = float64Array(1);
      this.params = mergeParams(DEFAULT_PARAMS, params);
      validateParams(this.params, params);
      const { releaseAfterS, silentAfterS, maxStrideS } = this.params;
      const neededS = releaseAfterS + 2 * silentAfterS + maxStrideS / 2;
      if (!(this.params.segments.historyS >= neededS)) {
        throw new RangeError(`segments.historyS (${this.params.segments.historyS} s) must be at least releaseAfterS + 2 × silentAfterS + maxStrideS / 2 = ${neededS} s, or stride metrics would depend on how sensors interleave`);
      }
      // A stopped leg's stance closes maxStrideS + releaseAfterS after its contact; its angles are read then.
      const shankNeededS = maxStrideS + releaseAfterS + SHANK_HISTORY_MARGIN_S;
      if (!(this.params.segments.shankHistoryS >= shankNeededS)) {
        throw new RangeError(`segments.shankHistoryS (${this.params.segments.shankHistoryS} s) must be at least maxStrideS + releaseAfterS + ${SHANK_HISTORY_MARGIN_S} = ${shankNeededS} s, or a stopped leg's last stance would lose its knee proxy`);
      }
      if (options.pelvicDropLimitDeg !== undefined && !(options.pelvicDropLimitDeg > 0 && options.pelvicDropLimitDeg < 45)) {
        throw new RangeError(`pelvicDropLimitDeg must be degrees between 0 and 45, got ${options.pelvicDropLimitDeg}`);
      }
      // A shank may run up to silentAfterS ahead of the release: its contacts are kept that long and then some.
      this.fallback = new PelvisFallback((silentAfterS + releaseAfterS + maxStrideS) * 1e6);
      this.quality = new SessionQuality(this.params, this.tracks, options, (alert) => this.enqueue(alert));
      const shanks = this.shanks;
      this.meter = new StanceMeter(
        { params: this.params, sensors: options.sensors, tracks: this.tracks, shanks, quality: this.quality, lastContactUs: this.lastContactUs, pelvis: () => this.pelvis },
        alertContext(options),
      );
      this.form = new FormMonitor(this.params.form, {
        athleteId: options.athleteId ?? 'unknown',
        sessionId: options.sessionId ?? 'unknown',
        pelvicDropLimitDeg: options.pelvicDropLimitDeg ?? this.params.form.pelvicDropLimitDeg,
      });
  
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

  private readonly nowScratch: Float64Array;
  private readonly lastScratch: Float64Array;

  /** The latest advanceTo time, µs. */
  private clockUs = Number.NEGATIVE_INFINITY;

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
    this.gatingSensors = undefined;
    return track;
  }

  /** Calls (rows or frames) for a sensor id outside the contract, ignored. */
  private unknownSensorPushes = 0;

  /**
   * Release is checked every RELEASE_CHECK_US of data time: the output order is
   * fixed by the sorted queue, so when it is checked changes nothing but latency.
   * The track's accepted time, not the row's: a rejected outlier an hour ahead must not postpone the check.
   */
  private releaseDue(track: SensorTrack, released: TimedEvent[] | undefined): TimedEvent[] | undefined {
    if (track.lastTUs >= this.nextRetainCheckUs) {
      this.nextRetainCheckUs = track.lastTUs + RETAIN_CHECK_US;
      this.retainHistories();
    }
    // A pending stance is checked too: a stopped leg's stance closes (and its angles are read) on time.
    if ((this.unreleased.length === 0 && this.pendingStance.size === 0) || !(track.lastTUs >= this.nextReleaseCheckUs)) return released;
    this.nextReleaseCheckUs = track.lastTUs + RELEASE_CHECK_US;
    const out = this.release(false);
    if (out.length === 0) return released;
    const into = released ?? [];
    for (let i = 0; i < out.length; i++) into.push(out[i]!);
    return into;
  }

  private nextRetainCheckUs = Number.NEGATIVE_INFINITY;

  /**
   * Tells the angle histories how far back a later read can still reach, so
   * each holds that and no more (signal/ring.ts TimedRecordRing grows on
   * demand): every read starts at a stride's contact, and a stride not yet
   * measured is queued, pending, or still to be found — by a detector that
   * finds a contact within a stride of its own data (maxStrideS). Every
   * sensor with data counts, silent or lagging ones too: a late sensor's
   * strides must find the others' history as a prompt one's do. Checked
   * every RETAIN_CHECK_US of data; between checks the bound only lags (the
   * histories keep more, never less).
   */
  private retainHistories(): void {
    let fromUs = Number.POSITIVE_INFINITY;
    // Fixed lists, not the maps' iterators: no allocation on this per-data-time path.
    for (let i = 0; i < SENSOR_IDS.length; i++) {
      const sensor = SENSOR_IDS[i]!;
      if (!this.tracks.has(sensor)) continue;
      // How far this sensor's detector has got; one still calibrating will replay what it holds, from its start: keep all.
      const seenUs = this.segmentOf(sensor)?.newestUs ?? Number.NEGATIVE_INFINITY;
      const earliestUs = Number.isNaN(seenUs) ? Number.NEGATIVE_INFINITY : seenUs - this.params.maxStrideS * 1e6;
      if (earliestUs < fromUs) fromUs = earliestUs;
    }
    if (this.unreleased.firstUs() < fromUs) fromUs = this.unreleased.firstUs();
    for (let i = 0; i < SIDES.length; i++) {
      const icUs = this.pendingStance.get(SIDES[i]!)?.icUs ?? Number.POSITIVE_INFINITY;
      if (icUs < fromUs) fromUs = icUs;
    }
    fromUs -= RETAIN_MARGIN_US;
    this.pelvis?.retainHistoryFrom(fromUs);
    for (const shank of this.shanks.values()) shank.retainHistoryFrom(fromUs);
  }

  private pushRow(track: SensorTrack, rows: Float64Array, at: number): void {
    let buf = rows;
    let o = at;
    // A time that is no number at all (NaN, ±Infinity) is bad input, not a clock to judge.
    if (!Number.isFinite(rows[at]!)) {
      track.invalid++;
      return;
    }
    // Clock faults: rare, so the common path is one comparison (input/clock-guard.ts).
    const clock = track.clock;
    this.lastScratch[0] = track.clockUs;
    if (clock.needsJudging(rows, at, this.lastScratch)) {
      const outliers = clock.outliers;
      const verdict = clock.judge(rows[at]!, track.clockUs, track.periodUs, this.othersNowUs(track));
      if (clock.outliers !== outliers) this.quality.clockFault(track.sensor, track.lastTUs, `${track.sensor}: ${clock.outliers - outliers} timestamp(s) far off its clock (${describeJump(clock.lastCandidateUs - track.lastTUs)} it) rejected as outliers; ${clock.outliers} so far`);
      if (verdict === 'hold') return;
      if (verdict === 'await' && !this.jointPause(track, rows[at]! + clock.offsetUs)) return;
      if (verdict === 'rebased') this.clockMapped(track);
    }
    if (clock.offsetUs !== 0) {
      buf = this.mappedRow;
      o = 0;
      buf[0] = rows[at]! + clock.offsetUs;
      for (let c = 1; c < CHANNELS; c++) buf[c] = rows[at + c]!;
    }
    const flatBefore = track.flatLined;
    const verdict = track.accept(buf, o);
    if (track.flatLined !== flatBefore) this.quality.flatChanged(track, buf[o]!);
    if (verdict === 'drop') return;
    if (this.awaitingClocks > 0) this.tellAwaiting(track);
    const tUs = buf[o]!;
    if (tUs > this.newestUs) this.newestUs = tUs;
    this.quality.watch(track, buf, o);
    if (verdict === 'held') {
      if (track.calibration !== undefined) this.startDetector(track);
      return;
    }
    // What a bridge of this sensor's next gap can reach back to, checked by its own sample count (not the other sensors').
    if ((track.samples & 127) === 0) track.recent.retainFrom(tUs - bridgeReachUs(this.strideOf(track.sensor)));
    // The segment first: the pelvis detector reads its world-frame vertical of this sample.
    const segment = this.segmentOf(track.sensor);
    if (verdict === 'bridge') this.bridge(track, buf, o, segment);
    if (segment !== undefined) {
      if (verdict === 'gap') segment.reset();
      segment.push(buf, o);
    }
    const detector = this.detectors.get(track.sensor);
    if (detector !== undefined) {
      if (verdict === 'gap') detector.reset();
      detector.push(buf, o, track.sensor === 'pelvis' ? this.pelvis?.vertical : undefined);
    }
  }

  /**
   * A short gap (≤ bridgeMaxS: a few lost packets) before the row at `o`:
   * rows interpolated between its edges, one sample period apart, carry the
   * attitude (gyro only) and the detectors' filters across it, so neither
   * restarts; nothing is measured or timed on them (see the receivers).
   */
  private bridge(track: SensorTrack, buf: Float64Array, o: number, segment: PelvisTracker | ShankTracker | undefined): void {
    const prev = track.previousRow;
    const row = this.bridgeRow;
    const t0 = prev[0]!;
    const spanUs = buf[o]! - t0;
    const steps = Math.round((spanUs * track.rateHz) / 1e6);
    const detector = this.detectors.get(track.sensor);
    const world = track.sensor === 'pelvis' ? this.pelvis?.vertical : undefined;
    const strideUs = this.strideOf(track.sensor);
    const recent = track.recent;
    const periodUs = track.periodUs;
    const maxStepUs = this.params.gapPeriods * periodUs;
    // The same phase one stride earlier, if kept and whole (a gap is shorter than a stride).
    const template = spanUs < strideUs && !Number.isNaN(recent.valueAt(t0 - strideUs, 0, periodUs, maxStepUs)) && !Number.isNaN(recent.valueAt(t0 + spanUs - strideUs, 0, periodUs, maxStepUs));
    for (let k = 1; k < steps; k++) {
      const w = k / steps;
      row[0] = Math.round(t0 + w * spanUs);
      for (let c = 1; c < CHANNELS; c++) {
        const line = prev[c]! + w * (buf[o + c]! - prev[c]!);
        if (!template) {
          row[c] = line;
          continue;
        }
        // Running repeats itself stride by stride: last stride's signal at this phase, shifted
        // so it meets both edges (its offsets there blended linearly across the gap).
        const before = prev[c]! - recent.valueAt(t0 - strideUs, c - 1, periodUs, maxStepUs);
        const after = buf[o + c]! - recent.valueAt(t0 + spanUs - strideUs, c - 1, periodUs, maxStepUs);
        const value = recent.valueAt(row[0] - strideUs, c - 1, periodUs, maxStepUs) + (1 - w) * before + w * after;
        row[c] = Number.isNaN(value) ? line : value;
      }
      segment?.push(row, 0, true);
      detector?.push(row, 0, world, true);
    }
  }

  /** The stride period for bridging `sensor`'s gaps, µs: its leg's last stride, or (pelvis) the mean of the two legs'. */
  private strideOf(sensor: SensorId): number {
    const side = SHANK_SIDE[sensor];
    if (side !== undefined) return this.lastStrideUs[side];
    const { left, right } = this.lastStrideUs;
    return Number.isNaN(left) ? right : Number.isNaN(right) ? left : (left + right) / 2;
  }

  /**
   * A sensor whose clock jumped away from the others now awaits their next
   * sample (input/clock-guard.ts). If another sensor already awaits with a
   * new base near this one's, they jumped together — a pause of the whole
   * session: both take it as a gap (returns true: use the sample). Else it
   * waits (false: drop the sample for now).
   */
  private jointPause(track: SensorTrack, tUs: number): boolean {
    let joint = false;
    for (const other of this.tracks.values()) {
      if (other === track || !other.clock.awaitingNear(tUs)) continue;
      other.clock.settle();
      joint = true;
    }
    if (joint) track.clock.settle();
    this.countAwaiting();
    return joint;
  }

  /** Another sensor's accepted sample decides the sensors that await: mapped, a gap, or still waiting. */
  private tellAwaiting(speaker: SensorTrack): void {
    for (const track of this.tracks.values()) {
      if (track === speaker || !track.clock.awaiting) continue;
      if (track.clock.otherSpoke(speaker.lastTUs) === 'mapped') this.clockMapped(track);
    }
    this.countAwaiting();
  }

  /** Sensors whose clock awaits another's sample (a count, so the per-sample check is one comparison). */
  private awaitingClocks = 0;

  private countAwaiting(): void {
    let n = 0;
    for (const track of this.tracks.values()) if (track.clock.awaiting) n++;
    this.awaitingClocks = n;
  }

  /** A sensor's clock mapped onto the session's: one clock episode says by how much. */
  private clockMapped(track: SensorTrack): void {
    const offsetUs = track.clock.offsetUs;
    this.quality.clockFault(track.sensor, track.lastTUs, `${track.sensor}: its clock jumped ${describeJump(-offsetUs)} the session's; mapped onto the session clock (${(offsetUs / 1e6).toFixed(3)} s)`);
  }

  private readonly bridgeRow: Float64Array;
  /** A row of a sensor whose clock is mapped onto the session's (its offset added). */
  private readonly mappedRow: Float64Array;

  /** The newest time of the session's other live sensors, µs (NaN: none). Only asked on a clock jump. */
  private othersNowUs(track: SensorTrack): number {
    let now = Number.NaN;
    const silentBeforeUs = this.silentBeforeUs();
    for (const other of this.tracks.values()) {
      if (other === track || !(other.lastTUs >= silentBeforeUs)) continue;
      if (!(other.lastTUs <= now)) now = other.lastTUs;
    }
    return now;
  }

  private startDetector(track: SensorTrack): void {
    const side = SHANK_SIDE[track.sensor];
    const calibration = track.calibration!;
    if (this.quality.checkAccelerometerUnits(track.sensor, track.lastTUs, calibration.gravityMps2)) this.meter.accUnitsSuspect.add(track.sensor);
    let detector: GaitEventDetector;
    const bias = float64From(calibration.gyroBiasRadps);
    let segment: PelvisTracker | ShankTracker;
    if (side !== undefined) {
      detector = new ShankEventDetector(this.params.shankEvents, track.rateHz, calibration.upSensor, bias, (stance) => {
        this.fallback.noteShankContact(side, stance.icUs);
        this.onStance(side, stance);
      });
      segment = new ShankTracker(this.params.segments, track.rateHz, calibration, side);
      this.shanks.set(side, segment);
    } else {
      // With shanks worn the pelvis's contacts are a stand-by for a leg whose shank goes silent.
      const onContact = this.shanksExpected()
        ? (contact: { icUs: number; side: Side }) => this.enqueue({ kind: 'candidate', icUs: contact.icUs, side: contact.side })
        : (contact: { icUs: number; side: Side }) => this.onStance(contact.side, { icUs: contact.icUs, toUs: null });
      detector = new PelvisEventDetector(this.params.pelvisEvents, track.rateHz, calibration.upSensor, calibration.gravityMps2, bias, onContact);
      segment = this.pelvis = new PelvisTracker(this.params.segments, track.rateHz, calibration);
    }
    this.detectors.set(track.sensor, detector);
    const d = detector;
    const g = segment;
    const world = track.sensor === 'pelvis' ? this.pelvis?.vertical : undefined;
    track.drainHeld((buf, o) => {
      g.push(buf, o);
      d.push(buf, o, world);
    });
  }

  /** Whether shanks are worn: the session's declared sensors, else those seen so far (checked often: no allocation). */
  private shanksExpected(): boolean {
    const declared = this.options.sensors;
    if (declared !== undefined) {
      for (let i = 0; i < declared.length; i++) if (SHANK_SIDE[declared[i]!] !== undefined) return true;
      return false;
    }
    return this.tracks.has('shank_left') || this.tracks.has('shank_right');
  }

  /**
   * A leg's contact from its detector. Its stride time is the interval from
   * the previous contact, unless the detecting sensor's data came back from a
   * gap after that contact and the interval is 1.5 strides or more: then a
   * contact was lost in the gap, and the interval is not a stride (null).
   * Judged by the gap's time, not by whether a gap was counted between the two
   * reports: a detector reports a contact late in the swing that follows it,
   * so a gap can begin before the previous contact's report.
   */
  private onStance(side: Side, stance: Stance): void {
    const source = this.tracks.get(this.shanksExpected() ? SHANK_OF[side] : 'pelvis');
    const previous = this.pendingStance.get(side);
    if (previous !== undefined) {
      const intervalUs = stance.icUs - previous.icUs;
      const gapBetween = source !== undefined && source.lastGapEndUs > previous.icUs;
      const lostOne = gapBetween && !(intervalUs < MISSED_CONTACT_STRIDES * this.lastStrideUs[side]);
      this.closeStride(side, previous, lostOne ? undefined : stance.icUs);
      if (!lostOne && intervalUs <= this.params.maxStrideS * 1e6) this.lastStrideUs[side] = intervalUs;
    }
    if (stance.toUs !== null) this.lastContactUs[side] = stance.toUs - stance.icUs;
    this.pendingStance.set(side, stance);
  }

  /** Per side: the last stride that was one, µs. */
  private readonly lastStrideUs = { left: Number.NaN, right: Number.NaN };
  /** Per side: the last contact time measured (IC to TO), µs. */
  private readonly lastContactUs = { left: Number.NaN, right: Number.NaN };

  private stride(side: Side, stance: Stance, nextIcUs: number | undefined): StrideEvent {
    const strideS = nextIcUs === undefined ? null : (nextIcUs - stance.icUs) / 1e6;
    const strideTimeS = strideS !== null && strideS <= this.params.maxStrideS ? strideS : null;
    return {
      kind: 'stride',
      side,
      icUs: stance.icUs,
      toUs: stance.toUs,
      strideTimeS,
      gctS: stance.toUs === null ? null : (stance.toUs - stance.icUs) / 1e6,
      cadenceSpm: strideTimeS === null ? null : 120 / strideTimeS,
      pelvicDropDeg: null,
      shankFrontalDeg: null,
      verticalOscillationCm: null,
      brakingMps: null,
    };
  }

  /**
   * A leg's stride is complete (its next contact is known, or none will
   * come): queued, with its shank's angles read now, while the shank's own
   * short history still holds it (session/stance-meter.ts readShankEarly).
   */
  private closeStride(side: Side, stance: Stance, nextIcUs: number | undefined): void {
    const stride = this.stride(side, stance, nextIcUs);
    if (this.shanksExpected()) this.meter.readShankEarly(stride, this.lastContactUs[side]);
    this.enqueue(stride);
  }

  private enqueue(event: QueuedEvent): void {
    this.unreleased.add(event);
  }

  /** The sensors whose progress gates the release: the event sources (shanks, or the pelvis alone). Cached. */
  private gating(): readonly SensorId[] {
    if (this.gatingSensors === undefined) {
      // Every sensor gates: the strides' angle metrics need the pelvis's and the shanks' data past them.
      this.gatingSensors = [...(this.options.sensors ?? this.tracks.keys())];
    }
    return this.gatingSensors;
  }

  /**
   * A leg's last stance waits for its next contact to know its stride time.
   * When the sensor that finds that leg's contacts has gone silent, no next
   * contact can come within maxStrideS, so the stance is closed now (stride
   * time null) and takes its place in time order before later events pass
   * the watermark — at finish() it would come out after them.
   */
  private closeSilentStances(silentBeforeUs: number): void {
    if (this.pendingStance.size === 0) return;
    // Runs at every release check: no iterator, no closure, no array.
    const pelvisOnly = !this.shanksExpected();
    for (let i = 0; i < SIDES.length; i++) {
      const side = SIDES[i]!;
      const stance = this.pendingStance.get(side);
      if (stance === undefined) continue;
      const last = this.tracks.get(pelvisOnly ? 'pelvis' : SHANK_OF[side])?.lastTUs ?? Number.NEGATIVE_INFINITY;
      if (!(last < silentBeforeUs)) continue;
      this.closeStride(side, stance, undefined);
      this.pendingStance.delete(side);
    }
  }

  /**
   * The watermark held below every leg's pending stance: its stride comes
   * out only when the leg's next contact gives its stride time, and nothing
   * later may pass it. This, not releaseAfterS, is what waits for a stride
   * (~1 s at running: the next contact plus its detection), so releaseAfterS
   * need only cover the detectors' own delay. A leg whose sensor has data
   * maxStrideS + releaseAfterS past its pending contact without a next one
   * (the runner stopped) closes it, stride time null — the same stride a late
   * next contact would give (an interval over maxStrideS is not a stride),
   * so the output does not depend on when this runs.
   */
  private pendingBoundUs(watermarkUs: number): number {
    if (this.pendingStance.size === 0) return watermarkUs;
    const pelvisOnly = !this.shanksExpected();
    const waitUs = (this.params.maxStrideS + this.params.releaseAfterS) * 1e6;
    let bound = watermarkUs;
    for (let i = 0; i < SIDES.length; i++) {
      const side = SIDES[i]!;
      const stance = this.pendingStance.get(side);
      if (stance === undefined) continue;
      const last = this.tracks.get(pelvisOnly ? 'pelvis' : SHANK_OF[side])?.lastTUs ?? Number.NEGATIVE_INFINITY;
      if (last >= stance.icUs + waitUs) {
        this.closeStride(side, stance, undefined);
        this.pendingStance.delete(side);
      } else if (stance.icUs - 1 < bound) {
        bound = stance.icUs - 1;
      }
    }
    return bound;
  }

  /**
   * The watermark held below the first queued event that is not ready:
   * - a stride whose metrics need data past its end (the leg's next contact:
   *   vertical oscillation, braking and the shank's heading run to it) that
   *   some worn sensor has not reached yet (`dataUs`, the slowest live
   *   sensor's time) — a stride longer than releaseAfterS, i.e. walking;
   * - a pelvis contact that will stand in for a shank-less leg, until the
   *   next such contact of that leg is queued (its stride time), or the
   *   pelvis's data is maxStrideS + releaseAfterS past it (none within a
   *   stride can still come). Pelvis contacts a shank covers are dropped at
   *   release and hold nothing back.
   * Runs at each release check over the few queued events.
   */
  private queueBoundUs(watermarkUs: number, dataUs: number): number {
    const queue = this.unreleased;
    const pelvisLastUs = this.tracks.get('pelvis')?.lastTUs ?? Number.NEGATIVE_INFINITY;
    const waitUs = (this.params.maxStrideS + this.params.releaseAfterS) * 1e6;
    for (let i = 0; i < queue.length; i++) {
      const event = queue.at(i);
      if (timeOf(event) > watermarkUs) break;
      if (event.kind === 'stride' && event.strideTimeS !== null && dataUs < event.icUs + event.strideTimeS * 1e6 + STRIDE_END_MARGIN_US) return event.icUs - 1;
      if (event.kind !== 'candidate' || pelvisLastUs >= event.icUs + waitUs) continue;
      const side = this.legOf(event, false);
      if (side === undefined) continue;
      let next = false;
      for (let j = i + 1; j < queue.length && !next; j++) {
        const later = queue.at(j);
        next = later.kind === 'candidate' && this.legOf(later, false) === side;
      }
      if (!next) return event.icUs - 1;
    }
    return watermarkUs;
  }

  /** Releases events every event source has moved well past, in time order. */
  private release(all: boolean): readonly TimedEvent[] {
    if (this.unreleased.length === 0 && this.pendingStance.size === 0) return NONE;
    let watermarkUs = Number.POSITIVE_INFINITY;
    if (!all) {
      const silentBeforeUs = this.silentBeforeUs();
      const gating = this.gating();
      for (let i = 0; i < gating.length; i++) {
        const last = this.tracks.get(gating[i]!)?.lastTUs ?? Number.NEGATIVE_INFINITY;
        // A silent source must not hold the other leg's strides back forever.
        if (!(last < silentBeforeUs)) watermarkUs = Math.min(watermarkUs, Number.isNaN(last) ? Number.NEGATIVE_INFINITY : last);
      }
      this.closeSilentStances(silentBeforeUs);
      const dataUs = watermarkUs;
      watermarkUs -= this.params.releaseAfterS * 1e6;
      watermarkUs = this.queueBoundUs(this.pendingBoundUs(watermarkUs), dataUs);
      if (this.unreleased.length === 0 || this.unreleased.firstUs() > watermarkUs) return NONE;
    }
    const out: TimedEvent[] = [];
    const batch = this.unreleased.takeUpTo(watermarkUs);
    for (let i = 0; i < batch.length; i++) {
      let event = batch[i]!;
      if (event.kind === 'candidate') {
        const stance = this.fromPelvis(event, batch, i, all);
        if (stance === undefined) continue;
        event = stance;
      }
      // Shank clips found on the other legs: the stance is the other leg's (side-check.ts).
      if (event.kind === 'stride' && this.meter.sideCheck.swapped) event.side = other(event.side);
      out.push(event);
      if (event.kind === 'alert') {
        this.alertCount++;
        continue;
      }
      const before = out.length;
      this.meter.measure(event, out);
      this.alertCount += out.length - before;
      this.strideCounts[event.side]++;
      if (event.strideTimeS !== null) this.strideTimes.add(event.strideTimeS);
      if (event.gctS !== null) this.contactTimes.add(event.gctS);
      const side = this.perSide[event.side];
      if (event.gctS !== null) side.gctS.add(event.gctS);
      if (event.pelvicDropDeg !== null) side.pelvicDropDeg.add(event.pelvicDropDeg);
      if (event.shankFrontalDeg !== null) side.shankFrontalDeg.add(event.shankFrontalDeg);
      // Form alerts are timed at the stride that confirmed them, so they follow it in the output.
      if (this.withheldEpisodes.size > 0) this.tellWithheld(event.icUs, out);
      for (const alert of this.form.push(event)) {
        if (this.withheld(alert)) continue;
        out.push({ kind: 'alert', ...alert });
        this.alertCount++;
      }
    }
    return out;
  }

  /**
   * A form alert on an angle that lost packets are costing right now
   * (packet_loss raised for its sensor) is withheld, with its resolve: at
   * 10 % loss the surviving stances were seen to lift a rolling median past
   * its threshold with nothing wrong with the runner. The runner has the
   * packet_loss alert instead. Cadence and asymmetry are not gated.
   */
  private withheld(alert: Alert): boolean {
    if (alert.phase === 'resolved') return alert.episodeId !== undefined && this.withheldEpisodes.delete(alert.episodeId);
    if (!this.meter.degraded(alert.metric, alert.side) || alert.episodeId === undefined) return false;
    this.withheldEpisodes.set(alert.episodeId, alert);
    return true;
  }

  /**
   * A withheld episode still open when the angle is measured again is told
   * then, at the stride that found the data whole again: the form did break
   * down, and the runner must hear it.
   */
  private tellWithheld(tUs: number, out: TimedEvent[]): void {
    for (const [id, alert] of this.withheldEpisodes) {
      if (this.meter.degraded(alert.metric, alert.side)) continue;
      this.withheldEpisodes.delete(id);
      out.push({ kind: 'alert', ...alert, tUs, message: `${alert.message} (held back while lost packets cost this measurement)` });
      this.alertCount++;
    }
  }

  /** Form episodes whose raise was withheld (their resolve is too), by episode id. */
  private readonly withheldEpisodes = new Map<string, Alert>();

  /**
   * The leg a pelvis contact belongs to (undefined: a shank reports it or
   * nobody can tell), from the shanks' coverage now. `atEnd`: the session is
   * finishing; in its last half second a worn shank that is still live could
   * not yet report a contact it will never see the end of, so a pelvis contact
   * there is nobody's unless every shank has gone silent.
   */
  private legOf(candidate: Candidate, atEnd: boolean): Side | undefined {
    const windowUs = CANDIDATE_COVER_S * 1e6;
    if (atEnd && candidate.icUs + windowUs > this.newestUs && this.liveShank()) return undefined;
    const toUs = Math.min(candidate.icUs + windowUs, this.newestUs);
    const left = this.shanks.get('left')?.covers(candidate.icUs - windowUs, toUs) ?? false;
    const right = this.shanks.get('right')?.covers(candidate.icUs - windowUs, toUs) ?? false;
    return this.fallback.legOf(candidate, left, right);
  }

  /** Whether a shank is not silent (by the release's rule). */
  private liveShank(): boolean {
    const silentBeforeUs = this.silentBeforeUs();
    for (const side of SIDES) if ((this.tracks.get(SHANK_OF[side])?.lastTUs ?? Number.NEGATIVE_INFINITY) >= silentBeforeUs) return true;
    return false;
  }

  /** A sensor whose last sample is older than this is silent: silentAfterS behind the newest sample, µs. */
  private silentBeforeUs(): number {
    return this.sessionNowUs() - this.params.silentAfterS * 1e6;
  }

  /** A stance from a pelvis contact for a leg without shank data; stride time from the next such contact of that leg in the queue. */
  private fromPelvis(candidate: Candidate, batch: readonly QueuedEvent[], index: number, atEnd: boolean): StrideEvent | undefined {
    const side = this.legOf(candidate, atEnd);
    if (side === undefined) return undefined;
    let nextIcUs: number | undefined;
    const later = (e: QueuedEvent): boolean => e.kind === 'candidate' && this.legOf(e, atEnd) === side;
    for (let j = index + 1; j < batch.length && nextIcUs === undefined; j++) if (later(batch[j]!)) nextIcUs = timeOf(batch[j]!);
    if (nextIcUs === undefined) {
      const next = this.unreleased.find(later);
      if (next !== undefined) nextIcUs = timeOf(next);
    }
    return this.stride(side, { icUs: candidate.icUs, toUs: null }, nextIcUs);
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
   * one re-levels the attitude.
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
    for (const [side, stance] of this.pendingStance) this.closeStride(side, stance, undefined);
    this.pendingStance.clear();
    const rest: AnalysisEvent[] = [...this.release(true)];
    rest.push(this.summary());
    return rest;
  }

  private segmentOf(sensor: SensorId): PelvisTracker | ShankTracker | undefined {
    return sensor === 'pelvis' ? this.pelvis : this.shanks.get(SHANK_SIDE[sensor]!);
  }

  private summary(): SummaryEvent {
    return buildSummary({
      tracks: this.tracks,
      mountingOf: (id) => this.segmentOf(id)?.mountingEstimate,
      anglesWithheldSOf: (id) => this.segmentOf(id)?.anglesWithheldS,
      strideTimes: this.strideTimes,
      contactTimes: this.contactTimes,
      strideCounts: this.strideCounts,
      perSide: this.perSide,
      alertCount: this.alertCount,
      unknownSensorPushes: this.unknownSensorPushes,
      sidesSwappedFromUs: this.meter.sideCheck.swappedFromUs,
      baselines: this.form.baselines(),
    });
  }
}
