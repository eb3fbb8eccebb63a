import { AdaptiveThreshold } from '../signal/adaptive-threshold.ts';
import { designBandPass, designLowPass, FirFilter, tapsForSpan } from '../signal/fir-lowpass.ts';
import { TimedRecordRing } from '../signal/ring.ts';
import type { GaitEventDetector } from './detector.ts';
import { float64Array, int32Array } from '../signal/arena.ts';

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
  /** Upper edge of the band-pass of the yaw rate used for the side, Hz. */
  readonly sideCutoffHz: number;
  /** Lower edge of that band-pass: removes turning, which outlasts a stride, Hz. */
  readonly sideHighPassHz: number;
  /** Smallest rise rate of vertical acceleration accepted as a contact, m/s³. */
  readonly minJerkMps3: number;
  /** A contact's rise must exceed this fraction of the median of the recent ones. */
  readonly adaptiveFraction: number;
  /** Shortest time between two contacts (one step), s. */
  readonly minStepS: number;
  /** No contact for this long lowers the threshold (halves it per interval): a run slowed to a walk, s. */
  readonly searchBackS: number;
}

/**
 * The side filter runs at this rate or below, on means of blocks of samples,
 * Hz. Its band ends at 2 Hz and its span is 3 s: at 200 Hz it was 601 taps
 * (4.7 KB of history per session and ~14 % of the hot path) for a signal a
 * 50 Hz rate carries as well (151 taps; the block mean's nulls sit on the
 * multiples of 50 Hz that would alias onto the band). Measured 2026-12-04:
 * the same contacts and sides on the real running and walking recordings
 * and on 15 simulated sessions (ACCURACY.md).
 */
const MAX_SIDE_RATE_HZ = 50;
/** Lobes under the threshold kept for the search back. */
const REJECTED = 16;
/** Steps of the recent rhythm whose median is the typical step. */
const INTERVALS = 8;
/** A gap longer than this is a pause, not a step (a slow walk is ~1 s per step), µs. */
const MAX_STEP_US = 1_500_000;
/**
 * Pan & Tompkins' (1985) search-back rule: a beat is missed when none came
 * within 166 % of the typical interval; the missed one is looked for from 60 %
 * (a step taken that early is not the rhythm's) on, at half the threshold.
 */
const OVERDUE = 1.66;
const EARLIEST = 0.6;
/** No contact for this long ends a walking bout (Mobilise-D's 3 s rest rule, Kluge et al. 2021), µs. */
const BOUT_BREAK_US = 3_000_000;
/** Steps looked for before the first strong one of a bout. */
const BOUT_START_STEPS = 4;

// Ring fields (float32; the time is the ring's own).
const JERK = 1;
const YAW = 2;
const RAW_YAW = 3;
/** 1 on a row interpolated across a short gap: no contact is timed on it. */
const BRIDGED = 4;
/** The low-passed vertical acceleration less g, m/s² (the jerk's source), for the flight judgement. */
const VERTICAL = 5;

/**
 * A step whose low-passed vertical acceleration fell below this fraction of
 * −g had a flight phase: airborne, the body is in free fall (−1 g), while a
 * walker's pelvis stays above about −0.3 g (Zijlstra & Hof 2003's trunk
 * accelerations). The midpoint of the two. Checked, not fitted: the real
 * running recordings reach −1.1…−1.6 g every step, the real walking trials
 * −0.05…−0.26 g.
 */
const AIRBORNE_FRACTION_OF_G = 0.5;
/**
 * A contact is a runner's when a flight sample came at most this long before
 * it, µs: the flight ends at the foot strike and the detected contact (the
 * steepest loading) follows it by ~50 ms, while a running step lasts 0.3–0.4 s;
 * a walker's contact after a run is a step or more from its last flight.
 */
const FLIGHT_LOOKBACK_US = 300_000;
/** Fields per remembered lobe: time, peak jerk, yaw rate, airborne (1) or not (0), the contact it reports (µs). */
const REJECTED_FIELDS = 5;

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
 *
 * That is walking. The pelvis turns with the swinging leg, a little behind it
 * (Novacheck 1998): a walker's contacting leg has just ended its swing, so the
 * pelvis still turns that side forward; a runner's other leg left the ground
 * before the flight and has been swinging since, so at a left contact the
 * pelvis turns its right side forward — the opposite sign. The real running
 * recordings show it at 134 of their 145 contacts (with the walking sign every
 * running side came out wrong, which is how this was found). So each contact
 * is judged by whether its step had a flight phase (AIRBORNE_FRACTION_OF_G),
 * what tells running from walking physically, whatever the cadence.
 */
export class PelvisEventDetector implements GaitEventDetector {
  private readonly accFilter: FirFilter;
  private readonly yawFilter: FirFilter;
  private readonly ring: TimedRecordRing;
  private previousFiltered = Number.NaN;
  private readonly threshold: AdaptiveThreshold;
  private lastContactUs = Number.NaN;
  /** The side of the last contact: 1 left, 0 right, NaN before the first. */
  private lastLeft = Number.NaN;
  /** The latest time (µs) the low-passed vertical acceleration was below the flight level; NaN: none yet. */
  private lastFlightUs = Number.NaN;
  /** The flight level: −AIRBORNE_FRACTION_OF_G × g, m/s². */
  private readonly flightBelowMps2: number;
  /** The newest ring index judged by `check`. */
  private checkedThrough = -1;
  /** The current positive jerk lobe: its largest jerk so far, when, and the yaw rate then. */
  private lobeJerk = 0;
  private lobeUs = 0;
  private lobeYaw = Number.NaN;
  private lobeBridged = false;
  /** Where the lobe began (the low-passed vertical acceleration's minimum, m/s², and its time) and that acceleration at the largest jerk. */
  private lobeStartUs = 0;
  private lobeStartVertical = 0;
  private lobeVertical = 0;
  /** Recent step intervals (µs), their median (the typical step; NaN until four are known). */
  private readonly intervals = float64Array(INTERVALS);
  private readonly intervalScratch = float64Array(INTERVALS);
  private intervalCount = 0;
  private typicalStep = Number.NaN;
  /** Whether an overdue step may still be searched for (once per contact). */
  private searchArmed = false;
  /** Lobes that missed the threshold (t, peak, yaw; peak −∞ once taken), for the search back. */
  private readonly rejected = float64Array(REJECTED_FIELDS * REJECTED);
  private rejectedCount = 0;
  /** Bout-start steps found before a strong contact, newest first. */
  private readonly boutStart = int32Array(BOUT_START_STEPS);
  private readonly rateHz: number;
  private readonly yawDelay: number;
  /** Samples averaged into one input of the side filter, and the current block's sum and count. */
  private readonly yawBlock: number;
  private yawSum = 0;
  private yawFill = 0;

  /** The median of the recent step intervals, µs; NaN until four are known. */
  get typicalStepUs(): number {
    return this.typicalStep;
  }

  constructor(
    private readonly params: PelvisEventParams,
    sampleRateHz: number,
    private readonly upSensor: readonly [number, number, number],
    private readonly gravityMps2: number,
    private readonly gyroBiasRadps: Float64Array,
    private readonly onContact: (contact: PelvisContact) => void,
  ) {
    this.rateHz = sampleRateHz;
    this.flightBelowMps2 = -AIRBORNE_FRACTION_OF_G * gravityMps2;
    this.threshold = new AdaptiveThreshold(params.minJerkMps3, params.adaptiveFraction, 8, params.searchBackS * 1e6);
    const taps = tapsForSpan(params.filterSpanS, sampleRateHz);
    this.accFilter = new FirFilter(designLowPass(params.cutoffHz, sampleRateHz, taps));
    // The yaw filter is longer (its lower edge); both are linear-phase, so align by their delays.
    // Its band ends at 2 Hz: above 50 Hz it runs on means of `yawBlock` samples
    // (a 3 s FIR at 200 Hz would be 601 multiply-adds per sample, at 1 kHz 3001).
    this.yawBlock = Math.max(1, Math.ceil(sampleRateHz / MAX_SIDE_RATE_HZ));
    const sideRateHz = sampleRateHz / this.yawBlock;
    const yawTaps = tapsForSpan(Math.max(params.filterSpanS, 1.5 / params.sideHighPassHz), sideRateHz);
    this.yawFilter = new FirFilter(designBandPass(params.sideHighPassHz, params.sideCutoffHz, sideRateHz, yawTaps));
    // A sample's side is known once its block is complete and the filter's delay (in blocks) has passed.
    this.yawDelay = this.yawFilter.delaySamples * this.yawBlock + this.yawBlock - 1;
    // Sized to what is read back, no more (per-session memory): a row is judged once both filters
    // have passed it (D = the longer delay: row newest − D − 1, and `checkThrough` judges rows from
    // the oldest held + 1), the side filter writes its output up to yawDelay back, and finish()
    // reflects the yaw rate over yawDelay rows. Lobes missed by the threshold are kept apart
    // (`rejected`), so the search back needs no signal history. It was ≥ 3 s (24 KB at 200 Hz);
    // now D + 3 rows (~1.5 s, 12 KB): the same rows are read, so the output is the same.
    this.ring = new TimedRecordRing(Math.max(this.yawDelay, this.accFilter.delaySamples) + 3, 5);
  }

  reset(): void {
    this.accFilter.reset();
    this.yawFilter.reset();
    this.yawSum = this.yawFill = 0;
    this.ring.clear();
    this.checkedThrough = this.ring.pushed - 1;
    this.previousFiltered = Number.NaN;
    this.lastContactUs = Number.NaN;
    this.lobeJerk = 0;
    this.lobeBridged = false;
    this.searchArmed = false;
    this.rejectedCount = 0;
    this.lastFlightUs = Number.NaN;
  }

  /**
   * One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz). `world`, when
   * given and finite: [vertical acceleration less g, rate about up] in the
   * world frame from the attitude filter, used instead of the standing sensor
   * axis (which tilts with a runner who leans, bends or turns).
   */
  push(buf: Float64Array, o: number, world?: Float64Array, bridged = false): void {
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
    const r = this.ring.append(buf, o);
    const d = this.ring.data;
    d[r + JERK] = Number.NaN;
    d[r + YAW] = Number.NaN;
    d[r + RAW_YAW] = yawRate;
    d[r + BRIDGED] = bridged ? 1 : 0;
    d[r + VERTICAL] = Number.NaN;
    const newest = this.ring.pushed - 1;
    const filtered = this.accFilter.push(vertical);
    this.pushYaw(yawRate, newest);
    if (Number.isNaN(filtered)) return;
    const aligned = newest - this.accFilter.delaySamples;
    // Jerk (m/s³) between the two latest aligned samples, placed on the later one.
    if (aligned >= this.ring.firstIndex) {
      const slot = this.ring.slot(aligned);
      this.ring.data[slot + VERTICAL] = filtered;
      if (!Number.isNaN(this.previousFiltered)) this.ring.data[slot + JERK] = (filtered - this.previousFiltered) * this.rateHz;
    }
    this.previousFiltered = filtered;
    // Decide on a jerk peak once the yaw filter has caught up with it too.
    this.checkThrough(newest - Math.max(this.yawDelay, this.accFilter.delaySamples) - 1);
  }

  /**
   * The end of the data: the lobes still waiting for the side filter are
   * judged with the yaw rate continued past the edge by odd reflection (as
   * filtfilt pads an edge), so a session's last steps are not lost.
   */
  finish(): void {
    const last = this.ring.pushed - 1;
    if (last - 1 < this.ring.firstIndex) return;
    const d = this.ring.data;
    const edge = d[this.ring.slot(last) + RAW_YAW]!;
    for (let k = 1; k <= this.yawDelay && last - k >= this.ring.firstIndex; k++) this.pushYaw(2 * edge - d[this.ring.slot(last - k) + RAW_YAW]!, last + k);
    this.checkThrough(last - this.accFilter.delaySamples);
  }

  /** Feeds the side filter the yaw rate of ring index `index`; a block's output lands on its samples, the filter's delay earlier. */
  private pushYaw(yawRate: number, index: number): void {
    this.yawSum += yawRate;
    if (++this.yawFill < this.yawBlock) return;
    const yaw = this.yawFilter.push(this.yawSum / this.yawBlock);
    this.yawSum = this.yawFill = 0;
    if (Number.isNaN(yaw)) return;
    const last = index - this.yawFilter.delaySamples * this.yawBlock;
    for (let at = last - this.yawBlock + 1; at <= last; at++) {
      if (at >= this.ring.firstIndex && at < this.ring.pushed) this.ring.data[this.ring.slot(at) + YAW] = yaw;
    }
  }

  private checkThrough(index: number): void {
    for (let i = Math.max(this.checkedThrough + 1, this.ring.firstIndex + 1); i <= index; i++) this.check(i);
    if (index > this.checkedThrough) this.checkedThrough = index;
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
    const d = this.ring.data;
    // A lobe still rising may be the step: an overdue search waits for its end.
    // The record's time read inline (signal/time-offsets.ts): no double returned per sample.
    const ring = this.ring;
    const rowUs = ring.times.baseUs + ring.times.offsets[ring.timeSlot(i)]!;
    if (!(this.lobeJerk > 0)) this.searchOverdue(rowUs, Number.POSITIVE_INFINITY);
    if (d[slot + VERTICAL]! < this.flightBelowMps2) this.lastFlightUs = rowUs;
    const jerk = d[slot + JERK]!;
    if (jerk > 0) {
      // A lobe reaching into a bridged gap may have its peak in it: judged, but never taken.
      if (d[slot + BRIDGED] === 1) this.lobeBridged = true;
      if (!(this.lobeJerk > 0)) {
        // The jerk is placed on the later of its two samples: the lobe's rise starts at the one before.
        this.lobeStartUs = ring.times.baseUs + ring.times.offsets[ring.timeSlot(i - 1)]!;
        this.lobeStartVertical = d[this.ring.slot(i - 1) + VERTICAL]!;
      }
      if (jerk > this.lobeJerk) {
        this.lobeJerk = jerk;
        this.lobeUs = rowUs;
        this.lobeYaw = d[slot + YAW]!;
        this.lobeVertical = d[slot + VERTICAL]!;
      }
      return;
    }
    if (!(this.lobeJerk > 0)) return;
    // The lobe has ended: judge its peak.
    const peak = this.lobeJerk;
    const tUs = this.lobeUs;
    const yaw = this.lobeYaw;
    this.lobeJerk = 0;
    const bridged = this.lobeBridged;
    this.lobeBridged = false;
    if (Number.isNaN(yaw) || bridged) return;
    // Judged now, while the flight before this contact is the latest one seen (a search back may take it later).
    const airborne = tUs - this.lastFlightUs <= FLIGHT_LOOKBACK_US;
    const icUs = airborne ? this.landingOnset(tUs, peak) : tUs;
    if (peak < this.threshold.value(tUs)) {
      this.remember(tUs, peak, yaw, airborne, icUs);
      return;
    }
    if (!Number.isNaN(this.lastContactUs) && tUs - this.lastContactUs < this.params.minStepS * 1e6) return;
    this.searchBoutStart(tUs);
    this.searchOverdue(tUs, tUs);
    this.accept(tUs, peak, yaw, airborne, icUs);
  }

  /**
   * A landing after a flight: the ONSET of the lobe's rise, the tangent at its
   * largest jerk (`peakUs`, `peakJerk`) back to the level the lobe started
   * from (the flight's free fall), clamped to [the lobe's start, the peak] —
   * the tangent method of the shank's toe-off and contact, no fitted
   * constant. In flight nothing holds the pelvis up; the foot strike starts
   * the rise, and its steepest part comes later (the loading builds over
   * ~50 ms, and the 6 Hz low-pass spreads it). A walker's pelvis has no free
   * fall to rise from, its loading overlaps the other leg's push-off: there
   * the steepest rise stays the contact (Zijlstra & Hof 2003; McCamley et al.
   * 2012). Measured (ACCURACY.md, median detected − truth): REAL running
   * +45.2 / +44.1 ms → −3.0 / +7.6 ms; SIMULATED running +48 → −4.8 ms.
   */
  private landingOnset(peakUs: number, peakJerk: number): number {
    const rise = this.lobeVertical - this.lobeStartVertical;
    if (!(rise > 0) || !(peakJerk > 0)) return peakUs;
    return Math.round(Math.max(this.lobeStartUs, peakUs - (rise / peakJerk) * 1e6));
  }

  private accept(tUs: number, peak: number, yaw: number, airborne: boolean, icUs: number): void {
    // Feet alternate: two contacts on the same side are a stride apart, a step
    // missed between them. Counting that as two steps keeps the typical step a
    // step for a walker whose one side loads the pelvis under the threshold
    // (else the stride would become "typical" and the step never overdue).
    // After a flight: running, the other leg swinging — the yaw's sign means the other side.
    const left = yaw < 0 !== airborne ? 1 : 0;
    const sameSide = left === this.lastLeft;
    const stepUs = (tUs - this.lastContactUs) / (sameSide ? 2 : 1);
    if (stepUs <= MAX_STEP_US) {
      this.intervals[this.intervalCount % INTERVALS] = stepUs;
      this.intervalCount++;
      const n = Math.min(this.intervalCount, INTERVALS);
      if (n >= 4) {
        const sorted = this.intervalScratch.subarray(0, n);
        sorted.set(this.intervals.subarray(0, n));
        sorted.sort();
        this.typicalStep = sorted[n >> 1]!;
      }
    }
    this.lastContactUs = tUs;
    this.lastLeft = left;
    this.searchArmed = true;
    this.threshold.accept(peak, tUs);
    this.onContact({ icUs, side: left === 1 ? 'left' : 'right' });
  }

  /** A lobe under the threshold, kept for the search back (the last few). */
  private remember(tUs: number, peak: number, yaw: number, airborne: boolean, icUs: number): void {
    const k = (this.rejectedCount++ % REJECTED) * REJECTED_FIELDS;
    this.rejected[k] = tUs;
    this.rejected[k + 1] = peak;
    this.rejected[k + 2] = yaw;
    this.rejected[k + 3] = airborne ? 1 : 0;
    this.rejected[k + 4] = icUs;
  }

  /**
   * The remembered lobe in [fromUs, toUs] that reached `floor` nearest to
   * `expectedUs` (where the rhythm puts the step; its index), or −1. Nearest,
   * not largest: in a rhythm the timing is the better evidence, and a
   * second bump of the same step can outgrow a weak contact.
   */
  private bestRejected(fromUs: number, toUs: number, floor: number, expectedUs: number): number {
    let best = -1;
    for (let k = 0; k < Math.min(this.rejectedCount, REJECTED); k++) {
      const t = this.rejected[k * REJECTED_FIELDS]!;
      const peak = this.rejected[k * REJECTED_FIELDS + 1]!;
      if (t < fromUs || t > toUs || peak < floor) continue;
      if (best < 0 || Math.abs(t - expectedUs) < Math.abs(this.rejected[best * REJECTED_FIELDS]! - expectedUs)) best = k;
    }
    return best;
  }

  private acceptRejected(k: number): void {
    const o = k * REJECTED_FIELDS;
    const peak = this.rejected[o + 1]!;
    this.rejected[o + 1] = Number.NEGATIVE_INFINITY;
    this.accept(this.rejected[o]!, peak, this.rejected[o + 2]!, this.rejected[o + 3] === 1, this.rejected[o + 4]!);
  }

  /**
   * Pan & Tompkins' (1985) search back: when the rhythm's next step is
   * overdue (no contact within 1.66 typical steps), the lobe between 0.6 and
   * 1.66 typical steps after the last contact that reached half the
   * threshold, nearest to one typical step, is taken as the missed step. A
   * weak step between strong ones, a run slowed to a walk (whose rises are
   * below the running ones' threshold), the last step of a bout all end up
   * here; a pause finds nothing and the search waits for the next contact.
   * Run on the clock (every sample outside a lobe) and when a contact arrives
   * late (`nextContactUs`: the missed step is before it).
   */
  private searchOverdue(nowUs: number, nextContactUs: number): void {
    while (this.searchArmed) {
      const typical = this.typicalStep;
      if (Number.isNaN(typical) || nowUs - this.lastContactUs <= OVERDUE * typical) return;
      const last = this.lastContactUs;
      const toUs = Math.min(last + OVERDUE * typical, nextContactUs - EARLIEST * typical);
      const k = this.bestRejected(last + EARLIEST * typical, toUs, this.threshold.value(nowUs) / 2, last + typical);
      if (k < 0) {
        this.searchArmed = false;
        return;
      }
      this.acceptRejected(k);
    }
  }

  /**
   * The first steps of a bout (from standing) load the pelvis less than the
   * steady ones: before the first strong contact after a pause (a bout
   * break), the same rule looks back one typical step at a time for steps that
   * reached half the threshold, and emits them first, oldest first.
   */
  private searchBoutStart(tUs: number): void {
    const typical = this.typicalStep;
    if (Number.isNaN(typical) || tUs - this.lastContactUs <= BOUT_BREAK_US) return;
    const floor = this.threshold.value(tUs) / 2;
    const notBeforeUs = this.lastContactUs + OVERDUE * typical;
    let n = 0;
    let cursorUs = tUs;
    while (n < BOUT_START_STEPS) {
      const k = this.bestRejected(Math.max(notBeforeUs, cursorUs - OVERDUE * typical), cursorUs - EARLIEST * typical, floor, cursorUs - typical);
      if (k < 0) break;
      this.boutStart[n++] = k;
      cursorUs = this.rejected[k * REJECTED_FIELDS]!;
    }
    for (let j = n - 1; j >= 0; j--) this.acceptRejected(this.boutStart[j]!);
  }
}
