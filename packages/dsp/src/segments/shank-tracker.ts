import type { Side } from '@gaitwatch/protocol/core';
import type { Calibration } from '../calibration/standing-calibrator.ts';
import { SegmentTracker, type SegmentParams } from './segment-tracker.ts';
import { float64Array } from '../signal/arena.ts';

// Ring fields: time, then horizontal world components of the long axis (up) and of the medio-lateral axis.
const ZX = 1;
const ZY = 2;
const MLX = 3;
const MLY = 4;
/** The mounting-yaw epoch the sample was computed in (segment-tracker.ts). */
const EPOCH = 5;
/** Rates below this are not swing and say little about the swing axis, rad/s (a movement screen's slow reps stay below it too). */
export const SWING_RATE_RADPS = 1;

/**
 * The shank history's rate, Hz. Its frontal-angle peak is sharper than the
 * pelvis's: at 100 Hz (half a 200 Hz sensor's rate) the sampled top reads a
 * little low — over 15 simulated sessions 23 % of the knee proxies moved
 * 0.01–0.11° (mean −0.005°) from 200 Hz — for half the memory.
 */
const SHANK_HISTORY_MAX_RATE_HZ = 100;

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
 * averaged over the whole stride of the stance, is the heading frame's y.
 * Averaging over a full cycle cancels the shank's own axial rotation in
 * stance; centring it on the stride (possible because stances are measured
 * at release, seconds later) removes the lag a causal smoother would have
 * behind the filter's heading drift (gyro bias about the vertical is
 * unobservable without a magnetometer and drifts ~0.3°/s in simulation; a
 * 2 s causal smoother turned that into a 1.5° error in the tilt).
 * For straight running this is the pelvis's heading; in curves the two
 * differ by the leg's own rotation (not evaluated).
 */
export class ShankTracker extends SegmentTracker {
  private readonly medialSign: number;
  /** The stride heading of the last strideHeading() call (x, y). */
  private readonly heading = float64Array(2);

  constructor(params: SegmentParams, rateHz: number, calibration: Calibration, side: Side) {
    super(params, rateHz, calibration, 6, SHANK_HISTORY_MAX_RATE_HZ, params.shankHistoryS);
    // Medial is −left for the left leg, +left for the right.
    this.medialSign = side === 'left' ? -1 : 1;
  }

  protected afterUpdate(): void {
    const sample = this.sample;
    const gx = sample[4]!;
    const gy = sample[5]!;
    const gz = sample[6]!;
    const xp = this.xp;
    const yp = this.yp;
    const u = gx * xp[0]! + gy * xp[1]! + gz * xp[2]!;
    const v = gx * yp[0]! + gy * yp[1]! + gz * yp[2]!;
    if (!this.bridged && u * u + v * v > SWING_RATE_RADPS * SWING_RATE_RADPS) {
      this.uv[0] = u;
      this.uv[1] = v;
      this.axis.add(this.uv);
    }
    if (!this.keep) return;
    const f = this.filter;
    if (!f.settled) {
      const r = this.ring.append(this.sample, 0);
      this.ring.data.fill(Number.NaN, r + 1, r + 6);
      this.ring.data[r + this.bridgedField] = this.bridged ? 1 : 0;
      return;
    }
    const w = this.world;
    f.toWorld(this.up, 0, w);
    const zx = w[0]!;
    const zy = w[1]!;
    f.toWorld(this.left, 0, w);
    const r = this.ring.append(this.sample, 0);
    const d = this.ring.data;
    d[r + ZX] = zx;
    d[r + ZY] = zy;
    d[r + MLX] = w[0]!;
    d[r + MLY] = w[1]!;
    d[r + EPOCH] = this.referenceEpoch;
    d[r + this.bridgedField] = this.bridged ? 1 : 0;
  }

  /** The swing axis is medio-lateral (near y_p): its angle from y_p. */
  protected axisYawRad(): number {
    const angle = this.axis.angleRad() - Math.PI / 2;
    return angle < -Math.PI / 2 ? angle + Math.PI : angle;
  }

  /**
   * Knee-collapse proxy of a stance: peak medial tilt over [IC, TO], degrees,
   * with the heading from the mean medio-lateral axis over [IC, strideEndUs]
   * (the next IC of this leg; TO + the stance when unknown). Null when unknown.
   */
  shankFrontalDeg(icUs: number, toUs: number, strideEndUs: number | null, otherLeg = false): number | null {
    // otherLeg: the clip is on the other leg than its label (side-check.ts): medial is the other way.
    const medialSign = otherLeg ? -this.medialSign : this.medialSign;
    const span = this.spanScratch;
    const h = this.heading;
    if (!this.strideHeading(icUs, strideEndUs ?? toUs + (toUs - icUs))) return null;
    // Before the swing axis is known the sensor's own axis stands in: off by its mounting yaw, the heading
    // mixes the shank's forward tilt into the medial one (3–6° on the first strides of real running).
    if (!this.spanMountingKnown()) return null;
    const ring = this.ring;
    let best = Number.NEGATIVE_INFINITY;
    let at = -1;
    for (let i = span[0]!; i <= span[1]! && ring.time(i) <= toUs; i++) {
      // The peak of the sine, one asin at the end: asin is monotonic.
      const sine = medialSign * (ring.data[ring.slot(i) + ZX]! * h[0]! + ring.data[ring.slot(i) + ZY]! * h[1]!);
      if (sine > best) {
        best = sine;
        at = i;
      }
    }
    // A peak on or beside a bridged record may be the gap's guess, not the leg's (segment-tracker.ts peak()).
    if (at < 0 || this.nearBridged(at)) return null;
    return Number.isFinite(best) ? SegmentTracker.asinDeg(best) : null;
  }

  /**
   * The same medial tilt averaged over the stride [icUs, strideEndUs],
   * degrees: steady stride to stride, it jumps when the sensor turns on the
   * leg (quality/mount-shift.ts). Null when unknown or when the mounting yaw
   * in use moved within the stride; `epoch` receives the one it was in.
   */
  meanFrontalDeg(icUs: number, strideEndUs: number, epoch: Float64Array, otherLeg = false): number | null {
    const span = this.spanScratch;
    const h = this.heading;
    if (!this.strideHeading(icUs, strideEndUs)) return null;
    epoch[0] = this.spanEpoch(EPOCH);
    if (Number.isNaN(epoch[0])) return null;
    const d = this.ring.data;
    let sum = 0;
    for (let i = span[0]!; i <= span[1]!; i++) sum += d[this.ring.slot(i) + ZX]! * h[0]! + d[this.ring.slot(i) + ZY]! * h[1]!;
    const mean = ((otherLeg ? -this.medialSign : this.medialSign) * sum) / (span[1]! - span[0]! + 1);
    return Number.isNaN(mean) ? null : SegmentTracker.asinDeg(mean);
  }

  /** The stride's heading (mean horizontal medio-lateral axis) into `heading`, its span into `spanScratch`; false when unknown. */
  private strideHeading(fromUs: number, toUs: number): boolean {
    const span = this.spanScratch;
    const ring = this.ring;
    if (!this.span(fromUs, toUs, span)) return false;
    let hx = 0;
    let hy = 0;
    for (let i = span[0]!; i <= span[1]!; i++) {
      hx += ring.data[ring.slot(i) + MLX]!;
      hy += ring.data[ring.slot(i) + MLY]!;
    }
    const n = Math.sqrt(hx * hx + hy * hy);
    if (!(n > 0)) return false;
    this.heading[0] = hx / n;
    this.heading[1] = hy / n;
    return true;
  }
}
