import { describe, expect, it } from 'vitest';
import type { Calibration } from '../calibration/standing-calibrator.ts';
import { DEFAULT_PARAMS } from '../params.ts';
import { PelvisTracker } from './pelvis-tracker.ts';
import { ShankTracker } from './shank-tracker.ts';

const CALIBRATION: Calibration = { upSensor: [0, 0, 1], gyroBiasRadps: [0, 0, 0], quality: 'standing', quietS: 5, gravityMps2: 9.81 };
const HISTORY_S = DEFAULT_PARAMS.segments.historyS;
const SHANK_HISTORY_S = DEFAULT_PARAMS.segments.shankHistoryS;

// The angle histories are most of a session's memory (issue #10: ≤ 128 KB per
// session is the target): their size is a deterministic byte count, so it is
// guarded here rather than by a timing-dependent heap measurement. They start
// at 128 records and grow to what the reads need (the analyzer tells them),
// at most historyS / shankHistoryS; maxHistoryBytes is that ceiling.
describe('segment histories', () => {
  it('keeps the pelvis history at 100 Hz for a 200 Hz sensor: (4 B of time offset + 5 float32 fields) × historyS × 100 Hz', () => {
    const pelvis = new PelvisTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION);
    expect(pelvis.historyPeriodUs).toBe(10_000);
    expect(pelvis.maxHistoryBytes).toBe(Math.ceil(HISTORY_S * 100) * (4 + 5 * 4));
  });

  // At 100 Hz the knee proxy's stance peak reads a little differently than at 200 Hz: over 15
  // simulated sessions (3 scenarios × loss and lag cases) 23 % of 5,094 strides moved by 0.01–0.11°,
  // mean −0.005° (the proxy's error against truth is ~1°), for half the shank's memory.
  it('keeps the shank history at 100 Hz for shankHistoryS (its angles are read as its stride closes)', () => {
    const shank = new ShankTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION, 'left');
    expect(shank.historyPeriodUs).toBe(10_000);
    expect(shank.maxHistoryBytes).toBe(Math.ceil(SHANK_HISTORY_S * 100) * (4 + 6 * 4));
  });

  it('decimates a 1 kHz sensor to the same record rates, so a faster sensor costs no more history', () => {
    const pelvis = new PelvisTracker(DEFAULT_PARAMS.segments, 1000, CALIBRATION);
    const shank = new ShankTracker(DEFAULT_PARAMS.segments, 1000, CALIBRATION, 'right');
    expect(pelvis.historyPeriodUs).toBe(10_000);
    expect(shank.historyPeriodUs).toBe(10_000);
    expect(pelvis.maxHistoryBytes).toBe(Math.ceil(HISTORY_S * 100) * (4 + 5 * 4));
    expect(shank.maxHistoryBytes).toBe(Math.ceil(SHANK_HISTORY_S * 100) * (4 + 6 * 4));
  });

  // 51 KB at most: the pelvis's 10 s and the shanks' 5 s at 100 Hz, float32 fields, Int32 time offsets
  // (was 152 KB with 10 s shank histories at 200 Hz and float64 times; 688 KB at 22 s of float64).
  it('holds at most 56 KB of angle history per three-sensor 200 Hz session, 9 KB to start with', () => {
    const trackers = [
      new PelvisTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION),
      new ShankTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION, 'left'),
      new ShankTracker(DEFAULT_PARAMS.segments, 200, CALIBRATION, 'right'),
    ];
    expect(trackers.reduce((sum, t) => sum + t.maxHistoryBytes, 0)).toBeLessThanOrEqual(56 * 1024);
    expect(trackers.reduce((sum, t) => sum + t.historyBytes, 0)).toBe(128 * (3 * 4 + 5 * 4 + 2 * 6 * 4));
  });
});
