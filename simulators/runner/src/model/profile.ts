import type { Random } from '../random.ts';

/** A simulated runner's body and habits, drawn once per runner from the seed. */
export interface RunnerProfile {
  /** Easy-run speed, m/s (2.5–5). */
  readonly speedMps: number;
  /** Step cadence at that speed, steps/min (150–190). */
  readonly cadenceSpm: number;
  /** Fresh-legs contralateral pelvic drop, degrees (3–7), mean of both sides. */
  readonly baselineDropDeg: number;
  /** Fresh-legs knee-collapse (shank frontal tilt in stance), degrees. */
  readonly baselineCollapseDeg: number;
  readonly heightM: number;
  readonly massKg: number;
  readonly shankLengthM: number;
  /** Distance between hip joint centres, m. */
  readonly hipWidthM: number;
  /** Neutral pelvic obliquity standing (leg-length difference, posture), degrees. */
  readonly standingObliquityDeg: number;
  /** Standing shank frontal tilt (varus/valgus alignment), degrees, per side [left, right]. */
  readonly standingShankFrontalDeg: readonly [number, number];
  /** Forward pelvic tilt added when running at the usual speed, degrees. */
  readonly runningLeanDeg: number;
  /** Direction of the run on the compass, radians (the analysis must not assume one). */
  readonly headingRad: number;
}

/**
 * Draws a runner. Ranges follow the issue (speed 2.5–5 m/s, cadence
 * 150–190 spm, drop 3–7°); cadence correlates with speed as in Heiderscheit
 * et al. (2011): faster runners step quicker.
 */
export function drawProfile(rng: Random): RunnerProfile {
  const speedMps = rng.uniform(2.5, 5);
  const cadenceSpm = Math.min(190, Math.max(150, 150 + ((speedMps - 2.5) / 2.5) * 30 + rng.normal(0, 5)));
  const heightM = rng.clampedNormal(1.74, 0.08, 1.5, 2.0);
  return {
    speedMps,
    cadenceSpm,
    baselineDropDeg: rng.uniform(3, 7),
    baselineCollapseDeg: rng.uniform(2, 5),
    heightM,
    massKg: rng.clampedNormal(22.5 * heightM * heightM, 6, 45, 110),
    shankLengthM: 0.246 * heightM,
    hipWidthM: rng.clampedNormal(0.18, 0.015, 0.14, 0.22),
    standingObliquityDeg: rng.clampedNormal(0, 0.8, -2.5, 2.5),
    standingShankFrontalDeg: [rng.clampedNormal(-1, 1.5, -5, 4), rng.clampedNormal(-1, 1.5, -5, 4)],
    runningLeanDeg: rng.uniform(4, 12),
    headingRad: rng.uniform(-Math.PI, Math.PI),
  };
}
