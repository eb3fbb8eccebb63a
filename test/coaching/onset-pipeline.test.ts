/**
 * From samples to onset: the simulator's IMU samples through the real
 * analyzer (@gaitwatch/dsp, in process), its alerts and summary stored as
 * ingest stores them, and @gaitwatch/coaching's onset read off them. Two
 * short sessions of one runner (3 min 50 s: long enough for the fresh-legs
 * baseline and a scaled fatigue onset at 150 s, short enough for CI): a
 * fatiguing one gives an onset just after the modelled one, a fresh one
 * "held all run". It also bounds the detection delay that src/start/training-history.ts's
 * ALERT_DELAY_S stands for.
 */
import { SessionAnalyzer, type AnalysisEvent, type SummaryEvent } from '@gaitwatch/dsp';
import type { SensorId } from '@gaitwatch/protocol';
import { SimulatedSession } from '@gaitwatch/runner-sim';
import { sessionLoad, sessionOnset } from '@gaitwatch/coaching';
import type { AlertRecord, JsonObject, SessionRecord } from '@gaitwatch/storage';
import { describe, expect, it } from 'vitest';
import { ALERT_DELAY_S } from '../../src/start/training-history.ts';

const ONSET_S = 150;
const DURATION_S = 230;

/** Samples in time order across sensors, as a recording holds them, through one analyzer. */
function analyze(session: SimulatedSession): { alerts: AlertRecord[]; summary: SummaryEvent } {
  const analyzer = new SessionAnalyzer({}, { athleteId: 'ath-7', sessionId: 'run-1' });
  const events: AnalysisEvent[] = [];
  const sensors = [...session.imus.keys()];
  const next = new Map<SensorId, number>(sensors.map((s) => [s, 0]));
  const v = new Float64Array(6);
  for (;;) {
    let sensor: SensorId | undefined;
    let best = Infinity;
    for (const s of sensors) {
      const n = next.get(s)!;
      if (n < session.sampleCount(s) && session.sampleTimeS(s, n) < best) {
        best = session.sampleTimeS(s, n);
        sensor = s;
      }
    }
    if (sensor === undefined) break;
    next.set(sensor, next.get(sensor)! + 1);
    session.imus.get(sensor)!.sample(best, v);
    events.push(...analyzer.pushSample(sensor, session.timestampUs(best), v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!));
  }
  events.push(...analyzer.finish());
  const alerts = events.flatMap((e) => (e.kind === 'alert' ? [(({ kind: _k, ...a }) => a)(e) as AlertRecord] : []));
  return { alerts, summary: events.find((e): e is SummaryEvent => e.kind === 'summary')! };
}

function stored(session: SimulatedSession, summary: SummaryEvent): SessionRecord {
  // As ingest closes a session: the analyzer's summary plus the phone's GPS distance from its `stop`.
  return { athleteId: 'ath-7', sessionId: 'run-1', startUs: session.startUs, endUs: session.startUs + DURATION_S * 1e6, summary: { ...(summary as unknown as JsonObject), gpsDistanceM: session.body.speed.distanceAt(DURATION_S) } };
}

describe('form-breakdown onset from the real analyzer', () => {
  it('finds the onset just after the modelled one on the tiring side, and "held all run" for fresh legs', () => {
    const tiring = new SimulatedSession({ scenario: 'itb-fatigue', durationS: DURATION_S, seed: 31, runnerIndex: 2, maxMisalignmentDeg: 15, fatigueOnsetS: ONSET_S });
    const fatigued = analyze(tiring);
    const load = sessionLoad(stored(tiring, fatigued.summary), null)!;
    expect(load.stances).toBeGreaterThan(400);
    const onset = sessionOnset(load, fatigued.alerts);
    const sides = [onset.left, onset.right].filter((s) => !s.heldAllRun);
    expect(sides.length).toBeGreaterThan(0);
    const first = Math.min(...sides.map((s) => s.onsetS!));
    const delayS = first - ONSET_S;
    // Measured: 31 s on this runner (29 s and 41 s on two others); training-history.ts stands in with ALERT_DELAY_S = 35 s.
    expect(delayS).toBeGreaterThan(0);
    expect(delayS).toBeLessThan(60);
    expect(ALERT_DELAY_S).toBeLessThan(60);
    // Distance into the run: the session's GPS distance scaled by time (an even pace).
    const side = sides.find((s) => s.onsetS === first)!;
    expect(side.onsetDistanceM).toBeCloseTo((load.distanceM! * first) / DURATION_S, 6);

    const fresh = new SimulatedSession({ scenario: 'steady', durationS: DURATION_S, seed: 31, runnerIndex: 2, maxMisalignmentDeg: 15 });
    const held = analyze(fresh);
    const heldOnset = sessionOnset(sessionLoad(stored(fresh, held.summary), null)!, held.alerts);
    expect([heldOnset.left.heldAllRun, heldOnset.right.heldAllRun]).toEqual([true, true]);
  });
});
