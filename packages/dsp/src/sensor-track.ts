import { MAX_ABS_SAMPLE_VALUE, type SensorId } from '@gaitwatch/protocol/core';
import { StandingCalibrator, type Calibration } from './calibration/standing-calibrator.ts';
import type { AnalyzerParams } from './params.ts';
import { SHANK_SIDE } from './session/sides.ts';
import { ClockGuard } from './input/clock-guard.ts';
import { HeldRows } from './input/held-rows.ts';
import { RecentSamples } from './input/recent-samples.ts';
import { float64Array } from './signal/arena.ts';

/** Samples used to infer a sensor's rate from its timestamps. */
const RATE_PROBE_SAMPLES = 11;
/**
 * Identical samples in a row that make a sensor flat-lined (dead, or a relay
 * repeating a stale value): 100 is half a second at 200 Hz; a live MEMS
 * sensor's noise never repeats all six channels exactly even a few times.
 */
const FLAT_SAMPLES = 100;
/** A later stand's up must lie within 45° of the running mean's (sensor-track.ts watchStanding). */
const COS_MAX_STAND_FROM_RUNNING = Math.cos((45 * Math.PI) / 180);
/** Values per sample row: t (µs), ax, ay, az (m/s²), gx, gy, gz (rad/s). */
export const CHANNELS = 7;
/** Index of gx among a row's six channels (0–5: ax … gz); the gyro is 3–5. */
export const GYRO_CHANNEL = 3;

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
  /** Samples with a NaN, infinite or physically impossible value (beyond the protocol's ±1000 m/s² or rad/s; dropped). */
  invalid = 0;
  /** Samples discarded because their timestamps gave no plausible sample rate (50–2000 Hz). */
  unusableTiming = 0;
  gaps = 0;
  gapSeconds = 0;
  /** Time of the first sample after the latest gap, µs (NaN: no gap yet): when its data came back. */
  lastGapEndUs = Number.NaN;
  /** Samples dropped because the sensor repeated the same six values for FLAT_SAMPLES in a row (flat-lined). */
  flat = 0;
  /** Time of the latest flat-lined (dropped) sample, µs: the clock guard judges against it. */
  flatUs = Number.NaN;
  /** Whether the sensor is flat-lined now. */
  flatLined = false;
  private flatRun = 0;
  /** Gaps short enough to bridge (≤ bridgeMaxS): the attitude and the detectors were carried across. */
  bridged = 0;
  /** The previous accepted sample row (t, ax, ay, az, gx, gy, gz): one edge of a bridged gap. */
  readonly previousRow = float64Array(CHANNELS);
  /** Time of the first accepted sample, µs (NaN: none yet). */
  firstTUs = Number.NaN;
  calibration: Calibration | undefined;
  private calibrator: StandingCalibrator | undefined;
  /**
   * A shank calibrated from running (it never stood still at its start) is
   * watched for a later stand — a traffic light, a stop to stretch: the knee
   * proxy is measured from standing and waits for one (`no_standing`). The
   * stand's calibration, once found (kept: a restored detector takes its up
   * from it); `laterStandingNew` until the analyzer has applied it.
   */
  laterStanding: Calibration | undefined;
  laterStandingNew = false;
  /** When the later stand was found (its last quiet sample), µs; NaN: not (yet). */
  standingLaterUs = Number.NaN;
  private standingWatch: StandingCalibrator | undefined;
  /** Still poses the watch did not take for a stand (too far from upright: a stretch, sitting with bent knees). */
  standsRejected = 0;
  private readonly probe: number[] = [];
  /** Pre-calibration samples (t, ax, ay, az, gx, gy, gz), bounded by maxStandingS + fallbackS + probe. */
  private readonly held = new HeldRows();

  /** The last samples, for filling a bridged gap with the previous stride (input/recent-samples.ts). */
  readonly recent: RecentSamples;
  /** The sensor's time base against clock faults (input/clock-guard.ts). */
  readonly clock: ClockGuard;

  constructor(
    readonly sensor: SensorId,
    private readonly params: AnalyzerParams,
  ) {
    this.recent = new RecentSamples();
    this.clock = new ClockGuard(params.clockJumpS * 1e6, params.clockConfirmSamples, params.silentAfterS * 1e6);
  }

  /**
   * After a restore of a track that had not calibrated yet: its held samples
   * are not in the snapshot, so rate probing and calibration start again.
   */
  restartCalibration(): void {
    this.rateHz = Number.NaN;
    this.held.clear();
    this.probe.length = 0;
    this.calibrator = undefined;
  }

  /** The time the clock is judged against: the last accepted sample's, or a flat-lined one's after it, µs. */
  get clockUs(): number {
    return this.flatUs > this.lastTUs ? this.flatUs : this.lastTUs;
  }

  /**
   * How far this sensor's data has reached the analysis, µs: its last
   * sample once calibrated. While it calibrates its samples are held (its
   * detector sees them only when calibration decides), so no further than
   * just before the first held one. Never for long: calibration decides
   * within maxStandingS of quiet or fallbackS of motion, and a sensor
   * without a usable rate lets its held samples go (discardHeld).
   */
  get analysedUs(): number {
    const heldFromUs = this.held.firstUs;
    return this.calibration !== undefined || Number.isNaN(heldFromUs) ? this.lastTUs : heldFromUs - 1;
  }

  /** Sample period, µs (NaN until the rate is known). */
  get periodUs(): number {
    return 1e6 / this.rateHz;
  }

  /**
   * Accepts one sample. Returns 'drop' (duplicate or reversed time),
   * 'held' (kept until calibration), 'gap' or 'ok' (deliver it downstream).
   */
  accept(buf: Float64Array, o: number): 'drop' | 'held' | 'gap' | 'bridge' | 'ok' {
    const tUs = buf[o]!;
    if (!Number.isNaN(this.lastTUs) && tUs <= this.lastTUs) {
      this.duplicates++;
      return 'drop';
    }
    // Explicit checks, not [..].every(): no array per sample on the hot path. The same
    // bound as the protocol layer, so a recording gets what a live session gets.
    for (let c = 1; c < CHANNELS; c++) {
      const v = buf[o + c]!;
      if (!(v >= -MAX_ABS_SAMPLE_VALUE && v <= MAX_ABS_SAMPLE_VALUE)) {
        this.invalid++;
        return 'drop';
      }
    }
    // A dead sensor repeats itself exactly: real ones never do, their noise spans several LSB.
    let same = this.samples > 0;
    for (let c = 1; c < CHANNELS && same; c++) same = buf[o + c] === this.lastRow[c];
    if (!same) {
      this.flatRun = 0;
      this.flatLined = false;
    } else if (++this.flatRun >= FLAT_SAMPLES) {
      this.flatUs = tUs;
      // Dropped, so the sensor reads as silent: the release stops waiting for it and the
      // pelvis takes over its leg; the session says sensor_flat, not sensor_silent.
      this.flatLined = true;
      this.flat++;
      return 'drop';
    }
    const previous = this.lastTUs;
    // Element copies, not set(subarray): a subarray is an object per sample.
    for (let c = 0; c < CHANNELS; c++) {
      this.previousRow[c] = this.lastRow[c]!;
      this.lastRow[c] = buf[o + c]!;
    }
    this.lastTUs = tUs;
    this.recent.push(buf, o);
    if (Number.isNaN(this.firstTUs)) this.firstTUs = tUs;
    this.samples++;
    if (Number.isNaN(this.rateHz)) {
      this.probe.push(tUs);
      if (this.probe.length >= RATE_PROBE_SAMPLES) this.inferRate();
      if (Number.isNaN(this.rateHz) && this.held.count >= 4 * RATE_PROBE_SAMPLES) this.discardHeld();
    }
    let gap = false;
    if (!Number.isNaN(this.rateHz) && !Number.isNaN(previous) && tUs - previous > (this.params.gapPeriods * 1e6) / this.rateHz) {
      this.gaps++;
      this.gapSeconds += (tUs - previous) / 1e6;
      this.lastGapEndUs = tUs;
      gap = true;
    }
    if (this.calibration === undefined) {
      this.held.push(buf, o);
      this.calibrator?.push(buf, o);
      if (this.calibrator?.result !== undefined) {
        this.calibration = this.calibrator.result;
        // Done with: its accumulators are a few hundred bytes a sensor for the rest of the session.
        this.calibrator = undefined;
      }
      return 'held';
    }
    if (this.calibration.quality === 'fallback' && Number.isNaN(this.standingLaterUs) && SHANK_SIDE[this.sensor] !== undefined) this.watchStanding(buf, o, gap);
    if (!gap) return 'ok';
    if (tUs - previous > this.params.bridgeMaxS * 1e6) return 'gap';
    this.bridged++;
    return 'bridge';
  }

  /** Feeds the later-stand watch (a gap starts it afresh: quiet blocks must be the sensor's own, in a row). */
  private watchStanding(buf: Float64Array, o: number, gap: boolean): void {
    if (gap || this.standingWatch === undefined) this.standingWatch = new StandingCalibrator(this.params.calibration, this.rateHz, true);
    this.standingWatch.push(buf, o);
    const found = this.standingWatch.result;
    if (found === undefined) return;
    this.standingWatch = undefined;
    // A still shank is not always an upright one (a quad stretch holds it near horizontal): standing
    // up is 26–31° from a running shank's mean direction on the real recordings, 28–37° simulated;
    // a shank held horizontal is ≥ 55° from it. Anything else is not a stand: watch on.
    const [a, b, c] = found.upSensor;
    const [x, y, z] = this.calibration!.upSensor;
    if (a * x + b * y + c * z < COS_MAX_STAND_FROM_RUNNING) {
      this.standsRejected++;
      return;
    }
    this.laterStanding = found;
    this.laterStandingNew = true;
    this.standingLaterUs = buf[o]!;
  }

  /** The newest accepted row (its copy moves to previousRow when the next one arrives). */
  private readonly lastRow = float64Array(CHANNELS);

  /**
   * Samples received over those the rate predicts between the first and the
   * last, in [0, 1] (NaN before the rate is known): the session's completeness.
   */
  get completeness(): number {
    if (Number.isNaN(this.rateHz) || this.samples < 2) return Number.NaN;
    const expected = ((this.lastTUs - this.firstTUs) * this.rateHz) / 1e6 + 1;
    return Math.min(1, this.samples / expected);
  }

  /**
   * Infers the rate from the probe. An implausible rate (timestamps in ms, a
   * burst after a gap) is not an error that may stop the session: the probe
   * restarts from the latest sample and the samples so far are counted as
   * unusable (`unusableTiming` in the summary).
   */
  private inferRate(): void {
    const intervals = this.probe.slice(1).map((t, i) => t - this.probe[i]!).sort((a, b) => a - b);
    const medianUs = intervals[intervals.length >> 1]!;
    // Mean of the intervals near the median: robust to a gap, and unlike the
    // median not biased by the relay's timestamp jitter.
    const near = intervals.filter((d) => Math.abs(d - medianUs) < 0.2 * medianUs);
    const rateHz = 1e6 / (near.reduce((s, d) => s + d, 0) / near.length);
    if (!(rateHz >= 50 && rateHz <= 2000)) {
      this.probe.splice(0, this.probe.length - 1);
      this.discardHeld();
      return;
    }
    this.rateHz = rateHz;
    this.calibrator = new StandingCalibrator(this.params.calibration, this.rateHz);
    // Feed the probe samples already held.
    const calibrator = this.calibrator;
    this.held.forEach((row, o) => calibrator.push(row, o));
  }

  private discardHeld(): void {
    this.unusableTiming += this.held.count;
    this.held.clear();
  }

  /** Ends calibration with what there is (a recording that ends early). */
  flushCalibration(): void {
    if (this.calibration !== undefined) return;
    if (this.calibrator === undefined && this.probe.length >= 3) this.inferRate();
    this.calibrator?.flush();
    this.calibration = this.calibrator?.result;
  }

  /** Hands the held sample rows over once (after calibration), then frees them. */
  drainHeld(visit: (buf: Float64Array, o: number) => void): void {
    this.held.forEach(visit);
    this.held.release();
  }
}
