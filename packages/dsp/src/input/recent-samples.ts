import { TimedRecordRing } from '../signal/ring.ts';

/** Samples kept at most: 2.5 s at 200 Hz covers a slow walking stride (the longest a bridge looks back). */
const MAX_SAMPLES = 512;
/** Samples kept at first (0.64 s at 200 Hz): the ring grows while no stride is known yet. */
const INITIAL_SAMPLES = 128;

/**
 * How far back a bridge of the next gap may read, µs, given the leg's last
 * stride (µs): the stride and half as much again (it may lengthen before the
 * gap comes) and 0.1 s; +∞ while no stride is known (keep all).
 */
export function bridgeReachUs(strideUs: number): number {
  return Number.isNaN(strideUs) ? Number.POSITIVE_INFINITY : 1.5 * strideUs + 100_000;
}

/**
 * Full scale of the kept channels: ±16 g and ±2000 °/s, the ranges of the
 * IMUs we read (their own samples are 16-bit at these ranges, so an Int16
 * copy loses nothing they had). Beyond it a value is clamped: it only
 * shapes a bridged gap's guess, and data that far off is flagged by the
 * units checks anyway.
 */
const ACC_FULL_SCALE_MPS2 = 16 * 9.80665;
const GYRO_FULL_SCALE_RADPS = (2000 * Math.PI) / 180;
const SCALES = [ACC_FULL_SCALE_MPS2, ACC_FULL_SCALE_MPS2, ACC_FULL_SCALE_MPS2, GYRO_FULL_SCALE_RADPS, GYRO_FULL_SCALE_RADPS, GYRO_FULL_SCALE_RADPS].map((s) => s / 32767);

/**
 * The last raw samples of one sensor, so a bridged gap can be filled with the
 * same phase of the previous stride instead of a straight line (analyzer's
 * bridge()): the time as an Int32 µs offset from a base, the six channels
 * as Int16 at the sensors' full scale — 16 B a sample (float64 would be 56);
 * no allocation per sample. Kept in a ring that holds what a bridge can
 * reach back to (`retainFrom`: the analyzer says, `bridgeReachUs` of the
 * leg's stride — about 1.2 s of running, not 2.5 s) and up to MAX_SAMPLES while the stride
 * is not yet known.
 */
export class RecentSamples {
  /** Fields 1…6: the channels ax … gz as Int16 (signal/ring.ts numbers fields from 1). */
  private readonly samples = new TimedRecordRing<Int16Array>(MAX_SAMPLES, 6, INITIAL_SAMPLES, (length) => new Int16Array(length));

  // Every sensor keeps all six channels: the pelvis's detector low-passes its vertical acceleration across a
  // gap, and every attitude filter corrects on the bridged accelerations (a shank kept its gyro only until
  // 2026-12-04, ~1.5 KB less, but a lost impact then went missing from its tilt correction: at 10 % packet
  // loss that tilted the shank enough for false knee-proxy alerts). The option to keep fewer went with it.

  /** One sample row at `o` of `buf` (t, ax, ay, az, gx, gy, gz). */
  push(buf: Float64Array, o: number): void {
    const slot = this.samples.append(buf, o);
    const values = this.samples.data;
    // Int16Array stores ToInt16 (wrapping): clamp first, round to nearest.
    for (let c = 0; c < 6; c++) {
      const q = Math.round(buf[o + 1 + c]! / SCALES[c]!);
      values[slot + 1 + c] = q > 32767 ? 32767 : q < -32767 ? -32767 : q;
    }
  }

  /**
   * No bridge will read before `tUs` (µs): older samples may go, and the ring
   * shrink to what is left and the `headroom` samples pushed before the next call.
   */
  retainFrom(tUs: number, headroom = 0): void {
    this.samples.retainFrom(tUs, headroom);
  }

  /**
   * Channel `c` (0–5: ax … gz) at time `tUs`, linearly interpolated between
   * the two samples around it; NaN when `tUs` is outside what is kept, the
   * two are further apart than `maxStepUs` (a gap).
   */
  valueAt(tUs: number, c: number, periodUs: number, maxStepUs: number): number {
    const ring = this.samples;
    if (ring.length === 0) return Number.NaN;
    const newest = ring.pushed - 1;
    const oldest = ring.firstIndex;
    // Start from where a uniform clock puts it, then walk to the pair around tUs.
    let i = newest - Math.round((ring.time(newest) - tUs) / periodUs);
    if (i > newest) i = newest;
    if (i < oldest) i = oldest;
    while (i > oldest && ring.time(i) > tUs) i--;
    while (i < newest && ring.time(i + 1) <= tUs) i++;
    const ta = ring.time(i);
    if (ta > tUs || i >= newest) return Number.NaN;
    const tb = ring.time(i + 1);
    if (tb - ta > maxStepUs) return Number.NaN;
    const w = (tUs - ta) / (tb - ta);
    const scale = SCALES[c]!;
    const field = 1 + c;
    const a = ring.data[ring.slot(i) + field]! * scale;
    return a + w * (ring.data[ring.slot(i + 1) + field]! * scale - a);
  }
}
