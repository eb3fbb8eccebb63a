// What a live running session holds, on simulated running (not a synthetic
// sway, which finds no strides): issue #10 item 6 / #14 item 5 ask ≤ 128 KB
// per warm session, and the bench (pnpm bench --only memory) measures the
// process; this guards the typed arrays, the bulk of it, deterministically.
import { SessionAnalyzer, typedArrayFootprint } from '@gaitwatch/dsp';
import { SENSOR_IDS } from '@gaitwatch/protocol';
import { MessageSource, SimulatedSession } from '@gaitwatch/runner-sim';
import { describe, expect, it } from 'vitest';

function warmSession(durationS: number): SessionAnalyzer {
  const session = new SimulatedSession({ scenario: 'steady', durationS, seed: 14, runnerIndex: 100 });
  const source = new MessageSource(session, 20);
  const analyzer = new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: 'a', sessionId: 's' });
  for (let f = source.next(); f !== undefined; f = source.next()) analyzer.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count);
  return analyzer;
}

function bytesUnder(analyzer: SessionAnalyzer, pattern: RegExp): number {
  let bytes = 0;
  for (const [path, b] of typedArrayFootprint(analyzer).byPath) if (pattern.test(path)) bytes += b;
  return bytes;
}

describe('memory of a warm running session', () => {
  // Warm: past the fresh-legs baseline (30 s warm-up + 60 s of running, ~135 s of this session), as
  // nearly all of a live session's life is. While it is learnt, each of the six series holds its
  // values too (~11 KB more: measured 93.0 KB at 45 s).
  const analyzer = warmSession(150);

  it('holds at most 82 KB of typed arrays (measured 80.6 KB since the shank detectors keep the axial acceleration for the contact onset, 78.7 KB before; 74.5 KB while the shanks kept only their gyro for a bridge, 91.5 KB before the baseline values were let go once armed), in a few buffers', () => {
    const footprint = typedArrayFootprint(analyzer);
    expect(footprint.bytes, `${(footprint.bytes / 1024).toFixed(1)} KB in ${footprint.buffers} buffers`).toBeLessThanOrEqual(82 * 1024);
    expect(footprint.buffers).toBeLessThanOrEqual(40);
  });

  it('keeps of each sensor\'s raw samples what a bridge reaches back to (~1.2 s of running), not the 2.5 s it may', () => {
    // 16 B a sample (every sensor keeps its accelerations: a bridged gap's stand in for the lost ones in the
    // attitude's correction); 512 samples a sensor at most (measured ~364: the reach plus the 32 samples before
    // the bound moves again, and a quarter; 17.1 KB in all).
    const recentBytes = bytesUnder(analyzer, /\.recent<RecentSamples>\./);
    expect(recentBytes).toBeGreaterThan(0);
    expect(recentBytes).toBeLessThanOrEqual(400 * 16 * 3);
  });

  it('keeps ~3 s of each angle history at 100 Hz, not the 10 s / 5 s it may grow to', () => {
    expect(bytesUnder(analyzer, /^SessionAnalyzer\.pelvis<PelvisTracker>\.ring</)).toBeLessThanOrEqual(400 * 24);
    expect(bytesUnder(analyzer, /^SessionAnalyzer\.shanks<Map>\[\w+\]\.ring</)).toBeLessThanOrEqual(2 * 400 * 28);
  });
});
