import type { Random } from '../random.ts';
import { FOOT_PLACEMENT, type ForwardMotion, type Gait } from './body.ts';
import type { RunnerProfile } from './profile.ts';
import { LEFT, ONSET_RAMP_S, RIGHT, dutyFactor, smoothstep, verticalInStep, walkCadenceSpm, walkContactVelMps, type SideIndex, type Step } from './steps.ts';

/**
 * A short walk that starts and ends in quiet standing: a patient walking up to
 * the spot (or the step) of a movement screen. Numbers and sources:
 *
 * - Speed 1.2 m/s: a little under free adult walking (~1.3–1.4 m/s; Perry &
 *   Burnfield 2010, Winter 2009), as indoors over a few metres. Cadence and
 *   stance fraction are the running body's walking ones (steps.ts:
 *   walkCadenceSpm, ~107 steps/min = 1.8 steps/s at 1.2 m/s, inside the
 *   100–120 of self-selected walking in the lab, Winter 1991; stance 62 % of
 *   the stride, Perry & Burnfield), with the same step-to-step variability
 *   (step time 2 %, stance 3 %). Steps come out ~0.67 m.
 * - Start: the anticipatory postural adjustment of gait initiation lasts
 *   ~0.4–0.6 s before the first foot leaves the ground (e.g. Halliday et al.
 *   1998, Gait Posture 8:8): the pelvis starts forward at the start, the first
 *   (left) foot lifts `initiationS` later. The gait's amplitude ramps in over
 *   ONSET_RAMP_S with a smoothstep, as the running body's does.
 * - Stop: gait termination takes about two steps (e.g. Jaeger & Vanitchatchavan
 *   1992, J Biomech 25:1233): speed and amplitude ramp out over the last
 *   `stopSteps` steps; the last step but one lands where the feet will stand,
 *   and the last, the closing step, brings the trailing foot beside it (hip
 *   width apart, as in quiet standing). Its contact is the end of the walk-in.
 *   (Over two steps the closing swing's peak rate is ~1.4 rad/s, a fifth of a
 *   walking swing's ~6–7; over 1.5 it is ~2.2, as large as the first swing's.)
 *
 * `steps` counts every step, the closing one included: each is one foot's swing
 * forward (half a stride), the left foot first, so the left shank swings
 * ⌈steps/2⌉ times and the right ⌊steps/2⌋.
 */
export const WALK_IN = {
  speedMps: 1.2,
  initiationS: 0.5,
  stopSteps: 1.5,
  stepSdFraction: 0.02,
  stanceSdFraction: 0.03,
} as const;

/** One contact of a walk-in: from `icS` the foot is down for `stanceS`; the other foot lands `stepS` later. */
export interface WalkInContact {
  readonly side: SideIndex;
  readonly icS: number;
  readonly stanceS: number;
  readonly stepS: number;
}

/** A walk-in laid out in time (no body yet: that needs the profile, walkInGait below). */
export interface WalkInPlan {
  /** The walk starts (the pelvis starts forward), s since session start. */
  readonly startS: number;
  /** The closing foot is down and the body still, s. */
  readonly endS: number;
  /** Steps (swings), the closing one included. */
  readonly steps: number;
  readonly speedMps: number;
  /** The first foot leaves the ground, s. */
  readonly firstFootOffS: number;
  /** The steps' contacts in time order, the closing step's last. */
  readonly contacts: readonly WalkInContact[];
}

/** Stance of the planted feet after the walk, s: longer than any session. */
const STAND_FOREVER_S = 1e6;

export function planWalkIn(startS: number, steps: number, rng: Random): WalkInPlan {
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`a walk-in needs a whole number of steps ≥ 2 (the last brings the feet side by side), got ${steps}`);
  const speedMps = WALK_IN.speedMps;
  const nominalStepS = 60 / walkCadenceSpm(speedMps);
  const duty = dutyFactor('walk', speedMps);
  const firstFootOffS = startS + WALK_IN.initiationS;
  const contacts: WalkInContact[] = [];
  let t = firstFootOffS + 2 * nominalStepS * (1 - duty);
  for (let k = 0; k < steps; k++) {
    const stepS = nominalStepS * (1 + rng.normal(0, WALK_IN.stepSdFraction));
    const stanceS = 2 * nominalStepS * duty * (1 + rng.normal(0, WALK_IN.stanceSdFraction));
    contacts.push({ side: k % 2 === 0 ? LEFT : RIGHT, icS: t, stanceS, stepS });
    t += stepS;
  }
  return { startS, endS: contacts[steps - 1]!.icS, steps, speedMps, firstFootOffS, contacts };
}

/**
 * The walk-in's speed and amplitude envelope E(t) = rise · fall: rise a
 * smoothstep over ONSET_RAMP_S from the start, fall one minus a smoothstep over
 * the last `stopSteps` nominal steps to the end. The speed is E times the
 * walking speed; the distance its integral, exact (piecewise polynomials of
 * degree ≤ 6, integrated by 4-point Gauss–Legendre, exact to degree 7), so the
 * pelvis's second difference sees no numerical steps.
 */
class WalkInEnvelope implements ForwardMotion {
  private readonly breaks: number[];
  private readonly distanceAtBreak: number[];

  constructor(
    private readonly startS: number,
    private readonly fallFromS: number,
    private readonly endS: number,
    private readonly speedMps: number,
  ) {
    this.breaks = [startS, startS + ONSET_RAMP_S, fallFromS, endS].sort((a, b) => a - b);
    this.distanceAtBreak = [0];
    for (let i = 1; i < this.breaks.length; i++) this.distanceAtBreak.push(this.distanceAtBreak[i - 1]! + this.integral(this.breaks[i - 1]!, this.breaks[i]!));
  }

  amplitudeAt(tS: number): number {
    if (tS <= this.startS || tS >= this.endS) return 0;
    const rise = smoothstep((tS - this.startS) / ONSET_RAMP_S);
    const fall = 1 - smoothstep((tS - this.fallFromS) / (this.endS - this.fallFromS));
    return rise * fall;
  }

  speedAt(tS: number): number {
    return this.speedMps * this.amplitudeAt(tS);
  }

  distanceAt(tS: number): number {
    if (tS <= this.startS) return 0;
    let i = 0;
    while (i + 1 < this.breaks.length && this.breaks[i + 1]! <= tS) i++;
    if (i === this.breaks.length - 1) return this.distanceAtBreak[i]!;
    return this.distanceAtBreak[i]! + this.integral(this.breaks[i]!, tS);
  }

  /** ∫ speed over [a, b] within one polynomial piece. */
  private integral(a: number, b: number): number {
    const mid = (a + b) / 2;
    const half = (b - a) / 2;
    let sum = 0;
    for (let k = 0; k < 4; k++) sum += GAUSS_WEIGHTS[k]! * this.speedAt(mid + half * GAUSS_NODES[k]!);
    return half * sum;
  }
}

const GAUSS_NODES = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526] as const;
const GAUSS_WEIGHTS = [0.3478548451374539, 0.6521451548625461, 0.6521451548625461, 0.3478548451374539] as const;

/**
 * The walk-in as a gait for GaitBody: planted virtual stances until the first
 * foot lifts, the walking steps (contacts ahead of the pelvis and half a step
 * width aside, as the running body's walking), the last two steps landing as
 * planted virtual stances hip width apart at the walk's end point, where the
 * pelvis stops. All in the frame of the standing start: the pelvis starts at
 * the origin and ends `endForwardM` along the heading. Pelvic drop and knee
 * collapse per stance are the profile's baselines (the walk-in has no truth).
 */
export function walkInGait(profile: RunnerProfile, plan: WalkInPlan): Gait & { readonly endForwardM: number } {
  const { contacts } = plan;
  const last = contacts.length - 1;
  const fallFromS = plan.endS - WALK_IN.stopSteps * (60 / walkCadenceSpm(plan.speedMps));
  const envelope = new WalkInEnvelope(plan.startS, fallFromS, plan.endS, plan.speedMps);
  const endForwardM = envelope.distanceAt(plan.endS);
  const hx = Math.cos(profile.headingRad);
  const hy = Math.sin(profile.headingRad);
  const first = contacts[0]!;
  const duty = dutyFactor('walk', plan.speedMps);
  // Standing before: the left foot lifts at the first foot-off, the right one as the left lands plus the double
  // support. The left's planted stance is dated one stride before the left's first contact, so that its stride
  // phase (which paces the pelvis's sway and yaw, GaitBody) runs at the walking rate through that contact: a
  // standing stance dated long before (as the running body's) makes the phase's rate jump there, and the sway's
  // velocity with it (the pelvis read 1.8 g there). It starts before the walk, where the screen body holds the pose.
  const strideS = 2 * first.stepS;
  const leftFromS = Math.min(first.icS - strideS, plan.startS - 0.05);
  type Raw = { side: SideIndex; icS: number; stanceS: number; stepS: number; virtual: boolean; forwardM: number };
  const raw: Raw[] = [
    { side: LEFT, icS: leftFromS, stanceS: plan.firstFootOffS - leftFromS, stepS: 0.05, virtual: true, forwardM: 0 },
    { side: RIGHT, icS: leftFromS + 0.05, stanceS: first.icS + (2 * duty - 1) * first.stepS - leftFromS - 0.05, stepS: first.icS - leftFromS - 0.05, virtual: true, forwardM: 0 },
  ];
  contacts.forEach((c, k) => {
    // The last two steps plant the feet for good. The last but one keeps a walking stance's duration: its
    // shank turns on over the planted foot at the walking rate (scaled by the ramping-out amplitude) instead of
    // stopping dead at the contact (a planted stance's phase barely moves: a ~4 g jolt at the sensor). By the
    // time that stance would end the walk is over: the amplitude is 0, and with no later step GaitBody keeps the foot down.
    const final = k >= last - 1;
    raw.push({
      side: c.side,
      icS: c.icS,
      stanceS: k === last ? STAND_FOREVER_S : c.stanceS,
      stepS: k === last ? STAND_FOREVER_S : c.stepS,
      virtual: final,
      forwardM: final ? endForwardM : envelope.distanceAt(c.icS) + FOOT_PLACEMENT.walk.leadM,
    });
  });
  const steps: Step[] = [];
  let z = 0;
  for (let k = 0; k < raw.length; k++) {
    const r = raw[k]!;
    const next = raw[k + 1];
    const ramp = r.virtual ? 0 : envelope.amplitudeAt(r.icS);
    // Planted stances start and end at rest; a walking contact meets the bounce's own velocity (steps.ts).
    const landingVelMps = k === 0 || raw[k - 1]!.virtual || r.virtual ? 0 : steps[k - 1]!.nextLandingVelMps;
    const nextLandingVelMps = r.virtual || next === undefined || next.virtual ? 0 : walkContactVelMps(next.stepS, envelope.amplitudeAt(next.icS));
    const halfWidthM = ((r.virtual ? profile.hipWidthM : FOOT_PLACEMENT.walk.widthM) / 2) * (r.side === LEFT ? 1 : -1);
    const step: Step = {
      index: k,
      side: r.side,
      mode: 'walk',
      icS: r.icS,
      stanceS: r.stanceS,
      stepS: r.stepS,
      dropDeg: profile.baselineDropDeg,
      collapseDeg: profile.baselineCollapseDeg,
      brakeMps2: 0,
      landingVelMps,
      nextLandingVelMps,
      supportMps2: 0,
      zIcM: z,
      brakeOffsetM: 0,
      contactX: r.forwardM * hx - halfWidthM * hy,
      contactY: r.forwardM * hy + halfWidthM * hx,
      ramp,
      virtual: r.virtual,
    };
    steps.push(step);
    if (!r.virtual) z = verticalInStep(step, step.stepS).z;
  }
  return { steps, speed: envelope, rampAt: (tS) => envelope.amplitudeAt(tS), shankRampInTime: true, endForwardM };
}
