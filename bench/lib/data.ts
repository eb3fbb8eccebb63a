/**
 * Seeded bench input: simulated runners (the steady scenario: 5 s standing,
 * walk-off, running) cut into IMU frames the way a phone relay cuts them
 * (MessageSource: per sensor, 15 samples a message, messages in time order
 * across sensors). Every byte follows from the seed.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImuFrame, SensorId } from '@gaitwatch/protocol';
import { MessageSource, SimulatedSession } from '@gaitwatch/runner-sim';

/** The bench's seed (the number). */
export const BENCH_SEED = 14;
/** Samples per message, as the relay sends by default (the "realistic 10–20-sample blocks"). */
export const SAMPLES_PER_MESSAGE = 15;
export const CHANNELS = 6;

/** One message's frame; `samples` holds count × 6 values (ax ay az m/s², gx gy gz rad/s). */
export type Frame = ImuFrame & { readonly samples: Float64Array };

/** The frames of one simulated runner, in the order its relay would send them. */
export function simulatedFrames(runnerIndex: number, durationS: number, samplesPerMessage = SAMPLES_PER_MESSAGE): Frame[] {
  // The simulator plans runs of at least 25 s; shorter inputs are its first durationS seconds.
  const session = new SimulatedSession({ scenario: 'steady', durationS: Math.max(durationS, MIN_SIM_S), seed: BENCH_SEED, runnerIndex });
  const source = new MessageSource(session, samplesPerMessage);
  const endUs = session.startUs + durationS * 1e6;
  const frames: Frame[] = [];
  for (let frame = source.next(); frame !== undefined && frame.t0Us < endUs; frame = source.next()) frames.push(frame as Frame);
  return frames;
}

/** Shortest run the simulator plans (5 s standing + 20 s), s. */
const MIN_SIM_S = 25;

/** Channel-samples (samples × 6) in some frames. */
export function channelSamples(frames: readonly Frame[], from = 0, to = frames.length): number {
  let n = 0;
  for (let i = from; i < to; i++) n += frames[i]!.count * CHANNELS;
  return n;
}

/** Index of the first frame whose t0 is at or after `tS` seconds into the session. */
export function frameAt(frames: readonly Frame[], tS: number): number {
  const t0 = frames[0]!.t0Us;
  const i = frames.findIndex((f) => f.t0Us - t0 >= tS * 1e6);
  return i < 0 ? frames.length : i;
}

export const SENSOR_INDEX: Record<SensorId, number> = { pelvis: 0, shank_left: 1, shank_right: 2 };

/** Where generated recordings are kept between bench runs (they take a minute to generate; every byte follows from the seed). */
export function cacheDir(): string {
  const dir = join(tmpdir(), 'gaitwatch-bench-cache');
  mkdirSync(dir, { recursive: true });
  return dir;
}
