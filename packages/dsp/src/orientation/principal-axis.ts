/**
 * Streaming principal axis of 2-D samples (u, v): the direction of largest
 * variance, from exponentially weighted sums of u, v, u², v², uv (closed form
 * for a symmetric 2×2 matrix: no eigen-solver, no allocation per sample).
 * The mean is removed, so a constant offset (a sustained acceleration while
 * the runner speeds up, a small tilt error) does not pose as an axis; the
 * forgetting lets start-up transients fade instead of weighing forever.
 * Used to find a segment's anatomical axis from its motion: the pelvis's
 * braking/propulsion axis, the shank's swing axis.
 */
export class PrincipalAxis2D {
  private w = 0;
  private su = 0;
  private sv = 0;
  private suu = 0;
  private svv = 0;
  private suv = 0;
  count = 0;

  /** @param decay weight kept per sample (1: plain sums; exp(−1 / samples) for a time constant in samples). */
  constructor(private readonly decay = 1) {}

  /** Forgets every sample (the plane the samples are taken in changed). */
  reset(): void {
    this.w = this.su = this.sv = this.suu = this.svv = this.suv = 0;
    this.count = 0;
  }

  /** One sample (u, v) = (uv[0], uv[1]): an array, so no double is boxed when the call is not inlined. */
  add(uv: Float64Array): void {
    const u = uv[0]!;
    const v = uv[1]!;
    const d = this.decay;
    this.w = this.w * d + 1;
    this.su = this.su * d + u;
    this.sv = this.sv * d + v;
    this.suu = this.suu * d + u * u;
    this.svv = this.svv * d + v * v;
    this.suv = this.suv * d + u * v;
    this.count++;
  }

  private covariance(): [number, number, number] {
    const mu = this.su / this.w;
    const mv = this.sv / this.w;
    return [this.suu / this.w - mu * mu, this.svv / this.w - mv * mv, this.suv / this.w - mu * mv];
  }

  /** Angle of the principal axis from the u axis, rad, in (−π/2, π/2]; the axis has no sign. */
  angleRad(): number {
    const [cuu, cvv, cuv] = this.covariance();
    return 0.5 * Math.atan2(2 * cuv, cuu - cvv);
  }

  /** Variance along the principal axis over variance across it (≥ 1; ∞ for a line, 1 for no preferred axis). */
  ratio(): number {
    const [cuu, cvv, cuv] = this.covariance();
    const tr = cuu + cvv;
    const d = Math.sqrt((cuu - cvv) ** 2 + 4 * cuv * cuv);
    const small = (tr - d) / 2;
    return small > 0 ? (tr + d) / 2 / small : Number.POSITIVE_INFINITY;
  }
}
