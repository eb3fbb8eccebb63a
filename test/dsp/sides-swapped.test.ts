// Shank clips on the wrong legs: the pelvis tells the sides by itself, so
// the analysis notices (sides_swapped), swaps them back and keeps the
// fatigue alert that swapped labels would lose.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionAnalyzer, type AlertEvent, type AnalysisEvent, type StrideEvent, type SummaryEvent } from '@gaitwatch/dsp';
import { matchStances, mean } from '@gaitwatch/dsp/eval';
import { parseTruthCsv, type RecordingRow, type SensorId, type TruthRow } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecordingRows } from '../fixtures/recording.ts';
import { isCi } from '../harness/index.ts';

const REAL_RUNNING = fileURLToPath(new URL('../../../shared/data/real-running/', import.meta.url));
const REAL_TRIALS = ['fukuchi-rbds001-t25', 'fukuchi-rbds032-t25'];
const realPresent = existsSync(`${REAL_RUNNING}${REAL_TRIALS[0]}.csv`);
if (!realPresent && isCi()) throw new Error(`CI=true but the real running recordings are missing at ${REAL_RUNNING}`);

const SENSORS: readonly SensorId[] = ['pelvis', 'shank_left', 'shank_right'];
const SWAP: Record<string, SensorId> = { shank_left: 'shank_right', shank_right: 'shank_left', pelvis: 'pelvis' };
let dir: string;
let rows: RecordingRow[];
let truth: TruthRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-sides-'));
  const session = new SimulatedSession({ scenario: 'itb-fatigue', durationS: 200, seed: 3, maxMisalignmentDeg: 15, fatigueOnsetS: 110 });
  const paths = await writeRecording(session, dir, 'fatigue');
  rows = await readRecordingRows(paths.csv);
  truth = parseTruthCsv(await readFile(paths.truth, 'utf8'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function analyze(swap: boolean): AnalysisEvent[] {
  const analyzer = new SessionAnalyzer({}, { sensors: SENSORS });
  const out: AnalysisEvent[] = [];
  for (const r of rows) out.push(...analyzer.pushSample(swap ? SWAP[r.sensor]! : r.sensor, r.tUs, ...r.values));
  out.push(...analyzer.finish());
  return out;
}

const alerts = (e: AnalysisEvent[]): AlertEvent[] => e.filter((x): x is AlertEvent => x.kind === 'alert');
const strides = (e: AnalysisEvent[]): StrideEvent[] => e.filter((x): x is StrideEvent => x.kind === 'stride');
const form = (e: AnalysisEvent[]): string[] => alerts(e).filter((a) => a.type !== 'data_quality').map((a) => `${a.type}:${a.metric}:${a.phase}:${a.side ?? ''}`);

describe('shank labels swapped', () => {
  it('correct labels: nothing said', () => {
    const events = analyze(false);
    expect(alerts(events).some((a) => a.metric === 'sides_swapped')).toBe(false);
    expect((events.at(-1) as SummaryEvent).sidesSwappedFromUs).toBeNull();
  });

  it('swapped labels: raised once, swapped back, sides, knee proxy and the fatigue alert as with correct labels', () => {
    const right = analyze(false);
    const events = analyze(true);
    const said = alerts(events).filter((a) => a.metric === 'sides_swapped');
    expect(said).toHaveLength(1);
    const fromUs = said[0]!.tUs;
    // Found within the first half minute of running (the form warm-up), so baselines learn the right legs.
    expect(fromUs - rows[0]!.tUs).toBeLessThan(45e6);
    expect((events.at(-1) as SummaryEvent).sidesSwappedFromUs).toBe(fromUs);
    const after = (xs: StrideEvent[]): StrideEvent[] => xs.filter((s) => s.icUs > fromUs + 6e6);
    const m = matchStances(truth, after(strides(events)));
    const ref = matchStances(truth, after(strides(right)));
    expect(m.matched).toBeGreaterThanOrEqual(ref.matched - 2);
    expect(Math.abs(mean(m.shankErrorsDeg.map(Math.abs)) - mean(ref.shankErrorsDeg.map(Math.abs)))).toBeLessThan(0.05);
    expect(Math.abs(mean(m.dropErrorsDeg.map(Math.abs)) - mean(ref.dropErrorsDeg.map(Math.abs)))).toBeLessThan(0.05);
    expect(form(events)).toEqual(form(right));
    expect(form(right).length).toBeGreaterThan(0);
  });

  describe.skipIf(!realPresent)('on real running (treadmill, motion capture)', () => {
    for (const trial of REAL_TRIALS) {
      it(`${trial}: right labels raise nothing, swapped labels are found`, () => {
        const lines = readFileSync(`${REAL_RUNNING}${trial}.csv`, 'utf8').split(/\r?\n/).slice(1).filter((l) => l !== '');
        const rowsOf = (swap: boolean): AnalysisEvent[] => {
          const analyzer = new SessionAnalyzer();
          const out: AnalysisEvent[] = [];
          for (const line of lines) {
            const [t, sensor, ...v] = line.split(',');
            const id = (swap ? SWAP[sensor!] : sensor) as SensorId;
            const n = v.map(Number) as [number, number, number, number, number, number];
            out.push(...analyzer.pushSample(id, Number(t), ...n));
          }
          out.push(...analyzer.finish());
          return out;
        };
        expect(alerts(rowsOf(false)).some((a) => a.metric === 'sides_swapped')).toBe(false);
        expect(alerts(rowsOf(true)).filter((a) => a.metric === 'sides_swapped')).toHaveLength(1);
      });
    }
  });
});
