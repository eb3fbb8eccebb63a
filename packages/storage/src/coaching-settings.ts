/**
 * Validation of the return-to-run coaching settings (time zone, ramp limit,
 * ACWR band, stride length, plan), shared by both stores through
 * `validateAthlete` so they accept and refuse the same JSON.
 */
import { assertNumberIn, isObject, onlyKeys } from './validate.ts';

/** Range of the week-over-week ramp limit, percent. */
export const RAMP_LIMIT_RANGE_PCT = { min: 1, max: 100 } as const;
/** Range of either edge of the acute:chronic workload ratio band (a ratio, no unit). */
export const ACWR_RANGE = { min: 0.1, max: 3 } as const;
/** Range of a running stride (two steps), metres: from a shuffle to a sprinter's. */
export const STRIDE_LENGTH_RANGE_M = { min: 0.5, max: 4 } as const;
/** Range of a planned weekly distance, metres (500 km a week is beyond any runner). */
export const WEEKLY_DISTANCE_RANGE_M = { min: 1, max: 500_000 } as const;
/** Range of a plan's weekly increase, percent. */
export const WEEKLY_INCREASE_RANGE_PCT = { min: 0, max: 50 } as const;

const BAND_KEYS = new Set(['low', 'high']);
const PLAN_KEYS = new Set(['startDate', 'startWeeklyDistanceM', 'weeklyIncreasePct', 'targetWeeklyDistanceM']);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a zone name this Node's ICU knows (`Europe/Berlin`, `UTC`); the same check in both stores. */
export function isTimeZone(name: unknown): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** True for a real calendar date `YYYY-MM-DD` between 2015 and 2099. */
export function isCalendarDate(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const m = DATE.exec(text);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 2015 && y <= 2099 && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function validateCoachingSettings(settings: Record<string, unknown>): void {
  const { timeZone, rampLimitPct, acwrBand, strideLengthM, returnToRun } = settings;
  if (timeZone !== undefined && !isTimeZone(timeZone)) throw new TypeError(`timeZone ${JSON.stringify(timeZone)} is not an IANA time zone (e.g. "Europe/Berlin")`);
  if (rampLimitPct !== undefined) assertNumberIn('rampLimitPct', rampLimitPct, RAMP_LIMIT_RANGE_PCT);
  if (strideLengthM !== undefined) assertNumberIn('strideLengthM', strideLengthM, STRIDE_LENGTH_RANGE_M);
  if (acwrBand !== undefined) {
    if (!isObject(acwrBand)) throw new TypeError('acwrBand must be an object {low, high}');
    onlyKeys('acwrBand', acwrBand, BAND_KEYS);
    assertNumberIn('acwrBand.low', acwrBand['low'], ACWR_RANGE);
    assertNumberIn('acwrBand.high', acwrBand['high'], ACWR_RANGE);
    if ((acwrBand['low'] as number) >= (acwrBand['high'] as number)) throw new RangeError(`acwrBand.low ${String(acwrBand['low'])} must be below acwrBand.high ${String(acwrBand['high'])}`);
  }
  if (returnToRun !== undefined && returnToRun !== null) {
    if (!isObject(returnToRun)) throw new TypeError('returnToRun must be an object or null');
    onlyKeys('returnToRun', returnToRun, PLAN_KEYS);
    if (!isCalendarDate(returnToRun['startDate'])) throw new TypeError(`returnToRun.startDate ${JSON.stringify(returnToRun['startDate'])} is not a date YYYY-MM-DD`);
    assertNumberIn('returnToRun.startWeeklyDistanceM', returnToRun['startWeeklyDistanceM'], WEEKLY_DISTANCE_RANGE_M);
    assertNumberIn('returnToRun.weeklyIncreasePct', returnToRun['weeklyIncreasePct'], WEEKLY_INCREASE_RANGE_PCT);
    assertNumberIn('returnToRun.targetWeeklyDistanceM', returnToRun['targetWeeklyDistanceM'], WEEKLY_DISTANCE_RANGE_M);
    if ((returnToRun['targetWeeklyDistanceM'] as number) < (returnToRun['startWeeklyDistanceM'] as number)) {
      throw new RangeError('returnToRun.targetWeeklyDistanceM must be at least startWeeklyDistanceM');
    }
  }
}
