/**
 * Offline building blocks for the published gait-event rules (eval only, not
 * the streaming hot path): a recording as per-sensor arrays, MATLAB-style peak
 * picking (the published rules were written and evaluated in MATLAB, Kiernan
 * et al. 2023 — their `findpeaks` semantics decide which peaks a rule sees), a
 * second-order Butterworth run forward and backward, linear detrending, and
 * Kiernan et al.'s pairing of contacts with toe-offs.
 */

/** One sensor's samples as columns: time µs, specific force m/s², rate rad/s (sensor axes). */
export interface SensorSeries {
  readonly tUs: Float64Array;
  readonly acc: readonly [Float64Array, Float64Array, Float64Array];
  readonly gyr: readonly [Float64Array, Float64Array, Float64Array];
  /** Median sample rate, Hz. */
  readonly rateHz: number;
}

/** A stance as a published rule reports it (sample times of the recording, µs). */
export interface RuleStance {
  /** Null: the rule does not tell the side (scored regardless of side). */
  readonly side: 'left' | 'right' | null;
  readonly icUs: number;
  readonly toUs: number | null;
}

export const STANDARD_GRAVITY = 9.80665;

/**
 * The recording CSV (t_us,sensor,ax,ay,az,gx,gy,gz; DESIGN.md) as one series
 * per sensor. Rows of a sensor must come in time order.
 * @throws RangeError on a row that is not 8 fields of numbers
 */
export function parseSeries(text: string): Map<string, SensorSeries> {
  const rows = new Map<string, number[][]>();
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const f = line.split(',');
    const values = [f[0], f[2], f[3], f[4], f[5], f[6], f[7]].map(Number);
    if (f.length !== 8 || values.some((v) => !Number.isFinite(v))) throw new RangeError(`recording line ${i + 1}: expected t_us,sensor and 6 numbers, got ${JSON.stringify(line.slice(0, 80))}`);
    const sensor = f[1]!;
    if (!rows.has(sensor)) rows.set(sensor, []);
    rows.get(sensor)!.push(values);
  }
  const out = new Map<string, SensorSeries>();
  for (const [sensor, r] of rows) {
    const col = (k: number): Float64Array => Float64Array.from(r, (row) => row[k]!);
    const tUs = col(0);
    const steps = Array.from({ length: tUs.length - 1 }, (_, i) => tUs[i + 1]! - tUs[i]!).sort((a, b) => a - b);
    const rateHz = steps.length === 0 ? Number.NaN : 1e6 / steps[steps.length >> 1]!;
    out.set(sensor, { tUs, acc: [col(1), col(2), col(3)], gyr: [col(4), col(5), col(6)], rateHz });
  }
  return out;
}

export interface PeakOptions {
  /** Only peaks strictly higher than this (MATLAB MinPeakHeight). */
  readonly minHeight?: number;
  /** Peaks closer than this many samples to a higher one are dropped, highest first (MATLAB MinPeakDistance). */
  readonly minDistance?: number;
}

/**
 * Indices of the local maxima of `x[from..to]` (inclusive), ascending, as
 * MATLAB's findpeaks picks them: a sample higher than its left neighbour and
 * not lower than its right one, a flat top counted once at its left edge, the
 * two ends never peaks; then MinPeakHeight, then MinPeakDistance (keep the
 * highest, drop its neighbours within the distance, repeat).
 */
export function findPeaks(x: ArrayLike<number>, options: PeakOptions = {}, from = 0, to = x.length - 1): number[] {
  let peaks: number[] = [];
  for (let i = from + 1; i < to; i++) {
    if (!(x[i]! > x[i - 1]!)) continue;
    let j = i;
    while (j < to && x[j + 1] === x[i]) j++;
    if (j < to && x[j + 1]! < x[i]!) peaks.push(i);
    i = j;
  }
  if (options.minHeight !== undefined) peaks = peaks.filter((i) => x[i]! > options.minHeight!);
  const distance = options.minDistance ?? 0;
  if (distance > 1 && peaks.length > 1) {
    const byHeight = [...peaks].sort((a, b) => x[b]! - x[a]! || a - b);
    const dropped = new Set<number>();
    for (const p of byHeight) {
      if (dropped.has(p)) continue;
      for (const q of peaks) if (q !== p && Math.abs(q - p) < distance) dropped.add(q);
    }
    peaks = peaks.filter((p) => !dropped.has(p));
  }
  return peaks;
}

/** Index of the smallest (`sign` 1) or largest (`sign` −1) value of x[from..to], the first one on ties (MATLAB min/max). */
export function argExtreme(x: ArrayLike<number>, from: number, to: number, sign: 1 | -1): number {
  let best = from;
  for (let i = from + 1; i <= to; i++) if (sign * x[i]! < sign * x[best]!) best = i;
  return best;
}

/** Second-order Butterworth low-pass by the bilinear transform with pre-warping (MATLAB butter(2, fc/(fs/2))). */
export function butterLowPass2(cutoffHz: number, rateHz: number): { b: [number, number, number]; a: [number, number] } {
  if (!(cutoffHz > 0 && cutoffHz < rateHz / 2)) throw new RangeError(`Butterworth cutoff must be in (0, ${rateHz / 2}) Hz at ${rateHz} Hz, got ${cutoffHz}`);
  const k = Math.tan((Math.PI * cutoffHz) / rateHz);
  const norm = 1 / (1 + Math.SQRT2 * k + k * k);
  const b0 = k * k * norm;
  return { b: [b0, 2 * b0, b0], a: [2 * (k * k - 1) * norm, (1 - Math.SQRT2 * k + k * k) * norm] };
}

/**
 * Zero-phase filtering (MATLAB filtfilt): forward, then backward, each pass
 * started in the steady state of its first input and the signal extended at
 * both ends by odd reflection (6 samples, as filtfilt does for a biquad).
 */
export function filtfilt(coefs: { b: readonly number[]; a: readonly number[] }, x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const pad = Math.min(6, n - 1);
  const ext = new Float64Array(n + 2 * pad);
  for (let i = 0; i < pad; i++) {
    ext[i] = 2 * x[0]! - x[pad - i]!;
    ext[n + pad + i] = 2 * x[n - 1]! - x[n - 2 - i]!;
  }
  for (let i = 0; i < n; i++) ext[pad + i] = x[i]!;
  const pass = (v: Float64Array): void => {
    const [b0, b1, b2] = coefs.b as [number, number, number];
    const [a1, a2] = coefs.a as [number, number];
    // Direct form II transposed, states at the steady state of a constant input v[0].
    let z2 = (b2 - a2 * ((b0 + b1 + b2) / (1 + a1 + a2))) * v[0]!;
    let z1 = ((b0 + b1 + b2) / (1 + a1 + a2) - b0) * v[0]!;
    for (let i = 0; i < v.length; i++) {
      const u = v[i]!;
      const y = b0 * u + z1;
      z1 = b1 * u - a1 * y + z2;
      z2 = b2 * u - a2 * y;
      v[i] = y;
    }
  };
  pass(ext);
  ext.reverse();
  pass(ext);
  ext.reverse();
  return ext.slice(pad, pad + n);
}

/** x less its least-squares straight line over the sample index (MATLAB detrend). */
export function detrend(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += i;
    sy += x[i]!;
    sxx += i * i;
    sxy += i * x[i]!;
  }
  const slope = n > 1 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0;
  const offset = (sy - slope * sx) / n;
  return Float64Array.from({ length: n }, (_, i) => x[i]! - offset - slope * i);
}

/**
 * Pairs contacts with toe-offs (sample indices) the way Kiernan et al. 2023
 * made every method's output comparable (their crash-catch step, re-written):
 * contacts unique and in order; each takes the earliest toe-off at least
 * half the shortest stance after it; contacts sharing a toe-off keep only the
 * last (a missed toe-off must not make a stance of stance + swing + stance);
 * a contact with no toe-off after it survives only as the last one.
 * `keepIcWithoutTo`: the rule has no toe-off at all (or not in this gait) —
 * every contact kept with a null toe-off instead of Kiernan's dropping all.
 */
export function pairStances(ics: readonly number[], tcs: readonly number[], minStanceSamples: number, keepIcWithoutTo = false): { ic: number; tc: number | null; at: number }[] {
  const order = [...new Set(ics.filter((i) => Number.isFinite(i)))].sort((a, b) => a - b);
  const validTcs = tcs.filter((t) => Number.isFinite(t));
  if (validTcs.length === 0) return keepIcWithoutTo ? order.map((ic) => ({ ic, tc: null, at: ics.indexOf(ic) })) : [];
  const paired = order.map((ic) => {
    let best: number | null = null;
    for (const tc of validTcs) if (tc - ic >= 0.5 * minStanceSamples && (best === null || tc < best)) best = tc;
    return { ic, tc: best, at: ics.indexOf(ic) };
  });
  const out: { ic: number; tc: number | null; at: number }[] = [];
  for (let k = 0; k < paired.length; k++) {
    const p = paired[k]!;
    // Another later contact with the same toe-off: this one is dropped.
    if (p.tc !== null && paired.slice(k + 1).some((q) => q.tc === p.tc)) continue;
    // Without a toe-off only the last contact stays.
    if (p.tc === null && k < paired.length - 1) continue;
    out.push(p);
  }
  return out;
}

/** Unit vector of the mean specific force over the whole series: "up" in the sensor frame (the mean of a gait's acceleration is gravity). */
export function meanUp(s: SensorSeries): [number, number, number] {
  const m = s.acc.map((a) => a.reduce((sum, v) => sum + v, 0) / a.length) as [number, number, number];
  const n = Math.hypot(...m);
  return [m[0] / n, m[1] / n, m[2] / n];
}

/** Projection of a sensor axis onto the horizontal plane of `up`, unit length. */
export function horizontal(axis: readonly [number, number, number], up: readonly [number, number, number]): [number, number, number] {
  const d = axis[0] * up[0] + axis[1] * up[1] + axis[2] * up[2];
  const h: [number, number, number] = [axis[0] - d * up[0], axis[1] - d * up[1], axis[2] - d * up[2]];
  const n = Math.hypot(...h);
  return [h[0] / n, h[1] / n, h[2] / n];
}

/** The series' specific force projected on a unit direction, per sample. */
export function project(s: SensorSeries, dir: readonly [number, number, number], of: 'acc' | 'gyr' = 'acc'): Float64Array {
  const [x, y, z] = s[of];
  return Float64Array.from({ length: x.length }, (_, i) => x[i]! * dir[0] + y[i]! * dir[1] + z[i]! * dir[2]);
}
