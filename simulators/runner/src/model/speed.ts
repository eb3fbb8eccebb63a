import type { ScenarioPlan } from './scenario.ts';

/** Seconds a change of speed takes (smoothstep between bouts). */
const TRANSITION_S = 3;

/**
 * Base forward speed over the session (without the per-step braking dips):
 * 0 while standing, then smoothstep transitions between the bouts' speeds.
 * The distance integral is closed-form so any time can be evaluated directly.
 */
export class SpeedProfile {
  private readonly starts: Float64Array;
  private readonly from: Float64Array;
  private readonly to: Float64Array;
  private readonly distanceAtStart: Float64Array;

  constructor(plan: ScenarioPlan) {
    const n = plan.bouts.length;
    this.starts = new Float64Array(n);
    this.from = new Float64Array(n);
    this.to = new Float64Array(n);
    this.distanceAtStart = new Float64Array(n);
    let previous = 0;
    let distance = 0;
    for (let i = 0; i < n; i++) {
      const bout = plan.bouts[i]!;
      this.starts[i] = bout.startS;
      this.from[i] = previous;
      this.to[i] = bout.speedMps;
      if (i > 0) distance += this.distanceWithin(i - 1, bout.startS - this.starts[i - 1]!);
      this.distanceAtStart[i] = distance;
      previous = bout.speedMps;
    }
  }

  private boutAt(tS: number): number {
    let i = -1;
    for (let k = 0; k < this.starts.length && this.starts[k]! <= tS; k++) i = k;
    return i;
  }

  private distanceWithin(i: number, dt: number): number {
    const a = this.from[i]!;
    const b = this.to[i]!;
    if (dt <= TRANSITION_S) {
      const u = dt / TRANSITION_S;
      // ∫ smoothstep = T·(u³ − u⁴/2)
      return a * dt + (b - a) * TRANSITION_S * (u * u * u - (u * u * u * u) / 2);
    }
    return a * TRANSITION_S + (b - a) * TRANSITION_S * 0.5 + b * (dt - TRANSITION_S);
  }

  speedAt(tS: number): number {
    const i = this.boutAt(tS);
    if (i < 0) return 0;
    const u = Math.min(1, (tS - this.starts[i]!) / TRANSITION_S);
    return this.from[i]! + (this.to[i]! - this.from[i]!) * u * u * (3 - 2 * u);
  }

  /** Forward distance covered since gait onset, m. */
  distanceAt(tS: number): number {
    const i = this.boutAt(tS);
    if (i < 0) return 0;
    return this.distanceAtStart[i]! + this.distanceWithin(i, tS - this.starts[i]!);
  }
}
