/**
 * 3×3 rotation matrices, row-major in a Float64Array(9), mapping segment
 * coordinates to world coordinates (v_world = R · v_segment). Plain numbers and
 * out-parameters: the fleet simulator evaluates millions of poses per second.
 */
export type Mat3 = Float64Array;
export type Vec3 = Float64Array;

export const mat3 = (): Mat3 => new Float64Array(9);
export const vec3 = (x = 0, y = 0, z = 0): Vec3 => Float64Array.of(x, y, z);

export function identity(out: Mat3): Mat3 {
  out.fill(0);
  out[0] = out[4] = out[8] = 1;
  return out;
}

/** out = a · b (out may not alias a or b). */
export function multiply(a: Mat3, b: Mat3, out: Mat3): Mat3 {
  for (let r = 0; r < 3; r++) {
    const a0 = a[r * 3]!;
    const a1 = a[r * 3 + 1]!;
    const a2 = a[r * 3 + 2]!;
    out[r * 3] = a0 * b[0]! + a1 * b[3]! + a2 * b[6]!;
    out[r * 3 + 1] = a0 * b[1]! + a1 * b[4]! + a2 * b[7]!;
    out[r * 3 + 2] = a0 * b[2]! + a1 * b[5]! + a2 * b[8]!;
  }
  return out;
}

export function rotX(angleRad: number, out: Mat3): Mat3 {
  const c = Math.cos(angleRad);
  const s = Math.sin(angleRad);
  out[0] = 1; out[1] = 0; out[2] = 0;
  out[3] = 0; out[4] = c; out[5] = -s;
  out[6] = 0; out[7] = s; out[8] = c;
  return out;
}

export function rotY(angleRad: number, out: Mat3): Mat3 {
  const c = Math.cos(angleRad);
  const s = Math.sin(angleRad);
  out[0] = c; out[1] = 0; out[2] = s;
  out[3] = 0; out[4] = 1; out[5] = 0;
  out[6] = -s; out[7] = 0; out[8] = c;
  return out;
}

export function rotZ(angleRad: number, out: Mat3): Mat3 {
  const c = Math.cos(angleRad);
  const s = Math.sin(angleRad);
  out[0] = c; out[1] = -s; out[2] = 0;
  out[3] = s; out[4] = c; out[5] = 0;
  out[6] = 0; out[7] = 0; out[8] = 1;
  return out;
}

/** Rotation by `angleRad` about the unit vector (ux, uy, uz) (Rodrigues). */
export function axisAngle(ux: number, uy: number, uz: number, angleRad: number, out: Mat3): Mat3 {
  const c = Math.cos(angleRad);
  const s = Math.sin(angleRad);
  const t = 1 - c;
  out.set([
    t * ux * ux + c, t * ux * uy - s * uz, t * ux * uz + s * uy,
    t * ux * uy + s * uz, t * uy * uy + c, t * uy * uz - s * ux,
    t * ux * uz - s * uy, t * uy * uz + s * ux, t * uz * uz + c,
  ]);
  return out;
}

/** out = R · v */
export function apply(r: Mat3, x: number, y: number, z: number, out: Vec3): Vec3 {
  out[0] = r[0]! * x + r[1]! * y + r[2]! * z;
  out[1] = r[3]! * x + r[4]! * y + r[5]! * z;
  out[2] = r[6]! * x + r[7]! * y + r[8]! * z;
  return out;
}

/** out = Rᵀ · v (world → segment) */
export function applyTransposed(r: Mat3, x: number, y: number, z: number, out: Vec3): Vec3 {
  out[0] = r[0]! * x + r[3]! * y + r[6]! * z;
  out[1] = r[1]! * x + r[4]! * y + r[7]! * z;
  out[2] = r[2]! * x + r[5]! * y + r[8]! * z;
  return out;
}

/**
 * Body-frame angular rate from three orientations h seconds apart:
 * Ω = Rᵀ·Ṙ with Ṙ ≈ (R₊ − R₋)/2h (central difference, O(h²)); ω is the
 * axial vector of Ω's antisymmetric part.
 */
export function angularRateBody(rMinus: Mat3, r: Mat3, rPlus: Mat3, h: number, out: Vec3): Vec3 {
  const k = 0.5 / (2 * h);
  out[0] = (omegaEntry(rMinus, r, rPlus, 2, 1) - omegaEntry(rMinus, r, rPlus, 1, 2)) * k;
  out[1] = (omegaEntry(rMinus, r, rPlus, 0, 2) - omegaEntry(rMinus, r, rPlus, 2, 0)) * k;
  out[2] = (omegaEntry(rMinus, r, rPlus, 1, 0) - omegaEntry(rMinus, r, rPlus, 0, 1)) * k;
  return out;
}

/** (Rᵀ·(R₊ − R₋))_ij = Σ_m R_mi (R₊ − R₋)_mj. A module-level function, not a closure: no allocation per call. */
function omegaEntry(rMinus: Mat3, r: Mat3, rPlus: Mat3, i: number, j: number): number {
  return r[i]! * (rPlus[j]! - rMinus[j]!) + r[3 + i]! * (rPlus[3 + j]! - rMinus[3 + j]!) + r[6 + i]! * (rPlus[6 + j]! - rMinus[6 + j]!);
}
