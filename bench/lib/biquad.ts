/**
 * The baseline of the hot path: a bare 4th-order Butterworth low-pass as a
 * cascade of two biquads (transposed direct form II), plain Float64Array
 * code, state per sensor per channel. It does the least work any streaming
 * IMU analysis must do on every sample, so the pipeline's rate as a fraction
 * of it is the figure the issue targets.
 */

/** Second-order sections of a 4th-order Butterworth low-pass (bilinear transform, pre-warped): [b0 b1 b2 a1 a2] × 2. */
export function butterworth4Sos(cutoffHz: number, sampleRateHz: number): Float64Array {
  const k = Math.tan((Math.PI * cutoffHz) / sampleRateHz);
  const sos = new Float64Array(10);
  // Pole pairs of the 4th-order prototype: Q = 1 / (2 cos θ), θ = π/8, 3π/8.
  const qs = [1 / (2 * Math.cos(Math.PI / 8)), 1 / (2 * Math.cos((3 * Math.PI) / 8))];
  for (let s = 0; s < 2; s++) {
    const q = qs[s]!;
    const norm = 1 / (1 + k / q + k * k);
    const b0 = k * k * norm;
    sos[s * 5] = b0;
    sos[s * 5 + 1] = 2 * b0;
    sos[s * 5 + 2] = b0;
    sos[s * 5 + 3] = 2 * (k * k - 1) * norm;
    sos[s * 5 + 4] = (1 - k / q + k * k) * norm;
  }
  return sos;
}

/**
 * Filters `count` samples × 6 channels of `x` (interleaved as the frames
 * carry them) into `y`, in place of nothing else; `state` holds 2 sections ×
 * 2 delays × 6 channels for this sensor, starting at `stateOffset`.
 */
export function biquadCascade(sos: Float64Array, x: Float64Array, y: Float64Array, count: number, state: Float64Array, stateOffset: number): void {
  const b00 = sos[0]!, b01 = sos[1]!, b02 = sos[2]!, a01 = sos[3]!, a02 = sos[4]!;
  const b10 = sos[5]!, b11 = sos[6]!, b12 = sos[7]!, a11 = sos[8]!, a12 = sos[9]!;
  for (let c = 0; c < 6; c++) {
    const o = stateOffset + c * 4;
    let z00 = state[o]!, z01 = state[o + 1]!, z10 = state[o + 2]!, z11 = state[o + 3]!;
    for (let i = 0, j = c; i < count; i++, j += 6) {
      const xi = x[j]!;
      const u = b00 * xi + z00;
      z00 = b01 * xi - a01 * u + z01;
      z01 = b02 * xi - a02 * u;
      const v = b10 * u + z10;
      z10 = b11 * u - a11 * v + z11;
      z11 = b12 * u - a12 * v;
      y[j] = v;
    }
    state[o] = z00;
    state[o + 1] = z01;
    state[o + 2] = z10;
    state[o + 3] = z11;
  }
}

/** State floats per sensor: 6 channels × 2 sections × 2 delays. */
export const BIQUAD_STATE_PER_SENSOR = 24;
