/**
 * An athlete's movement screens over the weeks, beside their running (issue
 * 17): per screen session and standing leg the rep count and the medians of
 * pelvic drop, knee-collapse proxy and depth; per ISO week (in the athlete's
 * zone) the median pelvic drop of the week's running stances per side — so a
 * clinician sees whether the test and the run move together during rehab.
 * Pure: the route reads the store (screen-data.ts) and hands the values here.
 */
import { dayStartUs, dayToDate, isoWeekLabel, localDay, weekMonday } from '@gaitwatch/coaching';
import type { Side } from '@gaitwatch/protocol';
import type { RepRecord, SessionRecord } from '@gaitwatch/storage';

/** The median of finite values, or null for none (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One standing leg of one screen: reps done, medians over its measured reps (null when none measured), and how many the analysis called `dropping`. */
export interface ScreenSide {
  readonly reps: number;
  readonly pelvicDropDegMedian: number | null;
  readonly shankFrontalDegMedian: number | null;
  readonly depthDegMedian: number | null;
  readonly droppingReps: number;
}

/** A screen's reps summed up per standing leg. */
export function screenSides(reps: readonly RepRecord[]): Record<Side, ScreenSide> {
  return { left: screenSide(reps.filter((r) => r.side === 'left')), right: screenSide(reps.filter((r) => r.side === 'right')) };
}

export interface ScreenEntry {
  readonly sessionId: string;
  readonly startUs: number;
  readonly endUs: number | null;
  /** Local calendar date of the start, `YYYY-MM-DD`, and its ISO week (`2026-W09`), in the athlete's zone. */
  readonly date: string;
  readonly week: string;
  readonly sides: Record<Side, ScreenSide>;
}

export interface RunningWeek {
  readonly week: string;
  /** First µs of the week and first µs after it (the athlete's zone). */
  readonly fromUs: number;
  readonly toUs: number;
  /** Running sessions started in the week, and those whose strides were read (the newest ones, see `readSessions`). */
  readonly runs: number;
  /** Median pelvic drop over every measured stance of the week's runs, per stance leg, degrees (null: none). */
  readonly pelvicDropDegMedian: Record<Side, number | null>;
  /** The week's screens (session ids), so a chart can put both on one time axis. */
  readonly screens: readonly string[];
}

export interface ScreenHistory {
  readonly timeZone: string;
  readonly fromUs: number;
  readonly toUs: number;
  readonly screens: readonly ScreenEntry[];
  readonly weeks: readonly RunningWeek[];
}

/** A run's measured pelvic drop per stance leg (null-metric stances left out). */
export type RunDrops = Record<Side, readonly number[]>;

function screenSide(reps: readonly RepRecord[]): ScreenSide {
  const measured = (pick: (r: RepRecord) => number | null): number[] => reps.map(pick).filter((v): v is number => v !== null);
  return {
    reps: reps.length,
    pelvicDropDegMedian: median(measured((r) => r.pelvicDropDeg)),
    shankFrontalDegMedian: median(measured((r) => r.shankFrontalDeg)),
    depthDegMedian: median(measured((r) => r.depthDeg)),
    droppingReps: reps.filter((r) => r.pelvicDropVerdict === 'dropping').length,
  };
}

/**
 * `screens`: each screen session with its reps; `runs`: each running session
 * with its stances' pelvic drop per leg, or null when its strides were not
 * read; `weeks` ISO weeks ending with the one holding `atUs`.
 */
export function screenHistory(input: {
  readonly timeZone: string;
  readonly atUs: number;
  readonly weeks: number;
  readonly screens: readonly { readonly session: SessionRecord; readonly reps: readonly RepRecord[] }[];
  readonly runs: readonly { readonly session: SessionRecord; readonly drops: RunDrops | null }[];
}): ScreenHistory {
  const { timeZone: tz } = input;
  const lastMonday = weekMonday(localDay(input.atUs, tz));
  const mondays = Array.from({ length: input.weeks }, (_, i) => lastMonday - 7 * (input.weeks - 1 - i));
  const weekOf = (tUs: number): string => isoWeekLabel(localDay(tUs, tz));
  const screens: ScreenEntry[] = input.screens.map(({ session, reps }) => ({
    sessionId: session.sessionId,
    startUs: session.startUs,
    endUs: session.endUs,
    date: dayToDate(localDay(session.startUs, tz)),
    week: weekOf(session.startUs),
    sides: screenSides(reps),
  }));
  const weeks: RunningWeek[] = mondays.map((monday) => {
    const week = isoWeekLabel(monday);
    const runs = input.runs.filter((r) => weekOf(r.session.startUs) === week);
    const drops = { left: [] as number[], right: [] as number[] };
    for (const run of runs) {
      if (run.drops === null) continue;
      drops.left.push(...run.drops.left);
      drops.right.push(...run.drops.right);
    }
    return {
      week,
      fromUs: dayStartUs(monday, tz),
      toUs: dayStartUs(monday + 7, tz),
      runs: runs.length,
      pelvicDropDegMedian: { left: median(drops.left), right: median(drops.right) },
      screens: screens.filter((s) => s.week === week).map((s) => s.sessionId),
    };
  });
  return { timeZone: tz, fromUs: dayStartUs(mondays[0]!, tz), toUs: dayStartUs(lastMonday + 7, tz), screens, weeks };
}
