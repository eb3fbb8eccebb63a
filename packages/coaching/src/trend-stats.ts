/**
 * Robust trend statistics for a handful of points (a few sessions a week):
 * the Theil–Sen slope (the median of all pairwise slopes: one odd session
 * cannot tilt it, unlike least squares) and the Mann–Kendall test (do later
 * sessions tend to have larger values than earlier ones?), both distribution
 * free. n is small (tens), so the O(n²) pairs cost nothing.
 */

export interface TrendStatistic {
  /** Points used. */
  readonly n: number;
  /** Theil–Sen slope: the typical change of y per unit of x (null with fewer than 2 points). */
  readonly slope: number | null;
  /** Mann–Kendall S: concordant minus discordant pairs. */
  readonly kendallS: number;
  /** Kendall's tau-a, S over the number of pairs, −1…1. */
  readonly tau: number | null;
  /** Two-sided p-value of "no monotonic trend" (normal approximation with ties and continuity corrections). */
  readonly pValue: number | null;
}

/** Median of a non-empty list. */
function median(values: number[]): number {
  const s = values.sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export function trendStatistic(points: readonly { x: number; y: number }[]): TrendStatistic {
  const n = points.length;
  const slopes: number[] = [];
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = points[i]!;
      const b = points[j]!;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      if (dx !== 0) slopes.push(dy / dx);
      // Kendall's sign is taken in x order: a pair with equal x counts as a tie.
      s += Math.sign(dx) * Math.sign(dy);
    }
  }
  const pairs = (n * (n - 1)) / 2;
  if (n < 3) return { n, slope: slopes.length > 0 ? median(slopes) : null, kendallS: s, tau: pairs > 0 ? s / pairs : null, pValue: null };
  // Var(S) with the ties correction for groups of equal y (Kendall 1975).
  const groups = new Map<number, number>();
  for (const p of points) groups.set(p.y, (groups.get(p.y) ?? 0) + 1);
  let ties = 0;
  for (const t of groups.values()) ties += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  const z = variance > 0 ? (s === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(variance)) : 0;
  return { n, slope: slopes.length > 0 ? median(slopes) : null, kendallS: s, tau: s / pairs, pValue: variance > 0 ? Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) : 1 };
}
