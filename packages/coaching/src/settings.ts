/**
 * The coaching settings of an athlete with every default filled in: what
 * the load, ramp and plan functions are given, so none of them guesses.
 */
import type { AthleteSettings, ReturnToRunPlan } from '@gaitwatch/storage';

/** Week-over-week ramp limit when the coach set none, percent: the common "10 % rule" of return-to-run protocols. */
export const DEFAULT_RAMP_LIMIT_PCT = 10;
/**
 * ACWR band when the coach set none. Gabbett (2016, Br J Sports Med 50:273)
 * reports the lowest injury risk for ratios of about 0.8–1.3 and a steep
 * rise above 1.5; the band flags both over- and under-loading.
 */
export const DEFAULT_ACWR_BAND = Object.freeze({ low: 0.8, high: 1.3 });
/** Time zone when the athlete set none: weeks in UTC. */
export const DEFAULT_TIME_ZONE = 'UTC';

export interface CoachingSettings {
  readonly timeZone: string;
  readonly rampLimitPct: number;
  readonly acwrBand: { readonly low: number; readonly high: number };
  /** Metres per stride (two steps), or null: no estimated distance for sessions without GPS. */
  readonly strideLengthM: number | null;
  readonly plan: ReturnToRunPlan | null;
}

export function coachingSettings(settings: AthleteSettings): CoachingSettings {
  return {
    timeZone: settings.timeZone ?? DEFAULT_TIME_ZONE,
    rampLimitPct: settings.rampLimitPct ?? DEFAULT_RAMP_LIMIT_PCT,
    acwrBand: settings.acwrBand ?? DEFAULT_ACWR_BAND,
    strideLengthM: settings.strideLengthM ?? null,
    plan: settings.returnToRun ?? null,
  };
}
