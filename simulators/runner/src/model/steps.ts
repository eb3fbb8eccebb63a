import { STANDARD_GRAVITY_MPS2 as G } from '@gaitwatch/protocol';
import type { Random } from '../random.ts';
import type { RunnerProfile } from './profile.ts';
import { FATIGUE, fatigueLevel, type GaitMode, type ScenarioPlan } from './scenario.ts';
import type { SpeedProfile } from './speed.ts';

export const LEFT = 0;
export const RIGHT = 1;
export type SideIndex = typeof LEFT | typeof RIGHT;

/**
 * One step: the stance of `side` from its initial contact (IC) for `stanceS`,
 * and the time until the other leg's IC (`stepS`). Running has a flight phase
 * (stanceS < stepS), walking double support (stanceS > stepS).
 */
export interface Step {
  readonly index: number;
  readonly side: SideIndex;
  readonly mode: GaitMode;
  readonly icS: number;
  readonly stanceS: number;
  readonly stepS: number;
  /** Contralateral pelvic drop of this stance before the standing offset, degrees (> 0). */
  readonly dropDeg: number;
  /** Knee-collapse proxy of this stance (medial shank tilt added in stance), degrees. */
  readonly collapseDeg: number;
  /** Peak braking deceleration in stance, m/s² (0 when walking). */
  readonly brakeMps2: number;
  /** Vertical velocity of the pelvis at IC, m/s, and at the end of the step. */
  readonly landingVelMps: number;
  readonly nextLandingVelMps: number;
  /** Peak of the half-sine vertical support force per mass in stance, m/s² (running steps). */
  readonly supportMps2: number;
  /** Pelvis vertical position at IC, relative to standing, m. */
  readonly zIcM: number;
  /** Forward displacement lost to braking in all earlier steps, m (≤ 0). */
  readonly brakeOffsetM: number;
  /** Ground contact point of the ankle (world x, y), m. */
  contactX: number;
  contactY: number;
  /** Amplitude ramp of gait oscillations at gait onset, 0..1. */
  readonly ramp: number;
  /** True for the planted stances of quiet standing (the two before gait onset; a walk-in's two after it stops): not truth. */
  readonly virtual: boolean;
}

/** Walking vertical oscillation (half amplitude), m. */
export const WALK_BOUNCE_M = 0.02;
/**
 * Where in a walking step the pelvis is lowest and its upward acceleration
 * greatest, as a fraction of the step: at the weight-acceptance peak of the
 * vertical ground reaction force, ~12 % of the gait cycle after the contact
 * (Perry & Burnfield 2010; Winter 2009) = 0.24 of a step. The loading rise
 * of the acceleration therefore starts at the contact, as the real walking
 * recordings show.
 */
const WALK_LOWEST_FRACTION = 0.24;

/** Vertical velocity of the walking bounce at a contact (the pelvis still descends), m/s. */
export function walkContactVelMps(stepS: number, ramp: number): number {
  const w = (2 * Math.PI) / stepS;
  return -WALK_BOUNCE_M * ramp * w * Math.sin(w * WALK_LOWEST_FRACTION * stepS);
}

/** Stance fraction of the stride: running 0.40 at 2.5 m/s falling to 0.36 at 5 m/s; walking 0.62. */
export function dutyFactor(mode: GaitMode, speedMps: number): number {
  if (mode === 'walk') return 0.62;
  return 0.4 - 0.04 * Math.min(1, Math.max(0, (speedMps - 2.5) / 2.5));
}

/** Walking step cadence, steps/min: ~108 at 1.4 m/s, slower when walking slower. */
export function walkCadenceSpm(speedMps: number): number {
  return 100 + 8 * speedMps / 1.4;
}

/** Step cadence, steps/min: walking ~108; running scales weakly with speed (stride length does the rest). */
function cadenceAt(profile: RunnerProfile, mode: GaitMode, speedMps: number): number {
  if (mode === 'walk') return walkCadenceSpm(speedMps);
  return profile.cadenceSpm * Math.pow(speedMps / profile.speedMps, 0.25);
}

/** Walking→running transition speed, m/s (humans switch near 2 m/s). */
const WALK_RUN_SPEED_MPS = 2.0;

/** Seconds over which gait oscillations grow from standing to full at gait onset. */
export const ONSET_RAMP_S = 2.0;

export function smoothstep(u: number): number {
  if (u <= 0) return 0;
  if (u >= 1) return 1;
  return u * u * (3 - 2 * u);
}

/**
 * Generates the whole step schedule up front (an hour is ~11k steps, ~2 MB).
 * Each step's vertical motion is closed-form (steps.ts + body.ts), so any
 * time can be evaluated in any order.
 */
export function generateSteps(profile: RunnerProfile, plan: ScenarioPlan, speed: SpeedProfile, rng: Random): Step[] {
  const steps: Step[] = [];
  const stepAsymmetry = rng.normal(0, 0.008);
  const weakerSide: SideIndex = rng.next() < 0.5 ? LEFT : RIGHT;
  const goS = plan.standingS;
  const firstIcS = goS + 0.35;
  let z = 0;
  let brakeOffset = 0;
  let landingVel = 0;
  type Raw = { side: SideIndex; mode: GaitMode; icS: number; stanceS: number; stepS: number; virtual: boolean; v: number };
  // Two planted "virtual" stances cover quiet standing: the left foot lifts at
  // gait onset (goS) and lands at firstIcS; the right lifts just after that.
  const STANDING_FROM_S = -100;
  const raw: Raw[] = [
    { side: LEFT, mode: 'walk', icS: STANDING_FROM_S, stanceS: goS - STANDING_FROM_S, stepS: 0.05, virtual: true, v: 0 },
    { side: RIGHT, mode: 'walk', icS: STANDING_FROM_S + 0.05, stanceS: firstIcS + 0.15 - STANDING_FROM_S - 0.05, stepS: firstIcS - STANDING_FROM_S - 0.05, virtual: true, v: 0 },
  ];
  for (let k = 2, t = firstIcS; t < plan.durationS + 1; k++) {
    const side: SideIndex = k % 2 === 0 ? LEFT : RIGHT;
    const v = Math.max(speed.speedAt(t), 0.8);
    const mode: GaitMode = v >= WALK_RUN_SPEED_MPS ? 'run' : 'walk';
    const fatigue = fatigueLevel(plan, t);
    const cadence = cadenceAt(profile, mode, v) * (1 + FATIGUE.cadenceChange * fatigue);
    const nominalStepS = 60 / cadence;
    const stepS = nominalStepS * (1 + (side === LEFT ? stepAsymmetry : -stepAsymmetry) + rng.normal(0, mode === 'run' ? 0.015 : 0.02));
    const stanceS = 2 * nominalStepS * dutyFactor(mode, v) * (1 + rng.normal(0, 0.03));
    raw.push({ side, mode, icS: t, stanceS, stepS, virtual: false, v });
    t += stepS;
  }
  for (let k = 0; k < raw.length; k++) {
    const r = raw[k]!;
    const next = raw[k + 1];
    const fatigue = fatigueLevel(plan, r.icS);
    const weakExtra = plan.weakSide !== undefined && (plan.weakSide.side === 'left') === (r.side === LEFT) ? plan.weakSide.extraDropDeg : 0;
    const fatigueSideGain = r.side === weakerSide ? 1.2 : 0.8;
    const dropDeg = Math.max(0.5, profile.baselineDropDeg + weakExtra + FATIGUE.extraDropDeg * fatigue * fatigueSideGain + rng.normal(0, 0.5));
    const collapseDeg = Math.max(0, profile.baselineCollapseDeg + FATIGUE.extraCollapseDeg * fatigue * fatigueSideGain + rng.normal(0, 0.4));
    const running = r.mode === 'run';
    const nextRunning = next !== undefined && next.mode === 'run';
    // Landing velocity of the next step: a symmetric ballistic flight lands as fast as it took off.
    const flightS = r.stepS - r.stanceS;
    const nextRamp = next === undefined || next.virtual ? 0 : smoothstep((next.icS - goS) / ONSET_RAMP_S);
    const nextLandingVel = running && nextRunning ? -(G * flightS) / 2 : !running && next !== undefined && !nextRunning ? walkContactVelMps(next.stepS, nextRamp) : 0;
    // Half-sine support force (per mass) that turns the landing velocity into the
    // take-off velocity needed to reach the next landing: Δv = 2Pc/π − g·c.
    const takeOffVel = running ? nextLandingVel + G * flightS : 0;
    const supportMps2 = running ? (Math.PI * (takeOffVel - landingVel + G * r.stanceS)) / (2 * r.stanceS) : 0;
    const brakeMps2 = running ? 1.2 * r.v : 0;
    const ramp = r.virtual ? 0 : smoothstep((r.icS - goS) / ONSET_RAMP_S);
    steps.push({
      index: k,
      side: r.side,
      mode: r.mode,
      icS: r.icS,
      stanceS: r.stanceS,
      stepS: r.stepS,
      dropDeg,
      collapseDeg,
      brakeMps2,
      landingVelMps: landingVel,
      nextLandingVelMps: nextLandingVel,
      supportMps2,
      zIcM: z,
      brakeOffsetM: brakeOffset,
      contactX: 0,
      contactY: 0,
      ramp,
      virtual: r.virtual,
    });
    const done = steps[k]!;
    z = verticalInStep(done, done.stepS).z;
    brakeOffset += running ? -(brakeMps2 * r.stanceS * r.stanceS) / (2 * Math.PI) : 0;
    landingVel = nextLandingVel;
  }
  return steps;
}

/**
 * Pelvis vertical position (relative to standing) and velocity τ seconds after
 * the step's IC. Running: half-sine support force in stance, ballistic flight
 * (the accelerometer reads ~0 g in flight). Walking: inverted-pendulum bounce,
 * highest at mid-step, with Hermite terms that match the boundary velocities.
 */
export function verticalInStep(step: Step, tauS: number): { z: number; vz: number; az: number } {
  const c = step.stanceS;
  const v0 = step.landingVelMps;
  if (step.mode === 'run' && step.supportMps2 > 0) {
    const p = step.supportMps2;
    if (tauS <= c) {
      const w = Math.PI / c;
      return {
        z: step.zIcM + v0 * tauS + (p / w) * (tauS - Math.sin(w * tauS) / w) - (G * tauS * tauS) / 2,
        vz: v0 + (p / w) * (1 - Math.cos(w * tauS)) - G * tauS,
        az: p * Math.sin(w * tauS) - G,
      };
    }
    const zTo = step.zIcM + v0 * c + (p * c * c) / Math.PI - (G * c * c) / 2;
    const vTo = v0 + (2 * p * c) / Math.PI - G * c;
    const s = tauS - c;
    return { z: zTo + vTo * s - (G * s * s) / 2, vz: vTo - G * s, az: -G };
  }
  const T = step.stepS;
  const u = tauS / T;
  const a = WALK_BOUNCE_M * step.ramp;
  const w = (2 * Math.PI) / T;
  const lowS = WALK_LOWEST_FRACTION * T;
  // The bounce: lowest (and accelerating upward most) at lowS after the contact;
  // z is measured from the contact, so the step starts at zIcM.
  const bounceZ = a * (Math.cos(w * lowS) - Math.cos(w * (tauS - lowS)));
  const bounceV = a * w * Math.sin(w * (tauS - lowS));
  const bounceA = a * w * w * Math.cos(w * (tauS - lowS));
  // Hermite terms make up whatever the planned boundary velocities differ from
  // the bounce's own (the first steps after standing, a change to running).
  const edgeV = -a * w * Math.sin(w * lowS);
  const h0 = v0 - edgeV;
  const h1 = step.nextLandingVelMps - edgeV;
  // Hermite basis h10 = u(1-u)², h11 = u²(u-1), scaled by T for velocities.
  const h10 = u * (1 - u) * (1 - u);
  const h11 = u * u * (u - 1);
  const dh10 = (1 - u) * (1 - 3 * u);
  const dh11 = u * (3 * u - 2);
  const ddh10 = (6 * u - 4) / T;
  const ddh11 = (6 * u - 2) / T;
  return {
    z: step.zIcM + bounceZ + T * (h0 * h10 + h1 * h11),
    vz: bounceV + h0 * dh10 + h1 * dh11,
    az: bounceA + h0 * ddh10 + h1 * ddh11,
  };
}
