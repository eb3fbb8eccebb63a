import type { Side } from '@gaitwatch/protocol/core';
import type { ReleaseQueue } from '../analysis-events.ts';
import type { GaitEventDetector } from '../events/detector.ts';
import { PelvisEventDetector } from '../events/pelvis-events.ts';
import { ShankEventDetector } from '../events/shank-events.ts';
import type { AnalyzerParams } from '../params.ts';
import { PelvisTracker } from '../segments/pelvis-tracker.ts';
import { ShankTracker } from '../segments/shank-tracker.ts';
import type { SensorTrack } from '../sensor-track.ts';
import { float64From } from '../signal/arena.ts';
import { SHANK_SIDE } from './sides.ts';
import type { StrideAssembler } from './stride-assembler.ts';

/** A calibrated sensor's segment tracker and gait-event detector; `side` tells a shank's from the pelvis's. */
export type SensorParts =
  | { readonly side: Side; readonly segment: ShankTracker; readonly detector: GaitEventDetector }
  | { readonly side: undefined; readonly segment: PelvisTracker; readonly detector: GaitEventDetector };

/**
 * What a sensor gets once its standing calibration is known: a segment
 * tracker (attitude, mounting, angle history) and a gait-event detector,
 * both built from the calibration, the detector's contacts routed to the
 * strides. Apart from the analyzer because the routing is a decision of its
 * own: a shank's contacts are its leg's; the pelvis's are both legs' when it
 * is worn alone, else stand-ins queued for a leg whose shank goes silent.
 * Built once per sensor (and again on restore), never per sample; the
 * pelvis's routing is decided per contact (`shanksWorn`), because a shank
 * may first send data after the pelvis calibrated (one the `start` left
 * out, or one that connects late): from then on its contacts are the leg's,
 * and the pelvis's become stand-ins, never a second source of that leg's
 * contacts.
 */
export function sensorParts(track: SensorTrack, params: AnalyzerParams, shanksWorn: () => boolean, strides: StrideAssembler, queue: ReleaseQueue): SensorParts {
  const calibration = track.calibration!;
  const side = SHANK_SIDE[track.sensor];
  const bias = float64From(calibration.gyroBiasRadps);
  if (side !== undefined) {
    const detector = new ShankEventDetector(
      params.shankEvents,
      track.rateHz,
      calibration.upSensor,
      bias,
      (stance) => strides.onShankStance(side, stance),
      (icUs) => strides.onShankContact(side, icUs),
    );
    return { side, segment: new ShankTracker(params.segments, track.rateHz, calibration, side), detector };
  }
  const route = (contact: { icUs: number; side: Side }): void => {
    if (shanksWorn()) queue.add({ kind: 'candidate', icUs: contact.icUs, side: contact.side });
    else strides.onPelvisStance(contact.side, contact.icUs);
  };
  const segment = new PelvisTracker(params.segments, track.rateHz, calibration);
  // The pelvis's mounting axis reads its acceleration one step apart: the step from its own contacts.
  const detector: PelvisEventDetector = new PelvisEventDetector(params.pelvisEvents, track.rateHz, calibration.upSensor, calibration.gravityMps2, bias, (contact) => {
    segment.observeStep(detector.typicalStepUs);
    route(contact);
  });
  return { side, segment, detector };
}
