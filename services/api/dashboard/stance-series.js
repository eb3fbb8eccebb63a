/**
 * One session's stances as chart columns: x (seconds since the session
 * start) and, per metric and side, the value on that side's rows and null
 * on the other side's (uPlot's aligned-data format; null is a gap the line
 * spans). Plain arrays grow by push, so adding a stance is O(1); an hour
 * (~10,000 stances) is a few hundred KB. Duplicates (the same side and IC,
 * e.g. a replay after a reconnect) are dropped.
 */

export const SERIES_METRICS = ['pelvicDropDeg', 'shankFrontalDeg', 'gctS', 'cadenceSpm'];
const SIDES = ['left', 'right'];

export class StanceSeries {
  /** @param {number} startUs session start (x = 0) */
  constructor(startUs) {
    this.startUs = startUs;
    /** @type {number[]} */
    this.x = [];
    /** @type {Record<string, { left: (number | null)[], right: (number | null)[] }>} */
    this.columns = {};
    for (const m of SERIES_METRICS) this.columns[m] = { left: [], right: [] };
    /** Stances per side, in arrival order (for the baseline and the latest state). */
    this.bySide = { left: /** @type {any[]} */ ([]), right: /** @type {any[]} */ ([]) };
    /** icUs already added, per side (numbers, not `side:icUs` strings: no string built per stance of an hour's load). */
    this.seen = { left: /** @type {Set<number>} */ (new Set()), right: /** @type {Set<number>} */ (new Set()) };
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
    if (!SIDES.includes(stance.side) || typeof stance.icUs !== 'number') return false;
    const seen = this.seen[stance.side];
    if (seen.has(stance.icUs)) return false;
    seen.add(stance.icUs);
    const xs = (stance.icUs - this.startUs) / 1e6;
    // Stances arrive in time order but the two sides may interleave late by a stance: insert in place (rare, short walk back).
    let at = this.x.length;
    while (at > 0 && this.x[at - 1] > xs) at--;
    // Appending is the rule (an hour's history is 10,000 of them): plain pushes, no closure or splice per value.
    const append = at === this.x.length;
    if (append) this.x.push(xs);
    else this.x.splice(at, 0, xs);
    const left = stance.side === 'left';
    for (const m of SERIES_METRICS) {
      const raw = stance[m];
      const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
      const column = this.columns[m];
      if (append) {
        column.left.push(left ? value : null);
        column.right.push(left ? null : value);
      } else {
        column.left.splice(at, 0, left ? value : null);
        column.right.splice(at, 0, left ? null : value);
      }
    }
    this.bySide[stance.side].push(stance);
    this.version++;
    return true;
  }

  /** Columns for one chart: x, then per metric its left and right (or one combined column when `combined`). */
  data(metric, combined = false) {
    const col = this.columns[metric];
    if (!combined) return [this.x, col.left, col.right];
    return [this.x, col.left.map((v, i) => (v !== null ? v : col.right[i]))];
  }

  /** The latest `n` stances of a side. @param {'left' | 'right'} side @param {number} n */
  latest(side, n) {
    return this.bySide[side].slice(-n);
  }
}
