import type { SensorId } from '@gaitwatch/protocol/core';
import type { AlertEvent } from '../analysis-events.ts';
import type { AnalyzerParams } from '../params.ts';
import type { SensorTrack } from '../sensor-track.ts';
import { SensorQualityMonitor, type QualityEvent } from './data-quality.ts';
import { alertContext, dataQualityAlert } from '../session/alerts.ts';

/** Gravity as a standing calibration measures it must lie in this band for the accelerometer to speak m/s² (local g is 9.78–9.83), m/s². */
const MIN_GRAVITY_MPS2 = 7;
const MAX_GRAVITY_MPS2 = 13;
/**
 * A fallback calibration (the sensor never stood still) measures the mean
 * specific force of running in the sensor's frame, and on a shank that is
 * gravity plus the swing's centripetal pull up the shank: 12.0–12.2 m/s² on
 * the real running recordings at 2.5 m/s, 19.8 on a simulated runner at
 * 4+ m/s. In g the same motion reads under 5, so the line between the two
 * units is still far from both; above this the units are unknown, m/s².
 */
const MAX_FALLBACK_GRAVITY_MPS2 = 60;
const STANDARD_GRAVITY = 9.80665;

/** A clock episode resolves after this long without another fault, µs. */
const CLOCK_QUIET_US = 30_000_000;

/** How often (in data time) sensors are checked for silence, µs. */
const SILENCE_CHECK_US = 250_000;

/**
 * A session's data-quality alerts: silence judged across sensors (one that
 * stops while others go on), loss and clipping per sensor (SensorQualityMonitor),
 * each episode one `raised` and one `resolved` alert with the same episode id,
 * timed from the data.
 */
export class SessionQuality {
  private readonly monitors = new Map<SensorId, SensorQualityMonitor>();
  /** Open episodes by `sensor:metric`, with their episode id. */
  private readonly openEpisodes = new Map<string, string>();
  private readonly silent = new Set<SensorId>();
  private firstUs = Number.NaN;
  private nextSilenceCheckUs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly params: AnalyzerParams,
    private readonly tracks: ReadonlyMap<SensorId, SensorTrack>,
    private readonly options: { sensors?: readonly SensorId[]; athleteId?: string; sessionId?: string },
    private readonly emit: (alert: AlertEvent) => void,
  ) {}

  /**
   * A clock fault of `sensor` (an outlier rejected, a jump taken): one
   * `clock` episode per sensor, resolved after CLOCK_QUIET_US without another.
   */
  clockFault(sensor: SensorId, tUs: number, message: string): void {
    const at = Number.isNaN(tUs) ? this.firstUs : tUs;
    if (!this.clockFaultUs.has(sensor)) this.raise({ tUs: at, sensor, phase: 'raised', metric: 'clock', value: null, limit: null, message });
    this.clockFaultUs.set(sensor, at);
  }

  /**
   * The accelerometer's units from the calibration: standing must read 1 g
   * in m/s² (the mean of running, `fromStanding` false, at least 0.7 g and at
   * most about 6 g); near 1 it speaks g. Raised once (the
   * units do not change within a session); returns whether it is suspect.
   */
  checkAccelerometerUnits(sensor: SensorId, tUs: number, gravityMps2: number, fromStanding = true): boolean {
    if (gravityMps2 >= MIN_GRAVITY_MPS2 && gravityMps2 <= (fromStanding ? MAX_GRAVITY_MPS2 : MAX_FALLBACK_GRAVITY_MPS2)) return false;
    const looksLike = gravityMps2 > 0.5 && gravityMps2 < (fromStanding ? 2 : MAX_FALLBACK_GRAVITY_MPS2 / STANDARD_GRAVITY) ? 'it looks like g' : 'the units are unknown';
    this.raise({ tUs, sensor, phase: 'raised', metric: 'units_suspect', value: Math.round(gravityMps2 * 100) / 100, limit: STANDARD_GRAVITY, message: `${sensor}: gravity reads ${gravityMps2.toFixed(2)} (m/s² expected, 9.81): ${looksLike}; no angles or accelerations from this sensor — send m/s²` });
    return true;
  }

  /**
   * A sensor that went flat-lined (`flatLined` set) or came back: one
   * critical sensor_flat episode. Called when the track's state changed.
   */
  flatChanged(track: SensorTrack, tUs: number): void {
    const open = this.flatSince.has(track.sensor);
    if (track.flatLined && !open) {
      this.flatSince.add(track.sensor);
      this.raise({ tUs, sensor: track.sensor, phase: 'raised', metric: 'sensor_flat', value: null, limit: null, message: `${track.sensor}: the sensor sends the same values over and over (dead sensor or a stuck relay); its data is ignored until it moves again` });
    } else if (!track.flatLined && open) {
      this.flatSince.delete(track.sensor);
      this.raise({ tUs, sensor: track.sensor, phase: 'resolved', metric: 'sensor_flat', value: null, limit: null, message: `${track.sensor}: the sensor's values move again` });
    }
  }

  private readonly flatSince = new Set<SensorId>();

  /** Whether a sensor's gyro units look wrong (deg/s). */
  gyroUnitsSuspect(sensor: SensorId): boolean {
    return this.monitors.get(sensor)?.gyroUnitsSuspect ?? false;
  }

  /** Sensors with an open clock episode, and the time of their last fault, µs. */
  private readonly clockFaultUs = new Map<SensorId, number>();

  /**
   * Builds a sensor's monitor for a restore (state-codec.ts RestoreFactory);
   * null for a sensor whose rate is not known again yet (it recalibrates, and
   * watch() builds its monitor then).
   */
  restoreEntry(field: string, key: unknown): object | null | undefined {
    if (field !== 'monitors') return undefined;
    const track = this.tracks.get(key as SensorId);
    if (track === undefined || Number.isNaN(track.rateHz)) return null;
    const monitor = new SensorQualityMonitor(track.sensor, { ...this.params.dataQuality, silentAfterS: this.params.silentAfterS }, 1e6 / track.rateHz, (e) => this.raise(e));
    this.monitors.set(track.sensor, monitor);
    return monitor;
  }

  /** One accepted sample of `track` at row `o` of `buf`. */
  watch(track: SensorTrack, buf: Float64Array, o: number): void {
    const tUs = buf[o]!;
    if (this.clockFaultUs.size > 0) {
      const lastFaultUs = this.clockFaultUs.get(track.sensor);
      if (lastFaultUs !== undefined && tUs - lastFaultUs > CLOCK_QUIET_US) {
        this.clockFaultUs.delete(track.sensor);
        this.raise({ tUs: lastFaultUs + CLOCK_QUIET_US, sensor: track.sensor, phase: 'resolved', metric: 'clock', value: null, limit: null, message: `${track.sensor}: clock steady again` });
      }
    }
    if (Number.isNaN(this.firstUs)) this.firstUs = tUs;
    const silentUs = this.params.silentAfterS * 1e6;
    const sensor = track.sensor;
    if (this.silent.has(sensor)) {
      this.silent.delete(sensor);
      this.raise({ tUs, sensor, phase: 'resolved', metric: 'sensor_silent', value: null, limit: this.params.silentAfterS, message: `${sensor}: data again` });
    }
    // Silence is checked every SILENCE_CHECK_US of data time, not per sample: the
    // loop over sensors is cheap but needless 200–1000 times a second.
    if (tUs >= this.nextSilenceCheckUs) {
      this.nextSilenceCheckUs = tUs + SILENCE_CHECK_US;
      for (const other of this.options.sensors ?? this.tracks.keys()) {
        const last = this.tracks.get(other)?.lastTUs ?? this.firstUs;
        // Time the episode from the data (last sample + limit), not from whichever sample noticed it.
        if (tUs - last > silentUs && !this.silent.has(other) && this.tracks.get(other)?.flatLined !== true) {
          this.silent.add(other);
          this.raise({ tUs: last + silentUs, sensor: other, phase: 'raised', metric: 'sensor_silent', value: null, limit: this.params.silentAfterS, message: `${other}: no data for ${this.params.silentAfterS} s (battery, Bluetooth or a loose clip?)` });
        }
      }
    }
    (this.monitors.get(sensor) ?? this.newMonitor(track))?.push(buf, o);
  }

  /**
   * A track's monitor, once its rate is known (undefined before). Its own
   * method on purpose: the arrow function below captures `this`, and V8
   * then allocates a context object at every entry to the method that holds
   * it — ~40 B per sample when this sat in watch() (the ingest path's
   * allocation profile, 2026-12-04).
   */
  private newMonitor(track: SensorTrack): SensorQualityMonitor | undefined {
    if (Number.isNaN(track.rateHz)) return undefined;
    const monitor = new SensorQualityMonitor(track.sensor, { ...this.params.dataQuality, silentAfterS: this.params.silentAfterS }, 1e6 / track.rateHz, (e) => this.raise(e));
    this.monitors.set(track.sensor, monitor);
    return monitor;
  }

  /**
   * Raises sensor_silent for every sensor without data for silentAfterS
   * before `now[at]` (data time, µs): advanceTo's check. watch() keeps its own
   * copy of this loop on purpose: when it called this method (or a helper for
   * the raise) V8 on Node 20 left ~40 B of garbage per sample in watch — the
   * allocation test caught it, and the written-out loop has none.
   */
  checkSilence(now: Float64Array, at = 0): void {
    if (Number.isNaN(this.firstUs)) return;
    const nowUs = now[at]!;
    const silentUs = this.params.silentAfterS * 1e6;
    for (const other of this.options.sensors ?? this.tracks.keys()) {
      const last = this.tracks.get(other)?.lastTUs ?? this.firstUs;
      if (nowUs - last > silentUs && !this.silent.has(other) && this.tracks.get(other)?.flatLined !== true) {
        this.silent.add(other);
        this.raise({ tUs: last + silentUs, sensor: other, phase: 'raised', metric: 'sensor_silent', value: null, limit: this.params.silentAfterS, message: `${other}: no data for ${this.params.silentAfterS} s (battery, Bluetooth or a loose clip?)` });
      }
    }
  }

  private raise(event: QualityEvent): void {
    const key = `${event.sensor}:${event.metric}`;
    const episodeId = event.phase === 'raised' ? `${key}:${event.tUs}` : (this.openEpisodes.get(key) ?? `${key}:?`);
    if (event.phase === 'raised') this.openEpisodes.set(key, episodeId);
    else this.openEpisodes.delete(key);
    this.emit(
      dataQualityAlert(alertContext(this.options), {
        severity: event.metric === 'sensor_silent' || event.metric === 'sensor_flat' ? 'critical' : 'warning',
        tUs: event.tUs,
        reason: event.metric,
        value: event.value,
        baseline: event.limit,
        message: event.message,
        phase: event.phase,
        episodeId,
        sensor: event.sensor,
      }),
    );
  }
}
