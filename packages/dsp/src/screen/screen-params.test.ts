import { describe, expect, it } from 'vitest';
import { leftAxisFrom, planeBasis, PlaneAxis } from './plane-axis.ts';
import { DEFAULT_SCREEN_PARAMS, SCREEN_PARAM_DOCS, validateScreenParams } from './screen-params.ts';

describe('screen parameters', () => {
  it('documents every parameter, and the defaults are valid', () => {
    expect(Object.keys(SCREEN_PARAM_DOCS).sort()).toEqual(Object.keys(DEFAULT_SCREEN_PARAMS).sort());
    expect(() => validateScreenParams(DEFAULT_SCREEN_PARAMS)).not.toThrow();
  });

  it('refuses each parameter at zero, below zero and as NaN, naming it', () => {
    for (const key of Object.keys(DEFAULT_SCREEN_PARAMS) as (keyof typeof DEFAULT_SCREEN_PARAMS)[]) {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => validateScreenParams({ ...DEFAULT_SCREEN_PARAMS, [key]: bad }, { [key]: bad }), `${key} = ${bad}`).toThrow(new RegExp(key));
      }
    }
  });

  it('refuses thresholds out of order', () => {
    expect(() => validateScreenParams({ ...DEFAULT_SCREEN_PARAMS, repEdgeDeg: 6 })).toThrow(/repEdgeDeg \(6\) must be below repExitDeg \(5\)/);
    expect(() => validateScreenParams({ ...DEFAULT_SCREEN_PARAMS, maxAxisYawDeg: 90 })).toThrow(/maxAxisYawDeg/);
  });
});

describe('the left axis from a principal axis', () => {
  const basis = new Float64Array(6);
  planeBasis([0, 0, 1], basis);
  const out = new Float64Array(3);
  const deg = Math.PI / 180;

  it('takes the axis or its perpendicular, whichever is nearer the sensor y, signed toward it', () => {
    // A principal axis 5° past the sensor's y (left), or the forward axis 5° past x: both give a left axis yawed 5°.
    expect(leftAxisFrom(95 * deg, basis, 30, out)).toBeCloseTo(5, 9);
    expect([...out].map((v) => Number(v.toFixed(6)))).toEqual([Number((-Math.sin(5 * deg)).toFixed(6)), Number(Math.cos(5 * deg).toFixed(6)), 0]);
    expect(leftAxisFrom(5 * deg, basis, 30, out)).toBeCloseTo(5, 9);
    expect(leftAxisFrom(-85 * deg, basis, 30, out)).toBeCloseTo(5, 9);
  });

  it('keeps the sensor y for an implausible yaw (NaN)', () => {
    expect(leftAxisFrom(40 * deg, basis, 30, out)).toBeNaN();
    expect([...out].map((v) => v + 0)).toEqual([0, 1, 0]);
  });

  it('finds a line and its spread from summed moments', () => {
    const axis = new PlaneAxis();
    const uv = new Float64Array(2);
    for (let i = 0; i < 100; i++) {
      const r = Math.sin(i);
      uv[0] = r * Math.cos(20 * deg);
      uv[1] = r * Math.sin(20 * deg);
      axis.add(uv);
    }
    expect(axis.angleRad() / deg).toBeCloseTo(20, 6);
    expect(axis.ratio()).toBeGreaterThan(1e6);
    expect(new PlaneAxis().ratio()).toBeNaN();
  });
});
