import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARAMS, SessionAnalyzer, type AlertEvent, type AnalysisEvent } from '@gaitwatch/dsp';
import { AlertSchema, DATA_QUALITY_REASONS, type RecordingRow } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecordingRows } from '../fixtures/recording.ts';

let dir: string;
const recordings = new Map<string, { rows: RecordingRow[]; meta: { faults: { kind: string; sensor: string; fromUs?: number }[] } }>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-dq-'));
  for (const scenario of ['steady', 'sensor-faults'] as const) {
    const paths = await writeRecording(new SimulatedSession({ scenario, durationS: 200, seed: 13 }), dir, scenario);
    recordings.set(scenario, { rows: await readRecordingRows(paths.csv), meta: JSON.parse(await readFile(paths.meta, 'utf8')) as never });
  }
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function alerts(rows: readonly RecordingRow[]): AlertEvent[] {
  const analyzer = new SessionAnalyzer({}, { sensors: ['pelvis', 'shank_left', 'shank_right'], athleteId: 'a1', sessionId: 's1' });
  const out: AnalysisEvent[] = [];
  for (const { sensor, tUs, values } of rows) out.push(...analyzer.pushSample(sensor, tUs, ...values));
  out.push(...analyzer.finish());
  return out.filter((e): e is AlertEvent => e.kind === 'alert');
}

describe('data-quality alerts', () => {
  it('stays quiet on a clean recording', () => {
    expect(alerts(recordings.get('steady')!.rows)).toEqual([]);
  });

  it('raises one critical alert when a sensor goes silent, timed from its last sample', () => {
    const { rows, meta } = recordings.get('sensor-faults')!;
    const silent = meta.faults.find((f) => f.kind === 'silent')!;
    const raised = alerts(rows).filter((a) => a.reason === 'sensor_silent');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ type: 'data_quality', severity: 'critical', sensor: silent.sensor, phase: 'raised', athleteId: 'a1', sessionId: 's1', metric: 'sensor_silent' });
    expect(Math.abs(raised[0]!.tUs - (silent.fromUs! + DEFAULT_PARAMS.silentAfterS * 1e6))).toBeLessThan(20_000);
    const { kind: _kind, ...alert } = raised[0]!;
    expect(AlertSchema.safeParse(alert).success).toBe(true);
  });

  it('raises clipping once for a sensor whose range is too small for the impacts', async () => {
    // sensor-faults gives the left shank a ±8 g accelerometer; this runner (4 m/s) hits it at every foot strike.
    const paths = await writeRecording(new SimulatedSession({ scenario: 'sensor-faults', durationS: 120, seed: 5 }), dir, 'clip');
    const meta = JSON.parse(await readFile(paths.meta, 'utf8')) as { sensors: Record<string, { samples: number; clippedSamples: number }> };
    const rows = await readRecordingRows(paths.csv);
    const clipping = alerts(rows).filter((a) => a.metric === 'clipping');
    // The simulator counts what it clipped; the analysis must flag who clipped clearly (> 1 %) and leave alone who never did.
    const expected = Object.entries(meta.sensors).filter(([, s]) => s.clippedSamples / s.samples > 0.01).map(([id]) => id);
    const notExpected = Object.entries(meta.sensors).filter(([, s]) => s.clippedSamples === 0).map(([id]) => id);
    expect(expected.length).toBeGreaterThan(0);
    for (const id of expected) expect(clipping.filter((a) => a.sensor === id && a.phase === 'raised')).toHaveLength(1);
    for (const id of notExpected) expect(clipping.filter((a) => a.sensor === id)).toHaveLength(0);
  });

  it('raises packet loss by what it costs, naming the metric, with hysteresis: one raised, one resolved per episode', () => {
    const { rows } = recordings.get('steady')!;
    const t0 = rows[0]!.tUs;
    // Lose 3 s of the pelvis (30 % of a 10 s window) twice, each time as two 1.5 s bursts 0.5 s apart:
    // each shorter than silentAfterS, so lost packets, not a silence.
    const lost = (tUs: number): boolean => [41, 43, 121, 123].some((s) => tUs > t0 + s * 1e6 && tUs < t0 + (s + 1.5) * 1e6);
    const lossy = rows.filter((r) => !(r.sensor === 'pelvis' && lost(r.tUs)));
    const loss = alerts(lossy).filter((a) => a.metric === 'packet_loss');
    expect(loss.map((a) => a.phase)).toEqual(['raised', 'resolved', 'raised', 'resolved']);
    expect(new Set(loss.map((a) => a.episodeId)).size).toBe(2);
    expect(loss[0]!.value).toBeGreaterThan(0.1);
    expect(loss[0]!.message).toMatch(/pelvis: lost packets cost the pelvic drop of \d+ % of the last \d+ stances/);
    for (const a of loss) expect(a).toMatchObject({ sensor: 'pelvis', reason: 'packet_loss', affectedMetric: 'pelvicDropDeg' });
  });

  it('gives every data_quality alert a reason from DESIGN.md\'s list (the same word in metric) and only them', () => {
    const { rows } = recordings.get('sensor-faults')!;
    const all = alerts(rows);
    const quality = all.filter((a) => a.type === 'data_quality');
    expect(quality.length).toBeGreaterThan(2);
    for (const a of quality) {
      expect(DATA_QUALITY_REASONS).toContain(a.reason);
      expect(a.metric).toBe(a.reason);
      const { kind: _kind, ...bare } = a;
      expect(AlertSchema.parse(bare)).toMatchObject({ reason: a.reason });
    }
    for (const a of all.filter((x) => x.type !== 'data_quality')) expect(a.reason).toBeUndefined();
    expect(AlertSchema.safeParse({ type: 'form_breakdown', severity: 'warning', athleteId: 'a', sessionId: 's', tUs: 1, metric: 'cadenceSpm', value: 1, baseline: 1, message: 'm', reason: 'clock' }).success).toBe(false);
  });
});
