import { describe, expect, it } from 'vitest';
import { roundTo } from './rounding.ts';

describe('roundTo', () => {
  it('rounds to 1/per and never returns −0 (JSON would erase its sign: live and stored events would differ)', () => {
    expect(roundTo(1.23456, 100)).toBe(1.23);
    expect(roundTo(-1.23556, 100)).toBe(-1.24);
    expect(Object.is(roundTo(-0.004, 100), 0)).toBe(true);
    expect(Object.is(roundTo(-0, 10), 0)).toBe(true);
    expect(JSON.parse(JSON.stringify({ v: roundTo(-0.004, 100) }))).toEqual({ v: roundTo(-0.004, 100) });
  });
});
