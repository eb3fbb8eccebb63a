/**
 * The dashboard's chart data (services/api/dashboard/stance-series.js) and
 * baseline band (baseline.js): uPlot's aligned columns stay in time order
 * when the sides interleave late, duplicates from a stream replay are
 * dropped, and the baseline is the summary's or the first 30 stances'.
 */
import { describe, expect, it } from 'vitest';
import { pelvicDropBaseline } from '../../services/api/dashboard/baseline.js';
import { StanceSeries, type StanceLike } from '../../services/api/dashboard/stance-series.js';

const T0 = 1_780_000_000_000_000;
const stance = (side: 'left' | 'right', s: number, pelvicDropDeg: number | null, extra: Record<string, unknown> = {}): StanceLike => ({ side, icUs: T0 + s * 1e6, pelvicDropDeg, shankFrontalDeg: 2, gctS: 0.25, cadenceSpm: 170, ...extra });

describe('stance series', () => {
  it('builds aligned columns: x in seconds, each side its own column with nulls on the other side', () => {
    const series = new StanceSeries(T0);
    series.add(stance('left', 1, 5));
    series.add(stance('right', 1.35, 4));
    series.add(stance('left', 1.7, null, { pelvicDropReason: 'data_gap' }));
    expect(series.data('pelvicDropDeg')).toEqual([
      [1, 1.35, 1.7],
      [5, null, null],
      [null, 4, null],
    ]);
    expect(series.data('cadenceSpm', true)).toEqual([
      [1, 1.35, 1.7],
      [170, 170, 170],
    ]);
    expect(series.latest('left', 1)[0]!.icUs).toBe(T0 + 1.7e6);
  });

  it('keeps x ascending when a stance arrives late, and drops a duplicate (a replay after reconnecting)', () => {
    const series = new StanceSeries(T0);
    expect(series.add(stance('left', 2, 5))).toBe(true);
    expect(series.add(stance('left', 3, 6))).toBe(true);
    expect(series.add(stance('right', 2.5, 4))).toBe(true);
    expect(series.add(stance('right', 2.5, 4))).toBe(false);
    expect(series.add({ side: 'middle' as 'left', icUs: T0 })).toBe(false);
    const [x, left, right] = series.data('pelvicDropDeg');
    expect(x).toEqual([2, 2.5, 3]);
    expect(left).toEqual([5, null, 6]);
    expect(right).toEqual([null, 4, null]);
    expect(series.count).toBe(3);
  });
});

describe('pelvic drop baseline', () => {
  it('takes the median and middle half of the first 30 measured stances per side, and says so', () => {
    const series = new StanceSeries(T0);
    for (let i = 0; i < 80; i++) series.add(stance(i % 2 ? 'right' : 'left', i * 0.36, i % 10 === 4 ? null : i < 60 ? 4 + (i % 4) * 0.5 : 12));
    const b = pelvicDropBaseline({}, series);
    expect(b.source).toBe('early');
    expect(b.label).toMatch(/median of the first 30 stances/);
    // Later, fatigued stances (12°) do not move the fresh-legs baseline.
    expect(b.left!.median).toBeLessThan(6);
    expect(b.left!.low).toBeLessThanOrEqual(b.left!.median);
    expect(b.left!.high).toBeGreaterThanOrEqual(b.left!.median);
  });

  it('prefers the session summary when it has a baseline, and says when there is none yet', () => {
    const series = new StanceSeries(T0);
    expect(pelvicDropBaseline({}, series).source).toBe('none');
    const b = pelvicDropBaseline({ baseline: { pelvicDropDeg: { left: 4.2, right: { median: 3.9, low: 3.5, high: 4.4 } } } }, series);
    expect(b).toMatchObject({ source: 'summary', left: { median: 4.2 }, right: { median: 3.9, low: 3.5, high: 4.4 } });
  });
});
