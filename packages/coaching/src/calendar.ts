/**
 * Calendar arithmetic in an athlete's time zone: which local day and which
 * ISO 8601 week an instant falls in. Days are counted as "civil day numbers"
 * (days since 1970-01-01 of the local calendar date), so week and 28-day
 * windows are plain integer arithmetic and a DST change (a 23- or 25-hour
 * day) cannot shift a session into the wrong day.
 */

const US_PER_MS = 1000;
const MS_PER_DAY = 86_400_000;

/** One formatter per zone, built once: constructing Intl.DateTimeFormat is the slow part. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hourCycle: 'h23' });
    } catch {
      throw new RangeError(`time zone ${JSON.stringify(timeZone)} is not an IANA zone name (e.g. "Europe/Berlin")`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar date of an instant (µs since the epoch) in the zone, as a civil day number. */
export function localDay(tUs: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(Math.floor(tUs / US_PER_MS)));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return Math.round(Date.UTC(get('year'), get('month') - 1, get('day')) / MS_PER_DAY);
}

/** `YYYY-MM-DD` of a civil day number. */
export function dayToDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The civil day number of `YYYY-MM-DD` (validated by the caller: storage's isCalendarDate). */
export function dateToDay(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY);
}

/** ISO weekday of a civil day: 1 Monday … 7 Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The Monday starting the ISO week that holds the day. */
export function weekMonday(day: number): number {
  return day - (isoWeekday(day) - 1);
}

/**
 * The ISO 8601 week label of a day, `2026-W01`: the week belongs to the year
 * of its Thursday (so 2026-12-31 … may be W53 of 2026 or W01 of 2027).
 */
export function isoWeekLabel(day: number): string {
  const thursday = weekMonday(day) + 3;
  const year = new Date(thursday * MS_PER_DAY).getUTCFullYear();
  const jan1 = Math.round(Date.UTC(year, 0, 1) / MS_PER_DAY);
  const week = Math.floor((thursday - jan1) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The instant (µs) a local calendar day begins in the zone. Found by
 * correcting a UTC guess with the zone's offset twice (the second pass
 * settles a guess that straddled a DST change).
 */
export function dayStartUs(day: number, timeZone: string): number {
  let guessMs = day * MS_PER_DAY;
  for (let i = 0; i < 3; i++) {
    const offsetMs = zoneOffsetMs(guessMs, timeZone);
    const next = day * MS_PER_DAY - offsetMs;
    if (next === guessMs) break;
    guessMs = next;
  }
  // A zone that skips midnight (a DST change at 00:00): the day begins at the first instant that is on it.
  while (localDay(guessMs * US_PER_MS, timeZone) < day) guessMs += 15 * 60_000;
  return guessMs * US_PER_MS;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, ms (positive east of Greenwich). */
function zoneOffsetMs(atMs: number, timeZone: string): number {
  let f = offsetFormatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    offsetFormatters.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(atMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(atMs / 1000) * 1000;
}
