import { DEG_PER_RAD } from '@gaitwatch/protocol';
import type { RunnerBody } from './model/body.ts';
import { mat3, vec3 } from './model/rotation.ts';
import { LEFT, RIGHT, type SideIndex } from './model/steps.ts';

/** Ground truth of one stance, by DESIGN.md's definitions. */
export interface StanceTruth {
  readonly side: 'left' | 'right';
  readonly icS: number;
  readonly toS: number;
  /** IC to the next IC of the same leg; undefined for a leg's last stance. */
  readonly strideTimeS: number | undefined;
  readonly gctS: number;
  /** Peak contralateral pelvic drop in stance, degrees (obliquity minus standing). */
  readonly pelvicDropDeg: number;
  /** Peak medial shank tilt in stance, degrees (minus standing). */
  readonly shankFrontalDeg: number;
}

/** Truth peaks are searched on a 1 ms grid: finer than any device rate. */
const TRUTH_STEP_S = 0.001;

/**
 * Computes truth from the segments' true orientations (not the sensors'):
 * obliquity φ = asin(ŷ_pelvis · ẑ); shank frontal = asin(ẑ_shank · m̂), m̂ the
 * leg's medial direction in the heading frame (−y left, +y right).
 */
export function stanceTruth(body: RunnerBody): StanceTruth[] {
  const r = mat3();
  const p = vec3();
  const heading = body.profile.headingRad;
  // Heading frame's y (left) in world coordinates.
  const leftX = -Math.sin(heading);
  const leftY = Math.cos(heading);
  const obliquity = (tS: number): number => {
    body.pelvisPose(tS, r, p);
    // ŷ_pelvis = column 1 of R; its z component is R[2][1].
    return Math.asin(Math.max(-1, Math.min(1, r[7]!))) * DEG_PER_RAD;
  };
  const shankMedial = (side: SideIndex, tS: number): number => {
    body.shankPose(side, tS, r, p);
    // ẑ_shank = column 2 of R; · left-direction of the heading frame.
    const zDotLeft = r[2]! * leftX + r[5]! * leftY;
    const medial = side === LEFT ? -zDotLeft : zDotLeft;
    return Math.asin(Math.max(-1, Math.min(1, medial))) * DEG_PER_RAD;
  };
  const standT = body.plan.standingS / 2;
  const standObliquity = obliquity(standT);
  const standShank = [shankMedial(LEFT, standT), shankMedial(RIGHT, standT)];
  const out: StanceTruth[] = [];
  const steps = body.steps;
  const endS = body.plan.durationS;
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k]!;
    const toS = step.icS + step.stanceS;
    if (step.virtual || toS > endS) continue;
    const nextSame = steps[k + 2];
    const sign = step.side === LEFT ? 1 : -1;
    let peakDrop = -Infinity;
    let peakShank = -Infinity;
    for (let t = step.icS; t <= toS; t += TRUTH_STEP_S) {
      peakDrop = Math.max(peakDrop, sign * (obliquity(t) - standObliquity));
      peakShank = Math.max(peakShank, shankMedial(step.side, t) - standShank[step.side]!);
    }
    out.push({
      side: step.side === LEFT ? 'left' : 'right',
      icS: step.icS,
      toS,
      strideTimeS: nextSame !== undefined && nextSame.icS <= endS ? nextSame.icS - step.icS : undefined,
      gctS: step.stanceS,
      pelvicDropDeg: peakDrop,
      shankFrontalDeg: peakShank,
    });
  }
  return out;
}

/**
 * Braking truth of one stance: the forward speed the pelvis (mid-hip) loses
 * after the contact, m/s — the largest drop below its speed at IC over
 * [icS, toS], from its trajectory by central differences (1 ms) every 2 ms.
 */
export function pelvisBrakingMps(body: RunnerBody, icS: number, toS: number): number {
  const r = mat3();
  const p = vec3();
  const hx = Math.cos(body.profile.headingRad);
  const hy = Math.sin(body.profile.headingRad);
  const forwardM = (tS: number): number => {
    body.pelvisPose(tS, r, p);
    return p[0]! * hx + p[1]! * hy;
  };
  const speed = (tS: number): number => (forwardM(tS + 0.0005) - forwardM(tS - 0.0005)) / 0.001;
  const atContact = speed(icS);
  let loss = 0;
  for (let tS = icS; tS <= toS; tS += 0.002) loss = Math.max(loss, atContact - speed(tS));
  return loss;
}
