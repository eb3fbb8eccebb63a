import { AdaptiveThreshold } from '../signal/adaptive-threshold.ts';
import { designLowPass, FirFilter, tapsForSpan } from '../signal/fir-lowpass.ts';
import { RecordRing } from '../signal/ring.ts';

/** One stance found on a shank: initial contact and toe-off, µs. */
export interface ShankStance {
  readonly icUs: number;
  readonly toUs: number;
}

export interface ShankEventParams {
  /** Low-pass cutoff for the sagittal rate, Hz. */
  readonly cutoffHz: number;
  /** FIR span, s (sets the tap count). */
  readonly filterSpanS: number;
  /** Smallest mid-swing peak ever accepted, rad/s (walking's are ~4–6, running's 8–14). */
  readonly minSwingPeakRadps: number;
  /** A peak must exceed this fraction of the median of the recent peaks. */
  readonly adaptivePeakFraction: number;
  /**
   * Refractory time after a mid-swing peak: this fraction of the last peak
   * interval, clamped to [minRefractoryS, maxRefractoryS]. The cap matters:
   * an uncapped fraction of a walking stride would swallow every other
   * running stride after the runner speeds up, and then lock in.
   */
  readonly refractoryFraction: number;
  readonly minRefractoryS: number;
  readonly maxRefractoryS: number;
  /** After the zero crossing that ends mid-swing, the foot contact is searched this long, s. */
  readonly icSearchS: number;
  /** Toe-off is searched from this long after the contact: no stance is shorter (sprinters ~0.09 s), s. */
  readonly minContactS: number;
  /** History kept for searching back, s (must cover a slow walking stride). */
  readonly historyS: number;
}

const T = 0;
const ACC = 1;
const RATE = 2;

/**
 * Gait events of one leg from its shank IMU (Aminian et al. 2002; Salarian
 * et al. 2004; running variants as in Mo & Chow 2018):
 *  - sagittal angular rate ω = −(gyro · medio-lateral axis), so mid-swing is a
 *    large positive peak for either leg (segment y points left on both);
 *  - mid-swing: a local maximum of the low-passed ω above an adaptive threshold;
 *  - toe-off: the minimum of ω between the previous contact and mid-swing
 *    (the shank's fastest backward rotation as the foot leaves the ground);
 *  - initial contact: the foot strike's impact, the largest jump of |a|
 *    within `icSearchS` after ω crosses zero at the end of swing.
 * Times come from the samples' own timestamps; the linear-phase filter's delay is exact.
 */
export class ShankEventDetector {
  private readonly filter: FirFilter;
  private readonly ring: RecordRing;
  private readonly mlAxis: Float64Array;
  private readonly threshold: AdaptiveThreshold;
  private lastPeakUs = Number.NaN;
  private lastPeakGapUs = Number.NaN;
  /** Ring index of the mid-swing peak whose contact is still to be found (−1: none). */
  private pendingPeak = -1;
  private pendingDueUs = 0;
  /** Last contact found (µs, NaN: none) and whether its toe-off is still open. */
  private openIcUs = Number.NaN;
  private readonly sampleRateHz: number;

  constructor(
    private readonly params: ShankEventParams,
    sampleRateHz: number,
    /** Unit "up" in the sensor frame, from calibration. */
    upSensor: readonly [number, number, number],
    private readonly gyroBiasRadps: Float64Array,
    private readonly onStance: (stance: ShankStance) => void,
  ) {
    this.sampleRateHz = sampleRateHz;
    this.threshold = new AdaptiveThreshold(params.minSwingPeakRadps, params.adaptivePeakFraction, 6);
    this.filter = new FirFilter(designLowPass(params.cutoffHz, sampleRateHz, tapsForSpan(params.filterSpanS, sampleRateHz)));
    this.ring = new RecordRing(Math.ceil(params.historyS * sampleRateHz), 3);
    // DESIGN.md: sensors sit within ±20° of the segment frame, so the sensor's y,
    // made horizontal against the calibrated up, is the medio-lateral axis.
    const [ux, uy, uz] = upSensor;
    const ml = Float64Array.of(-uy * ux, 1 - uy * uy, -uy * uz);
    const n = Math.sqrt(ml[0]! * ml[0]! + ml[1]! * ml[1]! + ml[2]! * ml[2]!);
    this.mlAxis = Float64Array.of(ml[0]! / n, ml[1]! / n, ml[2]! / n);
  }

  /** Forgets the signal history (after a gap): no event may span missing data. */
  reset(): void {
    this.filter.reset();
    this.ring.clear();
    this.pendingPeak = -1;
    this.openIcUs = Number.NaN;
    this.lastPeakUs = Number.NaN;
  }

  /** One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz): indices in, no doubles across the call. */
  push(buf: Float64Array, o: number): void {
    const tUs = buf[o]!;
    const ax = buf[o + 1]!;
    const ay = buf[o + 2]!;
    const az = buf[o + 3]!;
    const bias = this.gyroBiasRadps;
    const gx = buf[o + 4]! - bias[0]!;
    const gy = buf[o + 5]! - bias[1]!;
    const gz = buf[o + 6]! - bias[2]!;
    const rate = -(gx * this.mlAxis[0]! + gy * this.mlAxis[1]! + gz * this.mlAxis[2]!);
    // sqrt of the sum, not Math.hypot: V8's variadic hypot is slower and was seen to allocate per call.
    const r = this.ring.append();
    const d = this.ring.data;
    d[r] = tUs;
    d[r + ACC] = Math.sqrt(ax * ax + ay * ay + az * az);
    d[r + RATE] = Number.NaN;
    const filtered = this.filter.push(rate);
    const newest = this.ring.pushed - 1;
    const aligned = newest - this.filter.delaySamples;
    if (Number.isNaN(filtered) || aligned < this.ring.firstIndex) return;
    this.ring.data[this.ring.slot(aligned) + RATE] = filtered;
    if (aligned - 2 >= this.ring.firstIndex) this.checkPeak(aligned - 1);
    if (this.pendingPeak >= 0 && this.ring.data[this.ring.slot(aligned) + T]! >= this.pendingDueUs) this.findContact(aligned);
  }

  private checkPeak(i: number): void {
    const y = this.ring.data[this.ring.slot(i) + RATE]!;
    if (!(y > this.ring.data[this.ring.slot(i - 1) + RATE]! && y >= this.ring.data[this.ring.slot(i + 1) + RATE]!)) return;
    if (y < this.threshold.value()) return;
    const tUs = this.ring.data[this.ring.slot(i) + T]!;
    const { refractoryFraction, minRefractoryS, maxRefractoryS } = this.params;
    const fromGapS = Number.isNaN(this.lastPeakGapUs) ? 0 : (refractoryFraction * this.lastPeakGapUs) / 1e6;
    const minGapUs = Math.min(maxRefractoryS, Math.max(minRefractoryS, fromGapS)) * 1e6;
    if (!Number.isNaN(this.lastPeakUs) && tUs - this.lastPeakUs < minGapUs) return;
    this.lastPeakGapUs = Number.isNaN(this.lastPeakUs) ? Number.NaN : tUs - this.lastPeakUs;
    this.lastPeakUs = tUs;
    this.threshold.accept(y);
    this.closeStance(i);
    this.pendingPeak = i;
    this.pendingDueUs = tUs + this.params.icSearchS * 1e6 * 2;
  }

  /** Mid-swing at ring index `peak`: the open stance's toe-off is the rate minimum before it. */
  private closeStance(peak: number): void {
    if (Number.isNaN(this.openIcUs)) return;
    let best = Number.POSITIVE_INFINITY;
    let toUs = Number.NaN;
    const earliestUs = this.openIcUs + this.params.minContactS * 1e6;
    for (let j = peak; j >= this.ring.firstIndex; j--) {
      const t = this.ring.data[this.ring.slot(j) + T]!;
      if (t < earliestUs) break;
      const y = this.ring.data[this.ring.slot(j) + RATE]!;
      if (y < best) {
        best = y;
        toUs = t;
      }
    }
    if (!Number.isNaN(toUs)) this.onStance({ icUs: this.openIcUs, toUs });
    this.openIcUs = Number.NaN;
  }

  /** End of swing after the pending peak: find ω's zero crossing, then the impact. */
  private findContact(newestAligned: number): void {
    const peak = this.pendingPeak;
    this.pendingPeak = -1;
    if (peak < this.ring.firstIndex) return;
    let zero = -1;
    for (let j = peak + 1; j <= newestAligned; j++) {
      if (this.ring.data[this.ring.slot(j) + RATE]! < 0) {
        zero = j;
        break;
      }
    }
    if (zero < 0) return;
    const windowStart = Math.max(this.ring.firstIndex + 1, zero - Math.round(0.03 * this.sampleRateHz));
    const endUs = this.ring.data[this.ring.slot(zero) + T]! + this.params.icSearchS * 1e6;
    let bestJump = Number.NEGATIVE_INFINITY;
    let icUs = Number.NaN;
    for (let j = windowStart; j < this.ring.pushed && this.ring.data[this.ring.slot(j) + T]! <= endUs; j++) {
      const jump = this.ring.data[this.ring.slot(j) + ACC]! - this.ring.data[this.ring.slot(j - 1) + ACC]!;
      if (jump > bestJump) {
        bestJump = jump;
        icUs = (this.ring.data[this.ring.slot(j) + T]! + this.ring.data[this.ring.slot(j - 1) + T]!) / 2;
      }
    }
    if (!Number.isNaN(icUs)) this.openIcUs = Math.round(icUs);
  }
}
