import { describe, expect, it } from 'vitest';
import { dateToDay, dayStartUs, dayToDate, isoWeekLabel, isoWeekday, localDay, weekMonday } from './calendar.ts';

const us = (iso: string): number => Date.parse(iso) * 1000;

describe('calendar in the athlete’s time zone', () => {
  it('labels ISO weeks by their Thursday, across the turn of the year', () => {
    expect(isoWeekLabel(dateToDay('2025-12-29'))).toBe('2026-W01'); // Monday of 2026's first week
    expect(isoWeekLabel(dateToDay('2026-01-04'))).toBe('2026-W01'); // its Sunday
    expect(isoWeekLabel(dateToDay('2026-12-31'))).toBe('2026-W53'); // 2026 has 53 weeks (it starts on a Thursday)
    expect(isoWeekLabel(dateToDay('2027-01-03'))).toBe('2026-W53');
    expect(isoWeekLabel(dateToDay('2027-01-04'))).toBe('2027-W01');
    expect(isoWeekday(dateToDay('2026-03-08'))).toBe(7); // a Sunday
    expect(dayToDate(weekMonday(dateToDay('2026-03-08')))).toBe('2026-03-02');
  });

  it('puts Sunday 23:30 in Los Angeles in that Sunday’s week, though it is Monday in UTC (the night DST began)', () => {
    const t = us('2026-03-09T06:30:00Z'); // Sun 2026-03-08 23:30 PDT
    expect(dayToDate(localDay(t, 'America/Los_Angeles'))).toBe('2026-03-08');
    expect(isoWeekLabel(localDay(t, 'America/Los_Angeles'))).toBe('2026-W10');
    expect(isoWeekLabel(localDay(t, 'UTC'))).toBe('2026-W11');
  });

  it('puts Monday 00:10 in Auckland in the new week, though it is Sunday in UTC (the day after DST ended)', () => {
    const t = us('2026-04-05T12:10:00Z'); // Mon 2026-04-06 00:10 NZST (+12)
    expect(dayToDate(localDay(t, 'Pacific/Auckland'))).toBe('2026-04-06');
    expect(isoWeekLabel(localDay(t, 'Pacific/Auckland'))).toBe('2026-W15');
    expect(isoWeekLabel(localDay(t, 'UTC'))).toBe('2026-W14');
  });

  it('finds the instant a local day begins on both sides of a DST change (a 23-hour and a 25-hour day)', () => {
    const la = 'America/Los_Angeles';
    expect(dayStartUs(dateToDay('2026-03-08'), la)).toBe(us('2026-03-08T08:00:00Z')); // PST
    expect(dayStartUs(dateToDay('2026-03-09'), la)).toBe(us('2026-03-09T07:00:00Z')); // PDT: the 8th lasted 23 h
    expect(dayStartUs(dateToDay('2026-11-02'), la) - dayStartUs(dateToDay('2026-11-01'), la)).toBe(25 * 3600e6);
    const nz = 'Pacific/Auckland';
    expect(dayStartUs(dateToDay('2026-04-05'), nz)).toBe(us('2026-04-04T11:00:00Z')); // NZDT +13
    expect(dayStartUs(dateToDay('2026-04-06'), nz)).toBe(us('2026-04-05T12:00:00Z')); // NZST +12
    expect(dayStartUs(dateToDay('2026-09-27'), nz)).toBe(us('2026-09-26T12:00:00Z'));
    expect(dayStartUs(dateToDay('2026-09-28'), nz)).toBe(us('2026-09-27T11:00:00Z'));
  });

  it('refuses an unknown zone with a RangeError naming it', () => {
    expect(() => localDay(us('2026-01-01T00:00:00Z'), 'Mars/Olympus')).toThrow(/Mars\/Olympus.*IANA/);
  });
});
