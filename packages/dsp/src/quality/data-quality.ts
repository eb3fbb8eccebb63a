import type { LossCostParams } from './loss-cost.ts';
import type { SensorId } from '@gaitwatch/protocol/core';
import { float64Array } from '../signal/arena.ts';

/** A data-quality episode starting or ending. */
export interface QualityEvent {
  readonly tUs: number;
  readonly sensor: SensorId;
  readonly phase: 'raised' | 'resolved';
  /** `sensor_silent`, `clipping` (fraction of samples at full scale), `clock` (timestamps off the sensor's time base) or `units_suspect`. */
  readonly metric: 'sensor_silent' | 'sensor_flat' | 'clipping' | 'clock' | 'units_suspect';
  readonly value: number | null;
  /** The limit the value was held against (null: none). */
  readonly limit: number | null;
  readonly message: string;
}

/**
 * A body segment in running stays under this angular rate: the shank's
 * mid-swing peak is 8–14 rad/s, a sprinter's ~20 (and IMUs' common full scale,
 * ±2000 °/s, is 35 rad/s). A deg/s gyro's swing reads 450–800. rad/s.
 */
const MAX_BODY_RATE_RADPS = 35;
/** Samples above it before the units are called suspect (a glitch is one or two). */
const UNITS_EVIDENCE_SAMPLES = 10;

export interface DataQualityParams extends LossCostParams {
  /** Window over which the clipping fraction is measured, s. */
  readonly windowS: number;
  /** Raise clipping above this fraction of samples, resolve below the second. */
  readonly clipRaise: number;
  readonly clipResolve: number;
  /** Acceleration magnitude on one axis that can be a clipped full-scale value, m/s² (≥ 4 g; devices clip at 8–16 g). */
  readonly clipMinMps2: number;
}

/** After a silence this long the partial window is dropped, not scored as loss (silence has its own alert), s. */
export interface SilenceAware {
  readonly silentAfterS: number;
}

/**
 * Watches one sensor's stream for clipping and gyro units, in fixed windows
 * of sample time, with hysteresis: one episode gives one `raised` and one
 * `resolved`. Clipping shows as a flat top: an axis holding exactly the same
 * large value on consecutive samples, which a noisy real signal never does.
 * (Silence is judged across sensors by the analyzer, which knows the others.)
 */
export class SensorQualityMonitor {
  private windowStartUs = Number.NaN;
  private received = 0;
  private clipped = 0;
  private clipActive = false;
  private readonly last = float64Array(3);

  constructor(
    private readonly sensor: SensorId,
    private readonly params: DataQualityParams & SilenceAware,
    private readonly periodUs: number,
    private readonly emit: (event: QualityEvent) => void,
  ) {}

  private lastTUs = Number.NaN;

  /** One sample row at `o` of `buf` (t, ax, ay, az, …). */
  push(buf: Float64Array, o: number): void {
    const tUs = buf[o]!;
    const ax = buf[o + 1]!;
    const ay = buf[o + 2]!;
    const az = buf[o + 3]!;
    if (Number.isNaN(this.windowStartUs) || tUs - this.lastTUs >= this.params.silentAfterS * 1e6) {
      this.windowStartUs = tUs;
      this.received = 0;
      this.clipped = 0;
    }
    this.lastTUs = tUs;
    const windowUs = this.params.windowS * 1e6;
    while (tUs >= this.windowStartUs + windowUs) this.closeWindow();
    this.received++;
    const min = this.params.clipMinMps2;
    if ((Math.abs(ax) >= min && ax === this.last[0]) || (Math.abs(ay) >= min && ay === this.last[1]) || (Math.abs(az) >= min && az === this.last[2])) this.clipped++;
    this.last[0] = ax;
    this.last[1] = ay;
    this.last[2] = az;
    // Units: no body segment turns faster than MAX_BODY_RATE_RADPS while running; a
    // gyro reporting that again and again speaks deg/s (×57.3), not rad/s.
    if (!this.gyroUnitsSuspect) {
      const gx = buf[o + 4]!;
      const gy = buf[o + 5]!;
      const gz = buf[o + 6]!;
      if (gx * gx + gy * gy + gz * gz > MAX_BODY_RATE_RADPS * MAX_BODY_RATE_RADPS && ++this.tooFast >= UNITS_EVIDENCE_SAMPLES) {
        this.gyroUnitsSuspect = true;
        const degps = Math.sqrt(gx * gx + gy * gy + gz * gz);
        this.emit({ tUs, sensor: this.sensor, phase: 'raised', metric: 'units_suspect', value: Math.round(degps), limit: MAX_BODY_RATE_RADPS, message: `${this.sensor}: the gyro reads up to ${Math.round(degps)} (rad/s expected, a body segment stays under ${MAX_BODY_RATE_RADPS}): it looks like deg/s; no angles from this sensor — send rad/s` });
      }
    }
  }

  /** Samples whose angular rate no body segment reaches, so far. */
  private tooFast = 0;
  /** Set once the gyro's units look like deg/s: its angles are not reported. */
  gyroUnitsSuspect = false;

  private closeWindow(): void {
    const windowUs = this.params.windowS * 1e6;
    const endUs = this.windowStartUs + windowUs;
    // A window with nothing at all is silence, which the analyzer reports. (Packet loss is
    // judged by what it costs the metrics: quality/loss-cost.ts; the summary gives completeness.)
    if (this.received > 0) {
      const clip = this.clipped / this.received;
      if (!this.clipActive && clip > this.params.clipRaise) {
        this.clipActive = true;
        this.emit({ tUs: endUs, sensor: this.sensor, phase: 'raised', metric: 'clipping', value: clip, limit: this.params.clipRaise, message: `${this.sensor}: accelerometer at full scale in ${(clip * 100).toFixed(1)} % of samples; impacts exceed the sensor's range` });
      } else if (this.clipActive && clip < this.params.clipResolve) {
        this.clipActive = false;
        this.emit({ tUs: endUs, sensor: this.sensor, phase: 'resolved', metric: 'clipping', value: clip, limit: this.params.clipResolve, message: `${this.sensor}: accelerometer back within range` });
      }
    }
    this.windowStartUs = endUs;
    this.received = 0;
    this.clipped = 0;
  }
}
