import type { SensorId, Side } from '@gaitwatch/protocol/core';

/**
 * The two legs and their shank sensors, named once for the session's parts.
 * Fixed arrays and records rather than Map iteration: the release and
 * retention checks loop over them without allocating.
 */
export const SIDES: readonly Side[] = ['left', 'right'];

export const other = (side: Side): Side => (side === 'left' ? 'right' : 'left');

export const SHANK_OF: Readonly<Record<Side, SensorId>> = { left: 'shank_left', right: 'shank_right' };

/** The leg of a shank sensor; undefined for the pelvis. */
export const SHANK_SIDE: Readonly<Partial<Record<SensorId, Side>>> = { shank_left: 'left', shank_right: 'right' };

/** Whether shanks are worn: the session's declared sensors, else those seen so far (checked often: an index loop, no allocation). */
export function shanksWorn(declared: readonly SensorId[] | undefined, seen: ReadonlyMap<SensorId, unknown>): boolean {
  if (declared !== undefined) {
    for (let i = 0; i < declared.length; i++) if (SHANK_SIDE[declared[i]!] !== undefined) return true;
    return false;
  }
  return seen.has('shank_left') || seen.has('shank_right');
}
