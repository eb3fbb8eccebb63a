/**
 * Purcell, Channells, James & Barrett 2006, "Use of accelerometers for
 * detecting foot-ground contact time during running", Proc. SPIE 6036
 * (BioMEMS and Nanotechnology II), 603615 — a tri-axial accelerometer on the
 * anteromedial distal tibia, 250 Hz, 6 runners overground, force plate.
 *
 * As evaluated by Kiernan, Dunn Siino & Hawkins 2023 (Sensors 23(11):5022,
 * 74 runners, force plate; their recommendation for a shank sensor):
 *   initial contact  bias +17.4 ms, limits of agreement −96.8 … +131.6 ms
 *   terminal contact bias  +3.5 ms, limits of agreement −143.9 … +150.9 ms
 *
 * The rule (our own code, from the descriptions; the primary paper was not
 * available to us, so the rule is read from Kiernan et al.'s description and
 * their public MATLAB implementation REID_IMU_Purcell.m, GPL-3, read and not
 * copied):
 *   IC: each peak of the acceleration magnitude (peaks at least two shortest
 *       steps apart: 2 × fs / 4.75) is paired with the nearest local minimum
 *       of the anterior (progression-axis) acceleration; that minimum is IC.
 *   TC: between consecutive ICs of the leg, in 20–60 % of the IC-to-IC time,
 *       the largest peak of the posterior acceleration and the medial
 *       acceleration peak nearest to it; TC is the mean of their indices.
 *
 * Choices where the sources are vague (each can move the result):
 *  - Axes: the sensor's own x (anterior) and y (left) axes, no frame
 *    correction — Purcell's accelerometer was taped on without one. Our
 *    sensors sit within 2–6° (real) or 15° (simulated) of the segment frame.
 *    Medial is +y on the right shank and −y on the left.
 *  - Gravity is not removed (the accelerometer's reading, m/s²): the rule uses
 *    extrema timing only, and the gravity component changes slowly.
 *  - Which way "posterior" points. Purcell et al.'s text puts IC at a minimum
 *    of the posterior acceleration and TC at a minimum of the posterior and a
 *    maximum of the medial one; Kiernan et al. judged Purcell's coordinate
 *    figure mislabelled and used the minimum of the ANTERIOR acceleration for
 *    IC and the maximum of the POSTERIOR one for TC (their reading, bias
 *    +3.5 ms on their data). Both readings are here: `reading: 'kiernan'`
 *    (default) and `'as-written'` (the text's labels taken literally: the
 *    same algorithm on the negated anterior axis). On our real-running
 *    shanks the anterior acceleration has a sharp local maximum at toe-off
 *    (−20…+10 ms), the as-written TC feature; the posterior maxima sit in
 *    mid-stance and mid-swing.
 *  - No medial peak in the window: TC is the posterior peak alone (the MATLAB
 *    reference would average with an empty set, which is the same).
 *  - Window bounds inclusive, indices absolute (Kiernan's code adds one sample,
 *    5 ms at 200 Hz, by mixing 1-based relative and absolute indices; not kept).
 *  - No filtering (none is described).
 *  - Stances paired as in Kiernan et al. (`pairStances`, shortest stance 95 ms).
 */
import { findPeaks, pairStances, type RuleStance, type SensorSeries } from './signals.ts';

/** Most steps per second a runner takes (Kiernan et al.'s automation bound). */
const MAX_STEP_HZ = 4.75;
const MIN_STANCE_S = 0.095;

/** Contact indices of one shank by Purcell's IC rule (sample indices, ascending, unique). */
export function purcellContacts(anterior: ArrayLike<number>, magnitude: ArrayLike<number>, rateHz: number): number[] {
  const negAnterior = Float64Array.from({ length: anterior.length }, (_, i) => -anterior[i]!);
  const minima = findPeaks(negAnterior);
  const magPeaks = findPeaks(magnitude, { minDistance: Math.round(rateHz / MAX_STEP_HZ) * 2 });
  const ics = new Set<number>();
  if (minima.length === 0) return [];
  let j = 0;
  for (const p of magPeaks) {
    // Nearest minimum; the earlier one on a tie (MATLAB min returns the first).
    while (j + 1 < minima.length && Math.abs(minima[j + 1]! - p) < Math.abs(minima[j]! - p)) j++;
    ics.add(minima[j]!);
  }
  return [...ics].sort((a, b) => a - b);
}

/**
 * Toe-off between contacts `ic` and `nextIc` (sample indices) by Purcell's TC
 * rule: in [ic + 20 %, ic + 60 %] of the interval, the largest posterior peak
 * and its nearest medial peak, averaged. NaN when the window is empty.
 */
export function purcellToeOff(anterior: ArrayLike<number>, medial: ArrayLike<number>, ic: number, nextIc: number): number {
  const plus20 = Math.round((nextIc - ic) / 5);
  const from = ic + plus20;
  const to = ic + 3 * plus20;
  if (!(to > from)) return Number.NaN;
  const posterior = Float64Array.from({ length: anterior.length }, (_, i) => -anterior[i]!);
  const postPeaks = findPeaks(posterior, {}, from, to);
  let post: number;
  if (postPeaks.length === 0) {
    post = from;
    for (let i = from + 1; i <= to; i++) if (posterior[i]! > posterior[post]!) post = i;
  } else {
    post = postPeaks.reduce((best, i) => (posterior[i]! > posterior[best]! ? i : best), postPeaks[0]!);
  }
  const medPeaks = findPeaks(medial, {}, from, to);
  if (medPeaks.length === 0) return post;
  const med = medPeaks.reduce((best, i) => (Math.abs(i - post) < Math.abs(best - post) ? i : best), medPeaks[0]!);
  return Math.round((post + med) / 2);
}

export type PurcellReading = 'kiernan' | 'as-written';

/** Purcell's IC and TC on one shank series (sensor axes: x anterior, y left). */
export function purcellShank(s: SensorSeries, side: 'left' | 'right', reading: PurcellReading = 'kiernan'): RuleStance[] {
  const [sx, ay, az] = s.acc;
  const ax = reading === 'kiernan' ? sx : Float64Array.from(sx, (v) => -v);
  const magnitude = Float64Array.from({ length: ax.length }, (_, i) => Math.sqrt(ax[i]! * ax[i]! + ay[i]! * ay[i]! + az[i]! * az[i]!));
  const medial = side === 'right' ? ay : Float64Array.from(ay, (v) => -v);
  const ics = purcellContacts(ax, magnitude, s.rateHz);
  const tcs = ics.slice(0, -1).map((ic, k) => purcellToeOff(ax, medial, ic, ics[k + 1]!));
  return pairStances(ics, tcs, MIN_STANCE_S * s.rateHz).map(({ ic, tc }) => ({ side, icUs: s.tUs[ic]!, toUs: tc === null ? null : s.tUs[tc]! }));
}
