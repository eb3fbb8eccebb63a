/**
 * Reenalda et al. 2021, J Biomech, doi:10.1016/j.jbiomech.2021.110419 —
 * validation of the peak downward velocity of the pelvis (PDVP) as initial
 * contact, from an inertial (Xsens) and an optical system, 20 runners on a
 * force-instrumented treadmill at 11, 13 and 15 km/h, rear- and forefoot
 * strikers: IC 21.7–27.2 ms after the force criterion (smaller at higher
 * speed, no effect of strike pattern). (The brief named Reenalda et al. 2016;
 * the rule Kiernan et al. evaluate is the 2021 one. Title not at hand here.)
 *
 * As evaluated on running by Kiernan, Dunn Siino & Hawkins 2023 (Sensors
 * 23(11):5022, 74 runners, force plate): initial contact bias +29.0 ms,
 * limits of agreement −83.3 … +141.3 ms (recommended with Auvinet for IC on
 * the sacrum). No terminal contact, no side.
 *
 * The rule: IC at each peak of the pelvis's downward vertical velocity (the
 * integral of its vertical acceleration), peaks at least fs/4.75 samples
 * apart. Reenalda et al. read the velocity from the Xsens fusion; Kiernan et
 * al. integrate the vertical acceleration (cumulative trapezoid, MATLAB
 * REID_IMU_Reenalda.m, GPL-3, read and not copied), and so do we.
 *
 * Choices where the sources are vague: the body frame and gravity
 * (sacrum-frame.ts; with the recording's own mean vertical removed the
 * integral does not drift away over a session, so only local peaks matter);
 * no filtering (Kiernan et al. add none).
 */
import { findPeaks, type RuleStance, type SensorSeries } from './signals.ts';
import { sacrumSignals } from './sacrum-frame.ts';

const MAX_STEP_HZ = 4.75;

export function reenaldaSacrum(s: SensorSeries): RuleStance[] {
  const { vertical } = sacrumSignals(s);
  // Downward velocity, in g·samples (the scale does not move a peak).
  const down = new Float64Array(vertical.length);
  for (let i = 1; i < vertical.length; i++) down[i] = down[i - 1]! - (vertical[i]! + vertical[i - 1]!) / 2;
  return findPeaks(down, { minDistance: Math.round(s.rateHz / MAX_STEP_HZ) }).map((i) => ({ side: null, icUs: s.tUs[i]!, toUs: null }));
}
