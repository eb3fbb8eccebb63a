/**
 * Auvinet, Berrut, Touzard, Moutel, Collet, Chaleil & Barrey 2002,
 * "Reference data for normal subjects obtained with an accelerometric
 * device", Gait & Posture 16(2):124–134 — a tri-axial accelerometer over the
 * sacrum (L3–L4 level), gait events from the cranio-caudal and antero-
 * posterior acceleration.
 *
 * As evaluated on running by Kiernan, Dunn Siino & Hawkins 2023 (Sensors
 * 23(11):5022, 74 runners, force plate; their recommendation for a sacral
 * sensor):
 *   initial contact  bias −30.4 ms, limits of agreement −149.2 … +88.5 ms
 *   terminal contact bias  −2.8 ms, limits of agreement −152.7 … +147.2 ms
 *
 * The rule (our own code from Kiernan et al.'s description and their MATLAB
 * REID_IMU_Auvinet.m, GPL-3, read and not copied):
 *  - vertical maxima at least fs/4.75 samples apart (the first and last
 *    dropped: they are often partial);
 *  - IC between consecutive maxima: the vertical minimum after the first,
 *    then the anterior minimum between it and the next maximum, walked back
 *    to where the anterior acceleration starts to fall (its local maximum
 *    before); IC is the mean of that point and the vertical minimum;
 *  - TC: the first sample from the next vertical maximum on where the
 *    vertical acceleration less gravity reaches −1 g (unloaded, free fall);
 *  - side: the mean medio-lateral acceleration over IC ± 10 ms (rightward
 *    positive: right foot), then made to alternate by the majority of the
 *    odd and even steps.
 *
 * Choices where the sources are vague:
 *  - the body frame and gravity (sacrum-frame.ts);
 *  - a walking stance never unloads to −1 g: Kiernan et al.'s pairing would
 *    then drop its contact (and every contact of a walk); here such contacts
 *    are kept without a toe-off (Auvinet et al. define IC apart from TC), and
 *    the others are paired as in Kiernan et al.;
 *  - a tie of the side votes (exactly 0) counts as right.
 */
import { argExtreme, findPeaks, pairStances, type RuleStance, type SensorSeries } from './signals.ts';
import { sacrumSignals } from './sacrum-frame.ts';

const MAX_STEP_HZ = 4.75;
const MIN_STANCE_S = 0.095;

export function auvinetSacrum(s: SensorSeries): RuleStance[] {
  const fs = s.rateHz;
  const { vertical, anterior, rightward } = sacrumSignals(s);
  const maxima = findPeaks(vertical, { minDistance: Math.round(fs / MAX_STEP_HZ) }).slice(1, -1);
  const ics: number[] = [];
  const tcs: number[] = [];
  const leftVotes: number[] = [];
  const half = Math.round(fs / 100);
  for (let k = 0; k + 1 < maxima.length; k++) {
    const vMin = argExtreme(vertical, maxima[k]!, maxima[k + 1]!, 1);
    let ap = argExtreme(anterior, vMin, maxima[k + 1]!, 1);
    while (ap - 1 >= 0 && anterior[ap]! < anterior[ap - 1]!) ap--;
    const ic = Math.round((ap + vMin) / 2);
    ics.push(ic);
    let tc = Number.NaN;
    for (let j = maxima[k + 1]!; j < vertical.length; j++) {
      if (vertical[j]! <= -1) {
        tc = j;
        break;
      }
    }
    tcs.push(tc);
    let sum = 0;
    let count = 0;
    for (let j = Math.max(0, ic - half); j <= Math.min(vertical.length - 1, ic + half); j++, count++) sum += rightward[j]!;
    leftVotes.push(sum / count < 0 ? 1 : 0);
  }
  // Feet alternate: the side of the odd steps by their majority, the even ones the other.
  const meanOf = (parity: number): number => {
    const v = leftVotes.filter((_, i) => i % 2 === parity);
    return v.length === 0 ? 0 : v.reduce((a, b) => a + b, 0) / v.length;
  };
  const oddLeft = meanOf(0) >= meanOf(1);
  const sideOf = (k: number): 'left' | 'right' => ((k % 2 === 0) === oddLeft ? 'left' : 'right');
  // Contacts whose stance never unloads to −1 g (walking) keep no toe-off; the rest are paired as Kiernan et al. pair.
  const unloaded = ics.map((_, k) => Number.isFinite(tcs[k]!));
  const paired = pairStances(ics.filter((_, k) => unloaded[k]), tcs.filter((_, k) => unloaded[k]), MIN_STANCE_S * fs);
  const order = ics.map((ic, k) => ({ ic, k })).filter(({ k }) => unloaded[k]);
  const stances: RuleStance[] = paired.map(({ ic, tc, at }) => ({ side: sideOf(order[at]!.k), icUs: s.tUs[ic]!, toUs: tc === null ? null : s.tUs[tc]! }));
  for (let k = 0; k < ics.length; k++) if (!unloaded[k]) stances.push({ side: sideOf(k), icUs: s.tUs[ics[k]!]!, toUs: null });
  return stances.sort((a, b) => a.icUs - b.icUs);
}
