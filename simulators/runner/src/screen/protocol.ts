import type { Random } from '../random.ts';
import { LEFT, RIGHT, type SideIndex } from '../model/steps.ts';
import { planWalkIn, type WalkInPlan } from '../model/walk-in.ts';

/**
 * The movement screen: sets of single-leg squats or lateral step-downs, each
 * set on one standing leg, as a physiotherapist runs it. Numbers and sources:
 *
 * - Single-leg squat to ~45–60° knee flexion, 5 reps at ~2–3 s each, rated on
 *   pelvis and knee control (Crossley et al. 2011, AJSM 39:866). The standing
 *   shank then pitches forward ~20–35°: default depth 25° (squat).
 * - Lateral step-down from a ~15–20 cm step until the free heel touches the
 *   floor (Piva et al. 2006; Hollman et al. 2009/2014 step-down studies):
 *   default step 0.15 m, depth 30° (the free foot then reaches about the floor).
 * - Frontal-plane pelvis during these tasks (Willson & Davis 2008, single-leg
 *   squat; Hollman et al. 2014; Schmitz et al. 2002): a few degrees of
 *   contralateral drop in people with good hip control, roughly twice that
 *   and more with weak or tiring abductors. Modelled: clean 2.5°, weak 6.5°,
 *   fading from 3° to 7.5° over a set.
 * - Knee-in seen as medial shank tilt (DESIGN.md's knee-collapse proxy):
 *   clean 2°, weak 6°, fading 2.5° → 7°. These magnitudes are modelling
 *   choices inside the ranges those studies report (their measures are
 *   hip adduction / frontal-plane projection angles, not this proxy).
 *
 * Rep-to-rep variability: drop and knee-in N(0, 0.4°), depth N(0, 1.5°),
 * tempo ×(1 + N(0, 6 %)), pause at the top 0.4–0.9 s.
 *
 * Walk-in: after the first quiet standing the person walks a few steps up to
 * the spot (or the step), halts with the feet side by side and stands quietly
 * again before the first set, as in a clinic (model/walk-in.ts: ~1.2 m/s,
 * ~1.8 steps/s). Nothing in the sets reveals how each shank's clip is turned
 * about the shank (in a step-down the free leg hangs still and the standing
 * shank's pitch and knee-in share one time course); the walking strides do:
 * each shank swings about its own medio-lateral axis. The rest of the screen
 * happens where the walk ended (shifted along the heading). Simplification:
 * in a step-down the person walks at the step's height (the step-up onto it is
 * not modelled; the sensors need only the shanks' swing).
 */
export type ScreenTask = 'squat' | 'step-down';
/** How well the standing leg's hip holds the pelvis over a set. */
export type SetControl = 'clean' | 'weak' | 'fading';

export interface ScreenSetSpec {
  readonly standingLeg: 'left' | 'right';
  readonly reps: number;
  /** Standing shank forward pitch at the bottom of a rep, degrees. */
  readonly depthDeg: number;
  /** One rep, top to top, s. */
  readonly tempoS: number;
  readonly control: SetControl;
}

export interface ScreenProtocol {
  readonly task: ScreenTask;
  readonly sets: readonly ScreenSetSpec[];
  /** Standing on both feet between sets, s. */
  readonly restS: number;
  /** Quiet standing at the start (the analysis calibrates from it), after the walk-in and at the end, s. */
  readonly standingS: number;
  /**
   * Steps walked up to the spot after the first standing, the last bringing the
   * feet side by side (default 10: 5 swings of each shank; 0 or absent: no
   * walk-in, the screen starts on the spot, as protocols written before it did).
   */
  readonly walkInSteps?: number;
  /** Step height for the step-down, m (0 for the squat: on the floor). */
  readonly stepHeightM: number;
}

/** Per-rep control magnitudes, degrees (see the header for the sources). */
export const CONTROL = {
  clean: { dropDeg: 2.5, kneeInDeg: 2 },
  weak: { dropDeg: 6.5, kneeInDeg: 6 },
  fading: { fromDropDeg: 3, toDropDeg: 7.5, fromKneeInDeg: 2.5, toKneeInDeg: 7 },
  /** Rep-to-rep standard deviation of drop and knee-in, degrees. */
  repSdDeg: 0.4,
  depthSdDeg: 1.5,
  tempoCv: 0.06,
} as const;

/** Set timing, s: weight shift onto the standing leg, free leg up, reps, free leg down, weight back. */
export const SET_TIMING = { shiftS: 1.0, liftDelayS: 0.8, liftS: 0.8, firstRepS: 2.4, afterLastRepS: 0.5, lowerS: 0.8, shiftBackDelayS: 0.6 } as const;

/**
 * The default protocol: two clean sets on the strong side; on the weak side one
 * set of steady poor control and one that tires.
 */
export function defaultProtocol(task: ScreenTask, weakSide: 'left' | 'right'): ScreenProtocol {
  const strong = weakSide === 'left' ? 'right' : 'left';
  const squat = task === 'squat';
  const set = (standingLeg: 'left' | 'right', control: SetControl): ScreenSetSpec => ({
    standingLeg,
    control,
    reps: squat ? 8 : 6,
    depthDeg: squat ? 25 : 30,
    tempoS: squat ? 2.5 : 2.8,
  });
  return {
    task,
    sets: [set(strong, 'clean'), set(weakSide, 'weak'), set(strong, 'clean'), set(weakSide, 'fading')],
    restS: 30,
    standingS: 5,
    stepHeightM: squat ? 0 : 0.15,
    walkInSteps: 10,
  };
}

/** One planned rep: times since session start, s, and the intended control. */
export interface PlannedRep {
  readonly set: number;
  readonly rep: number;
  readonly side: SideIndex;
  readonly startS: number;
  readonly bottomS: number;
  readonly endS: number;
  readonly depthDeg: number;
  /** Intended peak contralateral drop at the bottom, degrees (truth is measured from the poses). */
  readonly dropDeg: number;
  readonly kneeInDeg: number;
}

export interface PlannedSet {
  readonly index: number;
  readonly side: SideIndex;
  readonly control: SetControl;
  /** Weight starts to shift onto the standing leg. */
  readonly startS: number;
  /** Back on both feet. */
  readonly endS: number;
  /** The free leg starts down. */
  readonly lowerS: number;
  readonly reps: readonly PlannedRep[];
}

export interface ScreenPlan {
  readonly protocol: ScreenProtocol;
  /** The walk-in (absent when the protocol has none): from `startS` to `endS` s the person walks; standing again until the first set. */
  readonly walkIn?: WalkInPlan;
  readonly sets: readonly PlannedSet[];
  readonly durationS: number;
}

/** Most walk-in steps a protocol may ask for (a clinic's few metres). */
const MAX_WALK_IN_STEPS = 40;

export function validateProtocol(p: ScreenProtocol): void {
  if (p.sets.length === 0) throw new RangeError('a screen needs at least one set');
  if (!(p.standingS >= 3)) throw new RangeError(`screen standing must be ≥ 3 s (the analysis calibrates from it), got ${p.standingS} s`);
  if (!(p.restS >= 5)) throw new RangeError(`rest between sets must be ≥ 5 s, got ${p.restS} s`);
  if (!(p.stepHeightM >= 0 && p.stepHeightM <= 0.3)) throw new RangeError(`step height must be 0..0.3 m, got ${p.stepHeightM} m`);
  const walk = p.walkInSteps;
  if (walk !== undefined && walk !== 0 && !(Number.isInteger(walk) && walk >= 2 && walk <= MAX_WALK_IN_STEPS)) {
    throw new RangeError(`walk-in steps must be 0 (no walk-in) or an integer 2..${MAX_WALK_IN_STEPS} (the last brings the feet side by side), got ${walk}`);
  }
  for (const [i, s] of p.sets.entries()) {
    if (!Number.isInteger(s.reps) || s.reps < 1 || s.reps > 30) throw new RangeError(`set ${i + 1}: reps must be an integer 1..30, got ${s.reps}`);
    if (!(s.depthDeg >= 5 && s.depthDeg <= 45)) throw new RangeError(`set ${i + 1}: depth must be 5..45° of shank pitch, got ${s.depthDeg}°`);
    if (!(s.tempoS >= 1 && s.tempoS <= 6)) throw new RangeError(`set ${i + 1}: tempo must be 1..6 s per rep, got ${s.tempoS} s`);
  }
}

/**
 * Lays the protocol out in time: standing, the walk-in and standing again
 * (when the protocol has one), the sets with rests between them, standing.
 * Sets that would end after `maxDurationS` are left out (at least one must
 * fit); the session ends `standingS` after the last set.
 */
export function planScreen(protocol: ScreenProtocol, maxDurationS: number, rng: Random): ScreenPlan {
  validateProtocol(protocol);
  const sets: PlannedSet[] = [];
  let t = protocol.standingS;
  // The walk-in draws from its own stream, forked only when there is one: without it the sets' draws (and the
  // whole session) are those of the versions before the walk-in existed.
  const walkIn = (protocol.walkInSteps ?? 0) > 0 ? planWalkIn(t, protocol.walkInSteps!, rng.fork(7)) : undefined;
  if (walkIn !== undefined) t = walkIn.endS + protocol.standingS;
  for (const [index, spec] of protocol.sets.entries()) {
    const side: SideIndex = spec.standingLeg === 'left' ? LEFT : RIGHT;
    const reps: PlannedRep[] = [];
    let r = t + SET_TIMING.firstRepS;
    for (let rep = 0; rep < spec.reps; rep++) {
      const { dropDeg, kneeInDeg } = intendedControl(spec, rep);
      const durationS = spec.tempoS * (1 + rng.normal(0, CONTROL.tempoCv));
      reps.push({
        set: index,
        rep,
        side,
        startS: r,
        bottomS: r + durationS / 2,
        endS: r + durationS,
        depthDeg: spec.depthDeg + rng.normal(0, CONTROL.depthSdDeg),
        dropDeg: Math.max(0.5, dropDeg + rng.normal(0, CONTROL.repSdDeg)),
        kneeInDeg: Math.max(0, kneeInDeg + rng.normal(0, CONTROL.repSdDeg)),
      });
      r += durationS + (rep < spec.reps - 1 ? rng.uniform(0.4, 0.9) : 0);
    }
    const lowerS = r + SET_TIMING.afterLastRepS;
    const endS = lowerS + SET_TIMING.shiftBackDelayS + SET_TIMING.shiftS;
    if (endS + protocol.standingS > maxDurationS) {
      if (sets.length === 0) throw new RangeError(`duration ${maxDurationS} s is too short for one set of the screen (needs ${Math.ceil(endS + protocol.standingS)} s)`);
      break;
    }
    sets.push({ index, side, control: spec.control, startS: t, endS, lowerS, reps });
    t = endS + protocol.restS;
  }
  return { protocol, ...(walkIn !== undefined ? { walkIn } : {}), sets, durationS: sets[sets.length - 1]!.endS + protocol.standingS };
}

/**
 * The screen's weak side: the standing leg of every set not done cleanly, or
 * null when all sets are clean or both legs have such sets (a custom protocol).
 */
export function weakSideOf(plan: ScreenPlan): 'left' | 'right' | null {
  const sides = new Set(plan.sets.filter((s) => s.control !== 'clean').map((s) => (s.side === LEFT ? 'left' : 'right')));
  return sides.size === 1 ? [...sides][0]! : null;
}

function intendedControl(spec: ScreenSetSpec, rep: number): { dropDeg: number; kneeInDeg: number } {
  if (spec.control === 'clean') return CONTROL.clean;
  if (spec.control === 'weak') return CONTROL.weak;
  const f = spec.reps > 1 ? rep / (spec.reps - 1) : 0;
  const c = CONTROL.fading;
  return { dropDeg: c.fromDropDeg + (c.toDropDeg - c.fromDropDeg) * f, kneeInDeg: c.fromKneeInDeg + (c.toKneeInDeg - c.fromKneeInDeg) * f };
}
