import { describe, expect, it } from 'vitest';
import type { StrideEvent } from '../analysis-events.ts';
import { validStrideTiming } from './release-gate.ts';

const stride = (strideTimeS: number | null, cadenceSpm: number | null): StrideEvent => ({
  kind: 'stride',
  side: 'left',
  icUs: 1_000_000,
  toUs: null,
  strideTimeS,
  gctS: null,
  cadenceSpm,
  pelvicDropDeg: null,
  shankFrontalDeg: null,
  verticalOscillationCm: null,
  brakingMps: null,
});

describe('validStrideTiming (what the release lets out)', () => {
  it('passes a positive stride time with its cadence, or both unknown', () => {
    expect(validStrideTiming(stride(0.73, 120 / 0.73))).toBe(true);
    expect(validStrideTiming(stride(null, null))).toBe(true);
  });

  it('stops a stride time or cadence that is zero, negative, non-finite, or one without the other', () => {
    for (const [t, c] of [
      [-0.73142, -164.1],
      [0, Number.POSITIVE_INFINITY],
      [0, null],
      [Number.NaN, Number.NaN],
      [Number.POSITIVE_INFINITY, 0],
      [0.73, null],
      [null, 164],
      [0.73, -164],
      [0.73, Number.NaN],
    ] as const) {
      expect(validStrideTiming(stride(t, c)), `${t} s, ${c} spm`).toBe(false);
    }
  });
});
