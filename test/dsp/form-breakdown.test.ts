import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnalysisEvent } from '@gaitwatch/dsp';
import { AlertSchema } from '@gaitwatch/protocol';
import { SimulatedSession, stanceTruth, writeRecording } from '@gaitwatch/runner-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
const ONSET_S = 150;
/** Measured |baseline − truth median| ≤ 0.11° per side on this runner (simulated, left 0.11); ~2.5× that. */
const BASELINE_TOLERANCE_DEG = 0.3;
let dir: string;
const paths: Record<string, { csv: string; meta: string }> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-form-'));
  // The same runner fresh, and fatiguing from 150 s (baseline learnt from ~40 s to ~100 s of running).
  for (const scenario of ['steady', 'itb-fatigue'] as const) {
    const session = new SimulatedSession({ scenario, durationS: 230, seed: 31, runnerIndex: 2, maxMisalignmentDeg: 15, fatigueOnsetS: ONSET_S });
    paths[scenario] = await writeRecording(session, dir, scenario);
  }
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function analyze(path: string, ...flags: string[]): { events: AnalysisEvent[]; status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, 'analyze', path, '--athlete', 'ath-7', '--session', 'run-1', ...flags], { encoding: 'utf8' });
  const events = result.stdout.trim() === '' ? [] : result.stdout.trim().split('\n').map((l) => JSON.parse(l) as AnalysisEvent);
  return { events, status: result.status, stderr: result.stderr };
}

const alerts = (events: AnalysisEvent[]): Extract<AnalysisEvent, { kind: 'alert' }>[] => events.filter((e) => e.kind === 'alert');

describe('form breakdown in gaitwatch analyze', () => {
  it('tells the fatiguing runner within a minute of the onset, and says nothing to the fresh one', async () => {
    const meta = JSON.parse(await readFile(paths['itb-fatigue']!.meta, 'utf8')) as { fatigueOnsetUs: number };
    const fatigued = alerts(analyze(paths['itb-fatigue']!.csv).events).filter((a) => a.type === 'form_breakdown');
    const first = fatigued.find((a) => a.phase === 'raised');
    expect(first, 'a form_breakdown alert').toBeDefined();
    expect(first!.tUs).toBeGreaterThan(meta.fatigueOnsetUs);
    expect(first!.tUs - meta.fatigueOnsetUs).toBeLessThan(60e6);
    expect(first).toMatchObject({ athleteId: 'ath-7', sessionId: 'run-1', severity: 'warning' });
    expect(['pelvicDropDeg', 'shankFrontalDeg']).toContain(first!.metric);
    expect(first!.value! - first!.baseline!).toBeGreaterThan(0.9);
    for (const a of fatigued) {
      const { kind: _kind, ...alert } = a;
      expect(AlertSchema.safeParse(alert).success, JSON.stringify(a)).toBe(true);
    }
    // One raised alert per metric and episode, never a second raise of an open episode.
    const raisedPerMetric = new Map<string, number>();
    for (const a of fatigued.filter((x) => x.phase === 'raised')) raisedPerMetric.set(a.metric, (raisedPerMetric.get(a.metric) ?? 0) + 1);
    for (const n of raisedPerMetric.values()) expect(n).toBe(1);

    const fresh = alerts(analyze(paths['steady']!.csv).events).filter((a) => a.type === 'form_breakdown');
    expect(fresh).toEqual([]);
  });

  it('holds pelvic drop against the athlete’s own limit (--pelvic-drop-limit)', () => {
    const strict = alerts(analyze(paths['steady']!.csv, '--pelvic-drop-limit', '2').events).filter((a) => a.type === 'pelvic_drop_high');
    expect(strict.filter((a) => a.phase === 'raised').length).toBeGreaterThanOrEqual(1);
    expect(strict[0]).toMatchObject({ baseline: 2, metric: 'pelvicDropDeg' });
    const lenient = alerts(analyze(paths['steady']!.csv, '--pelvic-drop-limit', '25').events).filter((a) => a.type === 'pelvic_drop_high');
    expect(lenient).toEqual([]);
    const bad = analyze(paths['steady']!.csv, '--pelvic-drop-limit', 'lots');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--pelvic-drop-limit must be degrees/);
  });
});

describe('the fresh-legs baselines in the summary', () => {
  it('are what the form alerts are held against, and match the simulator’s fresh-legs pelvic drop', async () => {
    const { events } = analyze(paths['itb-fatigue']!.csv);
    const summary = events.find((e) => e.kind === 'summary')!;
    const run = summary.baselines.run!;
    expect(run).toBeDefined();
    // Every form alert's baseline is the summary's baseline of its metric and side.
    const form = alerts(events).filter((a) => a.type === 'form_breakdown' && a.side !== undefined && (a.metric === 'pelvicDropDeg' || a.metric === 'shankFrontalDeg'));
    expect(form.length).toBeGreaterThan(0);
    for (const a of form) expect(run[a.metric as 'pelvicDropDeg' | 'shankFrontalDeg'][a.side!]).toBeCloseTo(a.baseline!, 2);
    // Against the truth: the simulated runner's pelvic drop over the stances of the baseline period.
    const session = new SimulatedSession({ scenario: 'itb-fatigue', durationS: 230, seed: 31, runnerIndex: 2, maxMisalignmentDeg: 15, fatigueOnsetS: ONSET_S });
    const truth = stanceTruth(session.body).filter((s) => s.icS > 40 && s.icS < ONSET_S);
    for (const side of ['left', 'right'] as const) {
      const drops = truth.filter((s) => s.side === side).map((s) => s.pelvicDropDeg).sort((a, b) => a - b);
      const median = drops[Math.floor(drops.length / 2)]!;
      expect(Math.abs(run.pelvicDropDeg[side]! - median), `${side}: ${run.pelvicDropDeg[side]} vs truth ${median.toFixed(2)}`).toBeLessThan(BASELINE_TOLERANCE_DEG);
    }
    expect(run.cadenceSpm).toBeGreaterThan(140);
  });
});
