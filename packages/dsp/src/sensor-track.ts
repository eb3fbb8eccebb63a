import type { SensorId } from '@gaitwatch/protocol';
import { StandingCalibrator, type Calibration } from './calibration/standing-calibrator.ts';
import type { AnalyzerParams } from './params.ts';

/** Samples used to infer a sensor's rate from its timestamps. */
const RATE_PROBE_SAMPLES = 11;
const CHANNELS = 7;

/**
 * Per-sensor input conditioning: drops duplicates and time reversals, infers
 * the sample rate, detects gaps, and holds the samples seen before
 * calibration decides so they can be replayed into the detectors (a session
 * without quiet standing loses no strides to the fallback calibration).
 */
export class SensorTrack {
  rateHz = Number.NaN;
  lastTUs = Number.NaN;
  samples = 0;
  duplicates = 0;
  gaps = 0;
  gapSeconds = 0;
  calibration: Calibration | undefined;
  private calibrator: StandingCalibrator | undefined;
  private readonly probe: number[] = [];
  /** Pre-calibration samples (t, ax, ay, az, gx, gy, gz), bounded by maxStandingS + fallbackS + probe. */
  private held: Float64Array;
  private heldCount = 0;

  constructor(
    readonly sensor: SensorId,
    private readonly params: AnalyzerParams,
  ) {
    this.held = new Float64Array(1024 * CHANNELS);
  }

  /**
   * Accepts one sample. Returns 'drop' (duplicate or reversed time),
   * 'held' (kept until calibration), 'gap' or 'ok' (deliver it downstream).
   */
  accept(tUs: number, ax: number, ay: number, az: number, gx: number, gy: number, gz: number): 'drop' | 'held' | 'gap' | 'ok' {
    if (!Number.isNaN(this.lastTUs) && tUs <= this.lastTUs) {
      this.duplicates++;
      return 'drop';
    }
    if (![ax, ay, az, gx, gy, gz].every(Number.isFinite)) {
      this.duplicates++;
      return 'drop';
    }
    const previous = this.lastTUs;
    this.lastTUs = tUs;
    this.samples++;
    if (Number.isNaN(this.rateHz)) {
      this.probe.push(tUs);
      if (this.probe.length >= RATE_PROBE_SAMPLES) this.inferRate();
    }
    let gap = false;
    if (!Number.isNaN(this.rateHz) && !Number.isNaN(previous) && tUs - previous > (this.params.gapPeriods * 1e6) / this.rateHz) {
      this.gaps++;
      this.gapSeconds += (tUs - previous) / 1e6;
      gap = true;
    }
    if (this.calibration === undefined) {
      this.hold(tUs, ax, ay, az, gx, gy, gz);
      this.calibrator?.push(ax, ay, az, gx, gy, gz);
      if (this.calibrator?.result !== undefined) this.calibration = this.calibrator.result;
      return 'held';
    }
    return gap ? 'gap' : 'ok';
  }

  private inferRate(): void {
    const intervals = this.probe.slice(1).map((t, i) => t - this.probe[i]!).sort((a, b) => a - b);
    const medianUs = intervals[intervals.length >> 1]!;
    // Mean of the intervals near the median: robust to a gap, and unlike the
    // median not biased by the relay's timestamp jitter.
    const near = intervals.filter((d) => Math.abs(d - medianUs) < 0.2 * medianUs);
    this.rateHz = 1e6 / (near.reduce((s, d) => s + d, 0) / near.length);
    if (!(this.rateHz >= 50 && this.rateHz <= 2000)) throw new RangeError(`${this.sensor}: inferred sample rate ${this.rateHz.toFixed(1)} Hz is outside 50–2000 Hz; are timestamps in µs?`);
    this.calibrator = new StandingCalibrator(this.params.calibration, this.rateHz);
    // Feed the probe samples already held.
    for (let i = 0; i < this.heldCount; i++) {
      const o = i * CHANNELS;
      this.calibrator.push(this.held[o + 1]!, this.held[o + 2]!, this.held[o + 3]!, this.held[o + 4]!, this.held[o + 5]!, this.held[o + 6]!);
    }
  }

  private hold(tUs: number, ax: number, ay: number, az: number, gx: number, gy: number, gz: number): void {
    if ((this.heldCount + 1) * CHANNELS > this.held.length) {
      const grown = new Float64Array(this.held.length * 2);
      grown.set(this.held);
      this.held = grown;
    }
    const o = this.heldCount * CHANNELS;
    this.held[o] = tUs;
    this.held[o + 1] = ax;
    this.held[o + 2] = ay;
    this.held[o + 3] = az;
    this.held[o + 4] = gx;
    this.held[o + 5] = gy;
    this.held[o + 6] = gz;
    this.heldCount++;
  }

  /** Ends calibration with what there is (a recording that ends early). */
  flushCalibration(): void {
    if (this.calibration !== undefined) return;
    if (this.calibrator === undefined && this.probe.length >= 3) this.inferRate();
    this.calibrator?.flush();
    this.calibration = this.calibrator?.result;
  }

  /** Hands the held samples over once (after calibration), then frees them. */
  drainHeld(visit: (tUs: number, ax: number, ay: number, az: number, gx: number, gy: number, gz: number) => void): void {
    for (let i = 0; i < this.heldCount; i++) {
      const o = i * CHANNELS;
      visit(this.held[o]!, this.held[o + 1]!, this.held[o + 2]!, this.held[o + 3]!, this.held[o + 4]!, this.held[o + 5]!, this.held[o + 6]!);
    }
    this.heldCount = 0;
    this.held = new Float64Array(0);
  }
}
