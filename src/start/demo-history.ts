/**
 * The demo's returning runner: six weeks of past runs for `gaitwatch start`,
 * so the coach's Return-to-run view has something to show on the first
 * start (the live runners only ever have today).
 *
 * demo-dora is coming back from ITB pain on a plan (12 km a week, +8 %
 * weekly, towards 30 km). She keeps to it for five weeks, then runs 35 %
 * more than the week before in the last completed week — the ramp warning a
 * coach should see — while the point in her runs where her hip starts to
 * drop moves 250 m later every session (the form-breakdown onset trend).
 *
 * The sessions come from training-history.ts: the simulator's session plans
 * and stance model, not IMU samples through the analysis (that would take
 * minutes of CPU at every first start). Each session's summary says so
 * (`source: 'demo-history'`), so nobody mistakes them for measured runs.
 * Written once per DATA_DIR: the athlete's record goes in last and its
 * presence means "seeded".
 */
import type { AthleteRecord, GaitStore } from '@gaitwatch/storage';
import type { Logger } from 'pino';
import { simulateBlock } from './training-history.ts';

export const DEMO_HISTORY_ATHLETE = 'demo-dora';

const DAY_US = 86_400e6;
const WEEKS = 6;
const START_WEEKLY_M = 12_000;
const INCREASE_PCT = 8;
/** The last completed week's jump over the week before it, percent. */
const JUMP_PCT = 35;
const FIRST_ONSET_M = 2_500;
const ONSET_STEP_M = 250;

/** Monday 07:00 UTC of the ISO week `weeksBack` weeks before the one holding `nowUs`, µs. */
export function mondayBefore(nowUs: number, weeksBack: number): number {
  const dayStartUs = Math.floor(nowUs / DAY_US) * DAY_US;
  // 1970-01-01 was a Thursday: day 0 → weekday 3 counted from Monday.
  const weekday = (Math.floor(nowUs / DAY_US) + 3) % 7;
  return dayStartUs - (weekday + 7 * weeksBack) * DAY_US + 7 * 3600e6;
}

/** The planned weekly distances: on plan, then the jump in the last week. */
function weeklyDistancesM(): number[] {
  const weeks = Array.from({ length: WEEKS - 1 }, (_, i) => START_WEEKLY_M * (1 + INCREASE_PCT / 100) ** i);
  return [...weeks, weeks[weeks.length - 1]! * (1 + JUMP_PCT / 100)];
}

/**
 * Writes demo-dora's six weeks before the week of `nowUs` (UTC weeks; her
 * time zone is UTC) unless this store already has her. Returns the number of
 * sessions written (0: already there).
 */
export async function seedDemoHistory(store: GaitStore, options: { nowUs: number; logger?: Logger }): Promise<number> {
  if ((await store.getAthlete(DEMO_HISTORY_ATHLETE)) !== null) return 0;
  const firstMondayUs = mondayBefore(options.nowUs, WEEKS);
  const block = simulateBlock({
    athleteId: DEMO_HISTORY_ATHLETE,
    seed: 104,
    firstMondayUs,
    weeklyDistanceM: weeklyDistancesM(),
    onsetM: (k) => FIRST_ONSET_M + ONSET_STEP_M * k,
    strides: true,
    sessionId: (_k, startUs) => `run-${new Date(startUs / 1000).toISOString().slice(0, 10)}`,
    summary: { source: 'demo-history' },
  });
  await store.write({ sessions: block.sessions, alerts: block.alerts, strides: block.strides });
  await store.flush();
  // The tired hip is the one her alerts name.
  const left = block.alerts.filter((a) => a.side === 'left').length;
  const record: AthleteRecord = {
    athleteId: DEMO_HISTORY_ATHLETE,
    displayName: 'Dora (back from ITB pain)',
    settings: {
      timeZone: 'UTC',
      injuredSide: left * 2 >= block.alerts.length ? 'left' : 'right',
      returnToRun: {
        startDate: new Date(firstMondayUs / 1000).toISOString().slice(0, 10),
        startWeeklyDistanceM: START_WEEKLY_M,
        weeklyIncreasePct: INCREASE_PCT,
        targetWeeklyDistanceM: 30_000,
      },
    },
    updatedUs: Math.round(options.nowUs),
  };
  await store.putAthlete(record);
  options.logger?.info({ athleteId: DEMO_HISTORY_ATHLETE, sessions: block.sessions.length, strides: block.strides.length }, 'demo history written');
  return block.sessions.length;
}
