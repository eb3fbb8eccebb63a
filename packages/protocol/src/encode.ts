import type { ImuFrame } from './frame/imu-frame.ts';
import type { ImuJson } from './schemas/imu.ts';
import { CHANNELS_PER_SAMPLE } from './units.ts';

/** The JSON form of a frame. JSON carries doubles exactly, so this round-trips bit for bit. */
export function imuFrameToJson(frame: ImuFrame): ImuJson {
  const samples: ImuJson['samples'] = [];
  const s = frame.samples;
  for (let i = 0; i < frame.count; i++) {
    const o = i * CHANNELS_PER_SAMPLE;
    samples.push([s[o]!, s[o + 1]!, s[o + 2]!, s[o + 3]!, s[o + 4]!, s[o + 5]!]);
  }
  return { sensor: frame.sensor, seq: frame.seq, t0Us: frame.t0Us, periodUs: frame.periodUs, samples };
}

export function encodeJsonImu(frame: ImuFrame): string {
  return JSON.stringify(imuFrameToJson(frame));
}
