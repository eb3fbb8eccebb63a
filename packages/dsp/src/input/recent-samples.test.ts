import { describe, expect, it } from 'vitest';
import { typedArrayFootprint } from '../session/footprint.ts';
import { bridgeReachUs, RecentSamples } from './recent-samples.ts';

const T0 = 1_767_254_418_770_000;
const PERIOD_US = 5000;
/** A running-like gyro x: one cycle per 0.7 s stride. */
const gx = (tUs: number) => 5 * Math.sin((2 * Math.PI * (tUs - T0)) / 700_000);

function feed(recent: RecentSamples, from: number, to: number): void {
  const row = new Float64Array(7);
  for (let i = from; i < to; i++) {
    row[0] = T0 + i * PERIOD_US;
    row[1] = 9.81;
    row[4] = gx(row[0]);
    recent.push(row, 0);
  }
}

describe('RecentSamples', () => {
  it('gives a channel between samples by linear interpolation, to the Int16 step, and NaN outside what is kept or across a gap', () => {
    const recent = new RecentSamples();
    feed(recent, 0, 100);
    const at = T0 + 50 * PERIOD_US + 2500;
    const between = (gx(at - 2500) + gx(at + 2500)) / 2;
    // ±2000 °/s in 16 bits: 1.07e-3 rad/s a step.
    expect(Math.abs(recent.valueAt(at, 3, PERIOD_US, 3 * PERIOD_US) - between)).toBeLessThan(1.1e-3);
    expect(recent.valueAt(at, 0, PERIOD_US, 3 * PERIOD_US)).toBeCloseTo(9.81, 2);
    expect(recent.valueAt(T0 - 1000, 3, PERIOD_US, 3 * PERIOD_US)).toBeNaN();
    expect(recent.valueAt(T0 + 100 * PERIOD_US, 3, PERIOD_US, 3 * PERIOD_US)).toBeNaN();
    // Two samples 10 ms apart with a 7.5 ms limit: a gap, no value.
    expect(recent.valueAt(at, 3, PERIOD_US, 0.75 * PERIOD_US)).toBeNaN();
  });

  it('keeps all six channels in 16 B a sample (a 4-byte time, 2 bytes a channel)', () => {
    const all = new RecentSamples();
    feed(all, 0, 300);
    const at = T0 + 150 * PERIOD_US + 2500;
    expect(all.valueAt(at, 0, PERIOD_US, 3 * PERIOD_US)).toBeCloseTo(9.81, 2);
    expect(all.valueAt(at, 5, PERIOD_US, 3 * PERIOD_US)).not.toBeNaN();
    // Every slot of the ring: a 4-byte time offset and six Int16 channels — the 300 samples and the ring's headroom.
    const bytes = typedArrayFootprint(all).bytes;
    expect(bytes % 16).toBe(0);
    expect(bytes).toBeGreaterThanOrEqual(300 * 16);
    expect(bytes).toBeLessThan(2 * 300 * 16);
  });

  it('keeps what a bridge reaches back to — the stride and half again — and lets the rest go', () => {
    const recent = new RecentSamples();
    // No stride known yet: everything, up to 2.5 s.
    feed(recent, 0, 1000);
    expect(recent.valueAt(T0 + 490 * PERIOD_US, 3, PERIOD_US, 3 * PERIOD_US)).not.toBeNaN();
    const strideUs = 700_000;
    const newestUs = T0 + 999 * PERIOD_US;
    recent.retainFrom(newestUs - bridgeReachUs(strideUs));
    feed(recent, 1000, 1400);
    const nowUs = T0 + 1399 * PERIOD_US;
    recent.retainFrom(nowUs - bridgeReachUs(strideUs));
    // A gap now, bridged from one stride back — and from a stride 45 % longer, had the runner slowed since.
    for (const back of [strideUs, 1.45 * strideUs]) expect(recent.valueAt(nowUs - back, 3, PERIOD_US, 3 * PERIOD_US)).toBeCloseTo(gx(nowUs - back), 2);
    // Not the 2.5 s it kept while the stride was unknown.
    expect(recent.valueAt(nowUs - 2_000_000, 3, PERIOD_US, 3 * PERIOD_US)).toBeNaN();
  });
});
