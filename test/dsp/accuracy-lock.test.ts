// Accuracy against the simulator's ground truth on fixed seeded runs, every
// published field, with tolerances at 2–3× what is measured (in the
// comments), so a planted +8 ms contact shift, +0.4° pelvic-drop bias or
// ±15 ms toe-off shift fails; and the full NDJSON of one recording locked
// (golden file, reviewed when it changes: UPDATE_GOLDEN=1 rewrites it).
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeRecording, type AnalysisEvent, type StrideEvent } from '@gaitwatch/dsp';
import { absolute, matchStances, mean, quantile, type MatchResult } from '@gaitwatch/dsp/eval';
import { parseTruthCsv, type TruthRow } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterMountingKnown } from '../fixtures/mounting.ts';

const GOLDEN = fileURLToPath(new URL('../fixtures/golden/analyze-steady-s77.ndjson', import.meta.url));
let dir: string;
/** `known`: matched from where the mounting is known (the first seconds withhold the angles). */
const runs: { strides: StrideEvent[]; truth: TruthRow[]; match: MatchResult; known: MatchResult }[] = [];
let goldenText: string;

async function analyze(csv: string): Promise<AnalysisEvent[]> {
  const out: AnalysisEvent[] = [];
  await analyzeRecording(createReadStream(csv, { encoding: 'utf8' }) as AsyncIterable<string>, (e) => out.push(e), {}, { athleteId: 'golden', sessionId: 's77' });
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-acc-'));
  for (const seed of [41, 42]) {
    const paths = await writeRecording(new SimulatedSession({ scenario: 'weak-side', durationS: 120, seed, maxMisalignmentDeg: 15 }), dir, `weak-${seed}`);
    const strides = (await analyze(paths.csv)).filter((e): e is StrideEvent => e.kind === 'stride');
    const truth = parseTruthCsv(await readFile(paths.truth, 'utf8'));
    runs.push({ strides, truth, match: matchStances(truth, strides), known: matchStances(truth, afterMountingKnown(strides)) });
  }
  const golden = await writeRecording(new SimulatedSession({ scenario: 'steady', durationS: 45, seed: 77, maxMisalignmentDeg: 15 }), dir, 'steady-77');
  goldenText = `${(await analyze(golden.csv)).map((e) => JSON.stringify(e)).join('\n')}\n`;
}, 120_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

const all = <K extends keyof MatchResult>(key: K): number[] => runs.flatMap((r) => r.match[key] as number[]);

describe('accuracy against simulated truth (2 weak-side runs, 120 s, misalignment ≤ 15°)', () => {
  it('finds the stances: recall ≥ 0.99 (measured 0.993), precision ≥ 0.995 (measured 1.000)', () => {
    for (const { match } of runs) {
      expect(match.matched / match.truth).toBeGreaterThanOrEqual(0.99);
      expect(match.matched / match.detected).toBeGreaterThanOrEqual(0.995);
    }
  });

  // Contact is the onset of the axial acceleration's rise to the impact (real running: +6.6 / +5.3 ms);
  // on the simulated body that rise starts a little before its contact (the impact itself read −1.0 ms).
  it('times initial contact: mean error within −4.2 ± 3 ms (measured −4.2), median |error| ≤ 6 ms (measured 4.2)', () => {
    const bias = mean(all('icErrorsMs'));
    expect(bias).toBeGreaterThanOrEqual(-7.2);
    expect(bias).toBeLessThanOrEqual(-1.2);
    expect(quantile(absolute(all('icErrorsMs')), 0.5)).toBeLessThanOrEqual(6);
  });

  // Toe-off is the onset of the early-swing backward rotation (real running wins,
  // issue 15: on force-plate-timed real running it reads −2 ms). Since the
  // simulator's shank follows the published running kinematics (issue 15 item 2:
  // its backward rotation peaks in early swing, no longer at toe-off) the onset
  // reads −32.1 ms mean, median |error| 30.7 ms, p95 33.1 (it read −63.3 / 64.1 /
  // 69.4 on the previous body): the simulated late-stance plateau ends ~0.04 of a
  // stride before its toe-off. 563 of 604 matched stances (0.93) have a toe-off:
  // in the others the loading-phase rotation 80 ms after contact is faster than
  // the early-swing peak, so no onset is found (ACCURACY.md; 1 of 149 on real
  // running). The real-running lock is in real-recordings.test.ts. This keeps the
  // simulated figure from drifting: a ±15 ms shift fails.
  it('times toe-off: mean error −44 to −20 ms (measured −32.1), median |error| ≤ 45 ms (measured 30.7), on ≥ 86 % of matched stances (measured 93 %)', () => {
    const to = all('toErrorsMs');
    const matched = runs.reduce((n, r) => n + r.match.matched, 0);
    expect(to.length).toBeGreaterThanOrEqual(0.86 * matched);
    expect(mean(to)).toBeGreaterThanOrEqual(-44);
    expect(mean(to)).toBeLessThanOrEqual(-20);
    expect(quantile(absolute(to), 0.5)).toBeLessThanOrEqual(45);
  });

  it('gives contact time, stride time and cadence that agree with the truth and each other', () => {
    for (const { strides, truth } of runs) {
      const errors: number[] = [];
      for (const s of strides) {
        const t = truth.find((x) => x.side === s.side && Math.abs(x.icUs - s.icUs) < 50_000);
        if (t === undefined) continue;
        if (s.strideTimeS !== null && t.strideTimeS !== null) errors.push(Math.abs(s.strideTimeS - t.strideTimeS) * 1000);
        if (s.strideTimeS !== null) expect(s.cadenceSpm!).toBeCloseTo(120 / s.strideTimeS, 6);
        if (s.gctS !== null && s.toUs !== null) expect(s.gctS).toBeCloseTo((s.toUs - s.icUs) / 1e6, 6);
      }
      // Stride time: mean |error| ≤ 3 ms (measured ~1.3; it is the difference of two contacts).
      expect(mean(errors)).toBeLessThanOrEqual(3);
    }
  });

  it('measures pelvic drop: bias within ±0.1° (measured −0.03, −0.02), MAE ≤ 0.25° (measured 0.07–0.09), on every matched stance but one', () => {
    const drop = all('dropErrorsDeg');
    // Every matched stance but one once the pelvis's mounting is known (test/fixtures/mounting.ts).
    expect(drop.length).toBeGreaterThanOrEqual(runs.reduce((n, r) => n + r.known.matched, 0) - 2);
    expect(Math.abs(mean(drop))).toBeLessThanOrEqual(0.1);
    expect(mean(absolute(drop))).toBeLessThanOrEqual(0.25);
  });

  // The knee proxy's stance window ends at the toe-off: on the previous simulated
  // body (onset 63 ms early) it read −0.33 to −0.52° (MAE 0.35–0.52); since the
  // shank follows the published kinematics, +0.09 / −0.21° (MAE 0.26 / 0.27); since the
  // attitude filter keeps impacts (2026-12-04), +0.15 / −0.20° (MAE 0.27 / 0.28).
  it('measures the knee-collapse proxy: bias within ±0.6° (measured +0.15, −0.20), MAE ≤ 0.7° (measured 0.27–0.28)', () => {
    const knee = all('shankErrorsDeg');
    expect(knee.length).toBeGreaterThan(550);
    for (const { match } of runs) expect(Math.abs(mean(match.shankErrorsDeg))).toBeLessThanOrEqual(0.6);
    expect(mean(absolute(knee))).toBeLessThanOrEqual(0.7);
  });
});

describe('behaviour lock', () => {
  it('gives exactly the reviewed NDJSON for a fixed seeded recording (UPDATE_GOLDEN=1 to accept a reviewed change)', async () => {
    if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(GOLDEN)) {
      if (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') throw new Error(`golden file ${GOLDEN} missing under CI: generate it with UPDATE_GOLDEN=1 and review it`);
      await writeFile(GOLDEN, goldenText);
    }
    const expected = await readFile(GOLDEN, 'utf8');
    const got = goldenText.split('\n');
    const want = expected.split('\n');
    const first = want.findIndex((line, i) => got[i] !== line);
    expect(first === -1 ? null : { line: first + 1, expected: want[first], got: got[first] }).toBeNull();
    expect(got.length).toBe(want.length);
  });
});
