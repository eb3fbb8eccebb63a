/**
 * The offline twin of the streaming shank detector's `icRule: 2`
 * (src/events/shank-events.ts): Fadillioglu et al. 2020's initial contact —
 * the first sample after each mid-swing peak where the low-passed sagittal
 * rate is below zero — computed over a whole series with the detector's own
 * filter, axis and bias. A unit test holds the streaming detector to it.
 *
 * It differs from the published rule (fadillioglu.ts) where the streaming
 * detector must: a causal linear-phase FIR (12 Hz, delay corrected exactly)
 * instead of a forward-backward Butterworth at 15 Hz, and the standing gyro
 * bias removed instead of a linear trend over the whole recording (which a
 * live stream cannot know). Mid-swing peaks here: local maxima above the
 * detector's smallest swing peak, the highest within 0.3 s (the detector's
 * shortest refractory time); on clean running that is the detector's set.
 */
import { designLowPass, FirFilter, tapsForSpan } from '../../src/signal/fir-lowpass.ts';
import { findPeaks, type SensorSeries } from './signals.ts';

export interface EndOfSwingOptions {
  /** Unit "up" in the sensor frame (the detector's calibration). */
  readonly upSensor: readonly [number, number, number];
  readonly gyroBiasRadps: readonly [number, number, number];
  readonly cutoffHz: number;
  readonly filterSpanS: number;
  readonly minSwingPeakRadps: number;
  readonly minRefractoryS: number;
}

/** The sagittal rate (positive: swinging forward), low-passed and aligned to the samples (NaN where the filter has not filled). */
export function filteredSagittalRate(s: SensorSeries, o: EndOfSwingOptions): Float64Array {
  const [ux, uy, uz] = o.upSensor;
  // The detector's medio-lateral axis: the sensor's y made horizontal against up.
  const ml = [-uy * ux, 1 - uy * uy, -uy * uz];
  const n = Math.sqrt(ml[0]! * ml[0]! + ml[1]! * ml[1]! + ml[2]! * ml[2]!);
  const filter = new FirFilter(designLowPass(o.cutoffHz, s.rateHz, tapsForSpan(o.filterSpanS, s.rateHz)));
  const out = new Float64Array(s.tUs.length).fill(Number.NaN);
  const [gx, gy, gz] = s.gyr;
  const [bx, by, bz] = o.gyroBiasRadps;
  for (let i = 0; i < s.tUs.length; i++) {
    const rate = -((gx[i]! - bx) * (ml[0]! / n) + (gy[i]! - by) * (ml[1]! / n) + (gz[i]! - bz) * (ml[2]! / n));
    const y = filter.push(rate);
    if (!Number.isNaN(y)) out[i - filter.delaySamples] = y;
  }
  return out;
}

/** Contact times (µs) by the end-of-swing rule over the whole series. */
export function endOfSwingContacts(s: SensorSeries, o: EndOfSwingOptions): number[] {
  const w = filteredSagittalRate(s, o);
  let last = w.length - 1;
  while (last >= 0 && Number.isNaN(w[last]!)) last--;
  const peaks = findPeaks(w, { minHeight: o.minSwingPeakRadps, minDistance: Math.round(o.minRefractoryS * s.rateHz) }, 0, last);
  const out: number[] = [];
  for (const p of peaks) {
    for (let j = p + 1; j <= last; j++) {
      if (w[j]! < 0) {
        out.push(s.tUs[j]!);
        break;
      }
    }
  }
  return out;
}
