import type { Calibration } from '../calibration/standing-calibrator.ts';
import { SegmentTracker, type SegmentParams } from './segment-tracker.ts';
import { float64Array, float64Of, int16Array } from '../signal/arena.ts';

const OBLIQUITY = 1;
const VERTICAL = 2;
/** Acceleration along the heading (forward), m/s². */
const FORWARD = 3;
/** The mounting-yaw epoch the sample's obliquity was computed in. */
const EPOCH = 4;

/**
 * The pelvis history's rate: its metrics are a peak of a slow obliquity
 * swing and integrals of accelerations over a stance, which 100 Hz keeps
 * (the golden NDJSON is byte-identical to 200 Hz), and it halves the
 * largest single buffer of a 200 Hz session (206 → 103 KB). Hz.
 */
const PELVIS_HISTORY_MAX_RATE_HZ = 100;

/**
 * How far back the step echo reaches, s: a step longer than this (a very
 * slow walk) teaches the mounting axis nothing rather than something wrong.
 */
const STEP_ECHO_S = 1;
/**
 * How far the detector's typical step may move before the echo's delay
 * follows it, as a fraction: the delay wants the step within a few per cent
 * (10 % off cost rbds032 0.1–0.5° of pelvic drop), and the detector's median
 * moves in whole sample periods (5 ms at 200 Hz, 1.3 % of a running step).
 */
const STEP_BAND = 0.03;
/** Int16 counts per m/s² in the step echo (±327 m/s², 0.005 m/s² resolution: below the sensor's noise). */
const ECHO_COUNTS_PER_MPS2 = 100;
/** An echo record with no acceleration (attitude settling, bridged, sensor x near vertical). */
const ECHO_NONE = -32768;

/**
 * Pelvic obliquity and vertical acceleration from the sacral IMU.
 *
 * Mounting: standing gives the sensor's tilt (up), not its rotation about the
 * vertical. That rotation decides which sensor direction is "left", and an
 * error of ψ leaks sin ψ × (forward pelvic tilt) into obliquity (≈ 2.6° for
 * ψ = 15° and 10° of lean). It is estimated from the running motion: the
 * pelvis's horizontal acceleration is dominated by braking and propulsion
 * (twice per stride), so the principal axis of the horizontal acceleration in
 * a frame that turns with the sensor is the anterior axis (after the
 * functional-calibration idea of Favre et al. 2009, using the gait instead of
 * a prescribed movement). Only the step-periodic part of that acceleration is
 * used: a(t) + a(t − one step). Braking and propulsion repeat every step; the
 * side-to-side sway alternates with the stance leg and cancels in that sum.
 * On real running the raw horizontal acceleration is barely elongated (axis
 * ratio 1.3–1.6: the sway is large and not at right angles to the braking)
 * and its axis sat 4–7° off the pelvis's anatomical axis; the step sum's is
 * 3.3–3.8 and 0.7–5.6° off (offline probe on ../shared/data/real-running;
 * packages/dsp/ACCURACY.md). The step comes from the pelvis's own contacts
 * (`observeStep`), so no other sensor's timing enters the estimate.
 *
 * Obliquity φ = asin(ŷ_pelvis · ẑ), DESIGN.md's definition: ŷ_pelvis is the
 * sensor-frame left axis (up × anterior) rotated to the world by the attitude
 * filter. Standing defines up, so φ = 0 standing by construction (the minus-
 * standing of the definition). NaN while the attitude settles.
 */
export class PelvisTracker extends SegmentTracker {
  private readonly gravity: number;
  /**
   * DESIGN.md's heading frame: the pelvis's forward axis made horizontal,
   * smoothed over strides (EMA, `headingTauS`), in this sensor's world frame.
   * A causal smoother lags the unobservable heading drift by a fraction of a
   * degree, which changes a forward projection by cos(lag) − 1 ≈ 10⁻⁴.
   */
  /**
   * The latest sample's world-vertical acceleration (m/s², gravity removed) and
   * rate about world up (rad/s), NaN until the attitude is trusted: the
   * pelvis-only contact detector reads them, so a runner who leans, bends or
   * turns keeps a true vertical (a fixed sensor axis from standing tilts with them).
   */
  readonly vertical = float64Of(Number.NaN, Number.NaN);
  private headingX = Number.NaN;
  private headingY = Number.NaN;
  private readonly headingSmoothing: number;
  /**
   * The step echo: the sensor-turning frame's horizontal acceleration (u, v)
   * of each history-rate sample for the last STEP_ECHO_S, Int16 pairs
   * (ECHO_NONE where there was none), so the mounting axis can add the
   * acceleration of one step before.
   */
  private readonly echo: Int16Array;
  private readonly echoRecords: number;
  /** Records written to the echo since the last reset, and the newest's time (µs). */
  private echoCount = 0;
  private echoLastUs = Number.NaN;
  /** The runner's typical step from the pelvis's own contacts, µs (NaN until known). */
  private stepUs = Number.NaN;
  /** The acceleration one step before the current sample, (u, v) m/s². */
  private readonly echoed = float64Array(2);

  constructor(params: SegmentParams, rateHz: number, calibration: Calibration) {
    super(params, rateHz, calibration, 5, PELVIS_HISTORY_MAX_RATE_HZ, params.historyS);
    this.headingSmoothing = 1 - Math.exp(-1 / (params.headingTauS * rateHz));
    this.gravity = calibration.gravityMps2;
    this.echoRecords = Math.ceil((STEP_ECHO_S * 1e6) / this.historyPeriodUs) + 2;
    this.echo = int16Array(2 * this.echoRecords);
  }

  /**
   * The typical step (µs) the pelvis's contact detector now sees, after each
   * contact: the step echo's delay. Taken only when it moved more than
   * STEP_BAND from the delay in use, and NaN (a detector that knows no step,
   * e.g. restored afresh) leaves the delay as it is — so a restored session,
   * whose detector relearns its median from fewer steps, keeps the same delay
   * and the same mounting estimate as the uninterrupted one.
   */
  observeStep(stepUs: number): void {
    if (!(stepUs > 0)) return;
    if (Number.isNaN(this.stepUs) || Math.abs(stepUs - this.stepUs) > STEP_BAND * this.stepUs) this.stepUs = stepUs;
  }

  override reset(): void {
    super.reset();
    // Samples either side of a long gap are no step apart.
    this.echoCount = 0;
  }

  /**
   * Appends the current sample's history-rate record to the step echo: `uv`
   * (m/s²) when `known`, else none. Values are read from arrays, not passed
   * (V8 boxes a double argument of a call it does not inline).
   */
  private echoPush(known: boolean): void {
    const k = 2 * (this.echoCount % this.echoRecords);
    const u = this.uv[0]!;
    const v = this.uv[1]!;
    const ok = known && Number.isFinite(u) && Number.isFinite(v);
    this.echo[k] = ok ? Math.max(-32767, Math.min(32767, Math.round(u * ECHO_COUNTS_PER_MPS2))) : ECHO_NONE;
    this.echo[k + 1] = ok ? Math.max(-32767, Math.min(32767, Math.round(v * ECHO_COUNTS_PER_MPS2))) : ECHO_NONE;
    this.echoCount++;
    this.echoLastUs = this.sample[0]!;
  }

  /**
   * The echo's (u, v) one step before the current sample, interpolated
   * between its two nearest records, into `echoed`; false when unknown (no
   * step yet, a step beyond the echo's reach, or no acceleration there).
   */
  private echoBefore(): boolean {
    const tUs = this.sample[0]!;
    const stepUs = this.stepUs;
    if (!(stepUs > 0) || stepUs > STEP_ECHO_S * 1e6 || this.echoCount < 2) return false;
    const pos = this.echoCount - 1 - (stepUs - (tUs - this.echoLastUs)) / this.historyPeriodUs;
    const i0 = Math.floor(pos);
    if (!(i0 >= 0) || i0 + 1 >= this.echoCount || this.echoCount - 1 - i0 >= this.echoRecords - 1) return false;
    const a = 2 * (i0 % this.echoRecords);
    const b = 2 * ((i0 + 1) % this.echoRecords);
    const e = this.echo;
    if (e[a] === ECHO_NONE || e[b] === ECHO_NONE) return false;
    const w = pos - i0;
    this.echoed[0] = (e[a]! + (e[b]! - e[a]!) * w) / ECHO_COUNTS_PER_MPS2;
    this.echoed[1] = (e[a + 1]! + (e[b + 1]! - e[a + 1]!) * w) / ECHO_COUNTS_PER_MPS2;
    return true;
  }

  protected afterUpdate(): void {
    const f = this.filter;
    const w = this.world;
    if (f.settled && this.bridged) {
      // Interpolated across a short gap: the attitude holds, the accelerations are guesses (NaN).
      this.vertical[0] = this.vertical[1] = Number.NaN;
      if (!this.keep) return;
      this.echoPush(false);
      this.accelerations[0] = this.accelerations[1] = Number.NaN;
      this.record();
    } else if (f.settled) {
      f.toWorld(this.sample, 1, w);
      const fx = w[0]!;
      const fy = w[1]!;
      const vertical = w[2]! - this.gravity;
      this.vertical[0] = vertical;
      // Rate about world up: ω in the world, its vertical part.
      f.toWorld(this.sample, 4, w);
      this.vertical[1] = w[2]!;
      // The sensor's own forward axis, made horizontal in the world: the frame the anatomical axis is measured in.
      f.toWorld(this.xp, 0, w);
      const n = Math.sqrt(w[0]! * w[0]! + w[1]! * w[1]!);
      if (n > 0.5) {
        const hx = w[0]! / n;
        const hy = w[1]! / n;
        this.uv[0] = fx * hx + fy * hy;
        this.uv[1] = fy * hx - fx * hy;
        if (this.keep) this.echoPush(true);
        if (this.echoBefore()) {
          this.uv[0] += this.echoed[0]!;
          this.uv[1] += this.echoed[1]!;
          this.axis.add(this.uv);
        }
      } else if (this.keep) this.echoPush(false);
      // Heading: the anatomical forward axis, horizontal, smoothed.
      f.toWorld(this.anterior, 0, w);
      if (Number.isNaN(this.headingX)) {
        this.headingX = w[0]!;
        this.headingY = w[1]!;
      } else {
        this.headingX += this.headingSmoothing * (w[0]! - this.headingX);
        this.headingY += this.headingSmoothing * (w[1]! - this.headingY);
      }
      const hn = Math.sqrt(this.headingX * this.headingX + this.headingY * this.headingY);
      const forward = hn > 0 ? (fx * this.headingX + fy * this.headingY) / hn : Number.NaN;
      if (!this.keep) return;
      this.accelerations[0] = vertical;
      this.accelerations[1] = forward;
      this.record();
    } else {
      this.vertical[0] = this.vertical[1] = Number.NaN;
      if (!this.keep) return;
      this.echoPush(false);
      const r = this.ring.append(this.sample, 0);
      this.ring.data.fill(Number.NaN, r + 1, r + 5);
      this.ring.data[r + this.bridgedField] = this.bridged ? 1 : 0;
    }
  }

  /** The current record's vertical and forward accelerations (m/s²): set in an array, not passed as doubles (V8 boxes those). */
  private readonly accelerations = float64Array(2);

  /**
   * Appends the history record of the current sample (time from `sample`, no
   * double crosses the call): φ = asin(ŷ_pelvis · ẑ),
   * the left axis against world up read in sensor coordinates, with the
   * accelerations set beforehand and the bridged flag.
   */
  private record(): void {
    const w = this.world;
    this.filter.upInSensor(w);
    const l = this.left;
    const r = this.ring.append(this.sample, 0);
    const d = this.ring.data;
    d[r + OBLIQUITY] = SegmentTracker.asinDeg(w[0]! * l[0]! + w[1]! * l[1]! + w[2]! * l[2]!);
    d[r + VERTICAL] = this.accelerations[0]!;
    d[r + FORWARD] = this.accelerations[1]!;
    d[r + EPOCH] = this.referenceEpoch;
    d[r + this.bridgedField] = this.bridged ? 1 : 0;
  }

  /** The braking axis is anterior (near x_p); left is 90° on. */
  protected axisYawRad(): number {
    return this.axis.angleRad();
  }

  /** Contralateral pelvic drop over a stance: peak of φ (left stance) or −φ (right), degrees; null when unknown. */
  pelvicDropDeg(side: 'left' | 'right', fromUs: number, toUs: number): number | null {
    const drop = this.peak(OBLIQUITY, fromUs, toUs, side === 'left' ? 1 : -1);
    // Before the mounting yaw is known the sensor's own axis stands in for the pelvis's: off by up to
    // 20°, it mixes sin ψ × the forward lean into obliquity (2° and more), so no number (mounting_unknown).
    return drop !== null && this.spanMountingKnown() ? drop : null;
  }

  /**
   * Mean obliquity φ over [fromUs, toUs] (a stride), degrees; null when
   * unknown or when the mounting yaw in use moved within it; `epoch`
   * receives the mounting-yaw epoch it was computed in.
   */
  meanObliquityDeg(fromUs: number, toUs: number, epoch: Float64Array): number | null {
    const span = this.spanScratch;
    if (!this.span(fromUs, toUs, span)) return null;
    epoch[0] = this.spanEpoch(EPOCH);
    if (Number.isNaN(epoch[0])) return null;
    let sum = 0;
    for (let i = span[0]!; i <= span[1]!; i++) sum += this.ring.data[this.ring.slot(i) + OBLIQUITY]!;
    const mean = sum / (span[1]! - span[0]! + 1);
    return Number.isNaN(mean) ? null : mean;
  }

  /**
   * Braking of a stance: the forward speed the pelvis loses after the
   * contact, m/s (Lumo Run's "braking"): forward acceleration, less its mean
   * over the stride (a constant speed's cycle has none: this removes gravity
   * leaking through a small tilt error and slow speed changes), integrated
   * from IC; the largest loss over [IC, toUs]. Null when unknown.
   */
  brakingMps(icUs: number, toUs: number, strideEndUs: number): number | null {
    const span = this.spanScratch;
    if (!this.span(icUs, strideEndUs, span)) return null;
    const ring = this.ring;
    const d = ring.data;
    let sum = 0;
    for (let i = span[0]!; i <= span[1]!; i++) sum += d[ring.slot(i) + FORWARD]!;
    const mean = sum / (span[1]! - span[0]! + 1);
    if (Number.isNaN(mean)) return null;
    let v = 0;
    let loss = 0;
    for (let i = span[0]! + 1; i <= span[1]! && ring.time(i) <= toUs; i++) {
      const dt = (ring.time(i) - ring.time(i - 1)) / 1e6;
      v += ((d[ring.slot(i) + FORWARD]! + d[ring.slot(i - 1) + FORWARD]!) / 2 - mean) * dt;
      if (-v > loss) loss = -v;
    }
    return loss;
  }

  /**
   * Vertical oscillation over [fromUs, toUs] (a stride): the world-vertical
   * acceleration integrated twice, each integral detrended so the stride
   * starts and ends at the same height and speed (the cycle is periodic),
   * then peak-to-peak, in cm. Null when the history does not cover it.
   */
  verticalOscillationCm(fromUs: number, toUs: number): number | null {
    if (!this.span(fromUs, toUs, this.spanScratch)) return null;
    const ring = this.ring;
    const first = this.spanScratch[0]!;
    const last = this.spanScratch[1]!;
    if (last - first < 4) return null;
    const t0 = ring.time(first);
    const spanS = (ring.time(last) - t0) / 1e6;
    // Pass 1: velocity at the end, for the velocity detrend.
    let v = 0;
    for (let i = first + 1; i <= last; i++) v += ((ring.data[ring.slot(i) + VERTICAL]! + ring.data[ring.slot(i - 1) + VERTICAL]!) / 2) * ((ring.time(i) - ring.time(i - 1)) / 1e6);
    // A NaN (the attitude was settling) propagates into the sum: no height then.
    if (Number.isNaN(v)) return null;
    const vDrift = v / spanS;
    // Pass 2: height with detrended velocity; pass 3 detrends height on the fly from its end value.
    let z = 0;
    v = 0;
    let vPrev = 0;
    for (let i = first + 1; i <= last; i++) {
      const dt = (ring.time(i) - ring.time(i - 1)) / 1e6;
      v += ((ring.data[ring.slot(i) + VERTICAL]! + ring.data[ring.slot(i - 1) + VERTICAL]!) / 2) * dt - vDrift * dt;
      z += ((v + vPrev) / 2) * dt;
      vPrev = v;
    }
    const zDrift = z / spanS;
    z = v = vPrev = 0;
    let zMin = 0;
    let zMax = 0;
    for (let i = first + 1; i <= last; i++) {
      const dt = (ring.time(i) - ring.time(i - 1)) / 1e6;
      v += ((ring.data[ring.slot(i) + VERTICAL]! + ring.data[ring.slot(i - 1) + VERTICAL]!) / 2) * dt - vDrift * dt;
      z += ((v + vPrev) / 2) * dt - zDrift * dt;
      vPrev = v;
      if (z < zMin) zMin = z;
      if (z > zMax) zMax = z;
    }
    return (zMax - zMin) * 100;
  }
}
