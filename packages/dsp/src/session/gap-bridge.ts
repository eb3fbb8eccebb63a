import type { SensorId } from '@gaitwatch/protocol/core';
import type { GaitEventDetector } from '../events/detector.ts';
import type { PelvisTracker } from '../segments/pelvis-tracker.ts';
import type { ShankTracker } from '../segments/shank-tracker.ts';
import { CHANNELS, GYRO_CHANNEL as GX, type SensorTrack } from '../sensor-track.ts';
import { float64Array } from '../signal/arena.ts';

/** What the bridge reads of the session. */
export interface BridgeContext {
  /** A gap step longer than this many sample periods is not interpolated across (params.gapPeriods). */
  readonly gapPeriods: number;
  /** The stride period for bridging `sensor`'s gaps, µs (NaN: none yet). */
  strideUsOf(sensor: SensorId): number;
}

/**
 * Carries a sensor's attitude and its detector's filters across a short gap
 * (≤ bridgeMaxS: a few lost packets) so neither restarts: rows filled in
 * between the gap's edges, one sample period apart, from the same phase of
 * the last stride when the sensor's recent samples still hold it (running
 * repeats itself stride by stride), else a straight line. Nothing is
 * measured or timed on them (see the receivers). Per gap, not per sample.
 */
export class GapBridge {
  private readonly bridgeRow = float64Array(CHANNELS);

  constructor(private readonly context: BridgeContext) {}

  /** Bridges the gap before the row at `o` of `buf` into `segment` and `detector` (`world`: the pelvis's vertical, for its detector). */
  bridge(track: SensorTrack, buf: Float64Array, o: number, segment: PelvisTracker | ShankTracker | undefined, detector: GaitEventDetector | undefined, world: Float64Array | undefined): void {
    const prev = track.previousRow;
    const row = this.bridgeRow;
    const t0 = prev[0]!;
    const spanUs = buf[o]! - t0;
    const steps = Math.round((spanUs * track.rateHz) / 1e6);
    const strideUs = this.context.strideUsOf(track.sensor);
    const recent = track.recent;
    const periodUs = track.periodUs;
    const maxStepUs = this.context.gapPeriods * periodUs;
    // The same phase one stride earlier, if kept and whole (a gap is shorter than a stride).
    const template = spanUs < strideUs && !Number.isNaN(recent.valueAt(t0 - strideUs, GX, periodUs, maxStepUs)) && !Number.isNaN(recent.valueAt(t0 + spanUs - strideUs, GX, periodUs, maxStepUs));
    for (let k = 1; k < steps; k++) {
      const w = k / steps;
      // Whether this row's accelerations came from the last stride (the attitude may then correct on them).
      let fromStride = template;
      row[0] = Math.round(t0 + w * spanUs);
      for (let c = 1; c < CHANNELS; c++) {
        const line = prev[c]! + w * (buf[o + c]! - prev[c]!);
        if (!template) {
          row[c] = line;
          continue;
        }
        // Last stride's signal at this phase, shifted so it meets both edges (its offsets there blended linearly across the gap).
        const before = prev[c]! - recent.valueAt(t0 - strideUs, c - 1, periodUs, maxStepUs);
        const after = buf[o + c]! - recent.valueAt(t0 + spanUs - strideUs, c - 1, periodUs, maxStepUs);
        const value = recent.valueAt(row[0] - strideUs, c - 1, periodUs, maxStepUs) + (1 - w) * before + w * after;
        row[c] = Number.isNaN(value) ? line : value;
        if (Number.isNaN(value) && c - 1 < GX) fromStride = false;
      }
      segment?.push(row, 0, true, fromStride);
      detector?.push(row, 0, world, true);
    }
  }
}
