/**
 * The runner's fresh-legs baseline of pelvic drop per side, for the band on
 * the charts: from the session summary when ingest stored one, else the
 * median (and interquartile band) of the first 30 measured stances of each
 * side — labelled so, because that is an estimate made here, not the
 * analyzer's own baseline.
 */

export const EARLY_STANCES = 30;

/** @param {number[]} sorted @param {number} q */
function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median and quartiles of the values, or null when there are none. @param {number[]} values */
export function band(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), low: quantile(sorted, 0.25), high: quantile(sorted, 0.75) };
}

/**
 * A baseline from the summary, if it holds one: `summary.baseline.pelvicDropDeg.{left,right}`
 * as a number or as `{median|value, low?, high?}`.
 * @param {any} summary @param {'left' | 'right'} side
 */
function fromSummary(summary, side) {
  const entry = summary?.baseline?.pelvicDropDeg?.[side];
  if (typeof entry === 'number') return { median: entry, low: entry, high: entry };
  const median = entry?.median ?? entry?.value;
  if (typeof median !== 'number') return null;
  return { median, low: typeof entry.low === 'number' ? entry.low : median, high: typeof entry.high === 'number' ? entry.high : median };
}

/**
 * @param {any} summary the session's stored summary (may be empty while running)
 * @param {import('./stance-series.js').StanceSeries} series
 * @returns {{ source: 'summary' | 'early' | 'none', label: string, left: ReturnType<typeof band>, right: ReturnType<typeof band> }}
 */
export function pelvicDropBaseline(summary, series) {
  const left = fromSummary(summary, 'left');
  const right = fromSummary(summary, 'right');
  if (left !== null || right !== null) return { source: 'summary', label: 'baseline from the session summary', left, right };
  // Walks only until 30 are found: called on every redraw of a session that may hold 10,000 stances.
  const l = series.first('left', 'pelvicDropDeg', EARLY_STANCES);
  const r = series.first('right', 'pelvicDropDeg', EARLY_STANCES);
  if (l.length === 0 && r.length === 0) return { source: 'none', label: 'no baseline yet', left: null, right: null };
  const partial = l.length < EARLY_STANCES || r.length < EARLY_STANCES ? ` (so far ${Math.min(l.length, r.length)})` : '';
  return { source: 'early', label: `baseline: median of the first ${EARLY_STANCES} stances per side${partial}, band = middle half`, left: band(l), right: band(r) };
}
