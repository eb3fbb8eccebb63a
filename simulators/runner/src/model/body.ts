import { RAD_PER_DEG } from '@gaitwatch/protocol';
import type { Random } from '../random.ts';
import type { RunnerProfile } from './profile.ts';
import { apply, multiply, mat3, rotX, rotY, rotZ, vec3, type Mat3, type Vec3 } from './rotation.ts';
import type { SegmentPoses } from './poses.ts';
import type { ScenarioPlan } from './scenario.ts';
import { PeriodicSpline } from './spline.ts';
import { SpeedProfile } from './speed.ts';
import { LEFT, ONSET_RAMP_S, generateSteps, smoothstep, verticalInStep, type SideIndex, type Step } from './steps.ts';

/**
 * Shank sagittal angle over the stride (degrees; + = knee ahead of the ankle),
 * keypoints at fractions of a nominal stride: IC at 0, TO at the duty factor.
 * Walking after Perry & Burnfield.
 *
 * Running (issue 15 item 2): the shank angle is knee flexion minus the thigh's
 * flexion from vertical, so its phases follow from the joint curves of running
 * (Novacheck 1998, Gait & Posture 7:77–95, jogging 3.2 m/s; values below are
 * readings of the published curves, rounded):
 *  - IC (0): shank ~6–9° past vertical, ankle ahead of the knee (Folland et al.
 *    2017, MSSE 49:1412, shank angle at touchdown 9.0 ± 3.5°; Lieberman et al.
 *    2015, J Exp Biol 218:3406): −6°.
 *  - First half of stance: the knee flexes (~20° → ~40–45° at mid-stance) while
 *    the hip extends: both turn the shank forward, fast (+39° by mid-stance).
 *  - Second half of stance: the knee extends (~45° → ~20–25° at TO) as fast as
 *    the thigh keeps extending (hip extension peaks at TO), so the shank stays
 *    nearly still (+6° in 0.19 of the stride; the ankle's plantar flexion lifts
 *    the heel, the shank rides on). Before, it rose 28° there at an even rate.
 *  - TO (0.38; Novacheck: 39 % at 3.2 m/s, 22 % sprinting): knee and hip are at
 *    their turning points (late-stance knee minimum, peak hip extension), so the
 *    shank's rate is low at TO (a third of its early-swing peak here).
 *  - Early swing: the knee flexes from ~20–25° to its swing maximum (~90° at
 *    3.2 m/s, ~105° sprinting) at ~0.65–0.7 of the stride; the shank's backward
 *    rotation is fastest mid-way, ~0.5 (~95 ms after TO at a 0.72 s stride),
 *    not at TO. Before, it peaked 17 ms after TO.
 *  - Peak angle where the thigh's flexion rate catches up with the knee's, before
 *    peak knee flexion: at 0.62, knee ~85–90° with the thigh ~5–15° ahead of
 *    vertical, so ~75–85°: 76° at 3.5 m/s. Before: 68° (no source) at 0.50.
 *  - Late swing: the hip flexes to its maximum (~0.85–0.9) and then extends before
 *    contact while the knee extends to its swing minimum (~15–20°): the shank
 *    swings forward fastest at ~0.79 and reaches its most backward angle (−11°)
 *    at 0.96, so its rate crosses zero ~28 ms (0.04 of the stride) before IC.
 *    That crossing is what Fadillioglu et al.'s (2020) IC rule reads: against
 *    force plates in 74 runners it is −24.3 ms early (Kiernan, Dunn Siino &
 *    Hawkins 2023, Sensors 23(11):5022). Before: the minimum (−26°) at 0.86, its
 *    crossing ~95 ms before IC.
 * The spline was checked against these phases (not against any recording, nor
 * the analysis); packages/dsp/eval/shank-profile.ts then compares it with real
 * running (ACCURACY.md).
 */
const RUN_DUTY = 0.38;
const RUN_SHANK = new PeriodicSpline([
  [0, -6], [0.08, 14], [0.19, 33], [0.29, 37], [0.38, 39], [0.5, 58], [0.62, 76], [0.74, 50], [0.84, 11], [0.93, -9], [0.97, -11],
]);
const WALK_DUTY = 0.62;
const WALK_SHANK = new PeriodicSpline([
  [0, -18], [0.15, -5], [0.31, 5], [0.5, 25], [0.62, 45], [0.73, 45], [0.84, 5], [0.93, -22],
]);

/** Pelvis height above the ankle joints when standing, as a fraction of body height. */
const PELVIS_HEIGHT_FRACTION = 0.53;
/** Ankle joint height above the ground, m. */
const ANKLE_HEIGHT_M = 0.08;

/**
 * Foot strike. The ankle comes down at a touchdown velocity (running: ~0.5–1 m/s
 * downward, growing with speed; walking: slower) and is arrested by shoe and soft
 * tissue with an exponential time constant: the shank sees the whole impulse as
 * a short axial acceleration spike (peak tibial acceleration ~5–12 g when
 * running; e.g. Milner et al. 2006), followed by soft-tissue ringing. The pelvis
 * gets an attenuated, slower transient (a zero-mean displacement pulse).
 */
const IMPACT = {
  /** Touchdown velocity at 3.5 m/s, m/s (scaled linearly with speed), and when walking. */
  touchdownRunMps: 0.7,
  touchdownWalkMps: 0.25,
  /** Arrest time constant, s. */
  arrestS: 0.004,
  /** Soft-tissue ringing after the arrest: amplitude m, frequency Hz, decay s. */
  ring: { amplitudeM: 0.0003, hz: 25, decayS: 0.02 },
  pelvis: { amplitudeM: 0.00006, riseS: 0.012, ringHz: 15 },
  durationS: 0.12,
} as const;

function impactDisplacement(tauS: number, amplitudeM: number, riseS: number, ringHz: number): number {
  if (tauS <= 0 || tauS > IMPACT.durationS) return 0;
  const x = tauS / riseS;
  return amplitudeM * x * x * Math.exp(2 * (1 - x)) * Math.cos(2 * Math.PI * ringHz * tauS);
}

/** Downward ankle displacement τ s after IC: exponential arrest of the touchdown velocity, plus ringing, recovered over the stance. */
function shankArrest(tauS: number, touchdownMps: number, stanceS: number): number {
  if (tauS <= 0) return 0;
  const sink = touchdownMps * IMPACT.arrestS * (1 - Math.exp(-tauS / IMPACT.arrestS));
  const ring = tauS < IMPACT.durationS ? IMPACT.ring.amplitudeM * (touchdownMps / IMPACT.touchdownRunMps) * Math.sin(2 * Math.PI * IMPACT.ring.hz * tauS) * Math.exp(-tauS / IMPACT.ring.decayS) * (1 - Math.exp(-tauS / IMPACT.arrestS)) : 0;
  // The few millimetres of compression recover before toe-off (smoothly, so no step at TO).
  const recover = 1 - smoothstep(tauS / stanceS);
  return (sink + ring) * recover;
}

/** sin²(πu) on [0, 1]: zero value and slope at both ends. */
/** Running shanks swing further at speed: the sagittal curve's gain at `speedMps` (1 at 3.5 m/s). */
function shankSpeedGain(speedMps: number): number {
  return Math.pow(Math.max(speedMps, 2) / 3.5, 0.3);
}

/** How long a change of gait (walk ↔ run) takes to move a shank from one sagittal curve to the other, s. */
const MODE_CHANGE_BLEND_S = 0.15;

export function bump(u: number): number {
  if (u <= 0 || u >= 1) return 0;
  const s = Math.sin(Math.PI * u);
  return s * s;
}

/** Minimum-jerk blend 10u³ − 15u⁴ + 6u⁵ (Flash & Hogan 1985). */
export function minJerk(u: number): number {
  if (u <= 0) return 0;
  if (u >= 1) return 1;
  return u * u * u * (10 - 15 * u + 6 * u * u);
}

/** Where a foot lands: ahead of the pelvis (m) and the step width (m, between the feet), by gait. */
export const FOOT_PLACEMENT = { walk: { leadM: 0.25, widthM: 0.12 }, run: { leadM: 0.15, widthM: 0.08 } } as const;

/** Forward progress along the heading. */
export interface ForwardMotion {
  /** Base forward speed, m/s. */
  speedAt(tS: number): number;
  /** Forward distance covered since gait onset, m. */
  distanceAt(tS: number): number;
}

/** What moves a body: its steps, its forward progress, and how much of the gait's motion it makes. */
export interface Gait {
  /** The step schedule in time order, contacts placed (quiet standing is covered by virtual stances). */
  readonly steps: readonly Step[];
  readonly speed: ForwardMotion;
  /** Amplitude of the gait's oscillations at t, 0 standing → 1 full; continuous in time. */
  rampAt(tS: number): number;
  /**
   * Scale the shank's angles by rampAt(t) in every step, not by each step's own
   * (constant) ramp. A gait whose amplitude changes within a stride needs it: with
   * per-step ramps the shank angle jumps at a contact by the spline's contact angle
   * times the change of ramp between that leg's steps. The running scenarios keep
   * per-step ramps (their recordings are locked by the golden tests).
   */
  readonly shankRampInTime: boolean;
}

/**
 * A body moved by a gait: pelvis and shank poses (position in world metres,
 * orientation segment→world) at any time. World: z up, the gait heads along
 * profile.headingRad in the horizontal plane. Segment frames: x anterior,
 * y left, z superior (DESIGN.md). The runner's body (below) and the movement
 * screen's walk-in (walk-in.ts) are its two gaits.
 */
export class GaitBody implements SegmentPoses {
  readonly steps: readonly Step[];
  readonly speed: ForwardMotion;
  private readonly rampAt: (tS: number) => number;
  private readonly shankRampInTime: boolean;
  protected readonly hx: number;
  protected readonly hy: number;
  private readonly pelvisHeightM: number;
  private readonly scratch = { a: mat3(), b: mat3(), c: mat3(), v: vec3() };

  constructor(
    readonly profile: RunnerProfile,
    gait: Gait,
  ) {
    this.speed = gait.speed;
    this.steps = gait.steps;
    this.rampAt = gait.rampAt;
    this.shankRampInTime = gait.shankRampInTime;
    this.hx = Math.cos(profile.headingRad);
    this.hy = Math.sin(profile.headingRad);
    this.pelvisHeightM = PELVIS_HEIGHT_FRACTION * profile.heightM;
  }

  /** Index of the last step with IC ≤ t (−1 before the first). Binary search. */
  stepIndexAt(tS: number): number {
    let lo = 0;
    let hi = this.steps.length - 1;
    if (hi < 0 || tS < this.steps[0]!.icS) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.steps[mid]!.icS <= tS) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Last step of `side` with IC ≤ t (−1 if none). */
  private sideStepIndexAt(side: SideIndex, tS: number): number {
    let k = this.stepIndexAt(tS);
    if (k >= 0 && this.steps[k]!.side !== side) k -= 1;
    return k;
  }

  /** Forward distance along the heading, m, including braking dips. */
  protected forwardAt(tS: number): number {
    const base = this.speed.distanceAt(tS);
    const k = this.stepIndexAt(tS);
    if (k < 0) return base;
    const step = this.steps[k]!;
    const tau = tS - step.icS;
    let brake = step.brakeOffsetM;
    if (step.brakeMps2 > 0) {
      const c = step.stanceS;
      const w = (2 * Math.PI) / c;
      const tc = Math.min(tau, c);
      brake += -(step.brakeMps2 / w) * (tc - Math.sin(w * tc) / w);
    }
    return base + brake;
  }

  /**
   * How much the body is running, 0 (walking) to 1, blended with a smoothstep
   * over the left stride in which the gait changes, so that posture (lean,
   * sway) changes continuously. (It used to switch at the step: the pelvis
   * jumped ~9 mm sideways at every walk↔run change, a 16 g spike.)
   */
  private runningWeight(tS: number): number {
    const k = this.sideStepIndexAt(LEFT, tS);
    if (k < 0) return 0;
    const now = this.steps[k]!.mode === 'run' ? 1 : 0;
    const next = this.steps[k + 2];
    const then = next === undefined ? now : next.mode === 'run' ? 1 : 0;
    return now + (then - now) * smoothstep(this.leftStridePhase(tS));
  }

  /** Stride phase of the left leg in [0, 1) (0 at left IC), and the current stride's duration. */
  private leftStridePhase(tS: number): number {
    const k = this.sideStepIndexAt(LEFT, tS);
    if (k < 0) return 0;
    const next = this.steps[k + 2];
    const duration = next !== undefined ? next.icS - this.steps[k]!.icS : 2 * this.steps[k]!.stepS;
    return (tS - this.steps[k]!.icS) / duration;
  }

  /** Pelvic obliquity before the standing offset, degrees: + left side higher (the right hip drops in left stance). */
  obliquityDynamicDeg(tS: number): number {
    const k = this.stepIndexAt(tS);
    if (k < 0) return 0;
    const step = this.steps[k]!;
    const window = Math.min(step.stanceS, step.stepS);
    return (step.side === LEFT ? 1 : -1) * step.dropDeg * step.ramp * bump((tS - step.icS) / window);
  }

  pelvisPose(tS: number, rOut: Mat3, pOut: Vec3): void {
    const { a, b, c } = this.scratch;
    const ramp = this.rampAt(tS);
    const phase = this.leftStridePhase(tS);
    const k = this.stepIndexAt(tS);
    const step = k >= 0 ? this.steps[k] : undefined;
    const stepPhase = step === undefined ? 0 : (tS - step.icS) / step.stepS;
    const speed = this.speed.speedAt(tS);
    // Gait-dependent posture blends over a stride (runningWeight): a body cannot jump between postures.
    const run = this.runningWeight(tS);
    // Orientation: heading + rotation (yaw) swing, forward lean (tilt), obliquity.
    // Pelvic yaw: the pelvis turns with the swinging leg (Novacheck 1998), a little behind it.
    // Walking: at a left contact the left leg has just ended its swing and the pelvis is still
    // turning its left side forward — fastest clockwise seen from above — as the Mobilise-D
    // walking trials (../shared/data/real) show at every contact. Running: the other leg left
    // the ground before the flight and has been swinging since, so at a left contact the pelvis
    // turns its right side forward — counter-clockwise, the opposite sense — and the two
    // senses blend over the stride of a change of gait (passing through no swing). This body
    // gave running the walking sense until the real running recordings (../shared/data/
    // real-running) showed the opposite sense at 134 of their 145 contacts; the physics above is why.
    const yawRad = this.profile.headingRad - 4 * RAD_PER_DEG * ramp * (1 - 2 * run) * Math.sin(2 * Math.PI * phase);
    const leanDeg = 2 + run * (this.profile.runningLeanDeg * Math.min(1.3, speed / this.profile.speedMps) - 2);
    const tiltRad = RAD_PER_DEG * ramp * (leanDeg + 2 * Math.cos(2 * Math.PI * stepPhase));
    const obliquityRad = RAD_PER_DEG * (this.profile.standingObliquityDeg + this.obliquityDynamicDeg(tS));
    multiply(rotZ(yawRad, a), rotY(tiltRad, b), c);
    multiply(c, rotX(obliquityRad, a), rOut);
    // Position: forward along the heading, lateral sway toward the stance leg, vertical bounce.
    const forward = this.forwardAt(tS);
    const d = WALK_DUTY + run * (RUN_DUTY - WALK_DUTY);
    const sway = ramp * (0.025 - run * 0.01) * Math.cos(2 * Math.PI * (phase - d / 2));
    let z = 0;
    if (step !== undefined) z = verticalInStep(step, tS - step.icS).z;
    // Quiet standing still sways a little (postural sway ~0.3 Hz, ~2 mm).
    const postural = (1 - ramp) * 0.002 * Math.sin(2 * Math.PI * 0.3 * tS);
    z += this.impactPelvis(tS);
    pOut[0] = forward * this.hx - (sway + postural) * this.hy;
    pOut[1] = forward * this.hy + (sway + postural) * this.hx;
    pOut[2] = this.pelvisHeightM + ANKLE_HEIGHT_M + z;
  }

  private impactPelvis(tS: number): number {
    const k = this.stepIndexAt(tS);
    if (k < 0) return 0;
    const step = this.steps[k]!;
    if (step.virtual) return 0;
    const gain = step.mode === 'run' ? 1 : 0.3;
    return gain * impactDisplacement(tS - step.icS, IMPACT.pelvis.amplitudeM, IMPACT.pelvis.riseS, IMPACT.pelvis.ringHz);
  }

  /**
   * Shank pose of one leg: ankle planted at the contact point in stance,
   * minimum-jerk swing to the next contact; sagittal angle from the gait-cycle
   * spline (phase warped so IC and TO fall exactly on the schedule), medial
   * tilt (knee collapse) in stance, an impact transient after IC.
   */
  shankPose(side: SideIndex, tS: number, rOut: Mat3, ankleOut: Vec3): void {
    const { a, b, c } = this.scratch;
    const k = this.sideStepIndexAt(side, tS);
    const medialSign = side === LEFT ? 1 : -1;
    const standingFrontal = this.profile.standingShankFrontalDeg[side];
    let sagittalDeg = 0;
    let frontalDeg = standingFrontal;
    let axialDeg = 0;
    if (k < 0) {
      rotZ(this.profile.headingRad, a);
      multiply(a, rotX(RAD_PER_DEG * medialSign * standingFrontal, b), rOut);
      apply(rOut, 0, 0, 0, ankleOut);
      return;
    }
    const step = this.steps[k]!;
    const next = this.steps[k + 2];
    const strideS = next !== undefined ? next.icS - step.icS : 2 * step.stepS;
    const tau = tS - step.icS;
    const running = step.mode === 'run';
    const duty = running ? RUN_DUTY : WALK_DUTY;
    const spline = running ? RUN_SHANK : WALK_SHANK;
    const inStance = tau < step.stanceS;
    // Warp: stance [0, stanceS] → [0, duty], swing [stanceS, stride] → [duty, 1].
    const u = inStance ? (tau / step.stanceS) * duty : duty + ((tau - step.stanceS) / (strideS - step.stanceS)) * (1 - duty);
    const ramp = step.virtual || this.shankRampInTime ? this.rampAt(tS) : step.ramp;
    const speedGain = running ? shankSpeedGain(this.speed.speedAt(tS)) : 1;
    sagittalDeg = ramp * speedGain * spline.value(u);
    const previous = this.steps[k - 2];
    if (previous !== undefined && !previous.virtual && previous.mode !== step.mode && tau < MODE_CHANGE_BLEND_S) {
      // A change of gait at this contact: the last stride ended on the other mode's curve (u = 1 ≡ 0),
      // so the angle would jump here (11° at a walk→run contact, a 35 rad/s spike); the difference is
      // blended out over the first MODE_CHANGE_BLEND_S of the stance.
      const ic = step.icS;
      const rampIc = step.virtual || this.shankRampInTime ? this.rampAt(ic) : step.ramp;
      const before = (previous.mode === 'run' ? shankSpeedGain(this.speed.speedAt(ic)) * RUN_SHANK.value(0) : WALK_SHANK.value(0)) * rampIc;
      const after = (running ? shankSpeedGain(this.speed.speedAt(ic)) : 1) * spline.value(0) * rampIc;
      sagittalDeg += (before - after) * (1 - smoothstep(tau / MODE_CHANGE_BLEND_S));
    }
    if (inStance) frontalDeg += ramp * step.collapseDeg * bump(tau / step.stanceS);
    else frontalDeg -= ramp * 1.0 * Math.sin(Math.PI * ((u - duty) / (1 - duty)));
    axialDeg = ramp * 4 * Math.sin(2 * Math.PI * u);
    // R = Rz(heading + axial) · Rx(medial tilt) · Ry(sagittal); for the left leg a +x
    // rotation tips the shank's top toward −y (medial), for the right leg −x does.
    multiply(rotZ(this.profile.headingRad + RAD_PER_DEG * axialDeg * medialSign, a), rotX(RAD_PER_DEG * medialSign * frontalDeg, b), c);
    multiply(c, rotY(RAD_PER_DEG * sagittalDeg, a), rOut);
    // Ankle position.
    if (inStance || next === undefined) {
      ankleOut[0] = step.contactX;
      ankleOut[1] = step.contactY;
      ankleOut[2] = ANKLE_HEIGHT_M - (step.virtual ? 0 : shankArrest(tau, this.touchdownMps(step), step.stanceS));
    } else {
      const swingS = strideS - step.stanceS;
      const s = (tau - step.stanceS) / swingS;
      const m = minJerk(s);
      const clearanceM = ramp * (running ? 0.25 * Math.min(1.4, this.speed.speedAt(tS) / 3.5) : 0.08);
      // Hermite h11(s) = s²(s − 1) makes the ankle arrive moving down at the touchdown velocity.
      const touchdown = next.virtual ? 0 : this.touchdownMps(next);
      ankleOut[0] = step.contactX + (next.contactX - step.contactX) * m;
      ankleOut[1] = step.contactY + (next.contactY - step.contactY) * m;
      ankleOut[2] = ANKLE_HEIGHT_M + clearanceM * 64 * s * s * s * (1 - s) * (1 - s) * (1 - s) - touchdown * swingS * s * s * (s - 1);
    }
  }

  /** Downward ankle velocity at this step's foot strike, m/s. */
  private touchdownMps(step: Step): number {
    if (step.mode !== 'run') return IMPACT.touchdownWalkMps * step.ramp;
    return IMPACT.touchdownRunMps * (Math.max(2, this.speed.speedAt(step.icS)) / 3.5) * step.ramp;
  }
}

/**
 * The runner's body: the scenario's steps and speeds (steps.ts, speed.ts) moving
 * a GaitBody, the gait ramping in over ONSET_RAMP_S after the quiet standing.
 */
export class RunnerBody extends GaitBody {
  constructor(
    profile: RunnerProfile,
    readonly plan: ScenarioPlan,
    rng: Random,
  ) {
    const speed = new SpeedProfile(plan);
    const steps = generateSteps(profile, plan, speed, rng);
    super(profile, { steps, speed, rampAt: (tS) => smoothstep((tS - plan.standingS) / ONSET_RAMP_S), shankRampInTime: true });
    this.placeContacts();
  }

  /** Where each foot lands: ahead of the pelvis by a mode-typical distance, half a step width to the side. */
  private placeContacts(): void {
    for (const step of this.steps) {
      const forward = this.forwardAt(step.icS) + (step.virtual ? 0 : FOOT_PLACEMENT[step.mode].leadM);
      const halfWidth = ((step.virtual ? this.profile.hipWidthM : FOOT_PLACEMENT[step.mode].widthM) / 2) * (step.side === LEFT ? 1 : -1);
      step.contactX = forward * this.hx - halfWidth * this.hy;
      step.contactY = forward * this.hy + halfWidth * this.hx;
    }
  }
}
