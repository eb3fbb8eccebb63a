import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../params.ts';
import { PelvisEventDetector, type PelvisContact } from './pelvis-events.ts';

const G = 9.80665;
const RATE_HZ = 100;
const STEP_S = 0.55;

interface Walk {
  /** Steps taken (step k at k × STEP_S, left at even k). */
  steps: number;
  /** Scale of step k's loading pulse; 0: no step. */
  gain?: (k: number) => number;
  /** A turning rate added to the yaw rate at time t (s), rad/s. */
  turnRadps?: (tS: number) => number;
  /** Standing before the first step, s. */
  standS?: number;
  /** Whether the detector is told the data ended (finish). */
  finish?: boolean;
  rateHz?: number;
  stepS?: number;
  /** Running: a flight (free fall, the sensor reads ~0 g) before each contact, and the pelvis turning away from the contact leg. */
  run?: boolean;
  /** With `run`: the flights (default); false keeps the running turn without them. */
  flights?: boolean;
}

/**
 * A synthetic sacrum walking: a loading pulse of vertical acceleration after
 * each contact (Gaussian, 50 ms), the yaw rate turning toward the contact side
 * at each contact (negative at a left one), optionally a turn on top.
 * Returns the contacts with times relative to the first step.
 */
function walk({ steps, gain = () => 1, turnRadps = () => 0, standS = 3, finish = true, rateHz = RATE_HZ, stepS = STEP_S, run = false, flights = run }: Walk): PelvisContact[] {
  const contacts: PelvisContact[] = [];
  const detector = new PelvisEventDetector(DEFAULT_PARAMS.pelvisEvents, rateHz, [0, 0, 1], G, new Float64Array(3), (c) => contacts.push(c));
  const row = new Float64Array(7);
  const t0Us = 1_767_254_400_000_000;
  const endS = standS + steps * stepS;
  for (let n = 0; n < endS * rateHz; n++) {
    const tS = n / rateHz;
    const walkS = tS - standS;
    let vertical = 0;
    for (let k = 0; k < steps; k++) {
      const d = walkS - (k * stepS + 0.06);
      vertical += gain(k) * 4 * Math.exp(-(d * d) / (2 * 0.05 * 0.05));
      // The flight: 120 ms of free fall up to the contact (the row then reads 0 m/s²).
      if (flights && gain(k) > 0 && walkS >= k * stepS - 0.12 && walkS < k * stepS) vertical = 1.2 - G;
    }
    const swing = walkS >= -stepS / 2 ? (run ? 0.5 : -0.5) * Math.cos((Math.PI * walkS) / stepS) : 0;
    row.set([t0Us + Math.round(tS * 1e6), 0, 0, G + vertical - 1.2, 0, 0, swing + turnRadps(tS)]);
    detector.push(row, 0);
  }
  if (finish) detector.finish();
  return contacts.map((c) => ({ icUs: c.icUs - t0Us - standS * 1e6, side: c.side }));
}

/** Contacts near step k's time (±60 ms). */
const at = (contacts: PelvisContact[], k: number, stepS = STEP_S): PelvisContact[] => contacts.filter((c) => Math.abs(c.icUs / 1e6 - k * stepS) < 0.06);

describe('PelvisEventDetector', () => {
  it('finds one contact per loading rise, on the side the pelvis turns toward', () => {
    const contacts = walk({ steps: 30 });
    // Every step, in time, on alternating sides, nothing else.
    for (let k = 0; k < 30; k++) {
      expect(at(contacts, k), `step ${k}`).toHaveLength(1);
      expect(at(contacts, k)[0]!.side).toBe(k % 2 === 0 ? 'left' : 'right');
    }
    expect(contacts).toHaveLength(30);
  });

  it.each([
    [250, 0.5],
    [250, 0.75],
    [1000, 0.5],
    [1000, 0.75],
  ])('finds the same contacts and sides at %i Hz, %f s steps (above 250 Hz the side filter runs on block means)', (rateHz, stepS) => {
    const contacts = walk({ steps: 30, rateHz, stepS, turnRadps: (tS) => (tS > 8 && tS < 10.5 ? Math.PI / 2 / 2.5 : 0) });
    expect(contacts).toHaveLength(30);
    for (let k = 0; k < 30; k++) expect(at(contacts, k, stepS)[0]?.side, `step ${k}`).toBe(k % 2 === 0 ? 'left' : 'right');
  });

  it('keeps the contacts of the last 1.5 s only when told the data ended', () => {
    // The side filter decides 1.5 s late; finish() completes it by reflection.
    const unfinished = walk({ steps: 30, finish: false });
    expect(at(unfinished, 28)).toHaveLength(0);
    expect(at(unfinished, 29)).toHaveLength(0);
    const finished = walk({ steps: 30 });
    expect(at(finished, 28)).toHaveLength(1);
    expect(at(finished, 29)).toHaveLength(1);
  });

  it('reads the side through a turn (the band-pass takes out turning)', () => {
    // A 90° turn over 2.5 s (0.63 rad/s, bigger than the step swing) in the middle of the walk.
    const turn = (tS: number): number => (tS > 8 && tS < 10.5 ? Math.PI / 2 / 2.5 : 0);
    const contacts = walk({ steps: 30, turnRadps: turn });
    let right = 0;
    for (let k = 0; k < 30; k++) if (at(contacts, k)[0]?.side === (k % 2 === 0 ? 'left' : 'right')) right++;
    expect(right).toBeGreaterThanOrEqual(28);
  });

  it('searches back for a weak step between two strong ones (Pan & Tompkins)', () => {
    // Step 12 loads at 40 % of the others: under the threshold (here the 20 m/s³ floor)
    // but over half of it; found once the next step is overdue.
    const contacts = walk({ steps: 20, gain: (k) => (k === 12 ? 0.4 : 1) });
    expect(at(contacts, 12)).toHaveLength(1);
    expect(at(contacts, 12)[0]!.side).toBe('left');
    // Under half the threshold it is not a step.
    expect(at(walk({ steps: 20, gain: (k) => (k === 12 ? 0.15 : 1) }), 12)).toHaveLength(0);
  });

  it('finds a weak step every other step (a limping or slow walk)', () => {
    const contacts = walk({ steps: 30, gain: (k) => (k % 2 === 1 ? 0.4 : 1) });
    // After the rhythm is known (four steps), every weak right step is found.
    for (let k = 9; k < 30; k += 2) expect(at(contacts, k), `step ${k}`).toHaveLength(1);
  });

  it('reads the side the other way after a flight: a runner\'s pelvis turns with the other, swinging leg', () => {
    const contacts = walk({ steps: 30, stepS: 0.36, run: true });
    expect(contacts).toHaveLength(30);
    for (let k = 0; k < 30; k++) expect(at(contacts, k, 0.36)[0]?.side, `step ${k}`).toBe(k % 2 === 0 ? 'left' : 'right');
    // The same turning without the flights is read as a walker's: every side the other way.
    const grounded = walk({ steps: 30, stepS: 0.36, run: true, flights: false });
    expect(grounded).toHaveLength(30);
    for (let k = 0; k < 30; k++) expect(at(grounded, k, 0.36)[0]?.side, `step ${k}`).toBe(k % 2 === 0 ? 'right' : 'left');
  });

  it('finds the weak last step of a bout and the weak first steps of the next', () => {
    // Two bouts with a 4 s rest between them (a bout break); the last step of
    // the first bout and the first two of the second load at 40 %.
    const restSteps = Math.round(4 / STEP_S);
    const gain = (k: number): number => {
      if (k >= 15 && k < 15 + restSteps) return 0;
      return k === 14 || k === 15 + restSteps || k === 16 + restSteps ? 0.4 : 1;
    };
    const contacts = walk({ steps: 30 + restSteps, gain });
    for (const k of [14, 15 + restSteps, 16 + restSteps]) expect(at(contacts, k), `step ${k}`).toHaveLength(1);
    // Nothing during the rest.
    expect(contacts.filter((c) => c.icUs / 1e6 > 15 * STEP_S - 0.2 && c.icUs / 1e6 < (15 + restSteps) * STEP_S - 0.2)).toHaveLength(0);
  });
});
