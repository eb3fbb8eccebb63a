/**
 * A horizontal axis of a sensor, found from motion: second moments of 2-D
 * samples in a fixed sensor-frame plane (the plane perpendicular to the
 * sensor's standing "up"), about the origin, not the mean — a rotation rate or
 * an acceleration that comes and goes averages to zero anyway, and about the
 * origin two estimates can simply be added (a held leg's bumps, one by one).
 * No allocation per sample; the state is six doubles.
 */
export class PlaneAxis {
  suu = 0;
  svv = 0;
  suv = 0;
  /** Sum of weights (samples, decayed). */
  w = 0;

  /** @param decay weight kept per sample (1: plain sums; exp(−1 / samples) for a time constant in samples). */
  constructor(private readonly decay = 1) {}

  /** One sample (u, v) = (uv[0], uv[1]). */
  add(uv: Float64Array): void {
    const u = uv[0]!;
    const v = uv[1]!;
    const d = this.decay;
    this.suu = this.suu * d + u * u;
    this.svv = this.svv * d + v * v;
    this.suv = this.suv * d + u * v;
    this.w = this.w * d + 1;
  }

  /** Adds another estimate's sums to this one. */
  merge(other: PlaneAxis): void {
    this.suu += other.suu;
    this.svv += other.svv;
    this.suv += other.suv;
    this.w += other.w;
  }

  clear(): void {
    this.suu = this.svv = this.suv = this.w = 0;
  }

  /** Angle of the principal axis from u, rad, in (−π/2, π/2]; the axis has no sign. */
  angleRad(): number {
    return 0.5 * Math.atan2(2 * this.suv, this.suu - this.svv);
  }

  /** Spread along the principal axis over the spread across it (≥ 1; ∞ for a line; NaN without samples). */
  ratio(): number {
    const tr = this.suu + this.svv;
    const d = Math.sqrt((this.suu - this.svv) ** 2 + 4 * this.suv * this.suv);
    const small = (tr - d) / 2;
    if (!(tr > 0)) return Number.NaN;
    return small > 0 ? (tr + d) / 2 / small : Number.POSITIVE_INFINITY;
  }

  /** Mean square along the principal axis (the signal's power there). */
  power(): number {
    const tr = this.suu + this.svv;
    const d = Math.sqrt((this.suu - this.svv) ** 2 + 4 * this.suv * this.suv);
    return this.w > 0 ? (tr + d) / 2 / this.w : 0;
  }

  toJSON(): number[] {
    return [this.suu, this.svv, this.suv, this.w];
  }

  load(v: readonly number[]): void {
    this.suu = v[0] ?? 0;
    this.svv = v[1] ?? 0;
    this.suv = v[2] ?? 0;
    this.w = v[3] ?? 0;
  }
}

/**
 * An orthonormal basis (e1, e2) of the plane perpendicular to `up` (sensor
 * frame), e1 the sensor's x made perpendicular to up, e2 = up × e1 (the
 * sensor's y, made perpendicular): for a sensor worn with axes near the
 * segment frame, e1 ≈ anterior and e2 ≈ left. Written into out[0..5].
 */
export function planeBasis(up: ArrayLike<number>, out: Float64Array): void {
  const ux = up[0]!;
  const uy = up[1]!;
  const uz = up[2]!;
  let px = 1 - ux * ux;
  let py = -ux * uy;
  let pz = -ux * uz;
  const n = Math.hypot(px, py, pz) || 1;
  px /= n;
  py /= n;
  pz /= n;
  out[0] = px;
  out[1] = py;
  out[2] = pz;
  out[3] = uy * pz - uz * py;
  out[4] = uz * px - ux * pz;
  out[5] = ux * py - uy * px;
}

/**
 * The segment's left axis in sensor coordinates from a principal axis at
 * `angleRad` in the plane basis: the axis or its perpendicular, whichever
 * lies nearer the sensor's own left (e2), signed toward it. Returns the yaw
 * from e2 in degrees (NaN when beyond `maxYawDeg`: `out` then keeps e2).
 */
export function leftAxisFrom(angleRad: number, basis: Float64Array, maxYawDeg: number, out: Float64Array): number {
  // Angle of the left axis from e1 is π/2 for the naive guess; the principal axis is either it or the forward axis.
  let a = angleRad;
  // Fold into (−π/4, 3π/4] around π/2: the axis nearer the left direction.
  while (a <= Math.PI / 4) a += Math.PI / 2;
  while (a > (3 * Math.PI) / 4) a -= Math.PI / 2;
  const yawDeg = ((a - Math.PI / 2) * 180) / Math.PI;
  const use = Math.abs(yawDeg) <= maxYawDeg;
  const c = use ? Math.cos(a) : 0;
  const s = use ? Math.sin(a) : 1;
  for (let i = 0; i < 3; i++) out[i] = c * basis[i]! + s * basis[3 + i]!;
  return use ? yawDeg : Number.NaN;
}

/** The left axis (into `out`) from a yaw `leftAxisFrom` returned, degrees: what a snapshot carries. */
export function leftAxisFromYaw(yawDeg: number, basis: Float64Array, maxYawDeg: number, out: Float64Array): number {
  return leftAxisFrom((yawDeg * Math.PI) / 180 + Math.PI / 2, basis, maxYawDeg, out);
}
