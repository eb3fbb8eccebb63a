import { RAD_PER_DEG } from '@gaitwatch/protocol';
import type { RunnerProfile } from '../model/profile.ts';
import type { SegmentPoses } from '../model/poses.ts';
import { apply, multiply, mat3, rotX, rotY, rotZ, vec3, type Mat3, type Vec3 } from '../model/rotation.ts';
import { LEFT, type SideIndex } from '../model/steps.ts';
import { SET_TIMING, type PlannedRep, type PlannedSet, type ScreenPlan } from './protocol.ts';
import { GaitBody, bump, minJerk } from '../model/body.ts';
import { walkInGait } from '../model/walk-in.ts';

/** Same anthropometry as the running body: pelvis 0.53 H above the ankle joints, ankle 8 cm above the ground. */
const PELVIS_HEIGHT_FRACTION = 0.53;
const ANKLE_HEIGHT_M = 0.08;
/** Thigh length / height (Winter 2009 segment table; the shank is 0.246 H as in the profile). */
const THIGH_FRACTION = 0.245;
/** Thigh forward angle per degree of shank pitch in a squat: knee flexion ≈ 2.2 × shank pitch (55° at 25°). */
const THIGH_PER_SHANK = 1.2;
/** Forward pelvic tilt per degree of shank pitch (trunk leans forward to keep balance, ~10° at the bottom). */
const TILT_PER_SHANK = 0.4;
/** The mid-hip moves this fraction of half the hip width over the standing foot. */
const LATERAL_SHIFT_FRACTION = 0.85;
/** Contralateral drop held in quiet single-leg stance between reps, degrees. */
const HOLD_DROP_DEG = 1;

/** What the body is doing at one instant of a screen. */
interface ScreenState {
  readonly set: PlannedSet | undefined;
  /** Weight over the standing foot, 0..1. */
  readonly shift: number;
  /** Free leg up, 0..1. */
  readonly lift: number;
  /** Rep depth shape, 0 at the top, 1 at the bottom. */
  readonly depth: number;
  readonly rep: PlannedRep | undefined;
}

/**
 * The body during a movement screen: the standing leg's ankle planted (on the
 * step for the step-down), its shank pitching forward to the rep's depth and
 * tilting medially by the rep's knee-in; the pelvis descending by the leg
 * geometry, tilting forward, shifted over the standing foot, and dropping on
 * the free side; the free leg held forward (squat) or hanging beside the step
 * (step-down), placed by forward kinematics from the pelvis so it moves with
 * every rep. Same frames and conventions as the running body.
 *
 * With a walk-in (protocol.ts) the body first stands, then walks (a GaitBody
 * moved by the walk-in's gait, model/walk-in.ts, raised onto the step for the
 * step-down) and comes to a halt standing exactly as the screen stands: from
 * the walk's end on, every pose above is carried forward by the distance walked.
 */
export class ScreenBody implements SegmentPoses {
  private readonly hx: number;
  private readonly hy: number;
  private readonly thighM: number;
  private readonly pelvisZM: number;
  private readonly walk: { readonly body: GaitBody; readonly startS: number; readonly endS: number; readonly forwardM: number } | undefined;
  private readonly scratch = { a: mat3(), b: mat3(), c: mat3(), r: mat3(), p: vec3(), v: vec3() };

  constructor(
    readonly profile: RunnerProfile,
    readonly plan: ScreenPlan,
  ) {
    this.hx = Math.cos(profile.headingRad);
    this.hy = Math.sin(profile.headingRad);
    this.thighM = THIGH_FRACTION * profile.heightM;
    this.pelvisZM = PELVIS_HEIGHT_FRACTION * profile.heightM + ANKLE_HEIGHT_M + plan.protocol.stepHeightM;
    if (plan.walkIn !== undefined) {
      const gait = walkInGait(profile, plan.walkIn);
      this.walk = { body: new GaitBody(profile, gait), startS: plan.walkIn.startS, endS: plan.walkIn.endS, forwardM: gait.endForwardM };
    } else {
      this.walk = undefined;
    }
  }

  /** Whether the walk-in's body has the pose at t (while walking). */
  private walking(tS: number): GaitBody | undefined {
    const walk = this.walk;
    return walk !== undefined && tS > walk.startS && tS < walk.endS ? walk.body : undefined;
  }

  /** How far the screen's spot is from the start along the heading at t, m: the walk-in's distance once it has ended. */
  private forwardOffsetM(tS: number): number {
    return this.walk !== undefined && tS >= this.walk.endS ? this.walk.forwardM : 0;
  }

  /** The walking body's pose, lifted by the step height (the step-down's walk-in is on the step: protocol.ts). */
  private lift(pOut: Vec3): void {
    pOut[2] = pOut[2]! + this.plan.protocol.stepHeightM;
  }

  private state(tS: number): ScreenState {
    const set = this.plan.sets.find((s) => tS >= s.startS && tS < s.endS);
    if (set === undefined) return { set, shift: 0, lift: 0, depth: 0, rep: undefined };
    const T = SET_TIMING;
    const shift = Math.min(minJerk((tS - set.startS) / T.shiftS), 1 - minJerk((tS - set.lowerS - T.shiftBackDelayS) / T.shiftS));
    const lift = Math.min(minJerk((tS - set.startS - T.liftDelayS) / T.liftS), 1 - minJerk((tS - set.lowerS) / T.lowerS));
    const rep = set.reps.find((r) => tS >= r.startS && tS < r.endS);
    const depth = rep === undefined ? 0 : bump((tS - rep.startS) / (rep.endS - rep.startS));
    return { set, shift, lift, depth, rep };
  }

  /** Standing shank pitch (deg), knee-in (deg) and contralateral drop (deg, before the standing offset) at t. */
  private standingLeg(st: ScreenState): { pitchDeg: number; kneeInDeg: number; dropDeg: number } {
    if (st.rep === undefined) return { pitchDeg: 0, kneeInDeg: 0, dropDeg: HOLD_DROP_DEG * st.lift };
    return {
      pitchDeg: st.rep.depthDeg * st.depth,
      kneeInDeg: st.rep.kneeInDeg * st.depth,
      dropDeg: HOLD_DROP_DEG * st.lift + (st.rep.dropDeg - HOLD_DROP_DEG) * st.depth,
    };
  }

  /** Pelvic obliquity before the standing offset, degrees: + left side higher (free right side dropping while standing on the left). */
  obliquityDynamicDeg(tS: number): number {
    const st = this.state(tS);
    if (st.set === undefined) return 0;
    return (st.set.side === LEFT ? 1 : -1) * this.standingLeg(st).dropDeg;
  }

  pelvisPose(tS: number, rOut: Mat3, pOut: Vec3): void {
    const walking = this.walking(tS);
    if (walking !== undefined) {
      walking.pelvisPose(tS, rOut, pOut);
      this.lift(pOut);
      return;
    }
    const { a, b, c } = this.scratch;
    const st = this.state(tS);
    const leg = this.standingLeg(st);
    const sideSign = st.set === undefined ? 0 : st.set.side === LEFT ? 1 : -1;
    const pitch = leg.pitchDeg * RAD_PER_DEG;
    const thigh = THIGH_PER_SHANK * pitch;
    const tiltRad = TILT_PER_SHANK * pitch;
    const obliquityRad = RAD_PER_DEG * (this.profile.standingObliquityDeg + sideSign * leg.dropDeg);
    multiply(rotZ(this.profile.headingRad, a), rotY(tiltRad, b), c);
    multiply(c, rotX(obliquityRad, a), rOut);
    // Knee ahead of the ankle by L_s sin(pitch), hip behind the knee by L_t sin(thigh).
    const shankM = this.profile.shankLengthM;
    const forward = shankM * Math.sin(pitch) - this.thighM * Math.sin(thigh);
    const down = shankM * (1 - Math.cos(pitch)) + this.thighM * (1 - Math.cos(thigh));
    // Postural sway (~0.3 Hz, 2 mm standing; larger on one leg, 0.7 Hz, 4 mm).
    const sway = 0.002 * Math.sin(2 * Math.PI * 0.3 * tS) + 0.004 * st.lift * Math.sin(2 * Math.PI * 0.7 * tS);
    const lateral = sideSign * st.shift * LATERAL_SHIFT_FRACTION * (this.profile.hipWidthM / 2) + sway;
    const ahead = forward + this.forwardOffsetM(tS);
    pOut[0] = ahead * this.hx - lateral * this.hy;
    pOut[1] = ahead * this.hy + lateral * this.hx;
    pOut[2] = this.pelvisZM - down;
  }

  shankPose(side: SideIndex, tS: number, rOut: Mat3, ankleOut: Vec3): void {
    const walking = this.walking(tS);
    if (walking !== undefined) {
      walking.shankPose(side, tS, rOut, ankleOut);
      this.lift(ankleOut);
      return;
    }
    const { a, b, c } = this.scratch;
    const st = this.state(tS);
    const medialSign = side === LEFT ? 1 : -1;
    const standingFrontal = this.profile.standingShankFrontalDeg[side];
    const footLateral = medialSign * (this.profile.hipWidthM / 2);
    const spot = this.forwardOffsetM(tS);
    const plantedX = spot * this.hx - footLateral * this.hy;
    const plantedY = spot * this.hy + footLateral * this.hx;
    const plantedZ = ANKLE_HEIGHT_M + this.plan.protocol.stepHeightM;
    let pitchDeg = 0;
    let frontalDeg = standingFrontal;
    if (st.set !== undefined && st.set.side === side) {
      const leg = this.standingLeg(st);
      pitchDeg = leg.pitchDeg;
      frontalDeg += leg.kneeInDeg;
    } else if (st.set !== undefined && st.lift > 0) {
      this.freeLeg(side, st, tS, rOut, ankleOut);
      return;
    }
    multiply(rotZ(this.profile.headingRad, a), rotX(RAD_PER_DEG * medialSign * frontalDeg, b), c);
    multiply(c, rotY(RAD_PER_DEG * pitchDeg, a), rOut);
    ankleOut[0] = plantedX;
    ankleOut[1] = plantedY;
    ankleOut[2] = plantedZ;
  }

  /**
   * The free leg by forward kinematics from the pelvis: hip joint → thigh at
   * the hip-flexion angle → shank at its pitch, blended from the planted pose
   * by the lift. Squat: held forward (hip 35° + 25° at the bottom, knee 20° +
   * 10°: shank −15° → −30°, foot forward and off the floor). Step-down: the leg
   * hangs straight beside the step, abducted 4°, and goes down with the pelvis
   * toward the floor.
   */
  private freeLeg(side: SideIndex, st: ScreenState, tS: number, rOut: Mat3, ankleOut: Vec3): void {
    const { a, b, c, r, p, v } = this.scratch;
    const medialSign = side === LEFT ? 1 : -1;
    const squat = this.plan.protocol.task === 'squat';
    const hipFlexDeg = squat ? 35 + 25 * st.depth : 10;
    const kneeFlexDeg = squat ? 20 + 10 * st.depth : 5;
    const heldPitchDeg = kneeFlexDeg - hipFlexDeg;
    const heldFrontalDeg = squat ? this.profile.standingShankFrontalDeg[side] : -4;
    // Pelvis pose, then the free hip joint.
    this.pelvisPose(tS, r, p);
    // The hip joint: half the hip width to the side and as far below the pelvis origin as makes a straight
    // leg (thigh + shank) reach the ground when standing (0.53 H vs 0.491 H: the origin sits above the joints).
    const hipBelowM = PELVIS_HEIGHT_FRACTION * this.profile.heightM - this.thighM - this.profile.shankLengthM;
    apply(r, 0, medialSign * (this.profile.hipWidthM / 2), -hipBelowM, v);
    const hipX = p[0]! + v[0]!;
    const hipY = p[1]! + v[1]!;
    const hipZ = p[2]! + v[2]!;
    const hip = hipFlexDeg * RAD_PER_DEG;
    const kneeForward = this.thighM * Math.sin(hip);
    const kneeX = hipX + kneeForward * this.hx;
    const kneeY = hipY + kneeForward * this.hy;
    const kneeZ = hipZ - this.thighM * Math.cos(hip);
    // Shank orientation, blended from planted by the lift.
    const lift = st.lift;
    const standingFrontal = this.profile.standingShankFrontalDeg[side];
    const pitchDeg = lift * heldPitchDeg;
    const frontalDeg = standingFrontal + lift * (heldFrontalDeg - standingFrontal);
    multiply(rotZ(this.profile.headingRad, a), rotX(RAD_PER_DEG * medialSign * frontalDeg, b), c);
    multiply(c, rotY(RAD_PER_DEG * pitchDeg, a), rOut);
    // Held ankle = knee − L_s·ẑ_shank (with the held orientation's axis; close enough to the blended one).
    const shankM = this.profile.shankLengthM;
    const heldX = kneeX - shankM * rOut[2]!;
    const heldY = kneeY - shankM * rOut[5]!;
    const heldZ = kneeZ - shankM * rOut[8]!;
    const footLateral = medialSign * (this.profile.hipWidthM / 2);
    const spot = this.forwardOffsetM(tS);
    const plantedX = spot * this.hx - footLateral * this.hy;
    const plantedY = spot * this.hy + footLateral * this.hx;
    const plantedZ = ANKLE_HEIGHT_M + this.plan.protocol.stepHeightM;
    ankleOut[0] = plantedX + (heldX - plantedX) * lift;
    ankleOut[1] = plantedY + (heldY - plantedY) * lift;
    ankleOut[2] = plantedZ + (heldZ - plantedZ) * lift;
  }
}
