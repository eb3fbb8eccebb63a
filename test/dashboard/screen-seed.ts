/**
 * Movement screens for the dashboard's browser tests, made the real way:
 * the runner simulator's screen scenario (simulators/runner) through the
 * screen analysis (packages/dsp ScreenAnalyzer), stored as ingest stores a
 * screen (session summary with `activity: "screen"` and the analysis's
 * description; one rep record per rep). Simulating and analysing one
 * step-down screen (~3 min of data) takes ~0.6 s.
 */
import { ScreenAnalyzer, type RepEvent } from '@gaitwatch/dsp';
import { SENSOR_IDS, US_PER_S } from '@gaitwatch/protocol';
import type { JsonObject, RepRecord, SessionRecord } from '@gaitwatch/storage';
import { defaultProtocol, SimulatedSession, type ScreenProtocol, type SetControl } from '@gaitwatch/runner-sim';

export interface AnalysedScreen {
  readonly session: SessionRecord;
  readonly reps: RepRecord[];
}

/** Samples pushed per sensor before the next sensor's turn (the analysis does not depend on it). */
const BLOCK = 200;

/** The default step-down protocol, weak on `weakSide`, with its weak and fading sets' control replaced by `control` (rehab getting on). */
export function stepDown(weakSide: 'left' | 'right', control?: SetControl): ScreenProtocol {
  const p = defaultProtocol('step-down', weakSide);
  return control === undefined ? p : { ...p, sets: p.sets.map((s) => (s.control === 'clean' ? s : { ...s, control })) };
}

/** Simulates a screen and analyses it; the reps and the session as ingest would have stored them. */
export function analyseScreen(options: { athleteId: string; sessionId: string; startUs: number; seed: number; protocol: ScreenProtocol; levelMaxDeg?: number }): AnalysedScreen {
  const { athleteId, sessionId } = options;
  const session = new SimulatedSession({ scenario: 'screen-step-down', durationS: 900, seed: options.seed, startUs: options.startUs, screen: options.protocol });
  const analyzer = new ScreenAnalyzer({}, { sensors: ['pelvis', 'shank_left', 'shank_right'], athleteId, sessionId, ...(options.levelMaxDeg !== undefined ? { pelvicDropLevelMaxDeg: options.levelMaxDeg } : {}) });
  const sample = new Float64Array(6);
  const events: { kind: string }[] = [];
  const sensors = SENSOR_IDS.filter((s) => session.imus.has(s));
  const n = Math.max(...sensors.map((s) => session.sampleCount(s)));
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    for (const sensor of sensors) {
      const imu = session.imus.get(sensor)!;
      for (let i = i0; i < Math.min(i0 + BLOCK, session.sampleCount(sensor)); i++) {
        const tS = session.sampleTimeS(sensor, i);
        imu.sample(tS, sample);
        events.push(...analyzer.pushSample(sensor, session.timestampUs(tS), sample[0]!, sample[1]!, sample[2]!, sample[3]!, sample[4]!, sample[5]!));
      }
    }
  }
  events.push(...analyzer.finish());
  const reps = events.filter((e): e is RepEvent => e.kind === 'rep').map(({ kind: _kind, ...rep }) => ({ ...rep, athleteId, sessionId }));
  const { kind: _kind, ...summary } = events.find((e) => e.kind === 'summary') as unknown as { kind: string } & JsonObject;
  return {
    session: {
      athleteId,
      sessionId,
      startUs: options.startUs,
      endUs: options.startUs + Math.round(session.plan.durationS * US_PER_S),
      summary: { ...summary, state: 'closed', endReason: 'stop', activity: 'screen', analysis: analyzer.describe() as unknown as JsonObject },
    },
    reps,
  };
}
