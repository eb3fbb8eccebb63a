import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../params.ts';
import { StandingCalibrator } from './standing-calibrator.ts';

const G = 9.80665;
const FS = 200;

/** A sensor tilted 10° about x, standing for `standS`, then a 2.8 Hz bounce with rotation. */
function feed(calibrator: StandingCalibrator, standS: number, moveS: number): void {
  const tilt = (10 * Math.PI) / 180;
  const up = [0, Math.sin(tilt), Math.cos(tilt)];
  const row = new Float64Array(7);
  for (let i = 0; i < (standS + moveS) * FS && calibrator.result === undefined; i++) {
    const t = i / FS;
    const moving = t >= standS;
    const bounce = moving ? 12 * Math.sin(2 * Math.PI * 2.8 * t) : 0;
    const noise = Math.sin(i * 12.9898) * 0.01;
    row.set([t * 1e6, up[0]! * (G + bounce) + noise, up[1]! * (G + bounce), up[2]! * (G + bounce), 0.01 + (moving ? 3 * Math.sin(2 * Math.PI * 1.4 * t) : 0), -0.02, 0.005]);
    calibrator.push(row, 0);
  }
}

describe('StandingCalibrator', () => {
  it('measures up and gyro bias from quiet standing', () => {
    const calibrator = new StandingCalibrator(DEFAULT_PARAMS.calibration, FS);
    feed(calibrator, 4, 5);
    const result = calibrator.result!;
    expect(result.quality).toBe('standing');
    expect(result.quietS).toBeGreaterThanOrEqual(3.5);
    expect(result.upSensor[1]).toBeCloseTo(Math.sin((10 * Math.PI) / 180), 3);
    expect(result.gyroBiasRadps[0]).toBeCloseTo(0.01, 4);
    expect(result.gyroBiasRadps[1]).toBeCloseTo(-0.02, 4);
  });

  it('falls back to the mean of the motion when the runner never stood still, and says so', () => {
    const calibrator = new StandingCalibrator(DEFAULT_PARAMS.calibration, FS);
    feed(calibrator, 0, 10);
    const result = calibrator.result!;
    expect(result.quality).toBe('fallback');
    expect(result.gyroBiasRadps).toEqual([0, 0, 0]);
    expect(result.upSensor[1]).toBeCloseTo(Math.sin((10 * Math.PI) / 180), 2);
  });

  it('decides with what it has when the data ends early', () => {
    const calibrator = new StandingCalibrator(DEFAULT_PARAMS.calibration, FS);
    feed(calibrator, 1, 0);
    expect(calibrator.result).toBeUndefined();
    calibrator.flush();
    expect(calibrator.result?.quality).toBe('standing');
  });
});
