import { float64Array } from './arena.ts';
/**
 * Linear-phase FIR low-pass (windowed sinc, Hamming window). Linear phase
 * means every frequency is delayed by exactly (taps − 1)/2 samples, so event
 * times found on the filtered signal are corrected exactly by `delaySamples`
 * — a causal IIR (Butterworth) would shift foot contacts by a
 * frequency-dependent 10–20 ms, half of the timing budget.
 */
export function designLowPass(cutoffHz: number, sampleRateHz: number, taps: number): Float64Array {
  return designed(`low:${cutoffHz}:${sampleRateHz}:${taps}`, () => computeLowPass(cutoffHz, sampleRateHz, taps));
}

/**
 * Designs are cached by their parameters and shared (read-only) by every
 * filter built from them: a thousand sessions hold one copy of each, not a
 * thousand (the pelvis's side band-pass alone is ~5 KB). The buffers are
 * registered as shared, so the per-session memory guard does not count them.
 */
const DESIGNS = new Map<string, Float64Array>();
export const SHARED_BUFFERS = new WeakSet<ArrayBufferLike>();

function designed(key: string, design: () => Float64Array): Float64Array {
  let h = DESIGNS.get(key);
  if (h === undefined) {
    h = design();
    DESIGNS.set(key, h);
    SHARED_BUFFERS.add(h.buffer);
  }
  return h;
}

function computeLowPass(cutoffHz: number, sampleRateHz: number, taps: number): Float64Array {
  if (!(cutoffHz > 0 && cutoffHz < sampleRateHz / 2)) {
    throw new RangeError(`cutoffHz must be in (0, ${sampleRateHz / 2}) for ${sampleRateHz} Hz, got ${cutoffHz}`);
  }
  if (!Number.isInteger(taps) || taps < 3 || taps % 2 === 0) throw new RangeError(`taps must be an odd integer ≥ 3, got ${taps}`);
  const h = new Float64Array(taps);
  const m = (taps - 1) / 2;
  const fc = cutoffHz / sampleRateHz;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const k = i - m;
    const sinc = k === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * k) / (Math.PI * k);
    const window = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (taps - 1));
    h[i] = sinc * window;
    sum += h[i]!;
  }
  // Unit gain at DC.
  for (let i = 0; i < taps; i++) h[i] = h[i]! / sum;
  return h;
}

/**
 * Linear-phase FIR band-pass: the difference of two low-passes of the same
 * length (so the same delay), unit gain in the pass band, zero at DC.
 */
export function designBandPass(lowHz: number, highHz: number, sampleRateHz: number, taps: number): Float64Array {
  if (!(lowHz < highHz)) throw new RangeError(`lowHz must be below highHz, got ${lowHz} and ${highHz}`);
  return designed(`band:${lowHz}:${highHz}:${sampleRateHz}:${taps}`, () => computeBandPass(lowHz, highHz, sampleRateHz, taps));
}

function computeBandPass(lowHz: number, highHz: number, sampleRateHz: number, taps: number): Float64Array {
  const high = computeLowPass(highHz, sampleRateHz, taps);
  const low = computeLowPass(lowHz, sampleRateHz, taps);
  for (let i = 0; i < taps; i++) high[i] = high[i]! - low[i]!;
  return high;
}

/** Odd tap count spanning about `spanS` seconds at `sampleRateHz` (at least 3). */
export function tapsForSpan(spanS: number, sampleRateHz: number): number {
  const n = Math.max(3, Math.round(spanS * sampleRateHz));
  return n % 2 === 0 ? n + 1 : n;
}

/** Streaming FIR over a preallocated circular history: one multiply-add per tap per sample, no allocation. */
export class FirFilter {
  private readonly history: Float64Array;
  private index = 0;
  private filled = 0;
  readonly delaySamples: number;

  constructor(private readonly coefficients: Float64Array) {
    this.history = float64Array(coefficients.length);
    this.delaySamples = (coefficients.length - 1) / 2;
  }

  /** Pushes x; returns the filtered value for the sample `delaySamples` ago (NaN until the history is full). */
  push(x: number): number {
    const n = this.history.length;
    this.history[this.index] = x;
    this.index = this.index + 1 === n ? 0 : this.index + 1;
    if (this.filled < n) this.filled++;
    if (this.filled < n) return Number.NaN;
    let acc = 0;
    // history[index] is the oldest sample; the filter is symmetric so orientation does not matter.
    for (let k = 0, j = this.index; k < n; k++, j = j + 1 === n ? 0 : j + 1) acc += this.coefficients[k]! * this.history[j]!;
    return acc;
  }

  reset(): void {
    this.filled = 0;
    this.index = 0;
  }
}
