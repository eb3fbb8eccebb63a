import type { SessionRecord } from '@gaitwatch/storage';
import { describe, expect, it } from 'vitest';
import { loadRampAlertsAtClose } from './ramp-alert.ts';
import { coachingSettings } from './settings.ts';

const DAY_US = 86_400e6;
const T0 = Date.parse('2026-02-03T07:00:00Z') * 1000; // a Tuesday, 2026-W06

function run(id: string, day: number, distanceM: number): SessionRecord {
  const startUs = T0 + day * DAY_US;
  return { athleteId: 'a1', sessionId: id, startUs, endUs: startUs + 1800e6, summary: { gpsDistanceM: distanceM } };
}

describe('load_ramp alert at session close', () => {
  const settings = coachingSettings({});
  // 10 km a week for three weeks, then 3 × 4.5 km: the third run of week 4 takes it from 9 to 13.5 km (+35 %).
  const history = [0, 7, 14].flatMap((d) => [run(`w${d}a`, d, 5000), run(`w${d}b`, d + 2, 5000)]);
  const week4 = [run('w4a', 21, 4500), run('w4b', 23, 4500), run('w4c', 25, 4500)];

  it('raises one alert, in the contract’s shape, when the closing session pushes its week past the limit', () => {
    expect(loadRampAlertsAtClose(week4[1]!, [...history, week4[0]!], settings)).toEqual([]);
    const alerts = loadRampAlertsAtClose(week4[2]!, [...history, ...week4.slice(0, 2)], settings);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'load_ramp', severity: 'warning', athleteId: 'a1', sessionId: 'w4c', tUs: week4[2]!.endUs, metric: 'weeklyDistanceM', value: 13_500, baseline: 10_000, phase: 'raised', episodeId: 'load_ramp:2026-W09:week_over_week' });
    expect(alerts[0]!.message).toMatch(/35 % more than the week before/);
  });

  it('raises nothing again for a week already over the limit (one episode, one alert), the closed session in the history or not', () => {
    const later = run('w4d', 26, 500); // 14 km: still +40 %, and the ACWR (14 / 11 = 1.27) still inside its band
    expect(loadRampAlertsAtClose(later, [...history, ...week4], settings)).toEqual([]);
    // 3 km more would take the ACWR past 1.3: that is a new episode (acwr_high), raised once.
    expect(loadRampAlertsAtClose(run('w4e', 26, 3000), [...history, ...week4], settings).map((a) => a.episodeId)).toEqual(['load_ramp:2026-W09:acwr_high']);
    expect(loadRampAlertsAtClose(week4[2]!, [...history, ...week4], settings)).toHaveLength(1);
  });

  it('refuses a session that has not ended', () => {
    expect(() => loadRampAlertsAtClose({ ...week4[2]!, endUs: null }, history, settings)).toThrow(/has not ended/);
  });
});
