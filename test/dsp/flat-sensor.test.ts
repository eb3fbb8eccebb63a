// A flat-lined sensor (dead, or a relay repeating a stale value) is not
// taken for a runner standing still: sensor_flat, its data ignored, the
// pelvis takes over its leg, and no other alert pretends to explain it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionAnalyzer, type AlertEvent, type AnalysisEvent, type StrideEvent, type SummaryEvent } from '@gaitwatch/dsp';
import { matchStances } from '@gaitwatch/dsp/eval';
import { parseTruthCsv, type RecordingRow, type SensorId, type TruthRow } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecordingRows } from '../fixtures/recording.ts';

const SENSORS: readonly SensorId[] = ['pelvis', 'shank_left', 'shank_right'];
let dir: string;
let rows: RecordingRow[];
let truth: TruthRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-flat-'));
  const session = new SimulatedSession({ scenario: 'steady', durationS: 90, seed: 8, maxMisalignmentDeg: 10 });
  const paths = await writeRecording(session, dir, 'steady');
  rows = await readRecordingRows(paths.csv);
  truth = parseTruthCsv(await readFile(paths.truth, 'utf8'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function analyze(flat: (row: RecordingRow) => boolean): AnalysisEvent[] {
  const analyzer = new SessionAnalyzer({}, { sensors: SENSORS });
  const out: AnalysisEvent[] = [];
  for (const r of rows) {
    const v = flat(r) ? ([0, 0, 0, 0, 0, 0] as const) : r.values;
    out.push(...analyzer.pushSample(r.sensor, r.tUs, ...v));
  }
  out.push(...analyzer.finish());
  return out;
}

const alerts = (e: AnalysisEvent[]): AlertEvent[] => e.filter((x): x is AlertEvent => x.kind === 'alert');
const strides = (e: AnalysisEvent[]): StrideEvent[] => e.filter((x): x is StrideEvent => x.kind === 'stride');

describe('flat-lined sensor', () => {
  it('a left shank sending zeros from the start: sensor_flat, and the left leg still comes from the pelvis', () => {
    const events = analyze((r) => r.sensor === 'shank_left');
    const quality = alerts(events).filter((a) => a.type === 'data_quality');
    expect(quality.map((a) => `${a.sensor}:${a.metric}:${a.phase}:${a.severity}`)).toEqual(['shank_left:sensor_flat:raised:critical']);
    const left = matchStances(truth.filter((t) => t.side === 'left'), strides(events).filter((s) => s.side === 'left'));
    expect(left.matched / left.truth).toBeGreaterThan(0.9);
    expect((events.at(-1) as SummaryEvent).sensors['shank_left']!.flatSamples).toBeGreaterThan(10_000);
  });

  it('a right shank that goes flat mid-run and recovers: one episode, raised and resolved', () => {
    const t0 = rows[0]!.tUs;
    const events = analyze((r) => r.sensor === 'shank_right' && r.tUs > t0 + 40e6 && r.tUs < t0 + 55e6);
    const flat = alerts(events).filter((a) => a.metric === 'sensor_flat');
    expect(flat.map((a) => a.phase)).toEqual(['raised', 'resolved']);
    expect(flat[0]!.tUs).toBeGreaterThan(t0 + 40e6);
    expect(flat[0]!.tUs).toBeLessThan(t0 + 41e6);
    expect(alerts(events).some((a) => a.metric === 'sensor_silent' || a.metric === 'units_suspect')).toBe(false);
    const right = matchStances(truth.filter((t) => t.side === 'right'), strides(events).filter((s) => s.side === 'right'));
    expect(right.matched / right.truth).toBeGreaterThan(0.95);
  });
});
