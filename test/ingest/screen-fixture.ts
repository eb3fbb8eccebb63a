/**
 * A short simulated movement screen for the ingest tests (issue 17): the simulator's lateral step-down with two
 * sets — a clean one on the left leg (~2.5° of pelvic drop: `level` at the 5° default) and a weak one on the right
 * (~6.5°: `dropping`) — cut into IMU frames as the phone relay cuts them, and the offline analysis of exactly those
 * samples (`analyzeRecording(…, {activity: 'screen'})`, as `gaitwatch analyze --activity screen` runs it).
 */
import { analyzeRecording, type RepEvent, type ScreenEvent, type ScreenSummaryEvent } from '@gaitwatch/dsp';
import { RECORDING_HEADER, type ImuFrame } from '@gaitwatch/protocol';
import { MessageSource, SimulatedSession, type ScreenProtocol, type SessionOptions } from '@gaitwatch/runner-sim';
import type { RepRecord } from '@gaitwatch/storage';

/** Two sets of four step-downs, a short rest: ~50 s of data (5 s of quiet standing at each end). */
export const SHORT_STEP_DOWN: ScreenProtocol = {
  task: 'step-down',
  sets: [
    { standingLeg: 'left', reps: 4, depthDeg: 30, tempoS: 2.8, control: 'clean' },
    { standingLeg: 'right', reps: 4, depthDeg: 30, tempoS: 2.8, control: 'weak' },
  ],
  restS: 6,
  standingS: 5,
  stepHeightM: 0.15,
};

export const SCREEN_SESSION: SessionOptions = { scenario: 'screen-step-down', durationS: 120, seed: 4, screen: SHORT_STEP_DOWN };

/** The session's frames in the order a relay publishes them (by their last sample's time, across sensors). */
export function screenFrames(options: SessionOptions = SCREEN_SESSION, samplesPerMessage = 15): ImuFrame[] {
  const source = new MessageSource(new SimulatedSession(options), samplesPerMessage);
  const frames: ImuFrame[] = [];
  for (let frame = source.next(); frame !== undefined; frame = source.next()) frames.push(frame);
  return frames;
}

/**
 * Frames as a recording (DESIGN.md's CSV), every value exactly as the frame carries it: a sample's time is the
 * analyzer's own `round(t0Us + i × periodUs)` and `String(number)` round-trips a double.
 */
export function* recordingOf(frames: readonly ImuFrame[]): Generator<string> {
  yield `${RECORDING_HEADER}\n`;
  for (const f of frames) {
    const lines: string[] = [];
    for (let i = 0; i < f.count; i++) {
      const s = f.samples.subarray(i * 6, i * 6 + 6);
      lines.push(`${Math.round(f.t0Us + i * f.periodUs)},${f.sensor},${s.join(',')}\n`);
    }
    yield lines.join('');
  }
}

export interface OfflineScreen {
  readonly reps: RepEvent[];
  readonly summary: ScreenSummaryEvent;
}

/** `gaitwatch analyze --activity screen` of these frames (optionally with an athlete's verdict threshold). */
export async function analyzeScreen(frames: readonly ImuFrame[], options: { athleteId: string; sessionId: string; pelvicDropLevelMaxDeg?: number }): Promise<OfflineScreen> {
  const events: ScreenEvent[] = [];
  await analyzeRecording(recordingOf(frames), (e) => events.push(e as ScreenEvent), {}, { activity: 'screen', sensors: ['pelvis', 'shank_left', 'shank_right'], ...options });
  const summary = events.find((e): e is ScreenSummaryEvent => e.kind === 'summary');
  if (summary === undefined) throw new Error('offline screen analysis ended without a summary');
  return { reps: events.filter((e): e is RepEvent => e.kind === 'rep'), summary };
}

/** A rep as the store and `…/live` carry it: the analysis's rep without `kind`, plus the session's ids. */
export function asRecord(rep: RepEvent, athleteId: string, sessionId: string): RepRecord {
  const { kind: _kind, ...fields } = rep;
  return { ...fields, athleteId, sessionId };
}
