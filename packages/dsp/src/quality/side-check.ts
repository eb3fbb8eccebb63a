import type { AlertEvent } from '../analysis-events.ts';
import { dataQualityAlert, type AlertContext } from '../session/alerts.ts';

/** Stances with a pelvic obliquity before the shanks' labels are judged. */
const MIN_CONTACTS = 40;
/** The pelvis names the other leg on at least this fraction of them: the shank clips are on the wrong legs. */
const SWAPPED_FRACTION = 0.8;

/**
 * Are the shank sensors on the legs their names say? The pelvis tells the
 * stance leg by itself: in a stance the swing side's hip drops
 * (contralateral pelvic drop), so over a left stance the obliquity φ peaks
 * higher than −φ does, and the other way over a right one. Each stance the
 * shanks report is a vote: does the pelvis agree with the label? When it
 * names the other leg on ≥ 80 % of 40 or more, the labels are swapped:
 * `sides_swapped` is raised once and the analyzer swaps them back from then
 * on (the strides already out keep their sides; the alert and the summary
 * say from when). Below that nothing is said.
 * (The pelvis's yaw rate at contact, which gives pelvis-only sides in
 * walking, was tried first: on the real running recordings it named the
 * other leg on most contacts although the labels were right — it would have
 * swapped correct labels. The obliquity pattern is the same in walking and
 * running.)
 */
export class SideCheck {
  private agree = 0;
  private disagree = 0;
  /** When the labels were found swapped, µs (NaN: not found). */
  swappedFromUs = Number.NaN;

  constructor(private readonly context: AlertContext) {}

  get swapped(): boolean {
    return !Number.isNaN(this.swappedFromUs);
  }

  /** One stance's vote at `tUs`: whether the pelvis's obliquity agrees with the shank's label. */
  push(agrees: boolean, tUs: number, out: AlertEvent[]): void {
    if (this.swapped) return;
    if (agrees) this.agree++;
    else this.disagree++;
    const n = this.agree + this.disagree;
    if (n < MIN_CONTACTS || this.disagree < SWAPPED_FRACTION * n) return;
    this.swappedFromUs = tUs;
    out.push(
      dataQualityAlert(this.context, {
        tUs,
        reason: 'sides_swapped',
        value: Math.round((1000 * this.disagree) / n) / 1000,
        baseline: SWAPPED_FRACTION,
        message: `shank_left and shank_right are on the other legs: the pelvis's drop says the other leg was in stance on ${this.disagree} of ${n} stances. Swapped back from here (earlier strides keep the labels' sides); swap the clips at the next stop`,
        phase: 'raised',
        episodeId: `sides_swapped:${tUs}`,
      }),
    );
  }
}
