/**
 * One session's stances as chart columns: x (seconds since the session
 * start) and, per metric and side, the value on that side's rows and null
 * on the other side's (uPlot's aligned-data format; null is a gap the line
 * spans). Plain arrays grow by push, so adding a stance is O(1); an hour
 * (~10,000 stances) is ~2 MB of heap (measured in Node; keeping the API's
 * row objects, as the series did before, was ~4 MB). Duplicates (the same
 * side and IC, e.g. a replay after a reconnect) are dropped.
 *
 * Stances come in two forms: one at a time as objects (the live stream)
 * and a page at a time as columns (the API's `layout=columns` stride page,
 * one array per field: how a session's history is loaded). A column page
 * is read value by value into the same arrays, so an hour's history never
 * becomes 10,000 objects in the page.
 */

export const SERIES_METRICS = ['pelvicDropDeg', 'shankFrontalDeg', 'gctS', 'cadenceSpm'];
/** The columns a stride page must carry for the series (the API sends every export column; these are the ones read). */
const PAGE_COLUMNS = ['side', 'icUs', ...SERIES_METRICS];

/** A finite number, or null ("not measured": a gap in the line, never 0). @param {unknown} raw */
const valueOf = (raw) => (typeof raw === 'number' && Number.isFinite(raw) ? raw : null);

/** One side's stances in arrival order, one array per field (append-only: a later insert never shifts them). */
function sideColumns() {
  /** @type {{ icUs: number[] } & Record<string, (number | null)[]>} */
  const columns = { icUs: [] };
  for (const m of SERIES_METRICS) columns[m] = [];
  return columns;
}

/**
 * The columns of a stride page, checked: every column the series reads, each an array of `count` values.
 * @param {{ count?: unknown, columns?: Record<string, unknown> }} page
 * @returns {Record<string, unknown[]>}
 */
function pageColumns(page) {
  const { count, columns } = page ?? {};
  if (!Number.isInteger(count) || columns === null || typeof columns !== 'object') throw new TypeError(`a stride page as columns has {count, columns, next}; got keys ${Object.keys(page ?? {}).join(', ') || 'none'} (was layout=columns asked for?)`);
  for (const name of PAGE_COLUMNS) {
    const column = columns[name];
    if (!Array.isArray(column) || column.length !== count) throw new TypeError(`the stride page's column ${name} is ${Array.isArray(column) ? `${column.length} values long, not count = ${count}` : 'missing'}`);
  }
  return /** @type {Record<string, unknown[]>} */ (columns);
}

export class StanceSeries {
  /** @param {number} startUs session start (x = 0) */
  constructor(startUs) {
    this.startUs = startUs;
    /** @type {number[]} */
    this.x = [];
    /** @type {Record<string, { left: (number | null)[], right: (number | null)[] }>} */
    this.columns = {};
    for (const m of SERIES_METRICS) this.columns[m] = { left: [], right: [] };
    /** Stances per side, in arrival order, as columns (for the baseline and the latest state). */
    this.bySide = { left: sideColumns(), right: sideColumns() };
    /** icUs already added, per side (numbers, not `side:icUs` strings: no string built per stance of an hour's load). */
    this.seen = { left: /** @type {Set<number>} */ (new Set()), right: /** @type {Set<number>} */ (new Set()) };
    /** One stance's metric values, in SERIES_METRICS order: reused by every add, so adding allocates nothing per stance. */
    this.values = SERIES_METRICS.map(() => /** @type {number | null} */ (null));
    /** Bumped on every change, so a view can tell whether to redraw. */
    this.version = 0;
  }

  get count() {
    return this.x.length;
  }

  /**
   * Adds one stance (a stride record of the API or the live stream). Returns false for a duplicate or a bad record.
   * @param {{ side: string, icUs: number } & Record<string, unknown>} stance
   */
  add(stance) {
    for (let j = 0; j < SERIES_METRICS.length; j++) this.values[j] = valueOf(stance[SERIES_METRICS[j]]);
    return this.put(stance.side, stance.icUs);
  }

  /**
   * Adds a stride page of the API in its `layout=columns` form (`{count, columns: {side: […], icUs: […], …}}`), value by
   * value, no object per stance. Returns how many stances were new. Throws a TypeError naming the column when the page
   * lacks one the series reads or a column's length is not `count` (a transposed page that does not line up would
   * otherwise draw values at the wrong stances).
   * @param {{ count?: unknown, columns?: Record<string, unknown> }} page
   */
  addColumns(page) {
    const columns = pageColumns(page);
    const { side, icUs } = columns;
    const metrics = SERIES_METRICS.map((m) => columns[m]);
    let added = 0;
    for (let i = 0; i < side.length; i++) {
      for (let j = 0; j < metrics.length; j++) this.values[j] = valueOf(metrics[j][i]);
      if (this.put(side[i], icUs[i])) added++;
    }
    return added;
  }

  /**
   * The one way in: a stance of `side` at `icUs` with the metric values in `this.values`. False for a duplicate or a bad one.
   * @param {unknown} side @param {unknown} icUs
   */
  put(side, icUs) {
    if ((side !== 'left' && side !== 'right') || typeof icUs !== 'number') return false;
    const seen = this.seen[side];
    if (seen.has(icUs)) return false;
    seen.add(icUs);
    const xs = (icUs - this.startUs) / 1e6;
    // Stances arrive in time order but the two sides may interleave late by a stance: insert in place (rare, short walk back).
    let at = this.x.length;
    while (at > 0 && this.x[at - 1] > xs) at--;
    // Appending is the rule (an hour's history is 10,000 of them): plain pushes, no closure or splice per value.
    const append = at === this.x.length;
    if (append) this.x.push(xs);
    else this.x.splice(at, 0, xs);
    const left = side === 'left';
    const mine = this.bySide[side];
    mine.icUs.push(icUs);
    for (let j = 0; j < SERIES_METRICS.length; j++) {
      const m = SERIES_METRICS[j];
      const value = this.values[j];
      const column = this.columns[m];
      if (append) {
        column.left.push(left ? value : null);
        column.right.push(left ? null : value);
      } else {
        column.left.splice(at, 0, left ? value : null);
        column.right.splice(at, 0, left ? null : value);
      }
      mine[m].push(value);
    }
    this.version++;
    return true;
  }

  /** Columns for one chart: x, then per metric its left and right (or one combined column when `combined`). */
  data(metric, combined = false) {
    const col = this.columns[metric];
    if (!combined) return [this.x, col.left, col.right];
    return [this.x, col.left.map((v, i) => (v !== null ? v : col.right[i]))];
  }

  /**
   * The first `n` measured values of a metric on one side, in arrival order (the fresh-legs baseline's stances).
   * @param {'left' | 'right'} side @param {string} metric @param {number} n
   */
  first(side, metric, n) {
    const values = [];
    for (const v of this.bySide[side][metric] ?? []) {
      if (v === null) continue;
      values.push(v);
      if (values.length === n) break;
    }
    return values;
  }

  /**
   * The latest `n` stances of a side, as `{side, icUs, <metric>…}` (made on demand: only these few become objects).
   * @param {'left' | 'right'} side @param {number} n
   */
  latest(side, n) {
    const mine = this.bySide[side];
    const out = [];
    for (let i = Math.max(0, mine.icUs.length - n); i < mine.icUs.length; i++) {
      /** @type {{ side: 'left' | 'right', icUs: number } & Record<string, number | null>} */
      const stance = { side, icUs: mine.icUs[i] };
      for (const m of SERIES_METRICS) stance[m] = mine[m][i];
      out.push(stance);
    }
    return out;
  }
}
