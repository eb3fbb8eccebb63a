/**
 * Min/max decimation of uPlot's aligned columns for drawing: at most two rows
 * per pixel column, carrying each series' lowest and highest value of the
 * stances that fall in that column (in the order they occurred), so a single
 * extreme stance — the one an alert is about — still reaches its pixel while
 * an hour of stances (~10,000) draws as ~2 × width points instead of all of
 * them. The data kept by the view (and the CSV export) stay whole: this is
 * only what is handed to the canvas.
 */

/**
 * @param {(number | null)[][]} data x ascending (seconds), then one column per series, null = no value
 * @param {number} columns pixel columns of the plot (≥ 1)
 * @returns {(number | null)[][]} the same columns when they already fit, else ≤ 2 rows per column
 */
export function decimate(data, columns) {
  const x = /** @type {number[]} */ (data[0] ?? []);
  const n = x.length;
  const buckets = Math.max(1, Math.floor(columns));
  if (n <= 2 * buckets) return data;
  const x0 = x[0];
  const span = x[n - 1] - x0;
  if (!(span > 0)) return data;
  const out = data.map(() => /** @type {(number | null)[]} */ ([]));
  const xs = out[0];
  let start = 0;
  for (let c = 1; c <= buckets && start < n; c++) {
    // Rows [start, end) fall in pixel column c - 1 (the last column takes the right edge too).
    let end = start;
    if (c === buckets) end = n;
    else {
      const limit = x0 + (span * c) / buckets;
      while (end < n && x[end] < limit) end++;
    }
    if (end === start) continue;
    const single = end - start === 1;
    xs.push(x[start]);
    if (!single) xs.push(x[end - 1]);
    for (let s = 1; s < data.length; s++) {
      const column = data[s];
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = column[i];
        if (v === null || v === undefined) continue;
        if (lo === -1 || v < /** @type {number} */ (column[lo])) lo = i;
        if (hi === -1 || v > /** @type {number} */ (column[hi])) hi = i;
      }
      const target = out[s];
      if (single) target.push(lo === -1 ? null : column[lo]);
      else if (lo === -1) target.push(null, null);
      else if (lo === hi) target.push(column[lo], null);
      else if (lo < hi) target.push(column[lo], column[hi]);
      else target.push(column[hi], column[lo]);
    }
    start = end;
  }
  return out;
}
