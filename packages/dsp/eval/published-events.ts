// pnpm eval, section "published event rules": the gait-event rules Kiernan,
// Dunn Siino & Hawkins 2023 (Sensors 23(11):5022) recommend for a shank or a
// sacral sensor, written as offline functions (eval/published/), next to our
// streaming detectors, on every recording we have: REAL running (motion
// capture turned into IMU signals; force-plate or foot-marker events), REAL
// walking (lab lower-back IMU, motion-capture reference; pelvis rules only)
// and SIMULATED running. Plus a leave-one-trial-out report of the
// pelvis-only rules over the real trials. Every figure is labelled real or
// simulated.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, type StrideEvent } from '@gaitwatch/dsp';
import { parseTruthCsv } from '@gaitwatch/protocol';
import { isScreenScenario, SCENARIOS, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { absolute, matchStances, quantile, type DetectedStance, type MatchResult, type TruthStance } from './match.ts';
import { auvinetSacrum } from './published/auvinet.ts';
import { fadilliogluShank } from './published/fadillioglu.ts';
import { purcellShank } from './published/purcell.ts';
import { reenaldaSacrum } from './published/reenalda.ts';
import { parseSeries, type RuleStance, type SensorSeries } from './published/signals.ts';

/** Analyzer parameter overrides, as analyzeRecording takes them. */
type Overrides = Parameters<typeof analyzeRecording>[2];

/** A rule as the section runs it: on the parsed recording (offline) or on its text (our streaming analyzer). */
interface Rule {
  readonly name: string;
  /** Which sensors it reads: shank rules are scored by side, sacrum rules regardless of side. */
  readonly on: 'shank' | 'sacrum';
  run(series: Map<string, SensorSeries>, text: string): Promise<RuleStance[]>;
}

const shankRule = (name: string, f: (s: SensorSeries, side: 'left' | 'right') => RuleStance[]): Rule => ({
  name,
  on: 'shank',
  run: async (series) => (['left', 'right'] as const).flatMap((side) => (series.has(`shank_${side}`) ? f(series.get(`shank_${side}`)!, side) : [])),
});
const sacrumRule = (name: string, f: (s: SensorSeries) => RuleStance[]): Rule => ({
  name,
  on: 'sacrum',
  run: async (series) => (series.has('pelvis') ? f(series.get('pelvis')!) : []),
});

/** Our analyzer's strides on the recording's text (optionally without the shank rows: pelvis-only mode). */
async function ours(text: string, pelvisOnly: boolean, params: Overrides = {}): Promise<RuleStance[]> {
  const body = pelvisOnly ? text.split('\n').filter((line) => !line.includes(',shank_')).join('\n') : text;
  const out: StrideEvent[] = [];
  await analyzeRecording([body], (e) => {
    if (e.kind === 'stride') out.push(e);
  }, params);
  return out.map((s) => ({ side: s.side, icUs: s.icUs, toUs: s.toUs }));
}

const SHANK_RULES: Rule[] = [
  { name: 'ours (shank detector, default: icRule 3, onset of the axial rise)', on: 'shank', run: async (_s, text) => ours(text, false) },
  // The rule before (2026-12-04): the impact itself, the largest jump of |a|.
  { name: 'ours, shankEvents.icRule = 1 (impact, the default before)', on: 'shank', run: async (_s, text) => ours(text, false, { shankEvents: { icRule: 1 } }) },
  // Fadillioglu's end-of-swing IC inside the streaming detector.
  { name: 'ours, shankEvents.icRule = 2 (zero crossing, streaming)', on: 'shank', run: async (_s, text) => ours(text, false, { shankEvents: { icRule: 2 } }) },
  shankRule("Purcell 2006 (shank acc), Kiernan's reading", (s, side) => purcellShank(s, side, 'kiernan')),
  shankRule('Purcell 2006 (shank acc), as written', (s, side) => purcellShank(s, side, 'as-written')),
  shankRule('Fadillioglu 2020 (shank gyro)', fadilliogluShank),
];
const SACRUM_RULES: Rule[] = [
  { name: 'ours (pelvis-only detector)', on: 'sacrum', run: async (_s, text) => ours(text, true) },
  sacrumRule('Auvinet 2002 (sacrum acc)', auvinetSacrum),
  sacrumRule('Reenalda 2021 (sacrum vertical velocity)', reenaldaSacrum),
];

interface Scored {
  readonly data: 'REAL' | 'SIMULATED';
  readonly recording: string;
  readonly m: MatchResult;
}

/** Detections of a rule scored against the truth: shank rules by side, sacrum rules regardless; only inside `keep`. */
function score(rule: Rule, truth: readonly TruthStance[], found: readonly RuleStance[], toleranceMs: number, keep: (tUs: number) => boolean): MatchResult {
  const detected: DetectedStance[] = found.filter((s) => keep(s.icUs)).map((s) => ({ side: s.side ?? 'left', icUs: s.icUs, toUs: s.toUs, pelvicDropDeg: null, shankFrontalDeg: null }));
  if (rule.on === 'shank') return matchStances(truth, detected, toleranceMs);
  const sideless = <T extends { side: 'left' | 'right' }>(xs: readonly T[]): T[] => xs.map((x) => ({ ...x, side: 'left' as const }));
  return matchStances(sideless(truth), sideless(detected), toleranceMs);
}

function merge(results: readonly MatchResult[]): MatchResult {
  return results.reduce((a, b) => ({
    truth: a.truth + b.truth,
    detected: a.detected + b.detected,
    matched: a.matched + b.matched,
    icErrorsMs: [...a.icErrorsMs, ...b.icErrorsMs],
    toErrorsMs: [...a.toErrorsMs, ...b.toErrorsMs],
    gctErrorsMs: [...a.gctErrorsMs, ...b.gctErrorsMs],
    dropErrorsDeg: [],
    shankErrorsDeg: [],
  }));
}

const f = (x: number, digits = 1): string => (Number.isNaN(x) ? '–' : x.toFixed(digits));
const HEADER = '| data | recording | truth | recall | precision | IC median abs ms | IC bias ms | TO bias ms | TO median abs ms | GCT median abs ms | GCT bias ms |\n|---|---|---|---|---|---|---|---|---|---|---|';
function line(s: Scored): string {
  const m = s.m;
  return `| ${s.data} | ${s.recording} | ${m.truth} | ${f(m.matched / m.truth, 3)} | ${f(m.matched / m.detected, 3)} | ${f(quantile(absolute(m.icErrorsMs), 0.5))} | ${f(quantile(m.icErrorsMs, 0.5))} | ${f(quantile(m.toErrorsMs, 0.5))} | ${f(quantile(absolute(m.toErrorsMs), 0.5))} | ${f(quantile(absolute(m.gctErrorsMs), 0.5))} | ${f(quantile(m.gctErrorsMs, 0.5))} |`;
}

interface Recording {
  readonly data: 'REAL' | 'SIMULATED';
  readonly kind: 'running' | 'walking';
  readonly name: string;
  readonly text: string;
  readonly truth: TruthStance[];
  readonly toleranceMs: number;
  readonly keep: (tUs: number) => boolean;
}

const dataDir = (name: string): string => fileURLToPath(new URL(`../../../../shared/data/${name}/`, import.meta.url));

async function listRecordings(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.csv') && !f.endsWith('.truth.csv')).map((f) => f.replace(/\.csv$/, '')).sort();
  } catch {
    return [];
  }
}

/** Real treadmill running: scored from 100 ms before the first reference contact to 100 ms after the last. */
async function realRunning(): Promise<Recording[]> {
  const dir = dataDir('real-running');
  return Promise.all(
    (await listRecordings(dir)).map(async (name) => {
      const truth = parseTruthCsv(await readFile(join(dir, `${name}.truth.csv`), 'utf8'));
      const first = Math.min(...truth.map((t) => t.icUs)) - 100_000;
      const last = Math.max(...truth.map((t) => t.icUs)) + 100_000;
      return { data: 'REAL' as const, kind: 'running' as const, name, text: await readFile(join(dir, `${name}.csv`), 'utf8'), truth, toleranceMs: 100, keep: (t: number) => t >= first && t <= last };
    }),
  );
}

/** Real lab walking (lower back only): scored inside the reference walking bouts, ±250 ms (as the real-recordings table). */
async function realWalking(): Promise<Recording[]> {
  const dir = dataDir('real');
  return Promise.all(
    (await listRecordings(dir)).map(async (name) => {
      const meta = JSON.parse(await readFile(join(dir, `${name}.meta.json`), 'utf8')) as { referenceWalkingBouts: { startUs: number; endUs: number }[] };
      const truth = parseTruthCsv(await readFile(join(dir, `${name}.truth.csv`), 'utf8'));
      const keep = (t: number): boolean => meta.referenceWalkingBouts.some((b) => t >= b.startUs - 250_000 && t <= b.endUs + 250_000);
      return { data: 'REAL' as const, kind: 'walking' as const, name, text: await readFile(join(dir, `${name}.csv`), 'utf8'), truth, toleranceMs: 250, keep };
    }),
  );
}

/**
 * Simulated running, a small fleet (the main tables cover the full one):
 * the stances the simulator marks as running (contact ≤ half the stride) and
 * detections within 100 ms of a running stretch. Sensor-faults is left out:
 * the offline rules have no notion of a gap.
 */
async function simulatedRunning(dir: string, runners: number, durationS: number): Promise<Recording[]> {
  const out: Recording[] = [];
  for (const scenario of SCENARIOS.filter((s) => !isScreenScenario(s) && s !== 'sensor-faults')) {
    for (let i = 0; i < runners; i++) {
      const session = new SimulatedSession({ scenario, durationS, seed: 7319, runnerIndex: i, maxMisalignmentDeg: 15, fatigueOnsetS: durationS / 2 });
      const paths = await writeRecording(session, dir, `published-${scenario}-${i}`);
      const all = parseTruthCsv(await readFile(paths.truth, 'utf8'));
      const truth = all.filter((t) => t.gctS !== null && t.strideTimeS !== null && t.gctS <= 0.5 * t.strideTimeS);
      const spans = truth.map((t) => [t.icUs - 100_000, t.icUs + (t.strideTimeS ?? 0) * 1e6 + 100_000] as const);
      out.push({ data: 'SIMULATED', kind: 'running', name: `${scenario}-${i}`, text: await readFile(paths.csv, 'utf8'), truth, toleranceMs: 100, keep: (t) => spans.some(([a, b]) => t >= a && t <= b) });
    }
  }
  return out;
}

/** Runs every rule on every recording it applies to; returns rule name → scored rows. */
async function runAll(recordings: readonly Recording[], extraShankRules: readonly Rule[]): Promise<Map<string, Scored[]>> {
  const results = new Map<string, Scored[]>();
  for (const rec of recordings) {
    const series = parseSeries(rec.text);
    const hasShanks = series.has('shank_left') || series.has('shank_right');
    const rules = [...(hasShanks ? [...SHANK_RULES, ...extraShankRules] : []), ...SACRUM_RULES];
    for (const rule of rules) {
      const found = await rule.run(series, rec.text);
      const row = { data: rec.data, recording: rec.name, m: score(rule, rec.truth, found, rec.toleranceMs, rec.keep) };
      results.set(rule.name, [...(results.get(rule.name) ?? []), row]);
    }
  }
  return results;
}

/**
 * Leave-one-trial-out over the real trials for the pelvis-only rules: each
 * trial held out against the pooled others. A rule (or one of our rules'
 * constants) that only helps the trial it was shaped on shows as that trial
 * far from the rest.
 */
function leaveOneOut(results: Map<string, Scored[]>): void {
  console.log('\n## leave-one-trial-out, pelvis-only rules, REAL trials (walking ±250 ms, running ±100 ms; any side)\n');
  console.log('| rule | held-out trial | recall held out | precision held out | IC median abs ms held out | recall others | precision others | IC median abs ms others |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const rule of SACRUM_RULES) {
    const rows = (results.get(rule.name) ?? []).filter((r) => r.data === 'REAL');
    for (const held of rows) {
      const rest = merge(rows.filter((r) => r !== held).map((r) => r.m));
      const m = held.m;
      console.log(`| ${rule.name} | ${held.recording} | ${f(m.matched / m.truth, 3)} | ${f(m.matched / m.detected, 3)} | ${f(quantile(absolute(m.icErrorsMs), 0.5))} | ${f(rest.matched / rest.truth, 3)} | ${f(rest.matched / rest.detected, 3)} | ${f(quantile(absolute(rest.icErrorsMs), 0.5))} |`);
    }
  }
  console.log('\nOur pelvis-only rules were shaped while looking at HA001-Test11-Trial1 (daily activities) and the simulator; the published rules have no fitted constant.');
}

/**
 * The section. `extraShankRules`: further variants of our detector to show
 * (e.g. a toe-off rule behind an option), scored like the rest.
 */
export async function publishedEventRules(options: { runners?: number; durationS?: number; extraShankRules?: readonly Rule[] } = {}): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-eval-published-'));
  try {
    const recordings = [...(await realRunning()), ...(await realWalking()), ...(await simulatedRunning(dir, options.runners ?? 2, options.durationS ?? 90))];
    const results = await runAll(recordings, options.extraShankRules ?? []);
    console.log('\n# published event rules (Kiernan, Dunn Siino & Hawkins 2023 recommendations) beside ours\n');
    console.log('REAL running: ../shared/data/real-running (treadmill 2.5 m/s; force plate rbds001, foot markers rbds032), ±100 ms. REAL walking: ../shared/data/real (lab, lower back only), ±250 ms inside reference bouts. SIMULATED: running stances of a small fleet. Bias = median of detected − truth. Shank rules matched by side, sacrum rules regardless of side.');
    for (const [name, rows] of results) {
      console.log(`\n## ${name}\n`);
      console.log(HEADER);
      for (const row of rows) console.log(line(row));
      const pool = (data: Scored['data'], kind: string, pick: (r: Scored) => boolean): void => {
        const picked = rows.filter((r) => r.data === data && pick(r));
        if (picked.length > 1) console.log(line({ data, recording: `**all ${kind}**`, m: merge(picked.map((r) => r.m)) }));
      };
      pool('REAL', 'real running', (r) => r.recording.startsWith('fukuchi'));
      pool('REAL', 'real walking', (r) => !r.recording.startsWith('fukuchi'));
      pool('SIMULATED', 'simulated running', () => true);
    }
    leaveOneOut(results);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type { Rule };
export { ours };
