/**
 * The dashboard's chart data (services/api/dashboard/stance-series.js) and
 * baseline band (baseline.js): uPlot's aligned columns stay in time order
 * when the sides interleave late, duplicates from a stream replay are
 * dropped, and the baseline is the summary's or the first 30 stances'.
 * A session's history loaded as the API's column pages (`layout=columns`)
 * gives exactly the series its row pages give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pelvicDropBaseline } from '../../services/api/dashboard/baseline.js';
import { SERIES_METRICS, StanceSeries, type StanceColumnsPage, type StanceLike } from '../../services/api/dashboard/stance-series.js';
import { openTestApi, SESSIONS, type TestApi } from '../api/helpers.ts';

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

/** What the charts, the baseline and the live cards read of a series: all of it that is shown. */
function shown(series: StanceSeries) {
  return {
    count: series.count,
    x: series.x,
    charts: Object.fromEntries(SERIES_METRICS.map((m) => [m, series.data(m)])),
    cadence: series.data('cadenceSpm', true),
    latest: { left: series.latest('left', 5), right: series.latest('right', 5) },
    baseline: pelvicDropBaseline({}, series),
  };
}

/** Rows as the API's column page of them: one array per field, absent values null. */
function columnsOf(rows: readonly StanceLike[], next: string | null = null): StanceColumnsPage {
  const fields = ['side', 'icUs', 'toUs', ...SERIES_METRICS, 'pelvicDropReason'];
  return { count: rows.length, columns: Object.fromEntries(fields.map((f) => [f, rows.map((r) => r[f] ?? null)])), next };
}

describe('stance series from column pages', () => {
  // Not measured (null) on both sides, a right stance arriving after the next left one, and fatigue after stance 60.
  const rows: StanceLike[] = Array.from({ length: 90 }, (_, i) => stance(i % 2 ? 'right' : 'left', i * 0.36 + (i === 41 ? 0.5 : 0), i % 10 === 4 || i === 7 ? null : i < 60 ? 4 + (i % 4) * 0.5 : 9, i === 12 ? { shankFrontalDeg: null, gctS: null } : { cadenceSpm: 160 + i / 10 }));

  it('draws exactly what the same stances added one by one draw (charts, combined cadence, latest, baseline)', () => {
    const fromRows = new StanceSeries(T0);
    for (const r of rows) fromRows.add(r);
    const fromColumns = new StanceSeries(T0);
    expect(fromColumns.addColumns(columnsOf(rows))).toBe(90);
    expect(shown(fromColumns)).toEqual(shown(fromRows));
    expect(fromColumns.data('pelvicDropDeg')[1]![4]).toBeNull();
    expect(fromColumns.data('gctS')[1]![12]).toBeNull();
  });

  it('takes a session page by page, drops what a page and the stream both brought, and goes on with live stances', () => {
    // The same arrival order both ways (the baseline takes the first stances that arrived): stance 50 came first.
    const fromRows = new StanceSeries(T0);
    for (const r of [rows[50]!, ...rows]) fromRows.add(r);
    const fromColumns = new StanceSeries(T0);
    // A stance the stream delivered while the history loaded, then the two pages (the first ends where the second begins).
    expect(fromColumns.add(rows[50]!)).toBe(true);
    expect(fromColumns.addColumns(columnsOf(rows.slice(0, 40), 't40'))).toBe(40);
    expect(fromColumns.addColumns(columnsOf(rows.slice(40)))).toBe(49);
    expect(fromColumns.addColumns(columnsOf(rows.slice(80)))).toBe(0);
    expect(shown(fromColumns)).toEqual(shown(fromRows));
    const next = stance('left', 90 * 0.36, 5);
    expect(fromColumns.add(next)).toBe(true);
    expect(fromColumns.latest('left', 1)).toEqual([{ side: 'left', icUs: next.icUs, pelvicDropDeg: 5, shankFrontalDeg: 2, gctS: 0.25, cadenceSpm: 170 }]);
  });

  it('refuses a page it cannot line up, naming the column, rather than draw values at the wrong stances', () => {
    const page = columnsOf(rows.slice(0, 10));
    const without = (field: string): StanceColumnsPage => ({ ...page, columns: Object.fromEntries(Object.entries(page.columns).filter(([f]) => f !== field)) });
    expect(() => new StanceSeries(T0).addColumns(without('icUs'))).toThrow(/column icUs is missing/);
    expect(() => new StanceSeries(T0).addColumns(without('cadenceSpm'))).toThrow(/column cadenceSpm is missing/);
    const short = { ...page, columns: { ...page.columns, pelvicDropDeg: page.columns['pelvicDropDeg']!.slice(1) } };
    expect(() => new StanceSeries(T0).addColumns(short)).toThrow(/column pelvicDropDeg is 9 values long, not count = 10/);
    // A row page (`{items, next}`) handed over by mistake.
    expect(() => new StanceSeries(T0).addColumns({ items: rows, next: null } as unknown as StanceColumnsPage)).toThrow(/\{count, columns, next\}; got keys items, next/);
  });
});

describe('stance series from the API: column pages and row pages draw the same', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await openTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  /** Every page of r1/s1's strides, 50 at a time, in one layout. */
  async function pages(layout: 'rows' | 'columns'): Promise<{ items?: StanceLike[]; count?: number; columns?: Record<string, unknown[]>; next: string | null }[]> {
    const out = [];
    let cursor: string | null = null;
    do {
      const res = await api.get(`/v1/sessions/r1/s1/strides?limit=50&layout=${layout}${cursor === null ? '' : `&cursor=${cursor}`}`, 'runnerR1');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      out.push(body);
      cursor = body.next;
    } while (cursor !== null);
    return out;
  }

  it('the session review’s series, its baseline and the latest stances are the same either way (nulls included)', async () => {
    const startUs = SESSIONS[0]!.startUs;
    const fromRows = new StanceSeries(startUs);
    for (const page of await pages('rows')) for (const r of page.items!) fromRows.add(r);
    const fromColumns = new StanceSeries(startUs);
    const columnPages = await pages('columns');
    expect(columnPages).toHaveLength(3);
    for (const page of columnPages) fromColumns.addColumns(page as StanceColumnsPage);
    expect(fromColumns.count).toBe(120);
    expect(shown(fromColumns)).toEqual(shown(fromRows));
    // Stance 9 (right) has no pelvic drop: a gap in the line, not 0.
    expect(fromColumns.data('pelvicDropDeg')[2]![9]).toBeNull();
  });
});
