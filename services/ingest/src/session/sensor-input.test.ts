import type { ImuFrame } from '@gaitwatch/protocol';
import { describe, expect, it } from 'vitest';
import { SensorInput, type ReleasedFrame } from './sensor-input.ts';

const PERIOD_US = 5000;
const T0_US = 1_700_000_000_000_000;

/** Frame `i` of a 200 Hz stream cut in `size`-sample frames; sample values carry the sample index (ax). */
function frame(i: number, size = 10, seq = i): ImuFrame {
  const samples = new Float64Array(size * 6);
  for (let k = 0; k < size; k++) samples[k * 6] = i * size + k;
  return { sensor: 'pelvis', seq, t0Us: T0_US + i * size * PERIOD_US, periodUs: PERIOD_US, count: size, samples };
}

/** Sample indices (ax) and times of what was released, in order. */
function collect(): { out: ReleasedFrame[]; indices: () => number[]; times: () => number[] } {
  const out: ReleasedFrame[] = [];
  const each = (f: (r: ReleasedFrame, k: number) => number): number[] => out.flatMap((r) => Array.from({ length: r.count }, (_, k) => f(r, k)));
  return { out, indices: () => each((r, k) => r.samples[k * 6]!), times: () => each((r, k) => Math.round(r.t0Us + k * r.periodUs)) };
}

const options = { jitterUs: 200_000, jitterMs: 250, maxFrames: 64 };

describe('SensorInput', () => {
  it('holds the first frame for the window, then lets in-order frames through as they arrive, every sample once', () => {
    const input = new SensorInput('pelvis', options);
    const got = collect();
    const releasedAfter: number[] = [];
    for (let i = 0; i < 20; i++) {
      input.offer(frame(i), 0);
      input.release(0, (f) => got.out.push(f));
      releasedAfter.push(got.out.length);
    }
    // The first waits until a frame 200 ms (4 frames of 50 ms) later has come: an earlier one may still arrive.
    expect(releasedAfter.slice(0, 4)).toEqual([0, 0, 0, 0]);
    // Then every frame continues the released samples and goes on at once: nothing is held in an in-order stream.
    expect(releasedAfter.slice(4)).toEqual(Array.from({ length: 16 }, (_, k) => k + 5));
    expect(input.depth).toBe(0);
    expect(got.indices()).toEqual(Array.from({ length: 200 }, (_, k) => k));
    expect(input.stats).toMatchObject({ frames: 20, duplicateFrames: 0, staleSamples: 0, samples: 200, gaps: 0, missingSamples: 0 });
    expect(input.completenessPct()).toBe(100);
  });

  it('holds a frame after a hole for the window, and lets the missing one in when it comes in time', () => {
    const input = new SensorInput('pelvis', options);
    const got = collect();
    for (const i of [0, 1, 2, 3, 4]) input.offer(frame(i), 0);
    input.release(0, (f) => got.out.push(f));
    expect(got.out).toHaveLength(5);
    // Frame 5 is late: 6 and 7 wait behind the hole…
    input.offer(frame(6), 0);
    input.offer(frame(7), 0);
    input.release(0, (f) => got.out.push(f));
    expect(got.out).toHaveLength(5);
    expect(input.depth).toBe(2);
    // …and go on, in order, the moment it arrives.
    input.offer(frame(5), 0);
    input.release(0, (f) => got.out.push(f));
    expect(input.depth).toBe(0);
    expect(got.indices()).toEqual(Array.from({ length: 80 }, (_, k) => k));
    expect(input.stats.gaps).toBe(0);
  });

  it('puts frames reordered within the window back in time order', () => {
    const input = new SensorInput('pelvis', options);
    const got = collect();
    const order = [0, 2, 1, 3, 5, 4, 6, 7, 9, 8, 10, 11];
    for (const i of order) {
      input.offer(frame(i), 0);
      input.release(0, (f) => got.out.push(f));
    }
    input.release(0, (f) => got.out.push(f), true);
    expect(got.indices()).toEqual(Array.from({ length: 120 }, (_, k) => k));
    const times = got.times();
    for (let k = 1; k < times.length; k++) expect(times[k]).toBeGreaterThan(times[k - 1]!);
  });

  it('drops a frame seen before (same seq and t0) and counts it', () => {
    const input = new SensorInput('pelvis', options);
    const got = collect();
    for (const i of [0, 1, 1, 2, 0, 3]) input.offer(frame(i), 0);
    input.release(0, (f) => got.out.push(f), true);
    expect(input.stats.duplicateFrames).toBe(2);
    expect(got.indices()).toEqual(Array.from({ length: 40 }, (_, k) => k));
  });

  it('drops samples re-sent under a new seq (by sample time), also when they overlap a frame partly', () => {
    const input = new SensorInput('pelvis', options);
    const got = collect();
    for (let i = 0; i < 4; i++) input.offer(frame(i), 0);
    input.release(0, (f) => got.out.push(f), true);
    // The relay re-sends frames 2–3 after a reconnect under new seqs, then a frame shifted by half (5 samples overlapping).
    input.offer(frame(2, 10, 100), 0);
    input.offer(frame(3, 10, 101), 0);
    const shifted = frame(4, 10, 102);
    const overlap: ImuFrame = { ...shifted, t0Us: shifted.t0Us - 5 * PERIOD_US, samples: shifted.samples.map((v, j) => (j % 6 === 0 ? v - 5 : v)) };
    input.offer(overlap, 0);
    input.release(0, (f) => got.out.push(f), true);
    expect(input.stats.duplicateFrames).toBe(0);
    expect(input.stats.staleSamples).toBe(25);
    expect(got.indices()).toEqual(Array.from({ length: 45 }, (_, k) => k));
  });

  it('remembers the last seqMemory seqs of an in-order stream (seqs up to 2^32 − 1), a duplicate older than that dropped as stale', () => {
    const input = new SensorInput('pelvis', { ...options, seqMemory: 8 });
    const got = collect();
    const base = 2 ** 32 - 12;
    for (let i = 0; i < 10; i++) input.offer(frame(i, 10, base + i), 0);
    input.release(0, (f) => got.out.push(f), true);
    // Frames 2–9 are the last eight: each a duplicate frame; frame 1's slot now holds frame 9's seq, so it is not known.
    for (let i = 2; i < 10; i++) expect(input.offer(frame(i, 10, base + i), 0)).toBe(false);
    expect(input.offer(frame(1, 10, base + 1), 0)).toBe(true);
    input.release(0, (f) => got.out.push(f), true);
    expect(input.stats).toMatchObject({ duplicateFrames: 8, staleSamples: 10 });
    expect(got.indices()).toEqual(Array.from({ length: 100 }, (_, k) => k));
    expect(() => new SensorInput('pelvis', { ...options, seqMemory: 100 })).toThrow(/power of two/);
  });

  it('keeps new data under a seq number seen before (a relay that restarted its counter)', () => {
    const input = new SensorInput('pelvis', options);
    const got = collect();
    input.offer(frame(0, 10, 0), 0);
    input.offer(frame(1, 10, 1), 0);
    expect(input.offer(frame(2, 10, 0), 0)).toBe(true);
    input.release(0, (f) => got.out.push(f), true);
    expect(got.indices()).toEqual(Array.from({ length: 30 }, (_, k) => k));
  });

  it('releases on wall time when the data stops, and bounds the buffer by maxFrames', () => {
    const input = new SensorInput('pelvis', { ...options, maxFrames: 3 });
    const got = collect();
    input.offer(frame(0), 1000);
    input.release(1100, (f) => got.out.push(f));
    expect(got.out).toHaveLength(0);
    input.release(1250, (f) => got.out.push(f));
    expect(got.out).toHaveLength(1);
    // A window wide enough to hold everything (1 h), a hole before every frame (so none continues the last): only the bound releases.
    const wide = new SensorInput('pelvis', { jitterUs: 3.6e9, jitterMs: 3.6e6, maxFrames: 3 });
    const held = collect();
    for (let i = 0; i < 10; i++) {
      wide.offer(frame(2 * i), 0);
      wide.release(0, (f) => held.out.push(f));
      expect(wide.depth).toBeLessThanOrEqual(3);
    }
    expect(held.out).toHaveLength(7);
  });

  it('records gaps and completeness; a frame later than the window is dropped as stale', () => {
    const input = new SensorInput('pelvis', options);
    const got = collect();
    for (const i of [0, 1, 2, 5, 6, 7, 8, 9, 10, 11]) {
      input.offer(frame(i), 0);
      input.release(0, (f) => got.out.push(f));
    }
    // Frame 3 arrives after frames up to 6 are released: too late.
    input.offer(frame(3), 0);
    input.release(0, (f) => got.out.push(f), true);
    expect(input.stats.gaps).toBe(1);
    expect(input.stats.missingSamples).toBe(20);
    expect(input.stats.staleSamples).toBe(10);
    expect(input.completenessPct()).toBe(83.3);
  });

  /** A copy of frame i whose clock jumped `aheadS` seconds (same samples, its own seq). */
  const jumped = (i: number, aheadS: number, seq: number): ImuFrame => ({ ...frame(i), seq, t0Us: frame(i).t0Us + aheadS * 1e6 });

  it('drops one frame whose clock jumped far ahead while the stream went on where it was: nothing after it is stale', () => {
    for (const aheadS of [60, 3600, 72 * 365 * 86_400]) {
      const input = new SensorInput('pelvis', options);
      const got = collect();
      for (let i = 0; i < 40; i++) {
        input.offer(frame(i), 0);
        if (i === 20) input.offer(jumped(20, aheadS, 1000), 0);
        input.release(0, (f) => got.out.push(f));
      }
      input.release(0, (f) => got.out.push(f), true);
      // Every real sample once, in order, the session's clock never past the real data.
      expect(got.indices(), `+${aheadS} s`).toEqual(Array.from({ length: 400 }, (_, k) => k));
      expect(Math.max(...got.times())).toBe(frame(39).t0Us + 9 * PERIOD_US);
      expect(input.stats).toMatchObject({ staleSamples: 0, jumpedFrames: 1, jumpedSamples: 10, gaps: 0 });
    }
  });

  it('lets a stream that really moved ahead through: after a gap (or a clock step) the data goes on from the far frame', () => {
    const input = new SensorInput('pelvis', options);
    const got = collect();
    for (let i = 0; i < 10; i++) {
      input.offer(frame(i), 0);
      input.release(0, (f) => got.out.push(f));
    }
    // 30 s of Bluetooth silence: frames 600… (frame i is 50 ms), then the stream goes on from there.
    for (let i = 600; i < 610; i++) {
      input.offer(frame(i), 0);
      input.release(0, (f) => got.out.push(f));
    }
    input.release(0, (f) => got.out.push(f), true);
    expect(got.indices()).toEqual([...Array.from({ length: 100 }, (_, k) => k), ...Array.from({ length: 100 }, (_, k) => 6000 + k)]);
    expect(input.stats).toMatchObject({ jumpedFrames: 0, staleSamples: 0, gaps: 1, missingSamples: 5900 });
  });

  it('at the end keeps a far frame nothing came after (the last data, after a gap) and drops one the stream went on behind', () => {
    const last = new SensorInput('pelvis', options);
    const lastGot = collect();
    for (const i of [0, 1, 2, 3, 4, 5, 600]) last.offer(frame(i), 0);
    last.release(0, (f) => lastGot.out.push(f), true);
    expect(lastGot.indices().slice(-10)).toEqual(Array.from({ length: 10 }, (_, k) => 6000 + k));
    const glitch = new SensorInput('pelvis', options);
    const glitchGot = collect();
    for (const i of [0, 1, 2, 3, 4, 5]) glitch.offer(frame(i), 0);
    glitch.offer(jumped(6, 3600, 999), 0);
    glitch.offer(frame(6), 0);
    glitch.release(0, (f) => glitchGot.out.push(f), true);
    expect(glitchGot.indices()).toEqual(Array.from({ length: 70 }, (_, k) => k));
    expect(glitch.stats.jumpedFrames).toBe(1);
  });
});
