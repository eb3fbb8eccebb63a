import { describe, expect, it } from 'vitest';
import { LiveStrideSchema } from './stride.ts';
import { LiveRepSchema, RepMetricsSchema, type RepMetrics } from './rep.ts';

const T0_US = 1_780_000_000_000_000;
const rep: RepMetrics = {
  side: 'right',
  set: 2,
  rep: 5,
  startUs: T0_US,
  bottomUs: T0_US + 1_200_000,
  endUs: T0_US + 2_500_000,
  durationS: 2.5,
  pelvicDropDeg: 4.75,
  shankFrontalDeg: -1.25,
  depthDeg: 38.5,
  pelvicDropVerdict: 'level',
};

describe('rep schemas', () => {
  it('round-trips a rep through JSON exactly, nulls and reasons included', () => {
    expect(RepMetricsSchema.parse(JSON.parse(JSON.stringify(rep)))).toEqual(rep);
    const unmeasured = { ...rep, pelvicDropDeg: null, pelvicDropVerdict: null, pelvicDropReason: 'data_gap', shankFrontalDeg: null, shankFrontalReason: 'no_sensor', depthDeg: null };
    expect(RepMetricsSchema.parse(JSON.parse(JSON.stringify(unmeasured)))).toEqual(unmeasured);
  });

  it('a live rep carries kind "rep" and the ids; a stride payload is not a rep and a rep is told from a stride by its kind', () => {
    const live = { kind: 'rep', athleteId: 'r1', sessionId: 's1', ...rep };
    expect(LiveRepSchema.parse(JSON.parse(JSON.stringify(live)))).toEqual(live);
    expect(LiveRepSchema.safeParse({ ...live, kind: undefined }).success).toBe(false);
    expect(LiveRepSchema.safeParse({ ...live, kind: 'stride' }).success).toBe(false);
    expect(LiveRepSchema.safeParse({ athleteId: 'r1', sessionId: 's1', side: 'left', icUs: T0_US, toUs: null, strideTimeS: null, gctS: null, cadenceSpm: null, pelvicDropDeg: 5, shankFrontalDeg: null }).success).toBe(false);
    // A stride consumer that does not look at `kind` must not take a rep for a stride either: it has no icUs.
    expect(LiveStrideSchema.safeParse(live).success).toBe(false);
  });

  it.each([
    ['a negative rep', { rep: -1 }],
    ['rep 0', { rep: 0 }],
    ['a fractional set', { set: 1.5 }],
    ['an unknown side', { side: 'both' }],
    ['endUs before startUs', { endUs: T0_US - 1 }],
    ['a bottom after the end', { bottomUs: T0_US + 3_000_000 }],
    ['a bottom before the start', { bottomUs: T0_US - 1 }],
    ['a zero-length rep', { bottomUs: T0_US, endUs: T0_US }],
    ['a time in ms', { startUs: 1_780_000_000_000 }],
    ['a non-integer time', { startUs: T0_US + 0.5 }],
    ['a non-positive duration', { durationS: 0 }],
    ['an unknown verdict', { pelvicDropVerdict: 'wobbly' }],
    ['an angle as a string', { depthDeg: '38' }],
    ['an unknown null reason', { pelvicDropDeg: null, pelvicDropReason: 'tired' }],
    ['a missing angle (null is required, not absent)', { shankFrontalDeg: undefined }],
  ])('refuses %s', (_what, change) => {
    expect(RepMetricsSchema.safeParse({ ...rep, ...change }).success).toBe(false);
    expect(LiveRepSchema.safeParse({ kind: 'rep', athleteId: 'r1', sessionId: 's1', ...rep, ...change }).success).toBe(false);
  });
});
