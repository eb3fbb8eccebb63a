import { AdaptiveThreshold } from '../signal/adaptive-threshold.ts';
import { designLowPass, FirFilter, tapsForSpan } from '../signal/fir-lowpass.ts';
import { RecordRing } from '../signal/ring.ts';

/** A foot contact found from the sacral sensor alone. */
export interface PelvisContact {
  readonly icUs: number;
  readonly side: 'left' | 'right';
}

export interface PelvisEventParams {
  /** Low-pass of the vertical acceleration before differentiating, Hz. */
  readonly cutoffHz: number;
  /** FIR span, s. */
  readonly filterSpanS: number;
  /** Low-pass of the yaw rate used for the side, Hz. */
  readonly sideCutoffHz: number;
  /** Smallest rise rate of vertical acceleration accepted as a contact, m/s³. */
  readonly minJerkMps3: number;
  /** A contact's rise must exceed this fraction of the median of the recent ones. */
  readonly adaptiveFraction: number;
  /** Shortest time between two contacts (one step), s. */
  readonly minStepS: number;
  /** No contact for this long lowers the threshold (halves it per interval): a run slowed to a walk, s. */
  readonly searchBackS: number;
}

/** Lobes under the threshold kept for the search back. */
const REJECTED = 8;

const T = 0;
const JERK = 1;
const YAW = 2;

/**
 * Initial contacts and their side from a sacral IMU alone (the Lumo Run set-up).
 * Physics, for walking and running alike: before a foot strike the trunk is
 * falling (walking: over the top of the inverted pendulum; running: in flight),
 * and the new stance turns its vertical acceleration sharply upward, so the
 * contact is the steepest rise of the low-passed vertical acceleration (after
 * Zijlstra & Hof 2003 and McCamley et al. 2012, which locate contacts on the
 * same vertical-acceleration cycle). The side comes from pelvic rotation
 * (McCamley et al. 2012 use the sign of the vertical-axis rate at contact): at a
 * left contact the pelvis is still turning its left side forward — clockwise
 * seen from above, a negative yaw rate about "up" — and the rotation reverses
 * only after loading; at a right contact the rate is positive.
 * (The sign was first written the other way, assuming rotation peaks before
 * contact; the real lab recordings showed every side inverted, which is how
 * this was found. That is one physical sign, not a tuned parameter.)
 */
export class PelvisEventDetector {
  private readonly accFilter: FirFilter;
  private readonly yawFilter: FirFilter;
  private readonly ring: RecordRing;
  private previousFiltered = Number.NaN;
  private readonly threshold: AdaptiveThreshold;
  private lastContactUs = Number.NaN;
  /** The current positive jerk lobe: its largest jerk so far, when, and the yaw rate then. */
  private lobeJerk = 0;
  private lobeUs = 0;
  private lobeYaw = Number.NaN;
  /** Recent step intervals (µs) and lobes that missed the threshold (t, peak, yaw), for the search back. */
  private readonly intervals = new Float64Array(8);
  private readonly intervalScratch = new Float64Array(8);
  private intervalCount = 0;
  private readonly rejected = new Float64Array(3 * REJECTED);
  private rejectedCount = 0;
  private readonly rateHz: number;
  private readonly yawDelay: number;

  constructor(
    private readonly params: PelvisEventParams,
    sampleRateHz: number,
    private readonly upSensor: readonly [number, number, number],
    private readonly gravityMps2: number,
    private readonly gyroBiasRadps: Float64Array,
    private readonly onContact: (contact: PelvisContact) => void,
  ) {
    this.rateHz = sampleRateHz;
    this.threshold = new AdaptiveThreshold(params.minJerkMps3, params.adaptiveFraction, 8, params.searchBackS * 1e6);
    const taps = tapsForSpan(params.filterSpanS, sampleRateHz);
    this.accFilter = new FirFilter(designLowPass(params.cutoffHz, sampleRateHz, taps));
    // The yaw filter is longer (lower cutoff); both are linear-phase, so align by their delays.
    const yawTaps = tapsForSpan(Math.max(params.filterSpanS, 1.5 / params.sideCutoffHz), sampleRateHz);
    this.yawFilter = new FirFilter(designLowPass(params.sideCutoffHz, sampleRateHz, yawTaps));
    this.yawDelay = this.yawFilter.delaySamples;
    this.ring = new RecordRing(Math.ceil(3 * sampleRateHz), 3);
  }

  reset(): void {
    this.accFilter.reset();
    this.yawFilter.reset();
    this.ring.clear();
    this.previousFiltered = Number.NaN;
    this.lastContactUs = Number.NaN;
    this.lobeJerk = 0;
    this.intervalCount = this.rejectedCount = 0;
  }

  /**
   * One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz). `world`, when
   * given and finite: [vertical acceleration less g, rate about up] in the
   * world frame from the attitude filter, used instead of the standing sensor
   * axis (which tilts with a runner who leans, bends or turns).
   */
  push(buf: Float64Array, o: number, world?: Float64Array): void {
    const tUs = buf[o]!;
    const ax = buf[o + 1]!;
    const ay = buf[o + 2]!;
    const az = buf[o + 3]!;
    const bias = this.gyroBiasRadps;
    const gx = buf[o + 4]! - bias[0]!;
    const gy = buf[o + 5]! - bias[1]!;
    const gz = buf[o + 6]! - bias[2]!;
    const up = this.upSensor;
    const ux = up[0];
    const uy = up[1];
    const uz = up[2];
    const useWorld = world !== undefined && !Number.isNaN(world[0]!);
    const vertical = useWorld ? world[0]! : ax * ux + ay * uy + az * uz - this.gravityMps2;
    const yawRate = useWorld ? world[1]! : gx * ux + gy * uy + gz * uz;
    const r = this.ring.append();
    const d = this.ring.data;
    d[r] = tUs;
    d[r + JERK] = Number.NaN;
    d[r + YAW] = Number.NaN;
    const newest = this.ring.pushed - 1;
    const filtered = this.accFilter.push(vertical);
    const yaw = this.yawFilter.push(yawRate);
    if (!Number.isNaN(yaw) && newest - this.yawDelay >= this.ring.firstIndex) this.ring.data[this.ring.slot(newest - this.yawDelay) + YAW] = yaw;
    if (Number.isNaN(filtered)) return;
    const aligned = newest - this.accFilter.delaySamples;
    // Jerk (m/s³) between the two latest aligned samples, placed on the later one.
    if (!Number.isNaN(this.previousFiltered) && aligned >= this.ring.firstIndex) this.ring.data[this.ring.slot(aligned) + JERK] = (filtered - this.previousFiltered) * this.rateHz;
    this.previousFiltered = filtered;
    // Decide on a jerk peak once the yaw filter has caught up with it too.
    const candidate = newest - Math.max(this.yawDelay, this.accFilter.delaySamples) - 1;
    if (candidate - 1 >= this.ring.firstIndex) this.check(candidate);
  }

  /**
   * One contact per rise: the jerk's positive lobes (between its zero
   * crossings) are the loading phases, and the contact is the lobe's largest
   * jerk — as Mobilise-D's trunk-IMU detectors take one extremum between zero
   * crossings (McCamley et al. 2012; Paraschiv-Ionescu et al. 2020). A slow,
   * stiff-kneed rise can have two bumps; the first one is not the contact.
   */
  private check(i: number): void {
    const slot = this.ring.slot(i);
    const jerk = this.ring.data[slot + JERK]!;
    if (jerk > 0) {
      if (jerk > this.lobeJerk) {
        this.lobeJerk = jerk;
        this.lobeUs = this.ring.data[slot + T]!;
        this.lobeYaw = this.ring.data[slot + YAW]!;
      }
      return;
    }
    if (!(this.lobeJerk > 0)) return;
    // The lobe has ended: judge its peak.
    const peak = this.lobeJerk;
    const tUs = this.lobeUs;
    const yaw = this.lobeYaw;
    this.lobeJerk = 0;
    if (Number.isNaN(yaw)) return;
    const minStepUs = this.params.minStepS * 1e6;
    if (peak < this.threshold.value(tUs)) {
      this.remember(tUs, peak, yaw);
      return;
    }
    if (!Number.isNaN(this.lastContactUs) && tUs - this.lastContactUs < minStepUs) return;
    this.searchBack(tUs, minStepUs);
    this.accept(tUs, peak, yaw);
  }

  private accept(tUs: number, peak: number, yaw: number): void {
    if (!Number.isNaN(this.lastContactUs)) {
      this.intervals[this.intervalCount % this.intervals.length] = tUs - this.lastContactUs;
      this.intervalCount++;
    }
    this.lastContactUs = tUs;
    this.threshold.accept(peak, tUs);
    this.onContact({ icUs: tUs, side: yaw < 0 ? 'left' : 'right' });
  }

  /** A lobe under the threshold, kept for the search back (the last few). */
  private remember(tUs: number, peak: number, yaw: number): void {
    const k = (this.rejectedCount++ % REJECTED) * 3;
    this.rejected[k] = tUs;
    this.rejected[k + 1] = peak;
    this.rejected[k + 2] = yaw;
  }

  /**
   * Pan & Tompkins' (1985) search back: when a contact comes more than 1.66
   * typical steps after the last one, a step was probably missed; the largest
   * lobe in between that reached half the threshold is taken as that contact.
   */
  private searchBack(tUs: number, minStepUs: number): void {
    const n = Math.min(this.intervalCount, this.intervals.length);
    if (n < 4 || Number.isNaN(this.lastContactUs)) return;
    const sorted = this.intervalScratch.subarray(0, n);
    sorted.set(this.intervals.subarray(0, n));
    sorted.sort();
    const typicalUs = sorted[n >> 1]!;
    const gapUs = tUs - this.lastContactUs;
    if (gapUs < 1.66 * typicalUs || gapUs > 2.5 * typicalUs) return;
    const floor = this.threshold.value(tUs) / 2;
    let best = -1;
    for (let k = 0; k < Math.min(this.rejectedCount, REJECTED); k++) {
      const t = this.rejected[k * 3]!;
      const peak = this.rejected[k * 3 + 1]!;
      if (t - this.lastContactUs < minStepUs || tUs - t < minStepUs || peak < floor) continue;
      if (best < 0 || peak > this.rejected[best * 3 + 1]!) best = k;
    }
    if (best >= 0) this.accept(this.rejected[best * 3]!, this.rejected[best * 3 + 1]!, this.rejected[best * 3 + 2]!);
  }
}

