/**
 * Fadillioglu, Stetter, Ringhof, Hellmann & Stein 2020, "Automated gait
 * event detection for a variety of locomotion tasks using a novel gyroscope-
 * based algorithm", Gait & Posture 81:102–108 — a shank gyroscope, the
 * sagittal (medio-lateral axis) rate; walking, running, stairs.
 *
 * As evaluated by Kiernan, Dunn Siino & Hawkins 2023 (Sensors 23(11):5022,
 * 74 runners, force plate): initial contact bias −24.3 ms, limits of
 * agreement −137.0 … +88.4 ms (recommended with Purcell for IC on the shank);
 * its terminal contact was not recommended.
 *
 * The rule (our own code from Kiernan et al.'s description and their MATLAB
 * REID_IMU_Fadillioglu.m, itself adapted from the authors' code; GPL-3, read
 * and not copied). ω: the sagittal rate, positive while the shank swings
 * forward.
 *  - ω15: ω low-passed (2nd-order Butterworth, 15 Hz, forward-backward).
 *  - Mid-swing: peaks of ω15 above 250 °/s, at least fs/3 samples apart.
 *  - IC: after each mid-swing peak (but the last), the first sample within
 *    one second where the linearly detrended ω15 is below zero.
 *  - TC: for each pair of mid-swing peaks less than 2 s apart (Y samples):
 *    the minimum of ω15 in [peak − Y/2, peak − Y/10]; then, on the
 *    "complementary signal" (ω − ω15, low-passed at 10 Hz, same filter), for a
 *    stride under 1 s (running) its maximum in [peak − Y/2, that minimum],
 *    else its minimum in [peak − Y/2, that minimum + Y/10].
 *
 * Choices where the sources are vague:
 *  - ω = −(sensor y rate): the sensor's y axis, no frame correction (it sits
 *    within 2–6° real, 15° simulated, of the medio-lateral axis).
 *  - filtfilt edges: odd reflection of 6 samples, steady-state start.
 *  - Detrending over the whole recording (as the offline reference does): a
 *    recording with standing and walking in it shifts the zero line a little.
 *  - Stances paired as in Kiernan et al. (`pairStances`, shortest stance 95 ms).
 * Note: the complementary signal is the 10–20 Hz residue of ω; our
 * real-running recordings were made from motion capture low-passed at 20 Hz,
 * so that residue is nearly all sensor noise there — the TC rule is at a
 * disadvantage on them (the same is said of impact-based IC rules).
 */
import { argExtreme, butterLowPass2, detrend, filtfilt, findPeaks, pairStances, type RuleStance, type SensorSeries } from './signals.ts';

const MIN_SWING_PEAK_RADPS = (250 * Math.PI) / 180;
const MIN_STANCE_S = 0.095;

export function fadilliogluShank(s: SensorSeries, side: 'left' | 'right'): RuleStance[] {
  const fs = s.rateHz;
  const omega = Float64Array.from(s.gyr[1], (v) => -v);
  const w15 = filtfilt(butterLowPass2(15, fs), omega);
  const comp = filtfilt(
    butterLowPass2(10, fs),
    Float64Array.from(omega, (v, i) => v - w15[i]!),
  );
  const peaks = findPeaks(w15, { minHeight: MIN_SWING_PEAK_RADPS, minDistance: Math.round(fs / 3) });
  const wd = detrend(w15);
  const n = omega.length;
  const ics: number[] = [];
  for (let k = 0; k < peaks.length - 1; k++) {
    const p = peaks[k]!;
    const end = Math.min(n - 1, p + Math.round(fs));
    let ic = Number.NaN;
    for (let j = p; j <= end; j++) {
      if (wd[j]! < 0) {
        ic = j;
        break;
      }
    }
    ics.push(ic);
  }
  const tcs: number[] = [];
  for (let k = 1; k < peaks.length; k++) {
    const y = peaks[k]! - peaks[k - 1]!;
    if (!(y < 2 * fs)) continue;
    const from = peaks[k]! - Math.round(y / 2);
    const minAt = argExtreme(w15, from, peaks[k]! - Math.round(y / 10), 1);
    tcs.push(y < fs ? argExtreme(comp, from, minAt, -1) : argExtreme(comp, from, Math.min(n - 1, minAt + Math.round(y / 10)), 1));
  }
  return pairStances(ics, tcs, MIN_STANCE_S * fs).map(({ ic, tc }) => ({ side, icUs: s.tUs[ic]!, toUs: tc === null ? null : s.tUs[tc]! }));
}
