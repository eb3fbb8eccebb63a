import { medianOfSorted, robustStats, sharedScratch } from '../signal/robust-stats.ts';
import { float64Array } from '../signal/arena.ts';

export interface MountShiftParams {
  /** Strides before a change that make its reference level (from half as many after a break in the series). */
  readonly referenceStrides: number;
  /** Strides after it that must all sit past the half-way level to confirm it. */
  readonly confirmStrides: number;
  /** Smallest jump of the stride-mean angle taken as the sensor having turned on the body, degrees. */
  readonly minShiftDeg: number;
  /** …and at least this many robust spreads (1.4826 × MAD) of the reference strides. */
  readonly noiseMultiple: number;
}

/**
 * Notices a clip knocked round on the body from the angle it reports, averaged
 * over each stride (pelvic obliquity; a shank's medial tilt). The body's own
 * stride-mean angle is steady: stride to stride the obliquity varies by ~0.1°
 * (simulated running), and fatigue, even one-sided, moves it by a few tenths
 * over minutes — a fatigued hip drops further at its stance peak, it does not
 * tilt the whole cycle. A sensor that turns δ on the body shifts every
 * sample, so the whole cycle — and the pelvis's stance peaks, +δ on one side
 * and −δ on the other — jumps by δ from one stride to the next: without this,
 * one side's rise looks exactly like form breaking down.
 *
 * A jump is the median of the last `confirmStrides` values against the median
 * of the `referenceStrides` before them, with every confirming value past the
 * half-way level (a step, not a drift). `metricOffsetDeg` (the stance
 * metric's own step across the same split, or the stride-mean jump when no
 * metric is given) is what the analyzer subtracts from the metric from then
 * on. Preallocated but for the robust spread; fed once per stride.
 */
export class MountShiftMonitor {
  private readonly values: Float64Array;
  private readonly metrics: Float64Array;
  private count = 0;
  private seriesKey = Number.NaN;
  private lastUs = Number.NaN;
  /** A stride without its angle came since the last value: the next value restarts the series, unless a blackout (skip) comes first. */
  private restartPending = false;
  /** Reference median and robust spread of the last `step` call. */
  private before = 0;
  private spread = 0;
  /** Sum of the jumps of the stride-mean angle found, degrees. */
  offsetDeg = 0;
  /** Sum of the jumps of the stance metric across the same splits, degrees: what the analyzer subtracts from it. */
  metricOffsetDeg = 0;

  /** @param maxGapUs strides further apart than this (the data stopped) start a new reference. */
  constructor(
    private readonly params: MountShiftParams,
    private readonly maxGapUs: number,
  ) {
    const n = params.referenceStrides + params.confirmStrides;
    if (!(params.referenceStrides >= 6 && params.confirmStrides >= 2)) throw new RangeError(`mount shift needs ≥ 6 reference and ≥ 2 confirming strides, got ${params.referenceStrides} and ${params.confirmStrides}`);
    this.values = float64Array(n);
    this.metrics = float64Array(n);
  }

  /**
   * One stride at `tUs`: its mean angle (degrees, as measured), or null when
   * it has none (a gap, the attitude settling); the stance metric it affects
   * (degrees, as measured; NaN: none — the stride-mean jump is the metric's);
   * and a key of what the series is measured in (gait, mounting-yaw epoch). A
   * null or a new key starts a new reference: a stride without its angle (a
   * short gap under its peak, history missing) says the data was patchy there,
   * walking and running hold a segment differently, and a new yaw estimate
   * moves the angles, so a level change there is no evidence of the clip
   * turning; so does a pause longer than maxGapUs. A null's restart waits
   * for the next value: when a restart's blackout (`skip`) follows instead,
   * those strides were the edge of its gap and the series goes on. Returns
   * the jump found at this stride (degrees), or 0.
   */
  push(tUs: number, strideMeanDeg: number | null, metricDeg: number, seriesKey: number): number {
    const paused = !(tUs - this.lastUs <= this.maxGapUs);
    this.lastUs = tUs;
    if (strideMeanDeg === null || !Number.isFinite(strideMeanDeg)) {
      // The restart waits for the next stride: strides that lost their angle to the gap a restart
      // then follows (skip) belong to that restart's blackout.
      this.restartPending = true;
      if (paused) this.count = 0;
      return 0;
    }
    if (paused || seriesKey !== this.seriesKey || this.restartPending) {
      this.seriesKey = seriesKey;
      this.count = 0;
      this.restartPending = false;
    }
    const n = this.values.length;
    // Kept re-referenced, so the series stays at one level across a jump found and the next one can be found.
    this.values[this.count % n] = strideMeanDeg - this.offsetDeg;
    this.metrics[this.count % n] = metricDeg - this.metricOffsetDeg;
    this.count++;
    const { referenceStrides, confirmStrides: nNew } = this.params;
    // After a restart the reference grows from half its length to its full length.
    const nRef = Math.min(this.count, n) - nNew;
    if (nRef < Math.ceil(referenceStrides / 2)) return 0;
    const m = nRef + nNew;
    // Oldest first: reference then confirming values.
    const slot = (k: number): number => (this.count - m + k) % n;
    const jump = this.step(this.values, slot, nRef, m);
    if (!(Math.abs(jump) >= Math.max(this.params.minShiftDeg, this.params.noiseMultiple * this.spread))) return 0;
    const halfway = this.before + jump / 2;
    for (let k = nRef; k < m; k++) if ((this.values[slot(k)]! - halfway) * jump <= 0) return 0;
    const metricJump = Number.isNaN(metricDeg) ? jump : this.step(this.metrics, slot, nRef, m);
    this.offsetDeg += jump;
    this.metricOffsetDeg += metricJump;
    for (let k = nRef; k < m; k++) {
      this.values[slot(k)] = this.values[slot(k)]! - jump;
      this.metrics[slot(k)] = this.metrics[slot(k)]! - metricJump;
    }
    return metricJump;
  }

  /**
   * A stride whose angle is withheld while the attitude settles after a long
   * gap: the series goes on across it. The re-levelled attitude is within
   * ~0.1° of the one before on average and 0.5° at most (packages/dsp/README.md,
   * known limits), under the 1° a knock must move it, so a clip knocked during
   * the dropout is seen when the angles come back (until 2026-12-04 the
   * restart was off by up to ~3° and the series began anew). Skipping every
   * stride without an angle was tried: under 3 % packet loss, where short
   * gaps take some strides' angles, it gave 7 false `sensor_moved`.
   */
  skip(tUs: number): void {
    if (!(tUs - this.lastUs <= this.maxGapUs)) this.count = 0;
    this.lastUs = tUs;
    this.restartPending = false;
  }

  /** Median of the confirming values less the median of the reference ones (sets before and spread). */
  private step(series: Float64Array, slot: (k: number) => number, nRef: number, m: number): number {
    const scratch = sharedScratch(m);
    for (let k = 0; k < m; k++) scratch[k] = series[slot(k)]!;
    const { median, sd } = robustStats(scratch, nRef);
    this.before = median;
    this.spread = sd;
    return medianOfSorted(scratch.subarray(nRef, m).sort(), m - nRef) - median;
  }
}
