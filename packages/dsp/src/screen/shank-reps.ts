import type { Side } from '@gaitwatch/protocol/core';
import type { Calibration } from '../calibration/standing-calibrator.ts';
import { AttitudeFilter, SAMPLE_BRIDGED, SAMPLE_LAYOUT, type AttitudeFilterParams } from '../orientation/attitude-filter.ts';
import { SWING_RATE_RADPS } from '../segments/shank-tracker.ts';
import { leftAxisFrom, leftAxisFromYaw, planeBasis, PlaneAxis } from './plane-axis.ts';
import type { ScreenParams } from './screen-params.ts';

const DEG = 180 / Math.PI;
/**
 * Swing samples (rate above SWING_RATE_RADPS in the standing plane) before
 * they set the shank's left axis: ~2 walking strides of one leg at 200 Hz
 * (a walking swing turns faster than 1 rad/s for ~0.25 s).
 */
const MIN_SWING_SAMPLES = 100;

/** A rep as one shank saw it (the standing leg's): times and the shank's own angles. */
export interface ShankRep {
  readonly side: Side;
  readonly startUs: number;
  readonly bottomUs: number;
  readonly endUs: number;
  /** Knee-collapse proxy peak, degrees (NaN: the attitude was not trusted). */
  readonly shankFrontalDeg: number;
  /** Forward pitch at the bottom, degrees (NaN: as above). */
  readonly depthDeg: number;
}

/**
 * One shank during a screen: its attitude, its tilt from the standing
 * attitude, and the reps it stands through.
 *
 * A rep is a bump of the tilt above `repEnterDeg` that starts and ends below
 * `repExitDeg` within minRepS..maxRepS: the standing shank pitches forward
 * and back, slowly: the shank's specific force stays within repMaxAccDevG of
 * 1 g (a planted shank turning about the ankle: ≲ 0.05 g), where a walking or
 * running step lands with 1–2 g or more — the first steps off standing are
 * otherwise as long and as tilted as a rep. The free leg does not make reps: in a squat it is held up for the
 * whole set (a bump longer than maxRepS), in a step-down it hangs within a few
 * degrees of its standing attitude; a running or walking swing is too short.
 *
 * The shank's long axis is its standing "up" (so the angles are relative to
 * standing, as DESIGN.md wants). Its medial direction: the sensor's left axis
 * carried into the world frame at each rep's start (the attitude's heading
 * drifts slowly, so it is re-taken per rep) and made horizontal. That left
 * axis is the sensor's own y made perpendicular to the standing up, until the
 * leg is seen turning on one axis in the sagittal plane: swinging in walking
 * (a few steps to the spot or the step before the screen; the running
 * analysis takes the same swing axis, segments/shank-tracker.ts), or held up
 * for longer than a rep (the free leg of a single-leg squat moves at the hip
 * and knee only). That axis is then the shank's left axis. The standing
 * shank's own motion cannot give it: the knee-in and the pitch share one time
 * course, so its principal axis would absorb the knee-in; and nothing shows it
 * in a step-down, where the free leg hangs still.
 */
export class ShankReps {
  readonly filter: AttitudeFilter;
  private readonly sample = new Float64Array(SAMPLE_LAYOUT);
  private readonly up0: Float64Array;
  private readonly basis = new Float64Array(6);
  private readonly bias: Float64Array;
  /** The shank's left axis in sensor coordinates. */
  readonly left = new Float64Array(3);
  /** Its yaw from the sensor's y, degrees (NaN: not estimated). */
  yawDeg = Number.NaN;
  /** Rotation of the current bump (its fast samples excepted: they are swing). */
  readonly bumpAxis = new PlaneAxis();
  /** The leg's sagittal rotation so far: walking swing samples and held-leg bumps. */
  readonly legAxis = new PlaneAxis();
  /** Swing samples added to legAxis since the left axis was last taken from it. */
  private swingSinceAxis = 0;
  private readonly up = new Float64Array(3);
  private readonly world = new Float64Array(3);
  private readonly uv = new Float64Array(2);
  /** The current sample's time (µs), tilt (degrees) and knee proxy (degrees). */
  private readonly cur = new Float64Array(3);
  private lastUs = Number.NaN;
  private readonly medialSign: number;
  // Rep state: 0 resting (below the exit tilt), 1 risen past exit but not past enter, 2 in a rep, 3 back below exit, not yet at rest.
  private state = 0;
  /** Lowest tilt of the current rest, degrees: the rep's edges are taken against it. */
  private floorDeg = Number.POSITIVE_INFINITY;
  private exitUs = Number.NaN;
  private lastTiltDeg = 0;
  private startUs = Number.NaN;
  private peakTiltDeg = 0;
  private bottomUs = Number.NaN;
  private kneePeakDeg = Number.NEGATIVE_INFINITY;
  private depthDeg = Number.NaN;
  /** World-frame horizontal medial and forward directions taken at the rep's start. */
  private readonly medialW = new Float64Array(3);
  private readonly forwardW = new Float64Array(3);
  private trusted = true;
  /** Largest |‖a‖ − 1 g| since the rep's start, m/s²: a rep is slow, a step lands. */
  private accDevMps2 = 0;
  private readonly gravityMps2: number;

  constructor(
    readonly side: Side,
    attitude: AttitudeFilterParams,
    calibration: Calibration,
    private readonly params: ScreenParams,
    private readonly onRep: (rep: ShankRep) => void,
  ) {
    this.filter = new AttitudeFilter(attitude, calibration.gravityMps2);
    this.gravityMps2 = calibration.gravityMps2;
    const [ux, uy, uz] = calibration.upSensor;
    this.filter.reset(ux, uy, uz, calibration.quality === 'standing');
    this.up0 = Float64Array.from(calibration.upSensor);
    this.bias = Float64Array.from(calibration.gyroBiasRadps);
    planeBasis(this.up0, this.basis);
    this.left.set(this.basis.subarray(3, 6));
    // DESIGN.md: medial is −y for the left leg, +y for the right.
    this.medialSign = side === 'left' ? -1 : 1;
  }

  /** Start of a rep under way (NaN: none): it holds later reps of the other leg back. */
  get openSinceUs(): number {
    return this.state === 0 ? Number.NaN : this.startUs;
  }

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
    // Rotation in the standing plane: fast, it is a swinging leg (walking) and shows the leg's axis.
    const b = this.basis;
    const uRate = s[4]! * b[0]! + s[5]! * b[1]! + s[6]! * b[2]!;
    const vRate = s[4]! * b[3]! + s[5]! * b[4]! + s[6]! * b[5]!;
    this.uv[0] = uRate;
    this.uv[1] = vRate;
    const swinging = !bridged && uRate * uRate + vRate * vRate > SWING_RATE_RADPS * SWING_RATE_RADPS;
    if (swinging) {
      this.legAxis.add(this.uv);
      this.swingSinceAxis++;
    }
    const accDev = Math.abs(Math.sqrt(s[1]! * s[1]! + s[2]! * s[2]! + s[3]! * s[3]!) - this.gravityMps2);
    if (accDev > this.accDevMps2) this.accDevMps2 = accDev;
    if (!this.filter.settled) {
      this.trusted = false;
      return;
    }
    this.filter.upInSensor(this.up);
    const u = this.up;
    const u0 = this.up0;
    const tiltDeg = Math.acos(Math.max(-1, Math.min(1, u[0]! * u0[0]! + u[1]! * u0[1]! + u[2]! * u0[2]!))) * DEG;
    // The sample's time and tilt go to the helpers through this array: a double passed to a call V8 does not inline is boxed.
    this.cur[0] = tUs;
    this.cur[1] = tiltDeg;
    const p = this.params;
    if (this.state === 0) {
      if (tiltDeg < p.repExitDeg) {
        // Resting: a rep that follows starts at the last sample within repEdgeDeg of the resting floor.
        if (tiltDeg < this.floorDeg) this.floorDeg = tiltDeg;
        if (tiltDeg <= this.floorDeg + p.repEdgeDeg) this.beginCandidate();
        else this.measure();
        return;
      }
      this.state = 1;
    } else if (tiltDeg < p.repExitDeg) {
      if (this.state === 1) {
        // Rose a little and came back: still resting.
        this.state = 0;
        this.measure();
        return;
      }
      // Coming back: the rep ends at the first sample within repEdgeDeg of the floor it started from
      // (or when the tilt turns up again, or a rep's length after the exit crossing at most).
      if (this.state === 2) {
        this.state = 3;
        this.exitUs = tUs;
        this.lastTiltDeg = tiltDeg;
      }
      const rising = tiltDeg > this.lastTiltDeg + p.repEdgeDeg;
      this.lastTiltDeg = Math.min(this.lastTiltDeg, tiltDeg);
      this.measure();
      if (tiltDeg <= this.floorDeg + p.repEdgeDeg || rising || tUs - this.exitUs > p.maxRepS * 1e6) {
        this.endBump();
        this.floorDeg = tiltDeg;
        this.beginCandidate();
      }
      return;
    }
    // Above the exit tilt (state 3 rising again counts as the same rep: it never came to rest).
    if (this.state === 3) this.state = 2;
    // Rotation of this bump in the standing plane (the held leg's axis, if it turns out to be one).
    if (!swinging) this.bumpAxis.add(this.uv);
    if (this.state === 1 && tiltDeg > p.repEnterDeg) this.state = 2;
    this.measure();
  }

  /** The last sample below the exit tilt: a rep that follows starts here, its directions taken now. */
  private beginCandidate(): void {
    if (this.swingSinceAxis > 0 && this.legAxis.w >= MIN_SWING_SAMPLES) this.takeLegAxis();
    this.state = 0;
    this.startUs = this.cur[0]!;
    this.peakTiltDeg = 0;
    this.bottomUs = Number.NaN;
    this.depthDeg = Number.NaN;
    this.trusted = true;
    this.accDevMps2 = 0;
    this.bumpAxis.clear();
    this.filter.toWorld(this.left, 0, this.world);
    const w = this.world;
    const n = Math.sqrt(w[0]! * w[0]! + w[1]! * w[1]!) || 1;
    // Left (horizontal) = (wx, wy, 0)/n; forward = left × up = (wy, −wx, 0)/n.
    this.medialW[0] = (this.medialSign * w[0]!) / n;
    this.medialW[1] = (this.medialSign * w[1]!) / n;
    this.medialW[2] = 0;
    this.forwardW[0] = w[1]! / n;
    this.forwardW[1] = -w[0]! / n;
    this.forwardW[2] = 0;
    this.kneeNow();
    this.kneePeakDeg = this.cur[2]!;
  }

  /** The long axis (standing up, in sensor coordinates) in the world frame, into this.world. */
  private longAxis(): Float64Array {
    this.filter.toWorld(this.up0, 0, this.world);
    return this.world;
  }

  /** The knee-collapse proxy now, degrees, into cur[2] (the long axis is left in this.world). */
  private kneeNow(): void {
    const z = this.longAxis();
    this.cur[2] = Math.asin(Math.max(-1, Math.min(1, z[0]! * this.medialW[0]! + z[1]! * this.medialW[1]!))) * DEG;
  }

  /** Peaks of the current sample (cur: time, tilt). */
  private measure(): void {
    this.kneeNow();
    const knee = this.cur[2]!;
    const tiltDeg = this.cur[1]!;
    if (knee > this.kneePeakDeg) this.kneePeakDeg = knee;
    if (tiltDeg > this.peakTiltDeg) {
      this.peakTiltDeg = tiltDeg;
      this.bottomUs = this.cur[0]!;
      const z = this.world;
      this.depthDeg = Math.asin(Math.max(-1, Math.min(1, z[0]! * this.forwardW[0]! + z[1]! * this.forwardW[1]!))) * DEG;
    }
  }

  private endBump(): void {
    const endUs = this.cur[0]!;
    const durationS = (endUs - this.startUs) / 1e6;
    const p = this.params;
    const slow = this.accDevMps2 <= p.repMaxAccDevG * this.gravityMps2;
    if (durationS >= p.minRepS && durationS <= p.maxRepS && slow && !Number.isNaN(this.startUs)) {
      this.onRep({
        side: this.side,
        startUs: this.startUs,
        bottomUs: this.bottomUs,
        endUs,
        shankFrontalDeg: this.trusted ? this.kneePeakDeg : Number.NaN,
        depthDeg: this.trusted ? this.depthDeg : Number.NaN,
      });
    } else if (durationS > p.maxRepS && this.trusted && this.bumpAxis.ratio() >= p.minHeldAxisRatio) {
      // A leg held up: its rotation (hip and knee, sagittal) gives this shank's left axis from now on.
      this.legAxis.merge(this.bumpAxis);
      this.takeLegAxis();
    }
  }

  /** The left axis from the leg's rotation so far, when it lies along one axis (else the sensor's y stays). */
  private takeLegAxis(): void {
    this.swingSinceAxis = 0;
    if (!(this.legAxis.ratio() >= this.params.minHeldAxisRatio)) return;
    // An implausible yaw (NaN) leaves the sensor's own y in `left` (leftAxisFrom).
    this.yawDeg = leftAxisFrom(this.legAxis.angleRad(), this.basis, this.params.maxAxisYawDeg, this.left);
  }

  /** Continues with the leg's axis from a snapshot: its sums, and the yaw in use (null: the sensor's own y). */
  restoreAxis(sums: readonly number[], yawDeg: number | null): void {
    this.legAxis.load(sums);
    if (yawDeg !== null) this.yawDeg = leftAxisFromYaw(yawDeg, this.basis, this.params.maxAxisYawDeg, this.left);
  }

  /** A long gap: a rep across it is dropped; the attitude restarts and settles again. */
  gap(buf: Float64Array, o: number): void {
    this.filter.reset(buf[o + 1]!, buf[o + 2]!, buf[o + 3]!, false);
    this.lastUs = Number.NaN;
    this.state = 0;
    this.floorDeg = Number.POSITIVE_INFINITY;
    this.startUs = Number.NaN;
    this.trusted = false;
  }
}
