import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../params.ts';
import { AttitudeFilter, SAMPLE_LAYOUT } from './attitude-filter.ts';
import { PrincipalAxis2D } from './principal-axis.ts';

const G = 9.80665;
const RATE_HZ = 200;
const DT = 1 / RATE_HZ;
const DEG = Math.PI / 180;
const params = DEFAULT_PARAMS.segments.attitude;

const X = Float64Array.of(1, 0, 0);
const Y = Float64Array.of(0, 1, 0);
const row = new Float64Array(SAMPLE_LAYOUT);
/** One sample through the filter's array API. */
function step(f: AttitudeFilter, ax: number, ay: number, az: number, gx: number, gy: number, gz: number, dtS: number): void {
  row.set([0, ax, ay, az, gx, gy, gz, dtS]);
  f.update(row);
}

/** Elevation of the sensor's y axis (obliquity-like), degrees. */
const elevationYDeg = (f: AttitudeFilter): number => Math.asin(f.upDot(Y)) / DEG;

/** Specific force of a sensor tilted by `rollRad` about x, at rest: gravity's reaction in sensor coordinates. */
const restingReading = (rollRad: number): [number, number, number] => [0, G * Math.sin(rollRad), G * Math.cos(rollRad)];

describe('AttitudeFilter', () => {
  it('starts exactly at a known up and stays there at rest', () => {
    const f = new AttitudeFilter(params, G);
    const [ax, ay, az] = restingReading(10 * DEG);
    f.reset(ax, ay, az, true);
    expect(f.settled).toBe(true);
    for (let i = 0; i < 10 * RATE_HZ; i++) step(f, ax, ay, az, 0, 0, 0, DT);
    // y tilted 10° toward up: its elevation is 10°.
    expect(elevationYDeg(f)).toBeCloseTo(10, 3);
  });

  it('finds the tilt from a wrong start by averaging, withholds angles until converged, and says when', () => {
    const f = new AttitudeFilter(params, G);
    f.reset(0, 0, 1, false);
    expect(f.settled).toBe(false);
    // Running-like: the reading swings ±0.5 g sideways at 1.4 Hz around a −8° tilt.
    const [ax, ay, az] = restingReading(-8 * DEG);
    const sway = (i: number): number => 0.5 * G * Math.sin(2 * Math.PI * 1.4 * i * DT);
    let i = 0;
    for (; i < params.settleS * RATE_HZ + 1; i++) step(f, ax, ay + sway(i), az, 0, 0, 0, DT);
    // Levelled from the average in one step (not by a slow loop): within the sway's leftover,
    // 0.045° with the Hann-weighted average (a plain one, over 4.2 sway cycles: 0.77°).
    expect(Math.abs(elevationYDeg(f) + 8)).toBeLessThan(0.1);
    expect(f.settled).toBe(false);
    for (; i < (params.settleS + params.convergeS) * RATE_HZ + 1; i++) step(f, ax, ay + sway(i), az, 0, 0, 0, DT);
    expect(f.settled).toBe(true);
    for (let k = 0; k < 20 * RATE_HZ; k++, i++) step(f, ax, ay + sway(i), az, 0, 0, 0, DT);
    // The mean tilt: a low gain keeps the sway's leak small.
    expect(elevationYDeg(f)).toBeCloseTo(-8, 0);
  });

  it('levels to the mean specific force when the sensor turned while settling (the correction is a world-frame rotation)', () => {
    // Level, turning about the vertical at 1 rad/s, from a start guess 10–120° off: the settling
    // average says where up is. Applied in the sensor frame instead (q ⊗ c, the bug until
    // 2026-12-04) the correction doubled the error: 10° → 20°, 60° → 120°.
    for (const guessDeg of [10, 60, 120]) {
      const f = new AttitudeFilter({ ...params, convergeS: 0 }, G);
      f.reset(Math.sin(guessDeg * DEG), 0, Math.cos(guessDeg * DEG), false);
      for (let i = 0; i < params.settleS * RATE_HZ + 1; i++) step(f, 0, 0, G, 0, 0, 1, DT);
      expect(f.settled).toBe(true);
      expect(Math.acos(Math.min(1, f.upDot(Float64Array.of(0, 0, 1)))) / DEG).toBeLessThan(0.01);
    }
  });

  it('integrates the gyro: a 30° roll in 0.5 s shows up at once, not after the accelerometer time constant', () => {
    const f = new AttitudeFilter(params, G);
    f.reset(0, 0, G, true);
    const rate = (30 * DEG) / 0.5;
    for (let i = 0; i < 0.5 * RATE_HZ; i++) {
      const [ax, ay, az] = restingReading(rate * (i + 1) * DT);
      step(f, ax, ay, az, rate, 0, 0, DT);
    }
    // Rolling +x lifts y: elevation +30°.
    expect(elevationYDeg(f)).toBeCloseTo(30, 0);
  });

  it('cancels the tilt drift of a gyro bias the calibration missed (integral term)', () => {
    const f = new AttitudeFilter(params, G);
    f.reset(0, 0, G, true);
    // 0.5 °/s about x while the sensor is level but moving a little (not still, so not learnt as bias).
    const bias = 0.5 * DEG;
    let worst = 0;
    for (let i = 0; i < 120 * RATE_HZ; i++) {
      const wobble = 0.2 * Math.sin(2 * Math.PI * 2.8 * i * DT);
      step(f, 0, 0, G, bias, 0, wobble, DT);
      if (i > 100 * RATE_HZ) worst = Math.max(worst, Math.abs(elevationYDeg(f)));
    }
    // Proportional feedback alone would settle at bias / kp = 2.5°.
    expect(worst).toBeLessThan(0.3);
  });

  it('learns the bias while the sensor is still, heading axis included', () => {
    const f = new AttitudeFilter(params, G);
    f.reset(0, 0, G, true);
    const yawBias = 0.01;
    for (let i = 0; i < 30 * RATE_HZ; i++) step(f, 0, 0, G, 0, 0, yawBias, DT);
    // After learning, the sensor's x axis no longer turns: track it over 10 s.
    const out = new Float64Array(3);
    f.toWorld(X, 0, out);
    const before = Math.atan2(out[1]!, out[0]!);
    for (let i = 0; i < 10 * RATE_HZ; i++) step(f, 0, 0, G, 0, 0, yawBias, DT);
    f.toWorld(X, 0, out);
    // Unlearnt, 10 s × 0.01 rad/s = 5.7°.
    expect(Math.abs(Math.atan2(out[1]!, out[0]!) - before) / DEG).toBeLessThan(0.2);
  });

  it('keeps impacts: a landing and the rest of the cycle cancel, so the tilt stays level', () => {
    const f = new AttitudeFilter(params, G);
    f.reset(0, 0, G, true);
    // Every 0.5 s a 12 g sideways impact for 10 ms, and the opposite change of velocity spread over the
    // rest of the cycle: zero mean, as a foot that lands and takes off again. Skipping the impact
    // (an 8 g gate) would leave the −0.24 g of the rest as a ~14° tilt.
    const cycle = RATE_HZ / 2;
    const impactSamples = 2;
    const impactMps2 = 12 * G;
    const restMps2 = -(impactMps2 * impactSamples) / (cycle - impactSamples);
    let sum = 0;
    for (let i = 0; i < 20 * RATE_HZ; i++) {
      step(f, 0, i % cycle < impactSamples ? impactMps2 : restMps2, G, 0, 0, 0, DT);
      if (i >= 19 * RATE_HZ) sum += elevationYDeg(f);
    }
    // The ripple within a cycle is kp × the impact's 1.2 m/s (~2.7°) decaying; its mean over the last second is level.
    expect(Math.abs(sum / RATE_HZ)).toBeLessThan(0.1);
  });
});

describe('PrincipalAxis2D', () => {
  it('finds the axis of an elongated cloud whichever way its points point, and how elongated it is', () => {
    const axis = new PrincipalAxis2D();
    const angle = 12 * DEG;
    for (let i = 0; i < 1000; i++) {
      const along = 3 * Math.sin(i * 0.37);
      const across = Math.cos(i * 1.13);
      axis.add(Float64Array.of(along * Math.cos(angle) - across * Math.sin(angle), along * Math.sin(angle) + across * Math.cos(angle)));
    }
    expect(axis.angleRad() / DEG).toBeCloseTo(12, 0);
    expect(axis.ratio()).toBeGreaterThan(8);
    expect(axis.ratio()).toBeLessThan(10);
  });
});
