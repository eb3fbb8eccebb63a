import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../params.ts';
import { MountShiftMonitor } from './mount-shift.ts';

const STRIDE_US = 700_000;
const MAX_GAP_US = 2_500_000;

/** A seeded normal deviate (Box–Muller on a small LCG): the test's noise, the same every run. */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Feeds `means(k)` for k < strides (stride-to-stride SD 0.13°, as simulated running shows); returns the jumps found by stride. */
function run(strides: number, means: (k: number) => number | null, metric: (k: number, mean: number) => number = () => Number.NaN, key: (k: number) => number = () => 0) {
  const monitor = new MountShiftMonitor(DEFAULT_PARAMS.mountShift, MAX_GAP_US);
  const jitter = noise(7);
  const found: { stride: number; jump: number }[] = [];
  for (let k = 0; k < strides; k++) {
    const level = means(k);
    const mean = level === null ? null : level + 0.13 * jitter();
    const jump = monitor.push(k * STRIDE_US, mean, mean === null ? Number.NaN : metric(k, mean), key(k));
    if (jump !== 0) found.push({ stride: k, jump });
  }
  return { monitor, found };
}

describe('MountShiftMonitor', () => {
  it('stays quiet through stride-to-stride variability and a fatigue-like drift', () => {
    expect(run(2000, () => 0.2).found).toEqual([]);
    // 3° over 300 strides (~3.5 min): far faster than fatigue moves a stride mean, still a drift, not a step.
    expect(run(600, (k) => 0.01 * Math.min(k, 300)).found).toEqual([]);
  });

  it('finds a clip knocked round within the confirming strides, and the next knock too', () => {
    const { monitor, found } = run(400, (k) => (k < 100 ? 0.2 : k < 250 ? 2.7 : 0.7));
    expect(found).toHaveLength(2);
    expect(found[0]!.stride - 100).toBeLessThan(DEFAULT_PARAMS.mountShift.confirmStrides);
    expect(found[0]!.jump).toBeCloseTo(2.5, 0);
    expect(found[1]!.stride - 250).toBeLessThan(DEFAULT_PARAMS.mountShift.confirmStrides);
    expect(found[1]!.jump).toBeCloseTo(-2, 0);
    expect(monitor.offsetDeg).toBeCloseTo(0.5, 0);
  });

  it('ignores steps smaller than minShiftDeg', () => {
    expect(run(300, (k) => (k < 100 ? 0.2 : 0.9)).found).toEqual([]);
  });

  it('corrects the stance metric by its own step across the same split', () => {
    // A shank's proxy moves by 40 % of its stride-mean jump.
    const { monitor, found } = run(300, (k) => (k < 100 ? 0 : 3), (_k, mean) => 2 + 0.4 * mean);
    expect(found).toHaveLength(1);
    expect(found[0]!.jump).toBeCloseTo(1.2, 0);
    expect(monitor.metricOffsetDeg).toBeCloseTo(1.2, 0);
    expect(monitor.offsetDeg).toBeCloseTo(3, 0);
  });

  it('does not compare across a break: a gap, a new gait or yaw epoch, a pause', () => {
    // Each break comes two strides before the level change: the new reference is too short to see it.
    expect(run(300, (k) => (k === 98 ? null : k < 100 ? 0 : 3)).found).toEqual([]);
    expect(run(300, (k) => (k < 100 ? 0 : 3), undefined, (k) => (k < 98 ? 0 : 1)).found).toEqual([]);
    const monitor = new MountShiftMonitor(DEFAULT_PARAMS.mountShift, MAX_GAP_US);
    let jumps = 0;
    for (let k = 0; k < 300; k++) {
      // A 10 s pause before stride 98.
      const tUs = k * STRIDE_US + (k >= 98 ? 10e6 : 0);
      if (monitor.push(tUs, k < 100 ? 0 : 3, Number.NaN, 0) !== 0) jumps++;
    }
    expect(jumps).toBe(0);
    // After a break the reference grows back: a later step is found again.
    expect(run(300, (k) => (k === 98 ? null : k < 150 ? 0 : 3)).found).toHaveLength(1);
  });

  it("goes on across a restart's blackout (skip): a clip knocked while the angles were withheld is seen when they return", () => {
    const feed = (blackout: 'skip' | 'null'): { stride: number; jump: number }[] => {
      const monitor = new MountShiftMonitor(DEFAULT_PARAMS.mountShift, MAX_GAP_US);
      const jitter = noise(7);
      const found: { stride: number; jump: number }[] = [];
      for (let k = 0; k < 300; k++) {
        // 20 strides withheld (~13 s of settling after a long gap); the clip turned 3° during them.
        if (k >= 90 && k < 110) {
          if (blackout === 'skip') monitor.skip(k * STRIDE_US);
          else monitor.push(k * STRIDE_US, null, Number.NaN, 0);
          continue;
        }
        const jump = monitor.push(k * STRIDE_US, (k < 100 ? 0 : 3) + 0.13 * jitter(), Number.NaN, 0);
        if (jump !== 0) found.push({ stride: k, jump });
      }
      return found;
    };
    const found = feed('skip');
    expect(found).toHaveLength(1);
    expect(found[0]!.jump).toBeCloseTo(3, 0);
    // A stride that lost its angle otherwise (null) restarts the series: the same turn goes unseen.
    expect(feed('null')).toEqual([]);
  });
});
