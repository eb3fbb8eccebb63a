import type { Side } from '@gaitwatch/protocol/core';
import type { Candidate } from './analysis-events.ts';

/** A pelvis contact this close to a shank's contact is that shank's, µs. */
const SAME_CONTACT_US = 150_000;

/**
 * Decides which leg a contact found by the sacral sensor belongs to while
 * shanks are worn (the mid-session fallback). A leg whose shank has data all
 * around the contact keeps its own events; with one shank silent, a contact
 * that is not the other leg's (over 150 ms from its contacts) is the silent
 * leg's — the side comes from the active shank, not from the pelvis's yaw;
 * with both silent, the pelvis's own side stands. A contact either shank
 * reported (the silent one too, just before its gap) stays that shank's.
 */
export class PelvisFallback {
  /** Recent contact times of each leg from its shank, kept by that shank's own time. */
  private readonly recent: Record<Side, number[]> = { left: [], right: [] };

  /** @param keepUs how long a shank contact is remembered (a shank may run that far ahead of the release). */
  constructor(private readonly keepUs: number) {}

  noteShankContact(side: Side, icUs: number): void {
    const list = this.recent[side];
    list.push(icUs);
    // Pruned by the shank's own time, not by count or by the session clock, so
    // the answer never depends on how sensors interleave.
    while (list.length > 0 && list[0]! < icUs - this.keepUs) list.shift();
  }

  /** The candidate's leg, or undefined when a shank already reports its contact; `left`/`right`: that shank has data around it. */
  legOf(candidate: Candidate, left: boolean, right: boolean): Side | undefined {
    if (left && right) return undefined;
    // A contact a shank reported is that shank's — also one it reported just before its own gap.
    if (this.reported('left', candidate.icUs) || this.reported('right', candidate.icUs)) return undefined;
    if (!left && !right) return candidate.side;
    return left ? 'right' : 'left';
  }

  private reported(side: Side, icUs: number): boolean {
    return this.recent[side].some((t) => Math.abs(t - icUs) < SAME_CONTACT_US);
  }
}
