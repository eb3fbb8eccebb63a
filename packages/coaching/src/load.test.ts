import type { SessionRecord } from '@gaitwatch/storage';
import { describe, expect, it } from 'vitest';
import { dateToDay } from './calendar.ts';
import { loadReport } from './load-report.ts';
import { planStatus, plannedDistanceM, planWeek, weeksToTarget } from './plan.ts';
import { acwrAt, rampWarnings } from './ramp.ts';
import { sessionLoad } from './session-load.ts';
import { coachingSettings } from './settings.ts';
import { weeklyLoad } from './weekly-load.ts';

const us = (iso: string): number => Date.parse(iso) * 1000;

function run(id: string, startIso: string, durationS: number, summary: SessionRecord['summary']): SessionRecord {
  const startUs = us(startIso);
  return { athleteId: 'a1', sessionId: id, startUs, endUs: startUs + durationS * 1e6, summary };
}

describe('session load', () => {
  it('counts runs only: a movement screen is rehab, not running volume', () => {
    expect(sessionLoad(run('screen', '2026-03-02T07:00:00Z', 600, { activity: 'screen', strides: { left: 0, right: 0 } }), 2.4)).toBeNull();
    expect(sessionLoad(run('run', '2026-03-02T07:00:00Z', 600, { activity: 'run', gpsDistanceM: 2000 }), 2.4)?.distanceM).toBe(2000);
  });

  it('takes the GPS distance when the phone sent one, else stances × stride length / 2, flagged estimated', () => {
    const gps = sessionLoad(run('s1', '2026-03-02T07:00:00Z', 1800, { strides: { left: 2500, right: 2500 }, cadenceSpmMedian: 168, gpsDistanceM: 5200 }), 2.4)!;
    expect(gps).toMatchObject({ durationS: 1800, stances: 5000, distanceM: 5200, distanceEstimated: false, cadenceSpm: 168 });
    const est = sessionLoad(run('s2', '2026-03-02T07:00:00Z', 1800, { strides: { left: 2500, right: 2500 } }), 2.4)!;
    expect(est).toMatchObject({ distanceM: 6000, distanceEstimated: true });
    // A treadmill's 0 m is no distance: estimate instead.
    expect(sessionLoad(run('s3', '2026-03-02T07:00:00Z', 60, { strides: { left: 10, right: 10 }, gpsDistanceM: 0 }), 2)!.distanceM).toBe(20);
  });

  it('has no distance without GPS or calibration, and no load for a running or upside-down session', () => {
    expect(sessionLoad(run('s1', '2026-03-02T07:00:00Z', 600, { strides: { left: 5, right: 5 } }), null)).toMatchObject({ distanceM: null, distanceEstimated: false });
    expect(sessionLoad({ athleteId: 'a1', sessionId: 's', startUs: us('2026-03-02T07:00:00Z'), endUs: null, summary: {} }, 2)).toBeNull();
    expect(sessionLoad({ athleteId: 'a1', sessionId: 's', startUs: us('2026-03-02T07:00:00Z'), endUs: us('2026-03-02T06:00:00Z'), summary: {} }, 2)).toBeNull();
    // Garbage in the summary (a string count) counts as nothing, not NaN.
    expect(sessionLoad(run('s', '2026-03-02T07:00:00Z', 60, { strides: { left: 'many', right: 4 } }), 2)!.stances).toBe(4);
  });
});

describe('weekly load', () => {
  it('sums sessions per ISO week of the athlete’s zone, empty weeks included, a Sunday-night run in its Sunday’s week', () => {
    const sessions = [
      run('mon', '2026-03-02T16:00:00Z', 1800, { gpsDistanceM: 5000 }), // Mon 08:00 PST, W10
      run('sun-night', '2026-03-09T06:30:00Z', 3600, { gpsDistanceM: 8000 }), // Sun 23:30 PDT, still W10; UTC Monday
      run('w12', '2026-03-17T15:00:00Z', 1200, { strides: { left: 1000, right: 1000 } }), // W12, no GPS
    ].map((s) => sessionLoad(s, null)!);
    const weeks = weeklyLoad(sessions, 'America/Los_Angeles', us('2026-03-02T12:00:00Z'), us('2026-03-20T12:00:00Z'));
    expect(weeks.map((w) => [w.week, w.sessions, w.distanceM, w.sessionsWithoutDistance])).toEqual([
      ['2026-W10', 2, 13_000, 0],
      ['2026-W11', 0, 0, 0],
      ['2026-W12', 1, 0, 1],
    ]);
    expect(weeks[0]!.startUs).toBe(us('2026-03-02T08:00:00Z'));
    expect(weeks[1]!.startUs).toBe(us('2026-03-09T07:00:00Z')); // PDT from the 8th
    // The same sessions in UTC weeks: the Sunday-night run moves to W11.
    const utc = weeklyLoad(sessions, 'UTC', us('2026-03-02T12:00:00Z'), us('2026-03-20T12:00:00Z'));
    expect(utc.map((w) => w.distanceM)).toEqual([5000, 8000, 0]);
    expect(() => weeklyLoad(sessions, 'UTC', 2, 1)).toThrow(RangeError);
  });
});

/** Weekly distances as weeks of one 1-hour run each, from Monday 2026-02-02 (UTC). */
function weeksOf(distancesM: number[]) {
  const sessions = distancesM.map((d, i) => sessionLoad(run(`w${i}`, new Date(Date.parse('2026-02-03T07:00:00Z') + i * 7 * 86_400_000).toISOString(), 3600, { gpsDistanceM: d }), null)!);
  return weeklyLoad(sessions, 'UTC', us('2026-02-02T00:00:00Z'), us('2026-02-02T00:00:00Z') + (distancesM.length - 1) * 7 * 86_400e6);
}
const OPTIONS = { metric: 'distance' as const, rampLimitPct: 10, acwrBand: { low: 0.8, high: 1.3 } };

describe('ramp warnings', () => {
  it('say nothing for a block that grows 10 % a week, and flag the week that jumps 30 %', () => {
    const steady = [10_000, 11_000, 12_100, 13_310, 14_641, 16_105];
    expect(rampWarnings(weeksOf(steady), OPTIONS)).toEqual([]);
    const jump = [10_000, 11_000, 12_100, 15_730, 15_730, 15_730];
    const warnings = rampWarnings(weeksOf(jump), OPTIONS);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ week: '2026-W09', kind: 'week_over_week', severity: 'warning', value: 15_730, reference: 12_100, limit: 10 });
    expect(warnings[0]!.changePct).toBeCloseTo(30, 6);
    expect(warnings[0]!.message).toMatch(/30 % more than the week before.*limit is 10 %/);
    // Just over the limit counts: 12 % after a 10 % week.
    expect(rampWarnings(weeksOf([10_000, 11_000, 12_320]), OPTIONS).map((w) => Math.round(w.changePct!))).toEqual([12]);
    // The athlete's own limit: 35 % lets the jump pass.
    expect(rampWarnings(weeksOf(jump), { ...OPTIONS, rampLimitPct: 35 })).toEqual([]);
  });

  it('compute the ACWR once four weeks exist, and warn outside the band (high: warning, low: info)', () => {
    const weeks = weeksOf([10_000, 10_000, 10_000, 10_000, 20_000, 2_000]);
    expect(acwrAt(weeks, 2, 'distance', 0)).toBeNull();
    expect(acwrAt(weeks, 3, 'distance', 0)).toBeCloseTo(1, 9);
    expect(acwrAt(weeks, 4, 'distance', 0)).toBeCloseTo(20_000 / 12_500, 9);
    const warnings = rampWarnings(weeks, OPTIONS);
    expect(warnings.map((w) => [w.week, w.kind, w.severity])).toEqual([
      ['2026-W10', 'week_over_week', 'warning'],
      ['2026-W10', 'acwr_high', 'warning'],
      ['2026-W11', 'acwr_low', 'info'],
    ]);
    expect(warnings[1]!.ratio).toBeCloseTo(1.6, 9);
  });

  it('do not call a restart after a week off a ramp (the previous week is 0), nor warn with no sessions', () => {
    expect(rampWarnings(weeksOf([10_000, 0, 10_000]), OPTIONS).filter((w) => w.kind === 'week_over_week')).toEqual([]);
    expect(rampWarnings(weeklyLoad([], 'UTC', us('2026-02-02T00:00:00Z'), us('2026-03-02T00:00:00Z')), OPTIONS)).toEqual([]);
  });
});

describe('return-to-run plan', () => {
  const plan = { startDate: '2026-02-04', startWeeklyDistanceM: 10_000, weeklyIncreasePct: 10, targetWeeklyDistanceM: 40_000 };
  it('plans start × 1.1^(n−1) from the ISO week of the start date, levelling off at the target', () => {
    const monday = dateToDay('2026-02-02');
    expect(plannedDistanceM(plan, monday - 7)).toBeNull();
    expect(planWeek(plan, monday)).toBe(1);
    expect(plannedDistanceM(plan, monday)).toBe(10_000);
    expect(plannedDistanceM(plan, monday + 14)).toBeCloseTo(12_100, 6);
    expect(plannedDistanceM(plan, monday + 7 * 40)).toBe(40_000);
    // 10 km × 1.1^14 = 38 km < 40 km ≤ 1.1^15: the target is reached in week 16.
    expect(weeksToTarget(plan)).toBe(16);
    expect(weeksToTarget({ ...plan, weeklyIncreasePct: 0 })).toBe(Number.POSITIVE_INFINITY);
    expect(weeksToTarget({ ...plan, startWeeklyDistanceM: 40_000 })).toBe(1);
  });
  it('calls a week within ±15 % on plan', () => {
    expect(planStatus(11_400, 10_000)).toBe('on_plan');
    expect(planStatus(11_600, 10_000)).toBe('ahead');
    expect(planStatus(8_400, 10_000)).toBe('behind');
  });
});

describe('plan', () => {
  it('reaches its target in the week the plan line first does, also when the target is exactly start × (1 + r)^n', () => {
    const plan = { startDate: '2026-01-05', startWeeklyDistanceM: 1000, weeklyIncreasePct: 1, targetWeeklyDistanceM: 1000 * 1.01 ** 3 };
    const weeks = weeksToTarget(plan);
    const monday = dateToDay('2026-01-05');
    expect(plannedDistanceM(plan, monday + 7 * (weeks - 1))).toBe(plan.targetWeeklyDistanceM);
    expect(plannedDistanceM(plan, monday + 7 * (weeks - 2))!).toBeLessThan(plan.targetWeeklyDistanceM);
  });
});

describe('load report', () => {
  it('reports the asked weeks with plan line, ACWR and warnings, reading four weeks of history before them', () => {
    const distances = [10_000, 11_000, 12_100, 13_310, 17_300, 17_300];
    const sessions = distances.map((d, i) => run(`w${i}`, new Date(Date.parse('2026-02-03T07:00:00Z') + i * 7 * 86_400_000).toISOString(), 3600, { gpsDistanceM: d }));
    const settings = coachingSettings({ returnToRun: { startDate: '2026-02-02', startWeeklyDistanceM: 10_000, weeklyIncreasePct: 10, targetWeeklyDistanceM: 20_000 } });
    const report = loadReport(sessions, settings, us('2026-02-23T00:00:00Z'), us('2026-03-10T00:00:00Z'));
    expect(report.metric).toBe('distance');
    expect(report.weeks.map((w) => w.week)).toEqual(['2026-W09', '2026-W10', '2026-W11']);
    expect(report.weeks[1]!.plannedDistanceM).toBeCloseTo(14_641, 6);
    expect(report.weeks.map((w) => w.planStatus)).toEqual(['on_plan', 'ahead', 'on_plan']); // 17.3 km: 18 % over the planned 14.6 km, then 7 % over 16.1 km
    expect(report.weeks[0]!.acwr).toBeCloseTo(13_310 / ((10_000 + 11_000 + 12_100 + 13_310) / 4), 9);
    expect(report.warnings.map((w) => `${w.week} ${w.kind}`)).toEqual(['2026-W10 week_over_week']);
    expect(report.sessions.map((s) => s.sessionId)).toEqual(['w3', 'w4', 'w5']);
    expect(report.plan?.weeksToTarget).toBe(9);
  });

  it('falls back to duration when a session has no distance, and reports none of a plan that is not set', () => {
    const sessions = [run('a', '2026-02-03T07:00:00Z', 1800, {}), run('b', '2026-02-10T07:00:00Z', 3000, { gpsDistanceM: 9000 })];
    const report = loadReport(sessions, coachingSettings({}), us('2026-02-02T00:00:00Z'), us('2026-02-11T00:00:00Z'));
    expect(report.metric).toBe('duration');
    expect(report.plan).toBeNull();
    expect(report.weeks.map((w) => w.plannedDistanceM)).toEqual([null, null]);
    expect(report.warnings.map((w) => [w.kind, Math.round(w.changePct!)])).toEqual([['week_over_week', 67]]);
  });
  it('does not call an unfinished week under-loaded, but does once it has ended; the message has real numbers', () => {
    // 30 km every week for six weeks (Tuesdays, from 2026-02-03), then nothing yet in week 2026-W12.
    const sessions = Array.from({ length: 6 }, (_, i) => run(`w${i}`, new Date(Date.parse('2026-02-03T07:00:00Z') + i * 7 * 86_400_000).toISOString(), 3600, { gpsDistanceM: 30_000 }));
    const settings = coachingSettings({ timeZone: 'UTC' });
    // Monday 09:00 of 2026-W12: the week has barely begun.
    const open = loadReport(sessions, settings, us('2026-03-16T09:00:00Z'), us('2026-03-16T09:00:00Z'));
    expect(open.weeks.at(-1)!.week).toBe('2026-W12');
    expect(open.warnings).toEqual([]);
    // The same week once it has ended: an empty week after four of 30 km is well below the band.
    const ended = loadReport(sessions, settings, us('2026-03-16T09:00:00Z'), us('2026-03-22T23:59:59.999Z') + 999);
    expect(ended.warnings.map((w) => [w.week, w.kind, w.severity])).toEqual([['2026-W12', 'acwr_low', 'info']]);
    expect(ended.warnings[0]!.reference).toBeCloseTo(22_500, 6);
    expect(ended.warnings[0]!.message).not.toMatch(/NaN/);
  });
});
