/**
 * The charts' min/max decimation (services/api/dashboard/decimate.js): an
 * hour of stances shrinks to ≤ 2 rows per pixel column, and what a pixel
 * column shows — each series' lowest and highest stance in it — survives,
 * so an isolated extreme stance (the one an alert is about) is still drawn.
 */
import { describe, expect, it } from 'vitest';
import { decimate } from '../../services/api/dashboard/decimate.js';
import { StanceSeries } from '../../services/api/dashboard/stance-series.js';

/** Aligned columns as the review builds them: 10,000 stances, sides alternating, 0.36 s apart. */
function hour(spikeAt: number, spikeDeg: number): (number | null)[][] {
  const series = new StanceSeries(0);
  for (let i = 0; i < 10_000; i++) {
    series.add({ side: i % 2 ? 'right' : 'left', icUs: 5e6 + i * 360_000, pelvicDropDeg: i === spikeAt ? spikeDeg : 5 + Math.sin(i / 40) + (i % 7) / 10 });
  }
  return series.data('pelvicDropDeg');
}

const values = (column: (number | null)[] | undefined): number[] => (column ?? []).filter((v): v is number => v !== null);

describe('chart decimation', () => {
  it('keeps one isolated pelvic-drop spike among 10,000 stances, on its side, at ≤ 2 rows per pixel column', () => {
    for (const spikeAt of [0, 1, 4_321, 9_998, 9_999]) {
      const data = hour(spikeAt, 19.5);
      const drawn = decimate(data, 1_200);
      expect(drawn[0]!.length).toBeLessThanOrEqual(2 * 1_200);
      const side = spikeAt % 2 ? 2 : 1;
      expect(Math.max(...values(drawn[side])), `spike at ${spikeAt}`).toBe(19.5);
      expect(Math.max(...values(drawn[3 - side])), `other side at ${spikeAt}`).toBeLessThan(19.5);
      // A dip is kept as well as a peak.
      const dip = decimate(hour(spikeAt, -3), 1_200);
      expect(Math.min(...values(dip[side])), `dip at ${spikeAt}`).toBe(-3);
    }
  });

  it('keeps every column’s extremes, x ascending, each value one of the stances of its column', () => {
    const data = hour(5_000, 12);
    const drawn = decimate(data, 300);
    const x = drawn[0] as number[];
    for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThanOrEqual(x[i - 1]!);
    for (const side of [1, 2]) {
      expect(Math.max(...values(drawn[side]))).toBe(Math.max(...values(data[side])));
      expect(Math.min(...values(drawn[side]))).toBe(Math.min(...values(data[side])));
      expect(new Set(values(data[side]))).toEqual(new Set([...values(data[side]), ...values(drawn[side])]));
    }
    // Per pixel column: the same extremes as the full data's stances in that column.
    const x0 = (data[0] as number[])[0]!;
    const span = (data[0] as number[]).at(-1)! - x0;
    const columnOf = (t: number): number => Math.min(299, Math.floor(((t - x0) / span) * 300));
    const extremes = (cols: (number | null)[][], side: number): Map<number, [number, number]> => {
      const out = new Map<number, [number, number]>();
      cols[0]!.forEach((t, i) => {
        const v = cols[side]![i];
        if (v === null || v === undefined) return;
        const c = columnOf(t as number);
        const [lo, hi] = out.get(c) ?? [Infinity, -Infinity];
        out.set(c, [Math.min(lo, v), Math.max(hi, v)]);
      });
      return out;
    };
    expect(extremes(drawn, 1)).toEqual(extremes(data, 1));
    expect(extremes(drawn, 2)).toEqual(extremes(data, 2));
  });

  it('hands back data that already fits unchanged, and copes with empty, single and all-null columns', () => {
    const small = [
      [0, 1, 2],
      [1, null, 3],
    ];
    expect(decimate(small, 100)).toBe(small);
    expect(decimate([[], []], 100)).toEqual([[], []]);
    const nulls = [Array.from({ length: 1000 }, (_, i) => i), Array.from({ length: 1000 }, () => null)];
    const drawn = decimate(nulls, 10);
    expect(drawn[0]!.length).toBeLessThanOrEqual(20);
    expect(values(drawn[1])).toEqual([]);
  });
});
