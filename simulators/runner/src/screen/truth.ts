import { DEG_PER_RAD } from '@gaitwatch/protocol';
import { mat3, vec3 } from '../model/rotation.ts';
import { LEFT, RIGHT, type SideIndex } from '../model/steps.ts';
import type { ScreenBody } from './body.ts';

/** Ground truth of one rep, by DESIGN.md's definitions, from the segments' true orientations. */
export interface RepTruth {
  /** 0-based set and rep-within-set. */
  readonly set: number;
  readonly rep: number;
  readonly side: 'left' | 'right';
  readonly startS: number;
  readonly bottomS: number;
  readonly endS: number;
  /** Peak over the rep of the obliquity minus standing, signed so that + = the free side below level, degrees. */
  readonly pelvicDropDeg: number;
  /** Peak over the rep of the standing shank's medial tilt minus standing (knee-collapse proxy), degrees. */
  readonly kneeCollapseDeg: number;
  /** Standing shank forward pitch at the bottom, asin(ẑ_shank · heading), minus standing, degrees. */
  readonly depthDeg: number;
}

/** Peaks are searched on a 1 ms grid, as for the running truth. */
const TRUTH_STEP_S = 0.001;

/**
 * Obliquity φ = asin(ŷ_pelvis · ẑ); knee-collapse proxy = asin(ẑ_shank · m̂)
 * (m̂ medial in the heading frame), both minus their value in the standing
 * calibration at the start; depth = asin(ẑ_shank · ĥ), ĥ the heading.
 */
export function repTruth(body: ScreenBody): RepTruth[] {
  const r = mat3();
  const p = vec3();
  const heading = body.profile.headingRad;
  const fx = Math.cos(heading);
  const fy = Math.sin(heading);
  const leftX = -fy;
  const leftY = fx;
  const clampAsin = (x: number): number => Math.asin(Math.max(-1, Math.min(1, x))) * DEG_PER_RAD;
  const obliquity = (tS: number): number => {
    body.pelvisPose(tS, r, p);
    return clampAsin(r[7]!);
  };
  const shankMedial = (side: SideIndex, tS: number): number => {
    body.shankPose(side, tS, r, p);
    const zDotLeft = r[2]! * leftX + r[5]! * leftY;
    return clampAsin(side === LEFT ? -zDotLeft : zDotLeft);
  };
  const shankPitch = (side: SideIndex, tS: number): number => {
    body.shankPose(side, tS, r, p);
    return clampAsin(r[2]! * fx + r[5]! * fy);
  };
  const standT = body.plan.protocol.standingS / 2;
  const standObliquity = obliquity(standT);
  const standShank = [shankMedial(LEFT, standT), shankMedial(RIGHT, standT)];
  const standPitch = [shankPitch(LEFT, standT), shankPitch(RIGHT, standT)];
  const out: RepTruth[] = [];
  for (const set of body.plan.sets) {
    for (const rep of set.reps) {
      const sign = rep.side === LEFT ? 1 : -1;
      let drop = -Infinity;
      let knee = -Infinity;
      for (let t = rep.startS; t <= rep.endS; t += TRUTH_STEP_S) {
        drop = Math.max(drop, sign * (obliquity(t) - standObliquity));
        knee = Math.max(knee, shankMedial(rep.side, t) - standShank[rep.side]!);
      }
      out.push({
        set: rep.set,
        rep: rep.rep,
        side: rep.side === LEFT ? 'left' : 'right',
        startS: rep.startS,
        bottomS: rep.bottomS,
        endS: rep.endS,
        pelvicDropDeg: drop,
        kneeCollapseDeg: knee,
        depthDeg: shankPitch(rep.side, rep.bottomS) - standPitch[rep.side]!,
      });
    }
  }
  return out;
}

/** Header of `<name>.reps.csv` (times in µs since the Unix epoch, like the recording). */
export const REP_TRUTH_HEADER = 'set,rep,side,start_us,bottom_us,end_us,pelvic_drop_deg,knee_collapse_deg,depth_deg';
