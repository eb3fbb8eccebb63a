import { describe, expect, it } from 'vitest';
import type { Calibration } from '../calibration/standing-calibrator.ts';
import { DEFAULT_PARAMS } from '../params.ts';
import { PelvisTracker } from './pelvis-tracker.ts';

const CALIBRATION: Calibration = { upSensor: [0, 0, 1], gyroBiasRadps: [0, 0, 0], quality: 'standing', quietS: 5, gravityMps2: 9.81 };
const RATE_HZ = 200;
const STEP_S = 0.38;

/**
 * A level pelvis sensor whose anatomical forward axis is `yawDeg` from its own
 * x: braking/propulsion repeats every step (along the forward axis), the sway
 * alternates with the stance leg (across it) and so does a part of the forward
 * acceleration (an asymmetric runner). That alternating forward part is
 * correlated with the sway, so the raw horizontal acceleration's principal
 * axis is ~20° off the forward axis; its step-periodic part is not.
 */
function runPelvis(tracker: PelvisTracker, yawDeg: number, seconds: number, onStep?: () => void): void {
  const psi = (yawDeg * Math.PI) / 180;
  const row = new Float64Array(7);
  const stepEvery = Math.round(STEP_S * RATE_HZ);
  for (let i = 0; i < seconds * RATE_HZ; i++) {
    const t = i / RATE_HZ;
    const forward = 3 * Math.cos((2 * Math.PI * t) / STEP_S) + 1.5 * Math.sin((Math.PI * t) / STEP_S);
    const side = 2 * Math.sin((Math.PI * t) / STEP_S);
    row[0] = 1e12 + i * (1e6 / RATE_HZ);
    row[1] = forward * Math.cos(psi) - side * Math.sin(psi);
    row[2] = forward * Math.sin(psi) + side * Math.cos(psi);
    row[3] = 9.81;
    tracker.push(row, 0);
    if (onStep !== undefined && i % stepEvery === 0) onStep();
  }
}

describe('pelvis mounting yaw from the running motion', () => {
  it('finds the forward axis from the step-periodic acceleration, not from the sway that alternates with the legs', () => {
    for (const yawDeg of [-12, 0, 8]) {
      const tracker = new PelvisTracker(DEFAULT_PARAMS.segments, RATE_HZ, CALIBRATION);
      runPelvis(tracker, yawDeg, 60, () => tracker.observeStep(STEP_S * 1e6));
      const m = tracker.mountingEstimate;
      expect(m.status).toBe('estimated');
      expect(m.yawDeg).toBeCloseTo(yawDeg, 0);
      expect(m.axisRatio).toBeGreaterThan(10);
    }
  });

  it('learns no axis before the pelvis has a step, nor from a step longer than the echo reaches', () => {
    const unknown = new PelvisTracker(DEFAULT_PARAMS.segments, RATE_HZ, CALIBRATION);
    runPelvis(unknown, 8, 30);
    expect(unknown.mountingEstimate).toMatchObject({ yawDeg: 0, status: 'too-little-motion' });
    const slow = new PelvisTracker(DEFAULT_PARAMS.segments, RATE_HZ, CALIBRATION);
    runPelvis(slow, 8, 30, () => slow.observeStep(1.2e6));
    expect(slow.mountingEstimate).toMatchObject({ yawDeg: 0, status: 'too-little-motion' });
  });

  it('starts the echo afresh after a long gap and keeps a finite estimate', () => {
    const tracker = new PelvisTracker(DEFAULT_PARAMS.segments, RATE_HZ, CALIBRATION);
    // An odd sample count: the first sample after the gap is not a history record, so the echo is empty when read.
    runPelvis(tracker, 8, 30.005, () => tracker.observeStep(STEP_S * 1e6));
    tracker.reset();
    runPelvis(tracker, 8, 30);
    expect(tracker.mountingEstimate.status).toBe('estimated');
    expect(tracker.mountingEstimate.yawDeg).toBeCloseTo(8, 0);
  });

  it('keeps the step it was told when the detector knows none yet (a restored session)', () => {
    const tracker = new PelvisTracker(DEFAULT_PARAMS.segments, RATE_HZ, CALIBRATION);
    tracker.observeStep(STEP_S * 1e6);
    runPelvis(tracker, -12, 60, () => tracker.observeStep(Number.NaN));
    expect(tracker.mountingEstimate.yawDeg).toBeCloseTo(-12, 0);
  });
});
