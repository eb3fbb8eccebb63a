import { AdaptiveThreshold } from '../signal/adaptive-threshold.ts';
import { designLowPass, FirFilter, tapsForSpan } from '../signal/fir-lowpass.ts';
import { TimedRecordRing } from '../signal/ring.ts';
import type { GaitEventDetector } from './detector.ts';
import { float64Array } from '../signal/arena.ts';

/** One stance found on a shank: initial contact and toe-off, µs. */
export interface ShankStance {
  readonly icUs: number;
  /** Null when the toe-off fell in a bridged gap. */
  readonly toUs: number | null;
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
  /**
   * Toe-off rule by gait, from the leg's last stride (mid-swing to mid-swing):
   * at this cadence or more the running rule, below it the walking rule,
   * steps/min (140: the walk/run cadence the form detector uses too).
   */
  readonly runMinCadenceSpm: number;
  /** History kept for searching back, s (must cover a slow walking stride). */
  readonly historyS: number;
  /**
   * Initial-contact rule: 1 the foot strike's impact (the largest jump of |a|
   * after the end of swing; today's default), 2 the end of swing itself — the
   * first sample after mid-swing where the low-passed ω is below zero
   * (Fadillioglu et al. 2020, Gait & Posture 81:102–108; Kiernan et al. 2023
   * measured −24.3 ms against force plates in 74 runners); 3 the onset of the
   * rise of the acceleration along the shank that leads up to that impact
   * (`axialRiseOnset`; the default). A number, not a name: every analyzer
   * parameter is one.
   */
  readonly icRule: number;
}

/** `icRule` values. */
export const IC_RULE_IMPACT = 1;
export const IC_RULE_ZERO_CROSSING = 2;
export const IC_RULE_AXIAL_ONSET = 3;

// Ring fields (the time is the ring's own): |a|, m/s² (NaN on a bridged row); the low-passed sagittal rate, rad/s;
// the specific force along the calibrated up (the shank's long axis when standing), m/s² (NaN on a bridged row); float32.
const ACC = 1;
const RATE = 2;
const AXIAL = 3;
const RING_FIELDS = 3;
/** The history's first size (it grows as the searches need, up to historyS), s. */
const INITIAL_HISTORY_S = 0.5;
/** Kept before the earliest time a search starts at: the filter's reach and a record either side, µs. */
const RETAIN_MARGIN_US = 100_000;

/**
 * Gait events of one leg from its shank IMU (Aminian et al. 2002; Salarian
 * et al. 2004; running variants as in Mo & Chow 2018):
 *  - sagittal angular rate ω = −(gyro · medio-lateral axis), so mid-swing is a
 *    large positive peak for either leg (segment y points left on both);
 *  - mid-swing: a local maximum of the low-passed ω above an adaptive threshold;
 *  - toe-off: the onset of the early-swing backward rotation before mid-swing
 *    (tangent method, `toeOffOnset`), not that rotation's minimum, which
 *    comes 75–105 ms after the foot leaves the ground on real running;
 *  - initial contact: the onset of the rise of the axial acceleration that
 *    leads up to the foot strike's impact (`axialRiseOnset`), the impact being
 *    the largest jump of |a| within `icSearchS` after ω crosses zero at the
 *    end of swing; with `icRule` 1 the impact itself, with 2 that zero
 *    crossing (Fadillioglu et al. 2020).
 * Times come from the samples' own timestamps; the linear-phase filter's delay is exact.
 */
export class ShankEventDetector implements GaitEventDetector {
  private readonly filter: FirFilter;
  private readonly ring: TimedRecordRing;
  private readonly mlAxis: Float64Array;
  /** Unit up in the sensor frame (calibration): the shank's long axis, near enough, for the axial acceleration. */
  private readonly up: Float64Array;
  private readonly threshold: AdaptiveThreshold;
  /** Half the median of the recent foot-strike |a| jumps (m/s² per sample): what a real strike's jump reaches. */
  private readonly impacts = new AdaptiveThreshold(0, 0.5, 8);
  private lastPeakUs = Number.NaN;
  private lastPeakGapUs = Number.NaN;
  /** Ring index of the mid-swing peak whose contact is still to be found (−1: none). */
  private pendingPeak = -1;
  private pendingDueUs = 0;
  /** Last contact found (µs, NaN: none) and whether its toe-off is still open. */
  private openIcUs = Number.NaN;
  /** The contact reported for the open stance: the impact (icRule 1), the zero crossing before it (2) or the onset of its rise (3), µs. */
  private openReportedIcUs = Number.NaN;
  private readonly sampleRateHz: number;

  constructor(
    private readonly params: ShankEventParams,
    sampleRateHz: number,
    /** Unit "up" in the sensor frame, from calibration. */
    upSensor: readonly [number, number, number],
    private readonly gyroBiasRadps: Float64Array,
    private readonly onStance: (stance: ShankStance) => void,
    /**
     * A contact as soon as it is found, ~0.1 s after the foot strikes (its stance, with the toe-off, follows at
     * the next mid-swing, with the same icUs): the leg's previous stride can close now, not a stance later.
     */
    private readonly onContact?: (icUs: number) => void,
  ) {
    this.sampleRateHz = sampleRateHz;
    if (params.icRule !== IC_RULE_IMPACT && params.icRule !== IC_RULE_ZERO_CROSSING && params.icRule !== IC_RULE_AXIAL_ONSET) {
      throw new RangeError(
        `shankEvents.icRule must be ${IC_RULE_IMPACT} (impact), ${IC_RULE_ZERO_CROSSING} (zero crossing of ω after mid-swing) or ${IC_RULE_AXIAL_ONSET} (onset of the axial acceleration's rise to the impact), got ${params.icRule}`,
      );
    }
    this.threshold = new AdaptiveThreshold(params.minSwingPeakRadps, params.adaptivePeakFraction, 6);
    this.filter = new FirFilter(designLowPass(params.cutoffHz, sampleRateHz, tapsForSpan(params.filterSpanS, sampleRateHz)));
    const maxRecords = Math.ceil(params.historyS * sampleRateHz);
    this.ring = new TimedRecordRing(maxRecords, RING_FIELDS, Math.min(maxRecords, Math.ceil(INITIAL_HISTORY_S * sampleRateHz)));
    // Nothing open yet: no search reaches back (a calibration's held samples replayed must not grow it).
    this.ring.retainFromUs = Number.POSITIVE_INFINITY;
    // DESIGN.md: sensors sit within ±20° of the segment frame, so the sensor's y,
    // made horizontal against the calibrated up, is the medio-lateral axis.
    this.up = float64Array(3);
    this.mlAxis = float64Array(3);
    this.setUp(upSensor);
  }

  /**
   * The shank's long axis in the sensor frame (the calibrated up) and the
   * medio-lateral axis against it. Set again when a shank that calibrated
   * from running stands still later (sensor-track.ts): the running mean is
   * ~30° off the long axis, which mixes the anterior acceleration into the
   * axial one the contact is timed from (REAL, rbds032 with its shank data
   * starting mid-run: IC bias +12.9 ms against +5.3 ms from standing).
   */
  setUp(upSensor: readonly [number, number, number]): void {
    const [ux, uy, uz] = upSensor;
    this.up[0] = ux;
    this.up[1] = uy;
    this.up[2] = uz;
    const m0 = -uy * ux;
    const m1 = 1 - uy * uy;
    const m2 = -uy * uz;
    const n = Math.sqrt(m0 * m0 + m1 * m1 + m2 * m2);
    this.mlAxis[0] = m0 / n;
    this.mlAxis[1] = m1 / n;
    this.mlAxis[2] = m2 / n;
  }

  /** Nothing is held back at the end of the data. */
  finish(): void {}

  /** Forgets the signal history (after a gap): no event may span missing data. */
  reset(): void {
    this.filter.reset();
    this.ring.clear();
    this.pendingPeak = -1;
    this.openIcUs = Number.NaN;
    this.lastPeakUs = Number.NaN;
    this.ring.retainFromUs = Number.POSITIVE_INFINITY;
  }

  /**
   * One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz): indices in, no
   * doubles across the call. `bridged`: a row interpolated across a short gap:
   * it keeps the filter and the rhythm going, but no event is timed on it — its
   * |a| is stored as NaN, and a contact or toe-off search that meets one gives up.
   */
  push(buf: Float64Array, o: number, _world?: Float64Array, bridged = false): void {
    const ax = buf[o + 1]!;
    const ay = buf[o + 2]!;
    const az = buf[o + 3]!;
    const bias = this.gyroBiasRadps;
    const gx = buf[o + 4]! - bias[0]!;
    const gy = buf[o + 5]! - bias[1]!;
    const gz = buf[o + 6]! - bias[2]!;
    const rate = -(gx * this.mlAxis[0]! + gy * this.mlAxis[1]! + gz * this.mlAxis[2]!);
    // sqrt of the sum, not Math.hypot: V8's variadic hypot is slower and was seen to allocate per call.
    const r = this.ring.append(buf, o);
    const d = this.ring.data;
    d[r + ACC] = bridged ? Number.NaN : Math.sqrt(ax * ax + ay * ay + az * az);
    d[r + RATE] = Number.NaN;
    d[r + AXIAL] = bridged ? Number.NaN : ax * this.up[0]! + ay * this.up[1]! + az * this.up[2]!;
    const filtered = this.filter.push(rate);
    const newest = this.ring.pushed - 1;
    const aligned = newest - this.filter.delaySamples;
    if (Number.isNaN(filtered) || aligned < this.ring.firstIndex) return;
    this.ring.data[this.ring.slot(aligned) + RATE] = filtered;
    if (aligned - 2 >= this.ring.firstIndex) this.checkPeak(aligned - 1);
    // The record's time read inline (signal/time-offsets.ts): no double returned per sample.
    if (this.pendingPeak >= 0 && this.ring.times.baseUs + this.ring.times.offsets[this.ring.timeSlot(aligned)]! >= this.pendingDueUs) {
      this.findContact(aligned);
      this.retain();
    }
  }

  /**
   * Tells the history what the searches still to come reach back to: the
   * open stance's contact (its toe-off is searched from there at the next
   * mid-swing) and the peak whose contact is due, less a margin for the
   * filter's reach. With neither, the newest records are all it needs. So it
   * holds about the longest stance and swing seen, not historyS (signal/ring.ts
   * grows it on demand).
   */
  private retain(): void {
    let fromUs = Number.isNaN(this.openIcUs) ? Number.POSITIVE_INFINITY : this.openIcUs;
    if (this.pendingPeak >= this.ring.firstIndex) {
      const peakUs = this.ring.time(this.pendingPeak);
      if (peakUs < fromUs) fromUs = peakUs;
    }
    // A guard against overwriting only, never a shrink: the need swings every stride (a stance open, then
    // just a peak), and a ring resized twice a stride would allocate twice a stride.
    this.ring.retainFromUs = fromUs - RETAIN_MARGIN_US;
  }

  private checkPeak(i: number): void {
    const y = this.ring.data[this.ring.slot(i) + RATE]!;
    if (!(y > this.ring.data[this.ring.slot(i - 1) + RATE]! && y >= this.ring.data[this.ring.slot(i + 1) + RATE]!)) return;
    if (y < this.threshold.value()) return;
    const tUs = this.ring.time(i);
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
    this.retain();
  }

  /**
   * Mid-swing at ring index `peak`: closes the open stance with its toe-off,
   * the onset of the early-swing backward rotation (see `toeOffOnset`).
   */
  private closeStance(peak: number): void {
    if (Number.isNaN(this.openIcUs)) return;
    const earliestUs = this.openIcUs + this.params.minContactS * 1e6;
    // Swing minimum M: the fastest backward rotation between contact + minContactS and mid-swing.
    let minAt = -1;
    let first = -1;
    for (let j = peak; j >= this.ring.firstIndex; j--) {
      if (this.ring.time(j) < earliestUs) {
        first = j + 1;
        break;
      }
      if (minAt < 0 || this.ring.data[this.ring.slot(j) + RATE]! < this.ring.data[this.ring.slot(minAt) + RATE]!) minAt = j;
    }
    if (first < 0 || minAt < 0) {
      this.openIcUs = Number.NaN;
      return;
    }
    // Walking (Aminian et al. 2002, validated there): the swing minimum is the
    // toe-off. Running: its onset (below). The gait from the leg's last stride;
    // unknown (the first stride) counts as running, the product's case.
    const strideUs = this.lastPeakGapUs;
    const walking = !Number.isNaN(strideUs) && strideUs > (120 / this.params.runMinCadenceSpm) * 1e6;
    const at = walking ? { tUs: this.ring.time(minAt), from: minAt, to: minAt } : this.toeOffOnset(first, minAt);
    // A feature within the filter's reach of a bridged row may be the gap's guess: the contact stands, its toe-off is unknown.
    const toUs = Number.isNaN(at.tUs) || this.nearBridged(at.from, at.to) ? null : Math.round(at.tUs);
    this.onStance({ icUs: this.openReportedIcUs, toUs });
    this.openIcUs = Number.NaN;
  }

  /**
   * Toe-off between ring indices `first` (contact + minContactS) and `minAt`
   * (the swing minimum of ω): the ONSET of the plunge into the early-swing
   * backward rotation, by the tangent method — the steepest-descent tangent of
   * ω between the late-stance maximum A (highest ω in [first, minAt]) and the
   * swing minimum, intersected with A's level:
   *   t_TO = t_C − (ω_A − ω_C) / |dω/dt|_C,  C = the steepest descent,
   * clamped to [t_A, t_C]. No constant is fitted.
   *
   * Why not the swing minimum (the rule before, and Aminian et al. 2002's
   * walking rule): while the foot is on the ground it holds the shank (late
   * stance ω near zero, a plateau); once it leaves, nothing does and the knee
   * flexion swings the shank back — ω plunges and reaches its minimum in early
   * swing, 75–105 ms after toe-off on real running (force plate,
   * fukuchi-rbds001: +101 ms median). The plunge's onset is the foot leaving.
   * Measured on real running (ACCURACY.md, medians of detected − truth):
   * −2.0 ms against the force plate (fukuchi-rbds001), −14.3 ms against the
   * foot markers (fukuchi-rbds032); the onset rule has no fitted constant.
   *
   * Provenance: this onset rule is OURS, validated on real running, not a
   * published one. Kiernan, Dunn Siino & Hawkins 2023 (Sensors 23(11):5022)
   * recommend Purcell et al. 2006's terminal-contact rule (+3.5 ms there),
   * which reads the shank's accelerometer, not ω (eval/published/purcell.ts);
   * on our real running it is far later (ACCURACY.md, "published event
   * rules"), and so is Fadillioglu et al. 2020's ω-based rule in median
   * |error|: no published toe-off rule beat this one, so none is offered.
   * Returns the time and the ring span (A..C) it was read from.
   */
  private toeOffOnset(first: number, minAt: number): { tUs: number; from: number; to: number } {
    const d = this.ring.data;
    let maxAt = first;
    for (let j = first; j <= minAt; j++) if (d[this.ring.slot(j) + RATE]! > d[this.ring.slot(maxAt) + RATE]!) maxAt = j;
    // Steepest descent, central differences (rad/s per µs), from A + 1 to M − 1.
    let slope = 0;
    let steepAt = -1;
    for (let j = Math.max(maxAt, first + 1); j < minAt && j + 1 < this.ring.pushed; j++) {
      const s = (d[this.ring.slot(j + 1) + RATE]! - d[this.ring.slot(j - 1) + RATE]!) / (this.ring.time(j + 1) - this.ring.time(j - 1));
      if (s < slope) {
        slope = s;
        steepAt = j;
      }
    }
    if (steepAt < 0) return { tUs: Number.NaN, from: maxAt, to: minAt };
    const tA = this.ring.time(maxAt);
    const tC = this.ring.time(steepAt);
    const tUs = tC - (d[this.ring.slot(maxAt) + RATE]! - d[this.ring.slot(steepAt) + RATE]!) / -slope;
    return { tUs: Math.min(tC, Math.max(tA, tUs)), from: maxAt, to: steepAt };
  }

  /** Whether a row within the low-pass filter's half span of ring indices `i`..`k` was bridged (|a| NaN). */
  private nearBridged(i: number, k = i): boolean {
    const reach = this.filter.delaySamples + 1;
    const from = Math.max(this.ring.firstIndex, i - reach);
    const to = Math.min(this.ring.pushed - 1, k + reach);
    for (let j = from; j <= to; j++) if (Number.isNaN(this.ring.data[this.ring.slot(j) + ACC]!)) return true;
    return false;
  }

  /**
   * Initial contact as the ONSET of the rise of the axial specific force that
   * leads up to the impact at ring index `impactAt` (the sample ending the
   * largest |a| jump): the lowest axial value B in [`from`, impact], the
   * steepest rise C (central differences) in (B, impact], and C's tangent
   * intersected with B's level — the tangent method of `toeOffOnset`, on the
   * accelerometer; clamped to [t_B, t_C]. No constant is fitted. NaN when a
   * bridged row (NaN) lies in B..C's reach.
   *
   * Why: the ground's reaction acts up the shank, so the axial specific force
   * starts to climb when the foot starts to load; the impact — the largest
   * |a| jump — is the steepest part of that loading, which comes later the
   * more gradual the landing is. On a heel striker without a strike transient
   * it is the forefoot's slap, ~30 ms after the heel touched (Mitschke, Heß &
   * Milani 2017, Applied Sciences 7(9):959, found peak-based foot-strike rules
   * late by amounts that depend on the strike pattern and the shoe). Measured
   * on real running (ACCURACY.md, medians of detected − truth): +6.6 ms
   * against the force plate (fukuchi-rbds001, forefoot striker; the impact
   * +10.5), +5.3 ms against the foot markers (fukuchi-rbds032, heel striker;
   * the impact +33.0). With a strapped sensor's strike transient the jump is
   * the transient itself and the onset falls just before it.
   * Provenance: OURS, not a published rule (cf. `toeOffOnset`).
   */
  private axialRiseOnset(from: number, impactAt: number): number {
    if (impactAt < 0) return Number.NaN;
    const d = this.ring.data;
    let low = from;
    for (let j = from; j <= impactAt; j++) {
      const v = d[this.ring.slot(j) + AXIAL]!;
      if (Number.isNaN(v)) return Number.NaN;
      if (v < d[this.ring.slot(low) + AXIAL]!) low = j;
    }
    let slope = 0;
    let steepAt = -1;
    const last = Math.min(impactAt, this.ring.pushed - 2);
    for (let j = Math.max(low + 1, this.ring.firstIndex + 1); j <= last; j++) {
      const s = (d[this.ring.slot(j + 1) + AXIAL]! - d[this.ring.slot(j - 1) + AXIAL]!) / (this.ring.time(j + 1) - this.ring.time(j - 1));
      if (Number.isNaN(s)) return Number.NaN;
      if (s > slope) {
        slope = s;
        steepAt = j;
      }
    }
    if (steepAt < 0) return Number.NaN;
    const tB = this.ring.time(low);
    const tC = this.ring.time(steepAt);
    const tUs = tC - (d[this.ring.slot(steepAt) + AXIAL]! - d[this.ring.slot(low) + AXIAL]!) / slope;
    return Math.min(tC, Math.max(tB, tUs));
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
    const endUs = this.ring.time(zero) + this.params.icSearchS * 1e6;
    let bestJump = Number.NEGATIVE_INFINITY;
    let bestAt = -1;
    let icUs = Number.NaN;
    let bridged = false;
    let bestNearBridged = false;
    let previousBridged = false;
    for (let j = windowStart; j < this.ring.pushed && this.ring.time(j) <= endUs; j++) {
      const jump = this.ring.data[this.ring.slot(j) + ACC]! - this.ring.data[this.ring.slot(j - 1) + ACC]!;
      if (Number.isNaN(jump)) {
        bridged = previousBridged = true;
        continue;
      }
      if (jump > bestJump) {
        bestJump = jump;
        bestAt = j;
        icUs = (this.ring.time(j) + this.ring.time(j - 1)) / 2;
        bestNearBridged = previousBridged || (j + 1 < this.ring.pushed && Number.isNaN(this.ring.data[this.ring.slot(j + 1) + ACC]!));
      }
      previousBridged = false;
    }
    if (Number.isNaN(icUs)) return;
    // With a bridged gap in the window the strike may have been in it: the best
    // real jump counts only when it is away from the gap and as large as this
    // leg's impacts are (half their recent median), else no contact rather than a wrong one.
    if (bridged && (bestNearBridged || bestJump < this.impacts.value())) return;
    if (!bridged) this.impacts.accept(bestJump);
    this.openIcUs = Math.round(icUs);
    this.openReportedIcUs = this.openIcUs;
    if (this.params.icRule === IC_RULE_AXIAL_ONSET) {
      const onsetUs = this.axialRiseOnset(windowStart, bestAt);
      // A bridged row in the rise: the impact stands (a few ms to tens of ms late, never a gap's guess).
      if (!Number.isNaN(onsetUs)) this.openReportedIcUs = Math.round(onsetUs);
    } else if (this.params.icRule === IC_RULE_ZERO_CROSSING) {
      // Fadillioglu et al. 2020: the first sample of the backward rotation that ends swing. The
      // impact found above stays the toe-off search's anchor (minContactS is counted from the
      // foot strike: from the crossing, the search would start in the late-swing plunge and
      // take it for toe-off), so this rule moves the reported contact only. A crossing within
      // the filter's reach of a bridged row may be the gap's guess: then no contact.
      if (this.nearBridged(zero)) this.openIcUs = this.openReportedIcUs = Number.NaN;
      else this.openReportedIcUs = Math.round(this.ring.time(zero));
    }
    if (!Number.isNaN(this.openIcUs)) this.onContact?.(this.openReportedIcUs);
  }
}
