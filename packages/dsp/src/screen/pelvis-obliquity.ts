import type { Calibration } from '../calibration/standing-calibrator.ts';
import { AttitudeFilter, SAMPLE_BRIDGED, SAMPLE_LAYOUT, type AttitudeFilterParams } from '../orientation/attitude-filter.ts';
import { leftAxisFrom, leftAxisFromYaw, planeBasis, PlaneAxis } from './plane-axis.ts';

const DEG = 180 / Math.PI;
/** Obliquity record rate, Hz: a rep's drop peak is ~1 s wide, so 50 Hz reads its top to ~0.01°. */
const RECORD_HZ = 50;
/** How long the pelvis must have been quiet (pelvisAxisQuietG) before its acceleration teaches the axis, µs: a walking step lasts ~0.55 s. */
const QUIET_FOR_US = 1_000_000;

/**
 * The pelvis during a screen: its attitude, its left axis and the obliquity
 * history the reps' pelvic drop is read from.
 *
 * The left axis (mounting yaw) comes from the pelvis's horizontal
 * acceleration: before a set the body shifts its weight sideways over the
 * standing foot, and within a rep the pelvis moves fore and aft as the hips
 * go back; both lie along the body's axes, so the principal axis of the
 * horizontal acceleration (in the plane perpendicular to the standing "up")
 * is the left or the forward axis. The top-to-bottom rotation of the pelvis
 * is no use: its forward tilt and its drop share one time course, so the
 * drop itself would turn the axis (by ~10° when one side drops more).
 *
 * Obliquity φ = asin(ŷ_pelvis · ẑ) with ŷ_pelvis fixed in the sensor frame
 * and perpendicular to the standing up, so φ is 0 in the standing
 * calibration (DESIGN.md: relative to standing) and needs no world yaw.
 */
export class PelvisObliquity {
  readonly filter: AttitudeFilter;
  private readonly sample = new Float64Array(SAMPLE_LAYOUT);
  private readonly up0: Float64Array;
  private readonly basis = new Float64Array(6);
  readonly axis: PlaneAxis;
  /** The pelvis's left axis in sensor coordinates (perpendicular to the standing up). */
  readonly left = new Float64Array(3);
  /** Its yaw from the sensor's own y, degrees (NaN: not estimated, the sensor's y is used). */
  yawDeg = Number.NaN;
  private readonly up = new Float64Array(3);
  private readonly uv = new Float64Array(2);
  private readonly bias: Float64Array;
  private lastUs = Number.NaN;
  private nextAxisUs = Number.NEGATIVE_INFINITY;
  private nextRecordUs = Number.NEGATIVE_INFINITY;
  private readonly recordUs: number;
  // Ring of (t, φ): capacity covers the longest rep plus how far other sensors may lag (silentAfterS).
  readonly times: Float64Array;
  readonly phiDeg: Float32Array;
  private head = 0;
  private count = 0;
  /**
   * The latest stretch whose angles are not trusted, µs: from a long gap's
   * start (−∞: the session's start without standing) to the time the
   * attitude settled again (+∞ while settling; both NaN: none).
   */
  untrustedFromUs = Number.NaN;
  settledFromUs = Number.NaN;
  private readonly gravityMps2: number;
  /** The last sample whose specific force was off 1 g by more than axisQuietG, µs. */
  private livelyUs = Number.NEGATIVE_INFINITY;
  /** The latest long gap (missing data), µs (NaN: none). */
  gapFromUs = Number.NaN;
  gapToUs = Number.NaN;

  constructor(
    attitude: AttitudeFilterParams,
    calibration: Calibration,
    historyS: number,
    private readonly axisTauS: number,
    private readonly minAxisRatio: number,
    private readonly maxAxisYawDeg: number,
    private readonly axisQuietG: number,
  ) {
    this.filter = new AttitudeFilter(attitude, calibration.gravityMps2);
    this.gravityMps2 = calibration.gravityMps2;
    const [ux, uy, uz] = calibration.upSensor;
    this.filter.reset(ux, uy, uz, calibration.quality === 'standing');
    this.up0 = Float64Array.from(calibration.upSensor);
    this.bias = Float64Array.from(calibration.gyroBiasRadps);
    planeBasis(this.up0, this.basis);
    this.left.set(this.basis.subarray(3, 6));
    // Decay per sample is set at the first sample's dt; until then plain sums.
    this.axis = new PlaneAxis(1);
    this.recordUs = 1e6 / RECORD_HZ;
    const capacity = Math.ceil(historyS * RECORD_HZ) + 2;
    this.times = new Float64Array(capacity);
    this.phiDeg = new Float32Array(capacity);
    if (calibration.quality !== 'standing') {
      this.untrustedFromUs = Number.NEGATIVE_INFINITY;
      this.settledFromUs = Number.POSITIVE_INFINITY;
    }
  }

  /** One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz); `bridged`: rates interpolated across a short gap. */
  push(buf: Float64Array, o: number, bridged = false): void {
    const tUs = buf[o]!;
    const s = this.sample;
    const dtS = Number.isNaN(this.lastUs) ? 0 : (tUs - this.lastUs) / 1e6;
    this.lastUs = tUs;
    s[0] = tUs;
    for (let c = 1; c <= 3; c++) s[c] = buf[o + c]!;
    for (let c = 0; c < 3; c++) s[4 + c] = buf[o + 4 + c]! - this.bias[c]!;
    s[7] = dtS;
    s[SAMPLE_BRIDGED] = bridged ? 1 : 0;
    this.filter.update(s);
    if (!this.filter.settled) return;
    if (this.settledFromUs === Number.POSITIVE_INFINITY) this.settledFromUs = tUs;
    if (bridged) return;
    this.filter.upInSensor(this.up);
    this.learnAxis(buf, o);
    if (tUs >= this.nextRecordUs) {
      this.nextRecordUs = tUs + this.recordUs;
      const u = this.up;
      const l = this.left;
      const phi = Math.asin(Math.max(-1, Math.min(1, u[0]! * l[0]! + u[1]! * l[1]! + u[2]! * l[2]!))) * DEG;
      const cap = this.times.length;
      this.times[this.head] = tUs;
      this.phiDeg[this.head] = phi;
      this.head = (this.head + 1) % cap;
      if (this.count < cap) this.count++;
    }
  }

  /**
   * Horizontal acceleration in sensor coordinates is a − (a·û)û (gravity lies
   * along û and drops out), taken in the plane perpendicular to the standing
   * up; its principal axis is re-read twice a second.
   */
  private learnAxis(buf: Float64Array, o: number): void {
    const dtS = this.sample[7]!;
    const u = this.up;
    const ax = buf[o + 1]!;
    const ay = buf[o + 2]!;
    const az = buf[o + 3]!;
    // Walking (a walk-in, steps between sets) turns the pelvis with the legs: learn only where it has been quiet.
    const tUs = buf[o]!;
    if (Math.abs(Math.sqrt(ax * ax + ay * ay + az * az) - this.gravityMps2) > this.axisQuietG * this.gravityMps2) this.livelyUs = tUs;
    if (tUs - this.livelyUs < QUIET_FOR_US) return;
    const along = ax * u[0]! + ay * u[1]! + az * u[2]!;
    const hx = ax - along * u[0]!;
    const hy = ay - along * u[1]!;
    const hz = az - along * u[2]!;
    const b = this.basis;
    this.uv[0] = hx * b[0]! + hy * b[1]! + hz * b[2]!;
    this.uv[1] = hx * b[3]! + hy * b[4]! + hz * b[5]!;
    // Exponential forgetting by data time (the decay is per sample; dt is near constant).
    if (dtS > 0) {
      const keep = Math.exp(-dtS / this.axisTauS);
      this.axis.suu *= keep;
      this.axis.svv *= keep;
      this.axis.suv *= keep;
      this.axis.w *= keep;
    }
    this.axis.add(this.uv);
    if (tUs < this.nextAxisUs) return;
    this.nextAxisUs = tUs + 500_000;
    if (!(this.axis.ratio() >= this.minAxisRatio)) return;
    this.yawDeg = leftAxisFrom(this.axis.angleRad(), this.basis, this.maxAxisYawDeg, this.left);
  }

  /**
   * Continues with an axis estimate from a snapshot: its sums, and the yaw in
   * use (null: none yet). The yaw stays what it was when the sums last had a
   * clear axis, so it is carried, not recomputed: after a walk-in the sums
   * forget the walking and can sit below minAxisRatio at the cut.
   */
  restoreAxis(sums: readonly number[], yawDeg: number | null): void {
    this.axis.load(sums);
    if (yawDeg !== null) this.yawDeg = leftAxisFromYaw(yawDeg, this.basis, this.maxAxisYawDeg, this.left);
  }

  /** A long gap: the attitude restarts from the next sample's accelerometer and settles again (angles withheld). */
  gap(fromUs: number, toUs: number, buf: Float64Array, o: number): void {
    this.filter.reset(buf[o + 1]!, buf[o + 2]!, buf[o + 3]!, false);
    this.untrustedFromUs = fromUs;
    this.settledFromUs = Number.POSITIVE_INFINITY;
    this.gapFromUs = fromUs;
    this.gapToUs = toUs;
    this.lastUs = Number.NaN;
  }

  /** Newest recorded time, µs (NaN: none). */
  get newestUs(): number {
    return this.count === 0 ? Number.NaN : this.times[(this.head - 1 + this.times.length) % this.times.length]!;
  }

  /**
   * Peak of sign × φ over [fromUs, toUs], degrees, or why there is none:
   * 'attitude_settling' (the attitude was not trusted), 'data_gap' (a long
   * gap inside), 'history' (no longer kept).
   */
  peak(fromUs: number, toUs: number, sign: number, out: Float64Array): 'attitude_settling' | 'data_gap' | 'history' | undefined {
    if (this.gapToUs > fromUs && this.gapFromUs < toUs) return 'data_gap';
    if (toUs > this.untrustedFromUs && fromUs < this.settledFromUs) return 'attitude_settling';
    const cap = this.times.length;
    let best = Number.NEGATIVE_INFINITY;
    let oldest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.count; i++) {
      const k = (this.head - 1 - i + 2 * cap) % cap;
      const t = this.times[k]!;
      oldest = t;
      if (t > toUs) continue;
      if (t < fromUs) break;
      const v = sign * this.phiDeg[k]!;
      if (v > best) best = v;
    }
    if (oldest > fromUs + this.recordUs || best === Number.NEGATIVE_INFINITY) return 'history';
    out[0] = best;
    return undefined;
  }
}
