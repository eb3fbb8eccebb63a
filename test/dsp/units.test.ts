// Wrong units in a file or stream: a gyro in deg/s, an accelerometer in g.
// Raised as data_quality units_suspect with what was seen and expected; no
// angle (and no acceleration metric) is ever reported from such data.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionAnalyzer, type AlertEvent, type AnalysisEvent, type StrideEvent } from '@gaitwatch/dsp';
import type { RecordingRow, SensorId } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecordingRows } from '../fixtures/recording.ts';

const SENSORS: readonly SensorId[] = ['pelvis', 'shank_left', 'shank_right'];
const DEG_PER_RAD = 180 / Math.PI;
let dir: string;
let rows: RecordingRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-units-'));
  const session = new SimulatedSession({ scenario: 'steady', durationS: 60, seed: 21, maxMisalignmentDeg: 10 });
  rows = await readRecordingRows((await writeRecording(session, dir, 'steady')).csv);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function analyze(sensor: SensorId, scale: { acc: number; gyr: number }): AnalysisEvent[] {
  const analyzer = new SessionAnalyzer({}, { sensors: SENSORS });
  const out: AnalysisEvent[] = [];
  for (const r of rows) {
    const [ax, ay, az, gx, gy, gz] = r.values;
    const a = r.sensor === sensor ? scale.acc : 1;
    const g = r.sensor === sensor ? scale.gyr : 1;
    out.push(...analyzer.pushSample(r.sensor, r.tUs, ax * a, ay * a, az * a, gx * g, gy * g, gz * g));
  }
  out.push(...analyzer.finish());
  return out;
}

const strides = (e: AnalysisEvent[]): StrideEvent[] => e.filter((x): x is StrideEvent => x.kind === 'stride');
const alerts = (e: AnalysisEvent[]): AlertEvent[] => e.filter((x): x is AlertEvent => x.kind === 'alert');

describe('units', () => {
  it('the correct units raise nothing', () => {
    const events = analyze('pelvis', { acc: 1, gyr: 1 });
    expect(alerts(events).filter((a) => a.metric === 'units_suspect')).toEqual([]);
    expect(strides(events).filter((s) => s.pelvicDropDeg !== null).length).toBeGreaterThan(100);
  });

  it('a pelvis gyro in deg/s: units_suspect, no pelvic drop, no pelvic_drop_high', () => {
    const events = analyze('pelvis', { acc: 1, gyr: DEG_PER_RAD });
    const units = alerts(events).filter((a) => a.metric === 'units_suspect');
    expect(units).toHaveLength(1);
    expect(units[0]!.sensor).toBe('pelvis');
    expect(units[0]!.message).toMatch(/looks like deg\/s/);
    expect(strides(events).length).toBeGreaterThan(100);
    expect(strides(events).filter((s) => s.pelvicDropDeg !== null)).toEqual([]);
    expect(alerts(events).filter((a) => a.type !== 'data_quality')).toEqual([]);
  });

  it('a shank gyro in deg/s: its knee proxy is withheld, the other leg keeps its own', () => {
    const events = analyze('shank_left', { acc: 1, gyr: DEG_PER_RAD });
    expect(alerts(events).filter((a) => a.metric === 'units_suspect').map((a) => a.sensor)).toEqual(['shank_left']);
    expect(strides(events).filter((s) => s.side === 'left' && s.shankFrontalDeg !== null)).toEqual([]);
    expect(strides(events).filter((s) => s.side === 'right' && s.shankFrontalDeg !== null).length).toBeGreaterThan(40);
  });

  it('a pelvis accelerometer in g: units_suspect naming g, no angles, no vertical oscillation', () => {
    const events = analyze('pelvis', { acc: 1 / 9.80665, gyr: 1 });
    const units = alerts(events).filter((a) => a.metric === 'units_suspect');
    expect(units.map((a) => a.sensor)).toEqual(['pelvis']);
    expect(units[0]!.message).toMatch(/gravity reads 1\.00 .*looks like g/);
    expect(strides(events).filter((s) => s.pelvicDropDeg !== null || (s.verticalOscillationCm ?? null) !== null)).toEqual([]);
  });
});
