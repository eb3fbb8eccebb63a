import type { Side } from '@gaitwatch/protocol';
import type { Calibration } from '../calibration/standing-calibrator.ts';
import { PrincipalAxis2D } from '../orientation/principal-axis.ts';
import { SegmentTracker, type MountingEstimate, type SegmentParams } from './segment-tracker.ts';

const MEDIAL_TILT = 1;
/** Rates below this are not swing and say little about the swing axis, rad/s. */
const SWING_RATE_RADPS = 1;

/**
 * Medial tilt of one shank's long axis (the knee-collapse proxy).
 *
 * DESIGN.md: `asin(ẑ_shank · m̂)`, m̂ the leg's medial direction in the
 * heading frame, minus standing. ẑ_shank is the calibrated up (standing)
 * carried by the attitude filter, so standing gives 0 by construction.
 * Without a magnetometer the sensors share no heading, so each shank finds
 * the walking direction itself: the shank swings about its medio-lateral
 * axis (the principal axis of the angular rate during swing, in the plane
 * perpendicular to the long axis), and that axis, made horizontal and
 * smoothed over strides (`headingTauS`), is the heading frame's y. The
 * smoothing keeps the stance-phase axial rotation of the shank from turning
 * the frame with it. For straight running this is the pelvis's heading; for
 * curves the two differ by the leg's own rotation (not evaluated).
 */
export class ShankTracker extends SegmentTracker {
  private readonly axis = new PrincipalAxis2D();
  /** Medio-lateral (left-pointing) axis in sensor coordinates. */
  private readonly ml: Float64Array;
  /** Smoothed horizontal left direction in this sensor's world frame (unnormalised). */
  private headingLeftX = Number.NaN;
  private headingLeftY = Number.NaN;
  private readonly smoothing: number;
  private readonly medialSign: number;

  constructor(params: SegmentParams, rateHz: number, calibration: Calibration, side: Side) {
    super(params, rateHz, calibration, 2);
    this.ml = Float64Array.from(this.yp);
    this.smoothing = 1 - Math.exp(-1 / (params.headingTauS * rateHz));
    // Medial is −left for the left leg, +left for the right.
    this.medialSign = side === 'left' ? -1 : 1;
  }

  override reset(): void {
    super.reset();
    this.headingLeftX = this.headingLeftY = Number.NaN;
  }

  protected afterUpdate(tUs: number, _ax: number, _ay: number, _az: number, gx: number, gy: number, gz: number): void {
    const xp = this.xp;
    const yp = this.yp;
    const u = gx * xp[0]! + gy * xp[1]! + gz * xp[2]!;
    const v = gx * yp[0]! + gy * yp[1]! + gz * yp[2]!;
    if (u * u + v * v > SWING_RATE_RADPS * SWING_RATE_RADPS) this.axis.add(u, v);
    const f = this.filter;
    if (!f.settled) {
      this.ring.push(tUs, Number.NaN);
      return;
    }
    const w = this.world;
    f.toWorld(this.ml[0]!, this.ml[1]!, this.ml[2]!, w);
    if (Number.isNaN(this.headingLeftX)) {
      this.headingLeftX = w[0]!;
      this.headingLeftY = w[1]!;
    } else {
      this.headingLeftX += this.smoothing * (w[0]! - this.headingLeftX);
      this.headingLeftY += this.smoothing * (w[1]! - this.headingLeftY);
    }
    const n = Math.sqrt(this.headingLeftX * this.headingLeftX + this.headingLeftY * this.headingLeftY);
    f.toWorld(this.up[0]!, this.up[1]!, this.up[2]!, w);
    const towardLeft = n > 0 ? (w[0]! * this.headingLeftX + w[1]! * this.headingLeftY) / n : Number.NaN;
    this.ring.push(tUs, SegmentTracker.asinDeg(this.medialSign * towardLeft));
  }

  protected updateAxis(): MountingEstimate {
    // The swing axis is near y_p; its angle from y_p is the mounting yaw.
    let angle = this.axis.angleRad() - Math.PI / 2;
    if (angle < -Math.PI / 2) angle += Math.PI;
    const estimate = this.judgeAxis(angle, this.axis.ratio(), this.axis.count);
    const psi = (estimate.yawDeg * Math.PI) / 180;
    // Left = cos ψ y_p − sin ψ x_p (the y_p axis turned by ψ about up, as for the pelvis).
    const c = Math.cos(psi);
    const s = Math.sin(psi);
    for (let k = 0; k < 3; k++) this.ml[k] = c * this.yp[k]! - s * this.xp[k]!;
    return estimate;
  }

  /** Knee-collapse proxy of a stance: peak medial tilt over [IC, TO], degrees; null when unknown. */
  shankFrontalDeg(fromUs: number, toUs: number): number | null {
    return this.peak(MEDIAL_TILT, fromUs, toUs, 1);
  }
}
