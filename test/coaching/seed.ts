/**
 * The three return-to-run athletes of the issue, simulated (src/start/training-history.ts) and
 * written to a store with their coaching settings: a block that ramps
 * correctly (8 % a week, Los Angeles), one that jumps 30 % in its fourth
 * week (Auckland), and one whose form-breakdown onset moves from ~3 miles to
 * "held all run" over seven weeks (UTC, with strides for the pelvic-drop
 * trend). Shared by the coaching, API and browser tests.
 */
import type { AthleteRecord, GaitStore } from '@gaitwatch/storage';
import { simulateBlock, type SimulatedBlock } from '../../src/start/training-history.ts';

/** Monday 2026-02-02 07:00 UTC, µs: the blocks' first week is 2026-W06. */
export const FIRST_MONDAY_US = Date.parse('2026-02-02T07:00:00Z') * 1000;
const WEEK_US = 7 * 86_400e6;
/** Sunday 2026-03-22 05:00 UTC, the blocks' seventh week (2026-W12) in all three zones (18:00 in Auckland, Saturday evening in Los Angeles): the moment the tests ask about. */
export const AT_US = FIRST_MONDAY_US + 6 * WEEK_US + 6 * 86_400e6 - 2 * 3600e6;
const THREE_MILES_M = 4828;

export const PLAN = { startDate: '2026-02-02', startWeeklyDistanceM: 10_000, weeklyIncreasePct: 8, targetWeeklyDistanceM: 40_000 } as const;
const ramp = (pct: number, weeks: number): number[] => Array.from({ length: weeks }, (_, i) => 10_000 * (1 + pct / 100) ** i);
// Three weeks on plan, then 30 % on the week before, held there.
const JUMP = [10_000, 10_800, 11_664, 11_664 * 1.3, 11_664 * 1.3, 11_664 * 1.3];

export interface Seeded {
  readonly ok: SimulatedBlock;
  readonly jump: SimulatedBlock;
  readonly onset: SimulatedBlock;
}

/** Week 1 of each block starts FIRST_MONDAY_US; the load blocks have 7 weeks, the onset block 7 weeks of 3 × 7 km. */
export function simulateAthletes(): Seeded {
  return {
    ok: simulateBlock({ athleteId: 'rehab-ok', seed: 11, firstMondayUs: FIRST_MONDAY_US, weeklyDistanceM: ramp(8, 7) }),
    jump: simulateBlock({ athleteId: 'rehab-jump', seed: 12, firstMondayUs: FIRST_MONDAY_US, weeklyDistanceM: [...JUMP, JUMP[5]!] }),
    // Onset at ~3 miles in the first session, 150 m later each session, until it passes the 7 km run: held from then on.
    onset: simulateBlock({ athleteId: 'rehab-onset', seed: 13, firstMondayUs: FIRST_MONDAY_US, weeklyDistanceM: Array.from({ length: 7 }, () => 21_000), onsetM: (k) => THREE_MILES_M + 150 * k, strides: true }),
  };
}

export const ATHLETES: AthleteRecord[] = [
  { athleteId: 'rehab-ok', displayName: 'Olivia (on plan)', settings: { timeZone: 'America/Los_Angeles', returnToRun: PLAN, injuredSide: 'right' }, updatedUs: FIRST_MONDAY_US },
  { athleteId: 'rehab-jump', displayName: 'Jonas (jumped)', settings: { timeZone: 'Pacific/Auckland', returnToRun: PLAN }, updatedUs: FIRST_MONDAY_US },
  { athleteId: 'rehab-onset', displayName: 'Ona (getting stronger)', settings: { timeZone: 'UTC', strideLengthM: 2.4 }, updatedUs: FIRST_MONDAY_US },
];

export async function seedStore(store: GaitStore, seeded: Seeded = simulateAthletes()): Promise<Seeded> {
  for (const block of [seeded.ok, seeded.jump, seeded.onset]) await store.write({ sessions: block.sessions, alerts: block.alerts, strides: block.strides });
  for (const a of ATHLETES) await store.putAthlete(a);
  await store.flush();
  return seeded;
}
