import { isSensorId, SENSOR_IDS, type AngleNullReason, type SensorId, type Side } from '@gaitwatch/protocol/core';
import { DEFAULT_PARAMS, type AnalyzerParams } from '../params.ts';
import { describeAnalysis, type AnalysisDescription } from '../describe.ts';
import { CHANNELS, SensorTrack } from '../sensor-track.ts';
import { PelvisObliquity } from './pelvis-obliquity.ts';
import { DEFAULT_SCREEN_PARAMS, validateScreenParams, type ScreenParams } from './screen-params.ts';
import type { RepEvent, ScreenSummaryEvent } from './screen-events.ts';
import { ShankReps, type ShankRep } from './shank-reps.ts';
import { ScreenStats, sensorSummaries } from './screen-stats.ts';
import { SCREEN_SNAPSHOT_VERSION, type ScreenSnapshot } from './screen-snapshot.ts';
import { roundTo } from '../rounding.ts';
import { decodeInto, encodeState } from '../session/state-codec.ts';

/** Attitude filter fields a snapshot leaves out: its parameters come with the snapshot's own. */
const FILTER_SKIP = new Set(['params']);

/** Returned when a call releases nothing: one shared empty array, not a new one per sample. */
const NONE: readonly RepEvent[] = Object.freeze([]);
const SHANK_SIDE: Partial<Record<SensorId, Side>> = { shank_left: 'left', shank_right: 'right' };
/** How often (in data time) finished reps are checked for release, µs. */
const RELEASE_CHECK_US = 20_000;
const round = roundTo;

export interface ScreenAnalyzerOptions {
  /**
   * The sensors the session wears (the status `start` message says): reps wait for each of them unless silent.
   * A sensor of the contract not listed that sends data anyway is taken up as if listed (as SessionAnalyzer
   * does: the data is the athlete's) and named in the summary's `unannouncedSensors`; an id outside the
   * contract is ignored and counted (`unknownSensorPushes`).
   */
  readonly sensors?: readonly SensorId[];
  readonly athleteId?: string;
  readonly sessionId?: string;
  /** This athlete's pelvic-drop threshold for the `level`/`dropping` verdict, degrees (default params.pelvicDropLevelMaxDeg). */
  readonly pelvicDropLevelMaxDeg?: number;
}

/**
 * Streaming analysis of a movement screen (single-leg squats, lateral
 * step-downs): reps from the standing shank's motion, per rep the pelvic
 * drop, the knee-collapse proxy, depth and duration; a summary per side.
 * Hosted like SessionAnalyzer (pushFrame / pushRows / pushSample,
 * advanceTo, finish, snapshot / restore). A rep comes out once every live
 * sensor's data is `releaseAfterS` past its end; output does not depend on
 * how the data was chunked. State: the current rep per shank and the
 * pelvis's obliquity over the last ~15 s (12 KB at 50 Hz).
 */
export class ScreenAnalyzer {
  readonly params: ScreenParams;
  private readonly input: AnalyzerParams = DEFAULT_PARAMS;
  private readonly tracks = new Map<SensorId, SensorTrack>();
  private pelvis: PelvisObliquity | undefined;
  private readonly shanks = new Map<Side, ShankReps>();
  private readonly pending: ShankRep[] = [];
  /** The session's sensors (declared, then any other as it first sends data) and the shanks started, as arrays (iterated without an iterator object). */
  private readonly worn: SensorId[];
  private readonly shankList: ShankReps[] = [];
  private readonly stats: ScreenStats;
  private readonly scratchRow = new Float64Array(CHANNELS);
  private readonly peakOut = new Float64Array(1);
  private newestUs = Number.NEGATIVE_INFINITY;
  private clockUs = Number.NEGATIVE_INFINITY;
  private nextReleaseCheckUs = Number.NEGATIVE_INFINITY;
  private unknownSensorPushes = 0;
  /** Set numbering: the last released rep's leg and end, the current set and rep numbers. */
  private last = { side: '' as Side | '', endUs: Number.NEGATIVE_INFINITY, set: 0, rep: 0 };
  private readonly levelMaxDeg: number;

  constructor(
    params: Partial<ScreenParams> = {},
    private readonly options: ScreenAnalyzerOptions = {},
  ) {
    this.params = { ...DEFAULT_SCREEN_PARAMS, ...params };
    validateScreenParams(this.params, params);
    const limit = options.pelvicDropLevelMaxDeg;
    if (limit !== undefined && !(limit > 0 && limit < 45)) throw new RangeError(`pelvicDropLevelMaxDeg must be degrees between 0 and 45, got ${limit}`);
    if (options.sensors !== undefined) {
      for (const s of options.sensors) if (!isSensorId(s)) throw new TypeError(`unknown sensor ${JSON.stringify(s)} in options.sensors: the sensors are pelvis, shank_left, shank_right`);
    }
    this.levelMaxDeg = limit ?? this.params.pelvicDropLevelMaxDeg;
    this.worn = [...(options.sensors ?? [])];
    this.stats = new ScreenStats();
  }

  /** One sample: t (µs), ax ay az (m/s²), gx gy gz (rad/s). Returns the reps it released (usually none). */
  pushSample(sensor: SensorId, tUs: number, ax: number, ay: number, az: number, gx: number, gy: number, gz: number): readonly RepEvent[] {
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

  /** `count` rows of one sensor from `buf` at `offset`, each t, ax, ay, az, gx, gy, gz. */
  pushRows(sensor: SensorId, buf: Float64Array, offset: number, count: number): readonly RepEvent[] {
    const track = this.trackOf(sensor);
    if (track === undefined) return NONE;
    let released: RepEvent[] | undefined;
    for (let i = 0, o = offset; i < count; i++, o += CHANNELS) {
      this.pushRow(track, buf, o);
      released = this.releaseDue(track, released);
    }
    return released ?? NONE;
  }

  /** A decoded protocol frame: `count` samples, the i-th at t0Us + i × periodUs, 6 values each; read in place. */
  pushFrame(sensor: SensorId, t0Us: number, periodUs: number, samples: ArrayLike<number>, count = samples.length / 6): readonly RepEvent[] {
    const track = this.trackOf(sensor);
    if (track === undefined) return NONE;
    const row = this.scratchRow;
    let released: RepEvent[] | undefined;
    for (let i = 0, s = 0; i < count; i++, s += 6) {
      row[0] = Math.round(t0Us + i * periodUs);
      for (let c = 0; c < 6; c++) row[c + 1] = samples[s + c]!;
      this.pushRow(track, row, 0);
      released = this.releaseDue(track, released);
    }
    return released ?? NONE;
  }

  /** The session's clock moved to `nowUs` without data: silent sensors stop holding reps back. */
  advanceTo(nowUs: number): readonly RepEvent[] {
    if (!(nowUs > this.clockUs) || !Number.isFinite(nowUs)) return NONE;
    this.clockUs = nowUs;
    return this.release(false);
  }

  private trackOf(sensor: SensorId): SensorTrack | undefined {
    let track = this.tracks.get(sensor);
    if (track !== undefined) return track;
    if (!isSensorId(sensor)) {
      this.unknownSensorPushes++;
      return undefined;
    }
    track = new SensorTrack(sensor, this.input);
    this.tracks.set(sensor, track);
    if (!this.worn.includes(sensor)) this.worn.push(sensor);
    return track;
  }

  private pushRow(track: SensorTrack, buf: Float64Array, o: number): void {
    if (!Number.isFinite(buf[o]!)) {
      track.invalid++;
      return;
    }
    const previousUs = track.lastTUs;
    const verdict = track.accept(buf, o);
    if (verdict === 'drop') return;
    const tUs = buf[o]!;
    if (tUs > this.newestUs) this.newestUs = tUs;
    if (verdict === 'held') {
      if (track.calibration !== undefined) this.startSegment(track);
      return;
    }
    const side = SHANK_SIDE[track.sensor];
    const segment = side === undefined ? this.pelvis : this.shanks.get(side);
    if (segment === undefined) return;
    if (verdict === 'gap') {
      if (segment instanceof PelvisObliquity) segment.gap(previousUs, tUs, buf, o);
      else segment.gap(buf, o);
    } else if (verdict === 'bridge') {
      this.bridge(track, buf, o, segment);
    }
    segment.push(buf, o);
  }

  /**
   * A short gap (≤ bridgeMaxS, lost packets): rows interpolated one period
   * apart carry the attitude across it on the gyro alone (flagged bridged:
   * no accelerometer correction, no obliquity recorded), so a rep through it
   * keeps its angles.
   */
  private bridge(track: SensorTrack, buf: Float64Array, o: number, segment: PelvisObliquity | ShankReps): void {
    const prev = track.previousRow;
    const row = this.bridgeRow;
    const spanUs = buf[o]! - prev[0]!;
    const steps = Math.round((spanUs * track.rateHz) / 1e6);
    for (let k = 1; k < steps; k++) {
      const w = k / steps;
      row[0] = Math.round(prev[0]! + w * spanUs);
      for (let c = 1; c < CHANNELS; c++) row[c] = prev[c]! + w * (buf[o + c]! - prev[c]!);
      segment.push(row, 0, true);
    }
  }

  private readonly bridgeRow = new Float64Array(CHANNELS);

  private startSegment(track: SensorTrack): void {
    const calibration = track.calibration!;
    const side = SHANK_SIDE[track.sensor];
    const attitude = this.input.segments.attitude;
    const p = this.params;
    if (side !== undefined) {
      const shank = new ShankReps(side, attitude, calibration, p, (rep) => this.addPending(rep));
      this.shanks.set(side, shank);
      this.shankList.push(shank);
      track.drainHeld((buf, o) => shank.push(buf, o));
    } else {
      // Long enough for a rep, the release delay, and another sensor lagging by up to silentAfterS.
      const historyS = p.maxRepS + p.releaseAfterS + p.silentAfterS + 2;
      // Critical damping as the running filter's: ki = kp² / 4.
      const stiff = { ...attitude, kp: p.pelvisAttitudeKp, ki: (p.pelvisAttitudeKp * p.pelvisAttitudeKp) / 4 };
      const pelvis = new PelvisObliquity(stiff, calibration, historyS, p.pelvisAxisTauS, p.minAxisRatio, p.maxAxisYawDeg, p.pelvisAxisQuietG);
      this.pelvis = pelvis;
      track.drainHeld((buf, o) => pelvis.push(buf, o));
    }
  }

  private addPending(rep: ShankRep): void {
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.startUs > rep.startUs) i--;
    this.pending.splice(i, 0, rep);
  }

  private releaseDue(track: SensorTrack, released: RepEvent[] | undefined): RepEvent[] | undefined {
    if (this.pending.length === 0 || !(track.lastTUs >= this.nextReleaseCheckUs)) return released;
    this.nextReleaseCheckUs = track.lastTUs + RELEASE_CHECK_US;
    const out = this.release(false);
    if (out.length === 0) return released;
    const into = released ?? [];
    for (const e of out) into.push(e);
    return into;
  }

  private sessionNowUs(): number {
    return this.clockUs > this.newestUs ? this.clockUs : this.newestUs;
  }

  private isSilent(track: SensorTrack | undefined): boolean {
    return track === undefined || !(track.lastTUs >= this.sessionNowUs() - this.params.silentAfterS * 1e6);
  }

  /** Releases, in start order, the reps every live sensor has moved releaseAfterS past and no open rep could precede. */
  private release(all: boolean): readonly RepEvent[] {
    if (this.pending.length === 0) return NONE;
    let watermarkUs = Number.POSITIVE_INFINITY;
    let openFromUs = Number.POSITIVE_INFINITY;
    if (!all) {
      // Index loops over cached arrays: this runs every 20 ms of data while a rep waits.
      const gating = this.worn;
      for (let i = 0; i < gating.length; i++) {
        const track = this.tracks.get(gating[i]!);
        if (this.isSilent(track)) continue;
        watermarkUs = Math.min(watermarkUs, track!.lastTUs);
      }
      watermarkUs -= this.params.releaseAfterS * 1e6;
      for (let i = 0; i < this.shankList.length; i++) {
        const since = this.shankList[i]!.openSinceUs;
        // A bump open longer than a rep can be is a held leg, never a rep: it holds nothing back.
        if (!Number.isNaN(since) && watermarkUs - since <= this.params.maxRepS * 1e6 + this.params.releaseAfterS * 1e6) openFromUs = Math.min(openFromUs, since);
      }
    }
    let out: RepEvent[] | undefined;
    while (this.pending.length > 0) {
      const rep = this.pending[0]!;
      if (!all && (rep.endUs > watermarkUs || rep.startUs > openFromUs)) break;
      this.pending.shift();
      (out ??= []).push(this.finishRep(rep));
    }
    return out ?? NONE;
  }

  private finishRep(r: ShankRep): RepEvent {
    const last = this.last;
    if (last.side !== r.side || r.startUs - last.endUs > this.params.newSetAfterS * 1e6) {
      last.set++;
      last.rep = 0;
    }
    last.rep++;
    last.side = r.side;
    last.endUs = r.endUs;
    const drop = this.pelvicDrop(r);
    const event: RepEvent = {
      kind: 'rep',
      side: r.side,
      set: last.set,
      rep: last.rep,
      startUs: r.startUs,
      bottomUs: r.bottomUs,
      endUs: r.endUs,
      durationS: round((r.endUs - r.startUs) / 1e6, 1000),
      pelvicDropDeg: typeof drop === 'number' ? round(drop, 100) : null,
      shankFrontalDeg: Number.isNaN(r.shankFrontalDeg) ? null : round(r.shankFrontalDeg, 100),
      depthDeg: Number.isNaN(r.depthDeg) ? null : round(r.depthDeg, 100),
      pelvicDropVerdict: typeof drop === 'number' ? (drop > this.levelMaxDeg ? 'dropping' : 'level') : null,
    };
    if (typeof drop !== 'number') event.pelvicDropReason = drop;
    if (event.shankFrontalDeg === null) event.shankFrontalReason = 'attitude_settling';
    this.stats.add(event);
    return event;
  }

  /** Peak obliquity over the rep, signed so that + = the free side below level, or why there is none. */
  private pelvicDrop(r: ShankRep): number | AngleNullReason {
    const track = this.tracks.get('pelvis');
    if (track === undefined) return this.worn.includes('pelvis') ? 'sensor_silent' : 'no_sensor';
    if (this.pelvis === undefined) return 'attitude_settling';
    if (!(track.lastTUs >= r.endUs)) return 'sensor_silent';
    const why = this.pelvis.peak(r.startUs, r.endUs, r.side === 'left' ? 1 : -1, this.peakOut);
    return why ?? this.peakOut[0]!;
  }

  /** Ends the session: releases what is pending and returns it with the summary. */
  finish(): (RepEvent | ScreenSummaryEvent)[] {
    for (const track of this.tracks.values()) {
      if (track.calibration === undefined && !track.flatLined) {
        track.flushCalibration();
        if (track.calibration !== undefined) this.startSegment(track);
      }
    }
    const out: (RepEvent | ScreenSummaryEvent)[] = [...this.release(true)];
    out.push(this.summary());
    return out;
  }

  private summary(): ScreenSummaryEvent {
    const yawOf = (id: SensorId): number | undefined => {
      const side = SHANK_SIDE[id];
      return side === undefined ? this.pelvis?.yawDeg : this.shanks.get(side)?.yawDeg;
    };
    const summary = this.stats.summary({ sets: this.last.set, levelMaxDeg: this.levelMaxDeg, unknownSensorPushes: this.unknownSensorPushes, sensors: sensorSummaries(this.tracks, yawOf) });
    const declared = this.options.sensors;
    const unannounced = declared === undefined ? [] : SENSOR_IDS.filter((id) => this.tracks.has(id) && !declared.includes(id));
    // Only when there is something to say: a normal screen's summary keeps its exact shape.
    if (unannounced.length > 0) summary.unannouncedSensors = unannounced;
    return summary;
  }

  /**
   * What produces this screen's numbers: the package and version, the input
   * conditioning's and attitude filter's parameters (the running analyzer's
   * defaults, by their keys), the screen's own as `screen.<key>`, and the
   * athlete's verdict threshold when it differs from the default.
   */
  describe(): AnalysisDescription & { activity: 'screen'; pelvicDropLevelMaxDeg?: number } {
    const base = describeAnalysis(this.input);
    const parameters: Record<string, unknown> = { ...base.parameters };
    for (const [key, value] of Object.entries(this.params)) parameters[`screen.${key}`] = value;
    return {
      package: base.package,
      version: base.version,
      activity: 'screen',
      parameters,
      ...(this.levelMaxDeg !== this.params.pelvicDropLevelMaxDeg ? { pelvicDropLevelMaxDeg: this.levelMaxDeg } : {}),
    };
  }

  /**
   * The session's state as plain JSON data. Carried: parameters, options,
   * each sensor's calibration and current tilt, the mounting axes learnt,
   * set numbering, pending reps and the summary's values. Not carried: a rep
   * under way and the pelvis's obliquity history, so the rep in progress at
   * the cut (and one released within releaseAfterS after it) is lost or has
   * no pelvic drop; the attitude continues from its tilt (heading is re-taken
   * per rep anyway).
   */
  snapshot(): ScreenSnapshot {
    const sensors: ScreenSnapshot['sensors'] = {};
    for (const [id, t] of this.tracks) {
      const side = SHANK_SIDE[id];
      const seg = side === undefined ? this.pelvis : this.shanks.get(side);
      sensors[id] = {
        calibration: t.calibration ?? null,
        lastTUs: Number.isNaN(t.lastTUs) ? null : t.lastTUs,
        firstTUs: Number.isNaN(t.firstTUs) ? null : t.firstTUs,
        counts: [t.samples, t.duplicates, t.invalid, t.unusableTiming, t.gaps, t.bridged, t.flat, t.gapSeconds],
        rateHz: Number.isNaN(t.rateHz) ? null : t.rateHz,
        attitude: seg === undefined ? null : encodeState(seg.filter, FILTER_SKIP),
        axis: side === undefined ? (this.pelvis?.axis.toJSON() ?? null) : (this.shanks.get(side)?.legAxis.toJSON() ?? null),
        yawDeg: seg === undefined || Number.isNaN(seg.yawDeg) ? null : seg.yawDeg,
      };
    }
    return {
      version: SCREEN_SNAPSHOT_VERSION,
      kind: 'screen',
      params: { ...this.params },
      options: { ...this.options },
      sensors,
      pending: this.pending.map((r) => ({ ...r })),
      last: { ...this.last },
      newestUs: Number.isFinite(this.newestUs) ? this.newestUs : null,
      unknownSensorPushes: this.unknownSensorPushes,
      stats: this.stats.toJSON(),
    };
  }

  /**
   * Continues a screen from its snapshot (see snapshot() for what is carried).
   * @throws TypeError for something that is not a screen snapshot of this version
   */
  static restore(snapshot: unknown): ScreenAnalyzer {
    const s = snapshot as ScreenSnapshot;
    if (typeof s !== 'object' || s === null || s.kind !== 'screen' || s.version !== SCREEN_SNAPSHOT_VERSION) {
      throw new TypeError(`not a screen analyzer snapshot of version ${SCREEN_SNAPSHOT_VERSION}`);
    }
    const a = new ScreenAnalyzer(s.params, s.options);
    for (const [id, saved] of Object.entries(s.sensors)) {
      const track = a.trackOf(id as SensorId);
      if (track === undefined) continue;
      const [samples, duplicates, invalid, unusable, gaps, bridged, flat, gapS] = saved.counts;
      Object.assign(track, { samples, duplicates, invalid, unusableTiming: unusable, gaps, bridged, flat, gapSeconds: gapS });
      if (saved.calibration === null || saved.rateHz === null || saved.lastTUs === null) {
        // Not calibrated yet: it starts again from the data that follows.
        continue;
      }
      Object.assign(track, { rateHz: saved.rateHz, lastTUs: saved.lastTUs, firstTUs: saved.firstTUs ?? saved.lastTUs, calibration: saved.calibration });
      a.startSegment(track);
      const side = SHANK_SIDE[id as SensorId];
      const seg = side === undefined ? a.pelvis : a.shanks.get(side);
      if (seg !== undefined && saved.attitude !== null) decodeInto(seg.filter, saved.attitude);
      if (saved.axis !== null) {
        if (side === undefined) a.pelvis?.restoreAxis(saved.axis, saved.yawDeg);
        else a.shanks.get(side)?.restoreAxis(saved.axis, saved.yawDeg);
      }
    }
    a.pending.push(...s.pending);
    Object.assign(a.last, s.last);
    a.newestUs = s.newestUs ?? Number.NEGATIVE_INFINITY;
    a.unknownSensorPushes = s.unknownSensorPushes;
    a.stats.load(s.stats);
    return a;
  }
}
