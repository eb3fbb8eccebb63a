import type { AlertRecord, SessionRecord } from '@gaitwatch/storage';
import { describe, expect, it } from 'vitest';
import { athleteDigest, trafficLight } from './digest.ts';
import { loadReport } from './load-report.ts';
import { percentile95, sessionOnset } from './onset.ts';
import { sessionLoad } from './session-load.ts';
import { coachingSettings } from './settings.ts';
import { normalCdf, trendStatistic } from './trend-stats.ts';
import { trendReport } from './trends.ts';

const DAY_US = 86_400e6;
const T0 = Date.parse('2026-02-02T07:00:00Z') * 1000; // a Monday

function session(i: number, durationS: number, distanceM: number): SessionRecord {
  const startUs = T0 + i * 3 * DAY_US;
  return { athleteId: 'a1', sessionId: `s${i}`, startUs, endUs: startUs + durationS * 1e6, summary: { strides: { left: durationS * 1.4, right: durationS * 1.4 }, gpsDistanceM: distanceM } };
}

function breakdown(s: SessionRecord, atS: number, side?: 'left' | 'right', extra: Partial<AlertRecord> = {}): AlertRecord {
  return { athleteId: 'a1', sessionId: s.sessionId, tUs: s.startUs + atS * 1e6, type: 'form_breakdown', severity: 'warning', metric: 'pelvicDropDeg', value: 8, baseline: 5, message: 'form breaking down', phase: 'raised', ...(side ? { side } : {}), ...extra };
}

describe('trend statistics', () => {
  it('Theil–Sen ignores one wild point that would tilt least squares; Mann–Kendall matches hand-computed S and p', () => {
    const points = [1, 2, 3, 4, 5, 6, 7].map((x) => ({ x, y: 2 * x }));
    points[6] = { x: 7, y: -100 };
    const stat = trendStatistic(points);
    expect(stat.slope).toBe(2);
    // 15 concordant pairs among the first 6, the outlier discordant with all 6: S = 15 − 6 = 9.
    expect(stat.kendallS).toBe(9);
    // Var(S) = 7·6·19/18 = 44.33; z = (9 − 1)/√44.33 = 1.2015; p = 2(1 − Φ(z)) = 0.2296.
    expect(stat.pValue).toBeCloseTo(0.2296, 3);
    // Order of the input does not matter: the pairs are ordered by x.
    expect(trendStatistic([...points].reverse())).toEqual(stat);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(trendStatistic([{ x: 1, y: 1 }])).toMatchObject({ n: 1, slope: null, pValue: null });
  });

  it('corrects the variance for ties (sessions that all held count the same)', () => {
    const strict = trendStatistic([1, 2, 3, 4, 5, 6].map((x) => ({ x, y: x })));
    const tied = trendStatistic([1, 2, 3, 4, 5, 6].map((x) => ({ x, y: Math.min(x, 4) })));
    expect(strict.kendallS).toBe(15);
    expect(tied.kendallS).toBe(12);
    // Ties: one group of 3 → Var = (6·5·17 − 3·2·11)/18 = 24.67; z = 11/4.967 = 2.2147; p = 0.0268.
    expect(tied.pValue).toBeCloseTo(0.0268, 3);
  });
});

describe('form-breakdown onset', () => {
  it('per side: the first raised form_breakdown of that side (or of none), its time and distance into the run, else held all run', () => {
    const s = session(0, 2000, 8000);
    const load = sessionLoad(s, null)!;
    const alerts = [breakdown(s, 1500, 'left', { phase: 'resolved' }), breakdown(s, 1000, 'left'), breakdown(s, 1200, 'left', { metric: 'shankFrontalDeg' }), breakdown(s, 900, 'left', { type: 'pelvic_drop_high' }), { ...breakdown(s, 100, 'right'), sessionId: 'other' }];
    const onset = sessionOnset(load, alerts, { left: 8.4 });
    expect(onset.left).toEqual({ heldAllRun: false, onsetS: 1000, onsetDistanceM: 4000, metric: 'pelvicDropDeg', pelvicDropP95Deg: 8.4 });
    expect(onset.right).toEqual({ heldAllRun: true, onsetS: null, onsetDistanceM: null, metric: null, pelvicDropP95Deg: null });
    // A cadence alert (no side) counts for both legs.
    const both = sessionOnset(load, [breakdown(s, 600, undefined, { metric: 'cadenceSpm' })]);
    expect([both.left.onsetS, both.right.onsetS]).toEqual([600, 600]);
  });

  it('p95 interpolates and skips nulls', () => {
    expect(percentile95([null, ...Array.from({ length: 21 }, (_, i) => i)])).toBe(19);
    expect(percentile95([null])).toBeNull();
  });
});

describe('onset and pelvic-drop trends', () => {
  // Onset at ~3 miles (4828 m) moving later over the block, the last sessions holding all run.
  const sessions = [0, 1, 2, 3, 4, 5, 6].map((i) => session(i, 2400, 8000));
  const onsetsM = [4800, 5100, 5400, 5900, 6600, null, null];
  const alerts = sessions.flatMap((s, i) => (onsetsM[i] === null ? [] : [breakdown(s, (onsetsM[i]! / 8000) * 2400, 'right')]));
  const p95 = new Map(sessions.map((s, i) => [s.sessionId, { left: 6, right: 9 - 0.4 * i }]));

  it('says the onset moves later (improving) when it goes from ~3 miles to held all run', () => {
    const report = trendReport(sessions, alerts, null, p95);
    const right = report.onset.right;
    expect(right).toMatchObject({ unit: 'm', direction: 'later', heldSessions: 2, n: 7 });
    expect(right.pValue!).toBeLessThan(0.05);
    expect(right.slopePerWeek!).toBeGreaterThan(0);
    expect(right.explanation).toMatch(/moving later/);
    expect(report.onset.left.direction).toBe('held_all_run');
    expect(report.pelvicDrop.right.direction).toBe('falling');
    expect(report.pelvicDrop.right.slopePerWeek!).toBeCloseTo((-0.4 * 7) / 3, 6);
    expect(report.pelvicDrop.left.direction).toBe('no_clear_trend');
  });

  it('says earlier when it moves the other way, and gives no verdict on four sessions', () => {
    const reversed = trendReport(sessions.slice(0, 5), sessions.slice(0, 5).map((s, i) => breakdown(s, 1500 - 200 * i, 'right')), null);
    expect(reversed.onset.right.direction).toBe('earlier');
    const four = trendReport(sessions.slice(0, 4), alerts, null);
    expect(four.onset.right.direction).toBe('too_few_sessions');
    expect(four.onset.right.explanation).toMatch(/at least 5/);
  });

  it('measures onset in seconds when a session has no distance', () => {
    const noGps = sessions.map((s) => ({ ...s, summary: { strides: { left: 10, right: 10 } } }));
    expect(trendReport(noGps, alerts, null).onset.right.unit).toBe('s');
    expect(trendReport(noGps, alerts, 2.5).onset.right.unit).toBe('m');
  });
});

describe('digest and traffic light', () => {
  const settings = coachingSettings({});
  const sessions = [0, 1, 2, 3, 4].map((i) => session(i * 2 + 1, 1800, 5000));
  const trends = trendReport(sessions, [], null);

  it('is green for a quiet week, amber off the plan or under-loaded, red for a ramp or a worsening trend', () => {
    expect(trafficLight(null, [], trends)).toEqual({ light: 'green', reasons: [] });
    const base = { week: '2026-W07', kind: 'week_over_week' as const, metric: 'distance' as const, value: 1, reference: 1, limit: 10, message: 'jump' };
    expect(trafficLight(null, [{ ...base, severity: 'warning' }], trends).light).toBe('red');
    expect(trafficLight(null, [{ ...base, kind: 'acwr_low', severity: 'info', message: 'low' }], trends)).toEqual({ light: 'amber', reasons: ['low'] });
    const worse = { ...trends, onset: { ...trends.onset, left: { ...trends.onset.left, direction: 'earlier' as const } } };
    expect(trafficLight(null, [], worse)).toEqual({ light: 'red', reasons: ['left: form breaks down earlier in the run'] });
  });

  it('lists the week’s sessions that raised alerts, by type', () => {
    const load = loadReport(sessions, settings, sessions[0]!.startUs, sessions[4]!.startUs);
    const week = load.weeks[1]!.week;
    const inWeek = load.sessions.filter((s) => s.startUs >= load.weeks[1]!.startUs && s.startUs < load.weeks[2]!.startUs);
    const alerts = [breakdown(sessions.find((s) => s.sessionId === inWeek[0]!.sessionId)!, 100, 'left'), { ...breakdown(sessions[0]!, 50, 'left'), type: 'pelvic_drop_high' as const }];
    const digest = athleteDigest({ athleteId: 'a1', displayName: 'Ada' }, load, trends, alerts, week);
    expect(digest).toMatchObject({ athleteId: 'a1', displayName: 'Ada', light: 'green', metric: 'distance' });
    expect(digest.sessionsWithAlerts).toEqual([{ sessionId: inWeek[0]!.sessionId, startUs: inWeek[0]!.startUs, alerts: { form_breakdown: 1 } }]);
    expect(athleteDigest({ athleteId: 'a1' }, load, trends, alerts, '1999-W01').week).toBeNull();
  });
});
