import { describe, expect, it } from 'vitest';
import type { Calibration } from '../calibration/standing-calibrator.ts';
import { DEFAULT_PARAMS } from '../params.ts';
import { PelvisTracker } from './pelvis-tracker.ts';
import { ShankTracker } from './shank-tracker.ts';

const CALIBRATION: Calibration = { upSensor: [0, 0, 1], gyroBiasRadps: [0, 0, 0], quality: 'standing', quietS: 5, gravityMps2: 9.81 };
const HISTORY_S = DEFAULT_PARAMS.segments.historyS;

// The angle histories are most of a session's memory (issue #10: ≤ 128 KB per
// session is the target): their size is a deterministic byte count, so it is
// guarded here rather than by a timing-dependent heap measurement.
describe('segment histories', () => {
  it('keeps the pelvis history at 100 Hz for a 200 Hz sensor: (8 B of time + 5 float32 fields) × historyS × 100 Hz', () => {
    const pelvis = new PelvisTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION);
    expect(pelvis.historyPeriodUs).toBe(10_000);
    expect(pelvis.historyBytes).toBe(Math.ceil(HISTORY_S * 100) * (8 + 5 * 4));
  });

  it('keeps the shank history at full rate up to 250 Hz (its frontal-angle peak is sharper)', () => {
    const shank = new ShankTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION, 'left');
    expect(shank.historyPeriodUs).toBe(5_000);
    expect(shank.historyBytes).toBe(Math.ceil(HISTORY_S * 200) * (8 + 6 * 4));
  });

  it('decimates a 1 kHz sensor to the same record rates, so a faster sensor costs no more history', () => {
    const pelvis = new PelvisTracker(DEFAULT_PARAMS.segments, 1000, CALIBRATION);
    const shank = new ShankTracker(DEFAULT_PARAMS.segments, 1000, CALIBRATION, 'right');
    expect(pelvis.historyPeriodUs).toBe(10_000);
    expect(shank.historyPeriodUs).toBe(4_000);
    expect(pelvis.historyBytes).toBe(Math.ceil(HISTORY_S * 100) * (8 + 5 * 4));
  });

  // 152 KB today: 10 s (segments.historyS) of float32 fields with exact times (was 688 KB at 22 s of
  // float64 before the pelvis was decimated, 585 KB after).
  it('holds at most 160 KB of angle history per three-sensor 200 Hz session', () => {
    const trackers = [
      new PelvisTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION),
      new ShankTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION, 'left'),
      new ShankTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION, 'right'),
    ];
    const bytes = trackers.reduce((sum, t) => sum + t.historyBytes, 0);
    expect(bytes).toBeLessThanOrEqual(160 * 1024);
  });
});
