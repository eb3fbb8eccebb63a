import { describe, expect, it } from 'vitest';
import { AlertSchema, ALERT_TYPES } from './alert.ts';

describe('alert schema', () => {
  const base = { severity: 'warning', athleteId: 'a1', sessionId: 's1', tUs: 1_780_000_000_000_000, metric: 'weeklyDistanceM', value: 13_500, baseline: 10_000, message: 'up 35 % on last week' };
  it('knows load_ramp, the across-session alert of @gaitwatch/coaching, in the same shape as the others', () => {
    expect(ALERT_TYPES).toContain('load_ramp');
    expect(AlertSchema.parse({ ...base, type: 'load_ramp', episodeId: 'load_ramp:2026-W09:week_over_week' })).toMatchObject({ type: 'load_ramp', phase: 'raised' });
  });
  it('refuses a type it does not know', () => {
    expect(AlertSchema.safeParse({ ...base, type: 'load_spike' }).success).toBe(false);
  });
});
