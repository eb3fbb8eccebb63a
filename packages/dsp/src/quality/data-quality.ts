import type { SensorId } from '@gaitwatch/protocol';

/** A data-quality episode starting or ending. */
export interface QualityEvent {
  readonly tUs: number;
  readonly sensor: SensorId;
  readonly phase: 'raised' | 'resolved';
  /** `sensor_silent`, `packet_loss` (fraction of samples missing), `clipping` (fraction of samples at full scale) or `clock` (timestamps off the sensor's time base). */
  readonly metric: 'sensor_silent' | 'packet_loss' | 'clipping' | 'clock';
  readonly value: number | null;
  /** The limit the value was held against (null: none). */
  readonly limit: number | null;
  readonly message: string;
}

export interface DataQualityParams {
  /** Window over which loss and clipping fractions are measured, s. */
  readonly windowS: number;
  /** Raise packet loss above this fraction of expected samples… */
  readonly lossRaise: number;
  /** …and resolve it below this one (hysteresis). */
  readonly lossResolve: number;
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
 * Watches one sensor's stream for packet loss and clipping, in fixed windows
 * of sample time, with hysteresis: one episode gives one `raised` and one
 * `resolved`. Clipping shows as a flat top: an axis holding exactly the same
 * large value on consecutive samples, which a noisy real signal never does.
 * (Silence is judged across sensors by the analyzer, which knows the others.)
 */
export class SensorQualityMonitor {
  private windowStartUs = Number.NaN;
  private received = 0;
  private clipped = 0;
  private lossActive = false;
  private clipActive = false;
  private readonly last = new Float64Array(3);

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
  }

  private closeWindow(): void {
    const windowUs = this.params.windowS * 1e6;
    const expected = windowUs / this.periodUs;
    const endUs = this.windowStartUs + windowUs;
    const loss = Math.max(0, 1 - this.received / expected);
    // A window with nothing at all is silence, which the analyzer reports; keep loss for partial windows.
    if (this.received > 0) {
      if (!this.lossActive && loss > this.params.lossRaise) {
        this.lossActive = true;
        this.emit({ tUs: endUs, sensor: this.sensor, phase: 'raised', metric: 'packet_loss', value: loss, limit: this.params.lossRaise, message: `${this.sensor}: ${(loss * 100).toFixed(0)} % of samples missing over the last ${this.params.windowS} s` });
      } else if (this.lossActive && loss < this.params.lossResolve) {
        this.lossActive = false;
        this.emit({ tUs: endUs, sensor: this.sensor, phase: 'resolved', metric: 'packet_loss', value: loss, limit: this.params.lossResolve, message: `${this.sensor}: samples arriving again` });
      }
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
