import type { Calibration } from '../calibration/standing-calibrator.ts';
import { AttitudeFilter, BRIDGED_LINE, BRIDGED_TEMPLATE, SAMPLE_BRIDGED, SAMPLE_LAYOUT, type AttitudeFilterParams } from '../orientation/attitude-filter.ts';
import { PrincipalAxis2D } from '../orientation/principal-axis.ts';
import { CoverageLog } from '../signal/coverage-log.ts';
import { TimedRecordRing } from '../signal/ring.ts';
import { float64Array, float64From } from '../signal/arena.ts';

export interface SegmentParams {
  readonly attitude: AttitudeFilterParams;
  /**
   * Most angle history kept for the pelvis's per-stance metrics, s (it holds
   * what the reads still need and grows to this while a sensor lags). They are
   * taken at release, which a silent sensor holds back by up to silentAfterS
   * while another sensor may run up to silentAfterS ahead: the history must
   * cover releaseAfterS + 2 × silentAfterS and a stride, or a metric would
   * depend on how the sensors' data interleaved (the analyzer checks).
   */
  readonly historyS: number;
  /**
   * Most angle history kept per shank, s (as historyS: what the reads need,
   * up to this). A shank's stance angles are read when
   * its stride closes (its own detector found the next contact, or the leg
   * stopped), not at release, so this need only cover maxStrideS +
   * releaseAfterS and a margin (the analyzer checks).
   */
  readonly shankHistoryS: number;
  /** Motion needed before a mounting axis estimated from the movement replaces the sensor's own axis, s. */
  readonly axisMinS: number;
  /** Memory of the mounting-axis estimate (exponential forgetting), s. */
  readonly axisTauS: number;
  /** Time constant of the pelvis's heading (its forward axis made horizontal), s. */
  readonly headingTauS: number;
  /** Below this spread ratio the motion shows no clear axis and the estimate is not used. */
  readonly minAxisRatio: number;
  /** An axis estimate further than this from the sensor's own axis is implausible (DESIGN: mounted within ±20°) and not used, degrees. */
  readonly maxAxisYawDeg: number;
}

/** A rate a standing body's sway stays well under (~0.05 rad/s) and walking or running exceeds: the start of movement, rad/s. */
const MOVING_RADPS = 0.5;

/** A move of the mounting yaw in use this large counts as a new reference (3° × 10° of lean ≈ 0.5° of obliquity), deg. */
const REFERENCE_STEP_DEG = 3;

/** Why a stance has no angle from this sensor (the stride's `…Reason` field). */
export type AngleGap = 'sensor_silent' | 'attitude_settling' | 'data_gap' | 'history' | 'mounting_unknown';

/** How well the motion revealed the sensor's rotation about the vertical. */
export interface MountingEstimate {
  /** Rotation of the anatomical axis from the sensor's own axis about "up", degrees (0 until estimated). */
  readonly yawDeg: number;
  /** Spread along the axis over spread across it: ≥ 3 is clear, near 1 means no preferred axis. */
  readonly axisRatio: number;
  readonly status: 'estimated' | 'too-little-motion' | 'ambiguous' | 'implausible';
}

const DEG_PER_RAD = 180 / Math.PI;

/** Records a history starts with (1.28 s at 100 Hz); it grows to what its reads need (retainHistoryFrom). */
const INITIAL_HISTORY_RECORDS = 128;

/** Holes (gaps, bridged runs) the coverage log keeps: ~100 s of history at 3 % packet loss, 1 KB. */
const COVERAGE_HOLES = 64;

/**
 * The per-sample core shared by the pelvis and shank trackers: gyro bias
 * removal, the attitude filter, restart after a gap, and a ring of
 * (time, angle, extra) for per-stance peaks searched at release time.
 * Everything a subclass computes per sample depends only on this sensor's
 * own samples, so stance metrics never depend on how sensors interleave.
 */
export abstract class SegmentTracker {
  protected readonly filter: AttitudeFilter;
  protected readonly ring: TimedRecordRing;
  /** Where the real samples were continuous, kept longer than the ring (signal/coverage-log.ts). */
  private readonly coverage: CoverageLog;
  /** Calibrated up and a horizontal basis (x_p, y_p = up × x_p) in sensor coordinates. */
  protected readonly up: Float64Array;
  protected readonly xp: Float64Array;
  protected readonly yp: Float64Array;
  protected readonly world = float64Array(3);
  /** Scratch pair for the mounting-axis accumulator. */
  protected readonly uv = float64Array(2);
  /** The current sample, bias-corrected, with dt (SAMPLE_LAYOUT): passed by reference, never as doubles. */
  protected readonly sample = float64Array(SAMPLE_LAYOUT);
  protected readonly periodUs: number;
  /** Time between history records, µs. */
  protected readonly recordPeriodUs: number;
  /** A step between history records longer than this is a gap (3 record periods), µs. */
  protected readonly maxRecordStepUs: number;
  /** Ring field of the bridged flag. */
  protected readonly bridgedField: number;
  /** The record field holding the mounting-yaw epoch: by convention the subclass's last one. */
  private readonly epochField: number;
  /** Every `keepEvery`-th sample goes into the history (rates above the subclass's historyMaxRateHz). */
  private readonly keepEvery: number;
  private sinceKept = 0;
  /** Whether the current sample is stored in the history (set before afterUpdate). */
  protected keep = true;
  protected readonly axisMinSamples: number;
  /** The motion's principal axis (what it is of — acceleration, rotation — is the subclass's choice). */
  protected readonly axis: PrincipalAxis2D;
  /** The anatomical left axis in sensor coordinates: y_p turned by the mounting yaw. */
  protected readonly left: Float64Array;
  /** The anatomical anterior axis in sensor coordinates: x_p turned by the mounting yaw. */
  protected readonly anterior: Float64Array;
  private readonly axisUpdateSamples: number;
  private samplesSinceAxis = 0;
  private lastUs = Number.NaN;
  private mounting: MountingEstimate = { yawDeg: 0, axisRatio: Number.NaN, status: 'too-little-motion' };
  /**
   * Counts the changes of the mounting yaw in use that move the angles (its
   * status changed, or it moved 3° since the last count): a level change of an
   * angle series across one is the estimate's, not the body's or the clip's.
   */
  protected referenceEpoch = 0;
  private epochYawDeg = 0;

  constructor(
    protected readonly params: SegmentParams,
    protected readonly rateHz: number,
    protected calibration: Calibration,
    ringFields: number,
    /**
     * Histories keep at most this rate (the subclass says what its metrics
     * need): a 1 kHz sensor would otherwise hold five times the memory. Hz.
     */
    historyMaxRateHz: number,
    /** Seconds of history kept (params.historyS or shankHistoryS: the subclass says). */
    historyS: number,
  ) {
    // A fallback calibration's magnitude is the mean specific force of running, not gravity (on a
    // shank gravity plus the swing's centripetal pull, up to 2 g): the filter takes the nominal 1 g.
    this.filter = new AttitudeFilter(params.attitude, calibration.quality === 'standing' ? calibration.gravityMps2 : undefined);
    this.standingFromUs = calibration.quality === 'standing' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    this.keepEvery = Math.max(1, Math.floor(rateHz / historyMaxRateHz));
    // One more field than the subclass's (field 0 being the time): the bridged flag (1: the record was interpolated across a short gap).
    this.bridgedField = ringFields;
    this.epochField = ringFields - 1;
    const maxRecords = Math.ceil((historyS * rateHz) / this.keepEvery);
    this.ring = new TimedRecordRing(maxRecords, ringFields, Math.min(maxRecords, INITIAL_HISTORY_RECORDS));
    this.periodUs = 1e6 / rateHz;
    this.recordPeriodUs = this.periodUs * this.keepEvery;
    this.maxRecordStepUs = 3 * this.recordPeriodUs;
    this.coverage = new CoverageLog(COVERAGE_HOLES, this.maxRecordStepUs);
    this.axisMinSamples = Math.round(params.axisMinS * rateHz);
    this.axisUpdateSamples = Math.max(1, Math.round(rateHz / 2));
    const [ux, uy, uz] = calibration.upSensor;
    this.up = float64Array(3);
    this.xp = float64Array(3);
    this.yp = float64Array(3);
    this.setReference(ux, uy, uz);
    this.filter.reset(ux, uy, uz, calibration.quality === 'standing');
    this.axis = new PrincipalAxis2D(Math.exp(-1 / (params.axisTauS * rateHz)));
    this.left = float64From(this.yp);
    this.anterior = float64From(this.xp);
  }

  /** Up (the standing posture's long axis) and the sensor's own horizontal axes against it, in sensor coordinates. */
  private setReference(ux: number, uy: number, uz: number): void {
    this.up[0] = ux;
    this.up[1] = uy;
    this.up[2] = uz;
    // Sensor x made horizontal against up (DESIGN: sensors sit within ±20° of the segment frame).
    const x0 = 1 - ux * ux;
    const x1 = -ux * uy;
    const x2 = -ux * uz;
    const n = Math.sqrt(x0 * x0 + x1 * x1 + x2 * x2);
    const xp = this.xp;
    xp[0] = x0 / n;
    xp[1] = x1 / n;
    xp[2] = x2 / n;
    this.yp[0] = uy * xp[2]! - uz * xp[1]!;
    this.yp[1] = uz * xp[0]! - ux * xp[2]!;
    this.yp[2] = ux * xp[1]! - uy * xp[0]!;
  }

  /**
   * Angles measured "minus standing" have a standing reference for stances
   * from this time on, µs: −∞ after a standing calibration, +∞ after a
   * fallback one until a later stand (recalibrate) and the mounting judged
   * again against it.
   */
  standingFromUs: number;
  /** A later stand was taken and the mounting is being judged again against it. */
  private awaitingStandingAxis = false;

  /**
   * A stand found later in the session (the sensor calibrated from running):
   * its up becomes the reference, its gyro bias and 1 g are used from here,
   * and the mounting yaw is judged afresh in the new horizontal plane (the
   * old estimate was made in the running mean's, ~30° off on a shank);
   * `standingFromUs` is set once it is. The attitude itself goes on: the
   * filter's tilt never depended on the calibration's up.
   */
  recalibrate(standing: Calibration): void {
    // A copy: the track keeps the stand's calibration too, and a snapshot writes a shared object only once
    // (state-codec.ts), so the restored tracker would keep its constructor's (the running mean's gyro bias).
    this.calibration = { ...standing, upSensor: [...standing.upSensor], gyroBiasRadps: [...standing.gyroBiasRadps] };
    this.setReference(...standing.upSensor);
    this.filter.setGravity(standing.gravityMps2);
    this.axis.reset();
    this.awaitingStandingAxis = true;
  }

  /** Bytes of the angle history now (times and fields): the bulk of a session's memory, reported and guarded by tests. */
  get historyBytes(): number {
    return this.ring.byteLength;
  }

  /** Bytes the angle history may grow to (historyS or shankHistoryS of records). */
  get maxHistoryBytes(): number {
    return this.ring.maxCapacity * (4 + 4 * this.ring.fields);
  }

  /**
   * No later read of the history starts before `tUs` (µs): older records may
   * go when it is full. Until told, it keeps up to historyS.
   */
  retainHistoryFrom(tUs: number): void {
    this.ring.retainFrom(tUs);
  }

  /** Time between history records, µs (the sensor period × how many samples one record stands for). */
  get historyPeriodUs(): number {
    return this.recordPeriodUs;
  }

  get mountingEstimate(): MountingEstimate {
    return this.mounting;
  }

  /**
   * After a gap the attitude is unknown: restart from the next sample's
   * accelerometer and let the filter settle (angles are NaN until then).
   */
  reset(): void {
    this.lastUs = Number.NaN;
  }

  /**
   * One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz). `bridged`: a
   * row filled in across a short gap (the analyzer makes them): it carries
   * the attitude across on the filled-in rate and leaves a record flagged as
   * bridged, with the angles of that attitude and no accelerations (NaN), and
   * it teaches the mounting estimate nothing. `fromStride`: it was filled in
   * from the same phase of the previous stride, so its acceleration may
   * stand in for the lost one in the attitude's correction (orientation/attitude-filter.ts).
   */
  push(buf: Float64Array, o: number, bridged = false, fromStride = false): void {
    const tUs = buf[o]!;
    const bias = this.calibration.gyroBiasRadps;
    const s = this.sample;
    s[0] = tUs;
    s[1] = buf[o + 1]!;
    s[2] = buf[o + 2]!;
    s[3] = buf[o + 3]!;
    s[4] = buf[o + 4]! - bias[0];
    s[5] = buf[o + 5]! - bias[1];
    s[6] = buf[o + 6]! - bias[2];
    if (Number.isNaN(this.lastUs)) {
      if (this.ring.pushed > 0) this.filter.reset(s[1], s[2], s[3], false);
      this.lastUs = tUs - this.periodUs;
    }
    s[7] = (tUs - this.lastUs) / 1e6;
    s[SAMPLE_BRIDGED] = bridged ? (fromStride ? BRIDGED_TEMPLATE : BRIDGED_LINE) : 0;
    this.lastUs = tUs;
    this.filter.update(s);
    this.bridged = bridged;
    if (!this.filter.settled && !bridged) this.withheldUs += s[7] * 1e6;
    else if (this.referenceEpoch === 0 && !bridged) {
      // Counted from the first movement (standing still publishes no stance, so it withholds nothing).
      if (!this.moved) this.moved = s[4]! * s[4]! + s[5]! * s[5]! + s[6]! * s[6]! > MOVING_RADPS * MOVING_RADPS;
      if (this.moved) this.mountingWaitUs += s[7] * 1e6;
    }
    this.keep = ++this.sinceKept >= this.keepEvery;
    if (this.keep) this.sinceKept = 0;
    this.afterUpdate();
    if (this.keep) this.coverage.note(s, 0, bridged);
    if (bridged) return;
    if (++this.samplesSinceAxis >= this.axisUpdateSamples) {
      this.samplesSinceAxis = 0;
      const previous = this.mounting.status;
      this.mounting = this.updateAxis();
      if (this.mounting.status !== previous || Math.abs(this.mounting.yawDeg - this.epochYawDeg) > REFERENCE_STEP_DEG) {
        this.referenceEpoch++;
        this.epochYawDeg = this.mounting.yawDeg;
      }
      // The axis was reset at the stand, so an estimate from enough samples is one made against the new up.
      if (this.awaitingStandingAxis && this.mounting.status === 'estimated' && this.axis.count >= this.axisMinSamples) {
        this.awaitingStandingAxis = false;
        this.standingFromUs = tUs;
      }
    }
  }

  /** Subclass per-sample work on `this.sample`: accumulate the axis estimate, push the ring. */
  protected abstract afterUpdate(): void;

  /** Whether the current sample is a bridged one (set before afterUpdate). */
  protected bridged = false;

  /** Data time during which the attitude was not trusted (start-up, re-levelling after a long gap), µs. */
  private withheldUs = 0;

  /** Seconds of this sensor's data whose angles were withheld while the attitude settled (the summary reports it). */
  get anglesWithheldS(): number {
    return this.withheldUs / 1e6;
  }

  /** Data time, attitude settled and the segment moving, before the mounting yaw was judged from the motion (angles: mounting_unknown), µs. */
  private mountingWaitUs = 0;
  /** Whether the segment has turned faster than MOVING_RADPS since the start. */
  private moved = false;

  /** Seconds of this sensor's settled data whose angles waited for its mounting yaw (the summary reports it). */
  get mountingWaitS(): number {
    return this.mountingWaitUs / 1e6;
  }

  /** The principal axis's angle from y_p (the sensor's own left axis), rad, in (−π/2, π/2]. */
  protected abstract axisYawRad(): number;

  /**
   * Re-derives the mounting yaw from the motion so far (twice a second, not
   * per sample) and turns the left axis with it: anterior = cos ψ x_p + sin ψ
   * y_p, so left = up × anterior = cos ψ y_p − sin ψ x_p.
   */
  private updateAxis(): MountingEstimate {
    const estimate = this.judgeAxis(this.axisYawRad(), this.axis.ratio(), this.axis.count);
    const psi = (estimate.yawDeg * Math.PI) / 180;
    const c = Math.cos(psi);
    const s = Math.sin(psi);
    for (let k = 0; k < 3; k++) {
      this.left[k] = c * this.yp[k]! - s * this.xp[k]!;
      this.anterior[k] = c * this.xp[k]! + s * this.yp[k]!;
    }
    return estimate;
  }

  /** Shared plausibility rule for an axis `angleRad` away from the sensor's own. */
  protected judgeAxis(angleRad: number, ratio: number, samples: number): MountingEstimate {
    if (samples < this.axisMinSamples) return { yawDeg: 0, axisRatio: ratio, status: 'too-little-motion' };
    if (!(ratio >= this.params.minAxisRatio)) return { yawDeg: 0, axisRatio: ratio, status: 'ambiguous' };
    const yawDeg = angleRad * DEG_PER_RAD;
    if (Math.abs(yawDeg) > this.params.maxAxisYawDeg) return { yawDeg: 0, axisRatio: ratio, status: 'implausible' };
    return { yawDeg, axisRatio: ratio, status: 'estimated' };
  }

  /** asin clamped to its domain, in degrees. */
  protected static asinDeg(x: number): number {
    return Math.asin(x > 1 ? 1 : x < -1 ? -1 : x) * DEG_PER_RAD;
  }

  /**
   * Ring indices [first, last] of the samples in [fromUs, toUs], or null when
   * the history does not cover the window or the window spans a gap. Filled
   * into `out` to avoid an array per call.
   */
  protected span(fromUs: number, toUs: number, out: Int32Array | Float64Array): boolean {
    const ring = this.ring;
    if (ring.length === 0 || ring.time(ring.firstIndex) > fromUs || ring.time(ring.pushed - 1) < toUs) return false;
    // The newest record at or before toUs, by bisection: the history is in time order, and a window sits
    // ~releaseAfterS behind its newest record (hundreds of records that a backward scan stepped over per lookup).
    let lo = ring.firstIndex;
    let hi = ring.pushed - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (ring.time(mid) > toUs) hi = mid - 1;
      else lo = mid;
    }
    const last = lo;
    let first = last;
    const maxStepUs = this.maxRecordStepUs;
    while (first > ring.firstIndex && ring.time(first - 1) >= fromUs) {
      if (ring.time(first) - ring.time(first - 1) > maxStepUs) return false;
      first--;
    }
    // A window that starts or ends inside a gap is not covered: its samples stop short of the edge.
    if (ring.time(first) - fromUs > maxStepUs || toUs - ring.time(last) > maxStepUs) return false;
    out[0] = first;
    out[1] = last;
    return last >= first;
  }

  protected readonly spanScratch = float64Array(2);

  /**
   * Whether the mounting yaw had been judged from the motion for every record
   * in spanScratch (epoch ≥ 1: epoch 0 is the start, when the sensor's own
   * axis stands in for the anatomical one). Epochs only grow, so the first
   * record decides.
   */
  protected spanMountingKnown(): boolean {
    return this.ring.data[this.ring.slot(this.spanScratch[0]!) + this.epochField]! >= 1;
  }

  /** The mounting-yaw epoch (ring field `field`) of every record in spanScratch, or NaN when it changes within it. */
  protected spanEpoch(field: number): number {
    const d = this.ring.data;
    const first = d[this.ring.slot(this.spanScratch[0]!) + field]!;
    for (let i = this.spanScratch[0]! + 1; i <= this.spanScratch[1]!; i++) if (d[this.ring.slot(i) + field] !== first) return Number.NaN;
    return first;
  }

  /**
   * Why an angle over [fromUs, toUs] came out null (asked only then):
   * `sensor_silent` (no data reaching the window's end, or a hole in it
   * longer than `silentUs`), `attitude_settling`
   * (start-up or re-levelling after a long gap), `data_gap` (a gap in the
   * window, or the peak beside a bridged one), `history` (older than kept),
   * `mounting_unknown` (the mounting yaw not yet judged from the motion).
   */
  whyNoAngle(fromUs: number, toUs: number, silentUs: number): AngleGap {
    const ring = this.ring;
    const d = ring.data;
    if (ring.length === 0 || ring.time(ring.pushed - 1) < toUs) return 'sensor_silent';
    if (ring.time(ring.firstIndex) > fromUs) {
      // The history no longer reaches back there; the coverage log still says whether a hole was the cause
      // (so the reason does not depend on how long after the stance it is asked, e.g. a pelvis stand-in's release).
      const holeUs = this.coverage.longestHoleUs(fromUs, toUs);
      return holeUs === 0 ? 'history' : holeUs > silentUs ? 'sensor_silent' : 'data_gap';
    }
    const maxStepUs = this.maxRecordStepUs;
    let previousUs = Number.NaN;
    for (let i = ring.pushed - 1; i >= ring.firstIndex; i--) {
      const slot = ring.slot(i);
      const t = ring.time(i);
      if (t > toUs + maxStepUs) {
        previousUs = t;
        continue;
      }
      // A hole longer than the silence limit was the sensor going quiet (its own alert), not lost packets.
      if (previousUs - t > silentUs) return 'sensor_silent';
      if (previousUs - t > maxStepUs || d[slot + this.bridgedField] === 1) return 'data_gap';
      if (Number.isNaN(d[slot + 1]!)) return 'attitude_settling';
      previousUs = t;
      if (t < fromUs - maxStepUs) break;
    }
    if (this.span(fromUs, toUs, this.spanScratch) && !this.spanMountingKnown()) return 'mounting_unknown';
    return 'data_gap';
  }

  /**
   * Whether this sensor's real samples cover [fromUs, toUs]: no gap, not even
   * a bridged one. From the coverage log, which reaches further back than the
   * history (a shank's is short).
   */
  covers(fromUs: number, toUs: number): boolean {
    return this.coverage.covers(fromUs, toUs);
  }

  /** Time of the newest history record, µs (NaN: none yet). */
  get newestUs(): number {
    return this.ring.newestTime();
  }

  /** Whether record `i` or a neighbour of it in the history was bridged. */
  protected nearBridged(i: number): boolean {
    const ring = this.ring;
    const f = this.bridgedField;
    if (ring.data[ring.slot(i) + f] === 1) return true;
    if (i > ring.firstIndex && ring.data[ring.slot(i - 1) + f] === 1) return true;
    return i + 1 < ring.pushed && ring.data[ring.slot(i + 1) + f] === 1;
  }

  /**
   * Peak of `sign × field` over [fromUs, toUs] from the history, or null when
   * the history does not cover the window, a sample in it is NaN (the
   * attitude was settling), the window spans a long gap, or the peak falls
   * on or beside a bridged record: a peak read from real samples is a real
   * peak, one in a short gap is a guess.
   */
  peak(field: number, fromUs: number, toUs: number, sign: number): number | null {
    if (!this.span(fromUs, toUs, this.spanScratch)) return null;
    let best = Number.NEGATIVE_INFINITY;
    let at = -1;
    for (let i = this.spanScratch[0]!; i <= this.spanScratch[1]!; i++) {
      const v = sign * this.ring.data[this.ring.slot(i) + field]!;
      if (Number.isNaN(v)) return null;
      if (v > best) {
        best = v;
        at = i;
      }
    }
    if (at < 0 || this.nearBridged(at)) return null;
    return Number.isFinite(best) ? best : null;
  }
}
