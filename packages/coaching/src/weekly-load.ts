/**
 * Weekly training load: sessions summed per ISO week of the athlete's time
 * zone. A session belongs to the local day (and week) it started on, so a
 * run from Sunday 23:30 to Monday 00:20 counts for the week that held the
 * Sunday — the run's plan was that week's.
 */
import { dayStartUs, dayToDate, isoWeekLabel, localDay, weekMonday } from './calendar.ts';
import type { SessionLoad } from './session-load.ts';

export interface WeekLoad {
  /** ISO 8601 week, `2026-W07`. */
  readonly week: string;
  /** The week's Monday, local date `YYYY-MM-DD`. */
  readonly monday: string;
  /** When the week begins (local Monday 00:00 in the athlete's zone), µs since the epoch. */
  readonly startUs: number;
  readonly sessions: number;
  readonly durationS: number;
  readonly stances: number;
  /** Metres run: GPS where known, estimates where not; sessions with neither are left out (see sessionsWithoutDistance). */
  readonly distanceM: number;
  /** The part of distanceM that was estimated from stances and stride length, metres. */
  readonly estimatedDistanceM: number;
  /** Sessions of the week with no distance at all (no GPS, no calibration): distanceM undercounts. */
  readonly sessionsWithoutDistance: number;
}

/** Internal: the week's Monday as a civil day number, for arithmetic. */
export interface WeekBucket extends WeekLoad {
  readonly mondayDay: number;
}

/**
 * Every ISO week from the one holding `fromUs` to the one holding `toUs`
 * (inclusive, empty weeks included: a week off is a week of zero load),
 * with the sessions that started in them.
 */
export function weeklyLoad(sessions: readonly SessionLoad[], timeZone: string, fromUs: number, toUs: number): WeekBucket[] {
  if (!(toUs >= fromUs)) throw new RangeError(`weekly load: toUs ${toUs} is before fromUs ${fromUs}`);
  const first = weekMonday(localDay(fromUs, timeZone));
  const last = weekMonday(localDay(toUs, timeZone));
  const acc = new Map<number, { sessions: number; durationS: number; stances: number; distanceM: number; estimatedDistanceM: number; sessionsWithoutDistance: number }>();
  for (let m = first; m <= last; m += 7) acc.set(m, { sessions: 0, durationS: 0, stances: 0, distanceM: 0, estimatedDistanceM: 0, sessionsWithoutDistance: 0 });
  for (const s of sessions) {
    const w = acc.get(weekMonday(localDay(s.startUs, timeZone)));
    if (w === undefined) continue;
    w.sessions++;
    w.durationS += s.durationS;
    w.stances += s.stances;
    if (s.distanceM === null) w.sessionsWithoutDistance++;
    else {
      w.distanceM += s.distanceM;
      if (s.distanceEstimated) w.estimatedDistanceM += s.distanceM;
    }
  }
  return [...acc.entries()].map(([mondayDay, w]) => ({ week: isoWeekLabel(mondayDay), monday: dayToDate(mondayDay), startUs: dayStartUs(mondayDay, timeZone), mondayDay, ...w }));
}
