/**
 * Streaming principal axis of 2-D samples (u, v): the direction of largest
 * spread, from the running sums of u², v², uv (closed form for a symmetric
 * 2×2 matrix, so no eigen-solver and no allocation per sample). Used to find
 * a segment's anatomical axis from its motion: the pelvis's braking/propulsion
 * axis, the shank's swing axis.
 */
export class PrincipalAxis2D {
  private suu = 0;
  private svv = 0;
  private suv = 0;
  count = 0;

  add(u: number, v: number): void {
    this.suu += u * u;
    this.svv += v * v;
    this.suv += u * v;
    this.count++;
  }

  /** Angle of the principal axis from the u axis, rad, in (−π/2, π/2]; the axis has no sign. */
  angleRad(): number {
    return 0.5 * Math.atan2(2 * this.suv, this.suu - this.svv);
  }

  /** Spread along the principal axis over spread across it (≥ 1; ∞ for a line, 1 for no preferred axis). */
  ratio(): number {
    const tr = this.suu + this.svv;
    const d = Math.sqrt((this.suu - this.svv) ** 2 + 4 * this.suv * this.suv);
    const small = (tr - d) / 2;
    return small > 0 ? (tr + d) / 2 / small : Number.POSITIVE_INFINITY;
  }

  reset(): void {
    this.suu = this.svv = this.suv = 0;
    this.count = 0;
  }
}
