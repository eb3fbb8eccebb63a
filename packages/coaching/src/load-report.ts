/**
 * An athlete's load over a window of weeks: the sessions' loads, the weekly
 * totals with the plan line and the ACWR, and the ramp warnings — what
 * `GET /v1/athletes/:id/load` answers and the digest summarises.
 */
import type { SessionRecord } from '@gaitwatch/storage';
import { dayStartUs, localDay, weekMonday } from './calendar.ts';
import { planStatus, plannedDistanceM, planWeek, weeksToTarget, type PlanStatus } from './plan.ts';
import { acwrAt, rampWarnings, type LoadMetric, type RampWarning } from './ramp.ts';
import { sessionLoad, type SessionLoad } from './session-load.ts';
import type { CoachingSettings } from './settings.ts';
import { weeklyLoad, type WeekLoad } from './weekly-load.ts';

export interface WeekReport extends WeekLoad {
  /** Planned metres for the week, null outside the plan (or with none). */
  readonly plannedDistanceM: number | null;
  /** 1-based week of the plan, null outside it. */
  readonly planWeek: number | null;
  /** Actual against planned (within ±15 % is on plan), null without a planned distance. */
  readonly planStatus: PlanStatus | null;
  /** Acute:chronic workload ratio at the week's end (this week over the average of the last four), null before four weeks of history. */
  readonly acwr: number | null;
}

export interface LoadReport {
  readonly timeZone: string;
  /** What the ramp checks compare: distance when every session has one, else duration. */
  readonly metric: LoadMetric;
  readonly rampLimitPct: number;
  readonly acwrBand: { readonly low: number; readonly high: number };
  readonly weeks: WeekReport[];
  /** Ended sessions of the reported weeks, oldest first. */
  readonly sessions: SessionLoad[];
  readonly plan: (CoachingSettings['plan'] & { readonly weeksToTarget: number | null }) | null;
  /** Warnings of the reported weeks. */
  readonly warnings: RampWarning[];
}

/** Weeks of history before the reported ones read for the ACWR's 28-day chronic load (and the first week's growth). */
export const HISTORY_WEEKS = 4;

/**
 * `sessions` must cover the reported weeks and the HISTORY_WEEKS before
 * them (the caller reads from `loadWindowStartUs`); `fromUs`/`toUs` pick the
 * reported weeks (those holding them, inclusive).
 */
export function loadReport(sessions: readonly SessionRecord[], settings: CoachingSettings, fromUs: number, toUs: number): LoadReport {
  const { timeZone } = settings;
  const loads = sessions.map((s) => sessionLoad(s, settings.strideLengthM)).filter((l): l is SessionLoad => l !== null).sort((a, b) => a.startUs - b.startUs);
  const historyFromUs = loadWindowStartUs(fromUs);
  const all = weeklyLoad(loads, timeZone, historyFromUs, toUs);
  const inWindow = loads.filter((l) => l.startUs >= historyFromUs);
  const metric: LoadMetric = inWindow.every((l) => l.distanceM !== null) ? 'distance' : 'duration';
  const firstMonday = weekMonday(localDay(fromUs, timeZone));
  const firstIndex = Math.max(0, all.findIndex((w) => w.mondayDay === firstMonday));
  const historyStart = all.findIndex((w) => w.sessions > 0);
  const reportedWeeks = new Set(all.slice(firstIndex).map((w) => w.week));
  const weeks = all.slice(firstIndex).map((w, k): WeekReport => {
    const planned = settings.plan === null ? null : plannedDistanceM(settings.plan, w.mondayDay);
    const { mondayDay: _m, ...week } = w;
    return {
      ...week,
      plannedDistanceM: planned,
      planWeek: settings.plan === null ? null : planWeek(settings.plan, w.mondayDay),
      planStatus: planned === null ? null : planStatus(w.distanceM, planned),
      acwr: historyStart === -1 ? null : acwrAt(all, firstIndex + k, metric, historyStart),
    };
  });
  // The week holding toUs is still open unless toUs is its last instant: judged for too much load, not too little.
  const lastWeekOpen = all.length > 0 && toUs < dayStartUs(all.at(-1)!.mondayDay + 7, timeZone) - 1;
  const warnings = rampWarnings(all, { metric, rampLimitPct: settings.rampLimitPct, acwrBand: settings.acwrBand, lastWeekOpen }).filter((w) => reportedWeeks.has(w.week));
  const firstReportedUs = all[firstIndex]?.startUs ?? fromUs;
  const target = settings.plan === null ? null : weeksToTarget(settings.plan);
  return {
    timeZone,
    metric,
    rampLimitPct: settings.rampLimitPct,
    acwrBand: settings.acwrBand,
    weeks,
    sessions: loads.filter((l) => l.startUs >= firstReportedUs),
    plan: settings.plan === null ? null : { ...settings.plan, weeksToTarget: target === Number.POSITIVE_INFINITY ? null : target },
    warnings,
  };
}

/** Where to start reading sessions for a report from `fromUs`: HISTORY_WEEKS whole weeks earlier (a day of margin for the zone). */
export function loadWindowStartUs(fromUs: number): number {
  return fromUs - (HISTORY_WEEKS * 7 + 1) * 86_400_000_000;
}
