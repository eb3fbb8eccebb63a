import type { RunnerProfile } from './profile.ts';

export const SCENARIOS = ['steady', 'itb-fatigue', 'weak-side', 'return-to-run', 'sensor-faults', 'screen-squat', 'screen-step-down'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** The movement-screen scenarios (single-leg squat, lateral step-down): no running, reps instead (src/screen). */
export type ScreenScenarioName = Extract<ScenarioName, `screen-${string}`>;

export function isScreenScenario(name: ScenarioName): name is ScreenScenarioName {
  return name.startsWith('screen-');
}

export function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

export type GaitMode = 'walk' | 'run';

/** A stretch of the session at one gait mode and target speed. */
export interface Bout {
  readonly startS: number;
  readonly mode: GaitMode;
  readonly speedMps: number;
}

/** What the scenario does to the runner over time. */
export interface ScenarioPlan {
  readonly name: ScenarioName;
  /** Quiet standing at the start, s. */
  readonly standingS: number;
  /** Total session length including standing, s. */
  readonly durationS: number;
  /** Speed/gait schedule after standing, in time order. */
  readonly bouts: readonly Bout[];
  /** Fatigue onset, s since session start; undefined when the runner does not fatigue. */
  readonly fatigueOnsetS: number | undefined;
  /** Extra fresh-legs drop of one side, degrees (weak-side). */
  readonly weakSide: { side: 'left' | 'right'; extraDropDeg: number } | undefined;
}

/** Physiology of the hip-abductor fatigue (Bramah 2018: injured ~7.5° vs healthy ~5° CPD). */
export const FATIGUE = {
  /** Extra pelvic drop once fully fatigued, degrees. */
  extraDropDeg: 3,
  /** Extra knee-collapse proxy, degrees. */
  extraCollapseDeg: 2.5,
  /** Relative cadence change (runners shorten contact but lose rhythm: -3 %). */
  cadenceChange: -0.03,
  /** Time constant of the approach to full fatigue, s. */
  timeConstantS: 60,
} as const;

/** 3 miles, m: where ITB pain classically arrives. */
const THREE_MILES_M = 4828;

export interface PlanOptions {
  readonly scenario: ScenarioName;
  readonly durationS: number;
  /** Overrides the fatigue onset, s since session start. */
  readonly fatigueOnsetS?: number;
  readonly standingS?: number;
}

/**
 * Fatigue level in [0, 1] at time t: 0 before onset, then 1 − e^(−Δt/τ).
 */
export function fatigueLevel(plan: ScenarioPlan, tS: number): number {
  if (plan.fatigueOnsetS === undefined || tS <= plan.fatigueOnsetS) return 0;
  return 1 - Math.exp(-(tS - plan.fatigueOnsetS) / FATIGUE.timeConstantS);
}

export function planScenario(profile: RunnerProfile, options: PlanOptions): ScenarioPlan {
  const durationS = options.durationS;
  // A screen stands (as far as the running body is concerned) the whole time: the screen body moves instead.
  if (isScreenScenario(options.scenario)) return { name: options.scenario, standingS: durationS, durationS, bouts: [], fatigueOnsetS: undefined, weakSide: undefined };
  const standingS = options.standingS ?? 5;
  if (durationS < standingS + 20) throw new RangeError(`duration must be at least ${standingS + 20} s, got ${durationS} s`);
  // Every session starts like a real one: stand still, walk off, speed up to the run.
  const warmup: Bout[] = [
    { startS: standingS, mode: 'walk', speedMps: 1.4 },
    { startS: standingS + 4, mode: 'run', speedMps: profile.speedMps },
  ];
  const base = { name: options.scenario, standingS, durationS, fatigueOnsetS: undefined, weakSide: undefined };
  switch (options.scenario) {
    case 'steady':
    case 'sensor-faults':
      return { ...base, bouts: warmup };
    case 'itb-fatigue': {
      // Default onset: ~3 miles in at the runner's pace; in a run too short for
      // that, half-way so that the fatigue is still there to be seen.
      const atThreeMiles = standingS + 4 + THREE_MILES_M / profile.speedMps;
      const fallback = standingS + (durationS - standingS) / 2;
      const fatigueOnsetS = options.fatigueOnsetS ?? (atThreeMiles < durationS - 120 ? atThreeMiles : fallback);
      return { ...base, bouts: warmup, fatigueOnsetS };
    }
    case 'weak-side':
      return { ...base, bouts: warmup, weakSide: { side: profile.standingObliquityDeg >= 0 ? 'left' : 'right', extraDropDeg: 2.5 } };
    case 'return-to-run': {
      // Rehab walk-run: 1 min walk, 1.5 min easy run (at 80 % of usual pace), repeated.
      const bouts: Bout[] = [{ startS: standingS, mode: 'walk', speedMps: 1.4 }];
      for (let t = standingS + 60; t < durationS; t += 150) {
        bouts.push({ startS: t, mode: 'run', speedMps: Math.max(2.2, 0.8 * profile.speedMps) });
        if (t + 90 < durationS) bouts.push({ startS: t + 90, mode: 'walk', speedMps: 1.4 });
      }
      return { ...base, bouts };
    }
  }
}
