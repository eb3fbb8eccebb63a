// The analyzer as a live service hosts it: decoded frames in (pushFrame),
// a clock that moves when the data stops (advanceTo), unknown sensors ignored.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionAnalyzer, type AnalysisEvent, type StrideEvent, type SummaryEvent } from '@gaitwatch/dsp';
import type { RecordingRow, SensorId } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecordingRows } from '../fixtures/recording.ts';

const SENSORS: readonly SensorId[] = ['pelvis', 'shank_left', 'shank_right'];
let dir: string;
let rows: RecordingRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-live-'));
  const session = new SimulatedSession({ scenario: 'steady', durationS: 60, seed: 5, maxMisalignmentDeg: 10, timestampJitterUs: 0 });
  rows = await readRecordingRows((await writeRecording(session, dir, 'steady')).csv);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Each sensor's rows cut into frames of `size` samples (t0, period from the rows), sensors interleaved frame by frame. */
function frames(size: number): { sensor: SensorId; t0Us: number; periodUs: number; samples: Float64Array }[] {
  const out: { sensor: SensorId; t0Us: number; periodUs: number; samples: Float64Array; endUs: number }[] = [];
  for (const sensor of SENSORS) {
    const own = rows.filter((r) => r.sensor === sensor);
    for (let i = 0; i < own.length; i += size) {
      const chunk = own.slice(i, i + size);
      const periodUs = chunk.length > 1 ? (chunk.at(-1)!.tUs - chunk[0]!.tUs) / (chunk.length - 1) : 5000;
      out.push({ sensor, t0Us: chunk[0]!.tUs, periodUs, samples: Float64Array.from(chunk.flatMap((r) => [...r.values])), endUs: chunk.at(-1)!.tUs });
    }
  }
  return out.sort((a, b) => a.endUs - b.endUs);
}

describe('live-service API', () => {
  it('pushFrame gives what the same samples give one by one', () => {
    const bySample = new SessionAnalyzer({}, { sensors: SENSORS });
    const frameRows = frames(15);
    const expected: AnalysisEvent[] = [];
    for (const f of frameRows) {
      for (let i = 0; i < f.samples.length / 6; i++) {
        const v = f.samples.subarray(i * 6, i * 6 + 6);
        expected.push(...bySample.pushSample(f.sensor, Math.round(f.t0Us + i * f.periodUs), v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!));
      }
    }
    expected.push(...bySample.finish());
    const byFrame = new SessionAnalyzer({}, { sensors: SENSORS });
    const got: AnalysisEvent[] = [];
    for (const f of frameRows) got.push(...byFrame.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples));
    got.push(...byFrame.finish());
    expect(got.filter((e) => e.kind === 'stride').length).toBeGreaterThan(100);
    expect(got).toEqual(expected);
  });

  it('advanceTo releases the strides found when the data stops, without finish()', () => {
    const analyzer = new SessionAnalyzer({}, { sensors: SENSORS });
    const released: AnalysisEvent[] = [];
    for (const f of frames(15)) released.push(...analyzer.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples));
    const lastUs = rows.at(-1)!.tUs;
    const beforeCount = released.filter((e) => e.kind === 'stride').length;
    // Earlier than the data: no sensor is silent; it is one more release check (pushes check every 20 ms of
    // data), so a stride already due may come out, and nothing later than the release delay allows.
    const early = analyzer.advanceTo(lastUs - 1e6);
    expect(early.filter((e) => e.kind === 'alert')).toEqual([]);
    for (const e of early) expect(e.kind === 'stride' && e.icUs <= lastUs - analyzer.params.releaseAfterShanksS * 1e6).toBe(true);
    released.push(...early);
    const { silentAfterS, releaseAfterS } = analyzer.params;
    released.push(...analyzer.advanceTo(lastUs + (silentAfterS + releaseAfterS) * 1e6 + 1));
    const strides = released.filter((e): e is StrideEvent => e.kind === 'stride');
    expect(strides.length).toBeGreaterThan(beforeCount);
    // Every stride finish() would give is out, but the last stance of each leg (finish closes those).
    const rest = analyzer.finish();
    const late = rest.filter((e): e is StrideEvent => e.kind === 'stride');
    expect(late.length).toBeLessThanOrEqual(2);
    for (const s of late) expect(s.icUs).toBeGreaterThan(lastUs - 2e6);
    // The sensors fell silent as far as the session's clock knows: said once each.
    const silent = released.filter((e) => e.kind === 'alert' && e.metric === 'sensor_silent');
    expect(silent.map((e) => (e.kind === 'alert' ? e.sensor : '')).sort()).toEqual([...SENSORS].sort());
  });

  it('ignores and counts samples of a sensor id outside the contract, never throws', () => {
    const analyzer = new SessionAnalyzer({}, { sensors: SENSORS });
    const row = Float64Array.of(rows[0]!.tUs, 0, 0, 9.81, 0, 0, 0);
    expect(() => analyzer.pushRows('thigh_left' as SensorId, row, 0, 1)).not.toThrow();
    expect(analyzer.pushFrame('__proto__' as SensorId, rows[0]!.tUs, 5000, new Float64Array(6))).toHaveLength(0);
    const summary = analyzer.finish().at(-1) as SummaryEvent;
    expect(summary.unknownSensorPushes).toBe(2);
    expect(Object.keys(summary.sensors)).toEqual([]);
  });
});
