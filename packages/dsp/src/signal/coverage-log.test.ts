import { describe, expect, it } from 'vitest';
import { CoverageLog } from './coverage-log.ts';

const PERIOD_US = 10_000;
const at = (tUs: number): [Float64Array, number] => [Float64Array.of(tUs), 0];

/** Records every period over [fromUs, toUs), bridged or real. */
function feed(log: CoverageLog, fromUs: number, toUs: number, bridged = false): void {
  for (let t = fromUs; t < toUs; t += PERIOD_US) log.note(...at(t), bridged);
}

describe('CoverageLog', () => {
  it('covers a window of continuous real records, not one reaching past the newest or before the first', () => {
    const log = new CoverageLog(8, 3 * PERIOD_US);
    feed(log, 1_000_000, 5_000_000);
    expect(log.covers(1_000_000, 4_990_000)).toBe(true);
    expect(log.covers(900_000, 2_000_000)).toBe(false);
    expect(log.covers(2_000_000, 5_100_000)).toBe(false);
  });

  it('finds a gap longer than the step and a bridged run as holes, only in windows they touch', () => {
    const log = new CoverageLog(8, 3 * PERIOD_US);
    feed(log, 0, 1_000_000);
    feed(log, 1_200_000, 2_000_000); // a 200 ms gap
    feed(log, 2_000_000, 2_100_000, true); // bridged
    feed(log, 2_100_000, 3_000_000);
    expect(log.covers(1_050_000, 1_100_000)).toBe(false);
    expect(log.covers(900_000, 1_250_000)).toBe(false);
    expect(log.covers(2_050_000, 2_060_000)).toBe(false);
    expect(log.covers(1_950_000, 2_200_000)).toBe(false);
    expect(log.covers(100_000, 900_000)).toBe(true);
    expect(log.covers(1_300_000, 1_900_000)).toBe(true);
    expect(log.covers(2_200_000, 2_900_000)).toBe(true);
    // A step within the limit (one lost record) is no hole.
    feed(log, 3_020_000, 3_500_000);
    expect(log.covers(2_900_000, 3_400_000)).toBe(true);
  });

  it('says no while a bridged run is open, and when the holes that would answer were forgotten', () => {
    const log = new CoverageLog(2, 3 * PERIOD_US);
    feed(log, 0, 1_000_000);
    feed(log, 1_000_000, 1_100_000, true);
    expect(log.covers(1_050_000, 1_060_000)).toBe(false);
    for (let k = 0; k < 3; k++) feed(log, 1_200_000 + k * 1_000_000, 2_000_000 + k * 1_000_000); // three more holes
    // Holes before the oldest one kept are gone: a window back there cannot be answered.
    expect(log.covers(100_000, 200_000)).toBe(false);
    expect(log.covers(3_300_000, 3_900_000)).toBe(true);
    log.clear();
    expect(log.covers(3_300_000, 3_900_000)).toBe(false);
  });

  it('gives the longest hole kept over a window, 0 where it knows of none', () => {
    const log = new CoverageLog(8, 3 * PERIOD_US);
    feed(log, 0, 1_000_000);
    feed(log, 1_200_000, 2_000_000); // a 210 ms hole (records every 10 ms, the last at 990 ms)
    feed(log, 2_700_000, 3_000_000); // a 710 ms one
    expect(log.longestHoleUs(100_000, 900_000)).toBe(0);
    expect(log.longestHoleUs(900_000, 1_100_000)).toBe(210_000);
    expect(log.longestHoleUs(900_000, 2_800_000)).toBe(710_000);
    // Open intervals: a window that only touches a hole's edge is not in it.
    expect(log.longestHoleUs(2_700_000, 2_900_000)).toBe(0);
  });
});
