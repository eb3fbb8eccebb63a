/**
 * Periodic cubic spline on [0, 1): C² everywhere, including across the wrap.
 * Used for the shank's sagittal angle over the gait cycle, from keypoints that
 * describe the motion (IC, mid-stance, TO, peak knee flexion, mid-swing, …).
 */
export class PeriodicSpline {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly m: Float64Array;

  constructor(points: readonly (readonly [number, number])[]) {
    const n = points.length;
    if (n < 3) throw new RangeError(`a periodic spline needs at least 3 keypoints, got ${n}`);
    this.xs = Float64Array.from(points, (p) => p[0]);
    this.ys = Float64Array.from(points, (p) => p[1]);
    for (let i = 1; i < n; i++) {
      if (!(this.xs[i]! > this.xs[i - 1]!)) throw new RangeError('spline keypoints must be strictly increasing in x');
    }
    if (this.xs[0]! < 0 || this.xs[n - 1]! >= 1) throw new RangeError('spline keypoints must lie in [0, 1)');
    this.m = this.solveSecondDerivatives();
  }

  private interval(i: number): number {
    const n = this.xs.length;
    return i === n - 1 ? 1 - this.xs[n - 1]! + this.xs[0]! : this.xs[i + 1]! - this.xs[i]!;
  }

  /** Cyclic tridiagonal system for the knots' second derivatives, solved densely (n ≤ ~20, once). */
  private solveSecondDerivatives(): Float64Array {
    const n = this.xs.length;
    const a = Array.from({ length: n }, () => new Float64Array(n + 1));
    for (let i = 0; i < n; i++) {
      const prev = (i - 1 + n) % n;
      const next = (i + 1) % n;
      const hPrev = this.interval(prev);
      const h = this.interval(i);
      const row = a[i]!;
      row[prev] = (row[prev] ?? 0) + hPrev / 6;
      row[i] = (row[i] ?? 0) + (hPrev + h) / 3;
      row[next] = (row[next] ?? 0) + h / 6;
      row[n] = (this.ys[next]! - this.ys[i]!) / h - (this.ys[i]! - this.ys[prev]!) / hPrev;
    }
    // Gaussian elimination with partial pivoting.
    for (let col = 0; col < n; col++) {
      let pivot = col;
      for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
      [a[col], a[pivot]] = [a[pivot]!, a[col]!];
      const p = a[col]!;
      for (let r = col + 1; r < n; r++) {
        const row = a[r]!;
        const f = row[col]! / p[col]!;
        for (let c = col; c <= n; c++) row[c] = row[c]! - f * p[c]!;
      }
    }
    const m = new Float64Array(n);
    for (let r = n - 1; r >= 0; r--) {
      const row = a[r]!;
      let s = row[n]!;
      for (let c = r + 1; c < n; c++) s -= row[c]! * m[c]!;
      m[r] = s / row[r]!;
    }
    return m;
  }

  /** Value at phase u (any real; wrapped into [0, 1)). */
  value(u: number): number {
    const n = this.xs.length;
    let x = u - Math.floor(u);
    if (x < this.xs[0]!) x += 1;
    let i = n - 1;
    for (let k = 0; k < n - 1; k++) {
      if (x < this.xs[k + 1]!) {
        i = k;
        break;
      }
    }
    const next = (i + 1) % n;
    const h = this.interval(i);
    const t = x - this.xs[i]!;
    const a = (h - t) / h;
    const b = t / h;
    return a * this.ys[i]! + b * this.ys[next]! + (((a * a * a - a) * this.m[i]! + (b * b * b - b) * this.m[next]!) * h * h) / 6;
  }
}
