import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../params.ts';
import { PelvisEventDetector, type PelvisContact } from './pelvis-events.ts';

const G = 9.80665;
const RATE_HZ = 100;
const STEP_S = 0.55;

/**
 * A synthetic sacrum walking straight: a loading pulse of vertical acceleration
 * after each contact (Gaussian, 50 ms), the yaw rate turning toward the contact
 * side at each contact (negative at a left one). `gain(k)` scales step k's pulse.
 */
function walk(steps: number, gain: (k: number) => number): PelvisContact[] {
  const contacts: PelvisContact[] = [];
  const detector = new PelvisEventDetector(DEFAULT_PARAMS.pelvisEvents, RATE_HZ, [0, 0, 1], G, new Float64Array(3), (c) => contacts.push(c));
  const row = new Float64Array(7);
  const t0Us = 1_767_254_400_000_000;
  for (let n = 0; n < steps * STEP_S * RATE_HZ; n++) {
    const tS = n / RATE_HZ;
    let vertical = 0;
    for (let k = 0; k < steps; k++) {
      const d = tS - (k * STEP_S + 0.06);
      vertical += gain(k) * 4 * Math.exp(-(d * d) / (2 * 0.05 * 0.05));
    }
    // Left contacts at even k: yaw rate −0.5 rad/s at them, + at right ones.
    const yawRate = -0.5 * Math.cos((Math.PI * tS) / STEP_S);
    row.set([t0Us + Math.round(tS * 1e6), 0, 0, G + vertical - 1.2, 0, 0, yawRate]);
    detector.push(row, 0);
  }
  return contacts.map((c) => ({ icUs: c.icUs - t0Us, side: c.side }));
}

describe('PelvisEventDetector', () => {
  it('finds one contact per loading rise, on the side the pelvis turns toward', () => {
    const contacts = walk(20, () => 1);
    // The filters need a few steps to fill; then every step is found, in time, on alternating sides.
    const found = contacts.filter((c) => c.icUs > 2e6);
    expect(found.length).toBeGreaterThanOrEqual(15);
    for (const c of found) {
      const k = Math.round(c.icUs / 1e6 / STEP_S);
      expect(Math.abs(c.icUs / 1e6 - k * STEP_S)).toBeLessThan(0.06);
      expect(c.side).toBe(k % 2 === 0 ? 'left' : 'right');
    }
  });

  it('searches back for a weak step between two strong ones (Pan & Tompkins)', () => {
    // Step 12 loads at 40 % of the others: under the threshold (here the 20 m/s³ floor)
    // but over half of it; the search back, triggered by the long interval after it, recovers it.
    const contacts = walk(20, (k) => (k === 12 ? 0.4 : 1));
    const near = (s: number): boolean => contacts.some((c) => Math.abs(c.icUs / 1e6 - s) < 0.06);
    expect(near(12 * STEP_S)).toBe(true);
    // Without a weak step nothing extra appears.
    expect(walk(20, () => 1).length).toBe(contacts.length);
  });
});
