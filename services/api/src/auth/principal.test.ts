import { describe, expect, it } from 'vitest';
import { athleteFilter, canSeeAthlete, type Principal } from './principal.ts';

const runner: Principal = { id: 'r', role: 'runner', athleteId: 'a1' };
const coach: Principal = { id: 'c', role: 'coach', athleteIds: ['a1', 'a3'] };
const researcher: Principal = { id: 'x', role: 'researcher' };

describe('who sees which athlete', () => {
  it('runner: own only; coach: roster only; researcher: all', () => {
    expect([canSeeAthlete(runner, 'a1'), canSeeAthlete(runner, 'a2')]).toEqual([true, false]);
    expect([canSeeAthlete(coach, 'a3'), canSeeAthlete(coach, 'a2')]).toEqual([true, false]);
    expect(canSeeAthlete(researcher, 'anyone')).toBe(true);
  });

  it('a list filter is forbidden as soon as one athlete is not visible; no filter means everything visible', () => {
    expect(athleteFilter(coach, ['a1', 'a2'])).toBe('forbidden');
    expect(athleteFilter(coach, ['a3'])).toEqual({ athletes: ['a3'] });
    expect(athleteFilter(coach, undefined)).toEqual({ athletes: ['a1', 'a3'] });
    expect(athleteFilter(runner, [])).toEqual({ athletes: ['a1'] });
    expect(athleteFilter(researcher, undefined)).toEqual({ athletes: undefined });
  });
});
