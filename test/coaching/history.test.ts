/**
 * The three return-to-run histories, produced by the simulator
 * (seed.ts, src/start/training-history.ts: session plans and stance models, not the full DSP —
 * see src/start/training-history.ts for the shortcut), through @gaitwatch/coaching.
 */
import { coachingSettings, loadReport, percentile95, trendReport, type OnsetSide } from '@gaitwatch/coaching';
import { describe, expect, it } from 'vitest';
import { AT_US, ATHLETES, FIRST_MONDAY_US, simulateAthletes } from './seed.ts';

const seeded = simulateAthletes();
const settingsOf = (id: string) => coachingSettings(ATHLETES.find((a) => a.athleteId === id)!.settings);

describe('simulated return-to-run histories', () => {
  it('a block that ramps 8 % a week: no warning, every week on plan, the ACWR inside its band', () => {
    const report = loadReport(seeded.ok.sessions, settingsOf('rehab-ok'), FIRST_MONDAY_US + 86_400e6, AT_US);
    expect(report.weeks.map((w) => w.week)).toEqual(['2026-W06', '2026-W07', '2026-W08', '2026-W09', '2026-W10', '2026-W11', '2026-W12']);
    // Runs at 07:00 UTC are 23:00 (or midnight, after DST) the day before in Los Angeles: still three a week.
    expect(report.weeks.map((w) => w.sessions)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(report.metric).toBe('distance');
    expect(report.warnings).toEqual([]);
    expect(report.weeks.map((w) => w.planStatus)).toEqual(Array(7).fill('on_plan'));
    for (const w of report.weeks.slice(3)) {
      expect(w.acwr!).toBeGreaterThan(1);
      expect(w.acwr!).toBeLessThan(1.3);
    }
  });

  it('a block that jumps 30 % in its fourth week: a load_ramp warning that week and no other', () => {
    const report = loadReport(seeded.jump.sessions, settingsOf('rehab-jump'), FIRST_MONDAY_US + 86_400e6, AT_US);
    expect(report.weeks[3]!.week).toBe('2026-W09');
    const warnings = report.warnings.filter((w) => w.severity === 'warning');
    expect(warnings.map((w) => [w.week, w.kind])).toEqual([['2026-W09', 'week_over_week']]);
    // The simulated runs hit their planned distance within a fraction of a percent: the jump is 30 % ± 1.
    expect(warnings[0]!.changePct!).toBeGreaterThan(29);
    expect(warnings[0]!.changePct!).toBeLessThan(31);
    expect(report.weeks[3]!.planStatus).toBe('ahead');
  });

  it('onset moving from ~3 miles to "held all run": the trend says later (improving), the tiring hip’s peak drop falls', () => {
    const { sessions, alerts, strides } = seeded.onset;
    const peaks = new Map<string, Record<OnsetSide, number | null>>();
    for (const s of sessions) {
      const mine = strides.filter((x) => x.sessionId === s.sessionId);
      peaks.set(s.sessionId, { left: percentile95(mine.filter((x) => x.side === 'left').map((x) => x.pelvicDropDeg)), right: percentile95(mine.filter((x) => x.side === 'right').map((x) => x.pelvicDropDeg)) });
    }
    const report = trendReport(sessions, alerts, null, peaks);
    const side: OnsetSide = alerts[0]!.side as OnsetSide;
    const first = report.sessions[0]![side];
    // ~3 miles: the modelled onset at 4828 m plus the analyzer's delay at the runner's pace.
    expect(first.onsetDistanceM! / 1609.344).toBeGreaterThan(3);
    expect(first.onsetDistanceM! / 1609.344).toBeLessThan(3.3);
    expect(report.sessions.at(-1)![side].heldAllRun).toBe(true);
    const trend = report.onset[side];
    expect(trend.direction).toBe('later');
    expect(trend.pValue!).toBeLessThan(0.001);
    expect(trend.slopePerWeek!).toBeGreaterThan(0);
    expect(trend.explanation).toMatch(/moving later/);
    expect(report.pelvicDrop[side].direction).toBe('falling');
  });
});
