/** Robust location and spread: the median, and the MAD scaled to an SD (1.4826 × MAD, exact for a normal). */

/** Median and MAD-based SD (1.4826 × MAD) of the first `count` values; sorts them in place. */
export function robustStats(values: Float64Array, count: number): { median: number; sd: number } {
  const v = values.subarray(0, count);
  v.sort();
  const median = medianOfSorted(v, count);
  const mad = medianOfSorted(Float64Array.from(v, (x) => Math.abs(x - median)).sort(), count);
  return { median, sd: 1.4826 * mad };
}

/** Median of the first `n` values of an ascending array (the mean of the middle two when n is even). */
export function medianOfSorted(sorted: Float64Array, n: number): number {
  return n % 2 === 1 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

const scratchByLength = new Map<number, Float64Array>();

/**
 * A scratch array of exactly `length` values shared by every session of the
 * process (one per length): a median's sorted copy means nothing between
 * calls, and JS runs one call at a time, so a copy per monitor — about fifteen
 * a session, 4.5 KB and their views — held nothing worth keeping. For use
 * within one synchronous call that does not reach another user of the same
 * length before it is done with it.
 */
export function sharedScratch(length: number): Float64Array {
  let scratch = scratchByLength.get(length);
  if (scratch === undefined) scratchByLength.set(length, (scratch = new Float64Array(length)));
  return scratch;
}
