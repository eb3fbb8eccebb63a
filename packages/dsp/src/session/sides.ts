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

/**
 * Whether shanks are worn: the session's sensors — those the `start` declared
 * and any other that has sent data since (the analyzer's worn list), checked
 * often: an index loop, no allocation. A shank that sends data is worn even
 * when the `start` left it out: its contacts reach the strides whatever was
 * declared, so the pelvis must then stand in for it, not find both legs'
 * contacts beside it (a pelvis-only list with shank data mixed the two
 * detectors' contacts into negative stride times: probe 2, finding 2).
 */
export function shanksWorn(sensors: readonly SensorId[]): boolean {
  for (let i = 0; i < sensors.length; i++) if (SHANK_SIDE[sensors[i]!] !== undefined) return true;
  return false;
}
