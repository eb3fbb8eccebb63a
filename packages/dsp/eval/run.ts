// pnpm eval: accuracy of the analysis against the simulator's ground truth and
// the real recordings' reference. An evaluation harness, not a test: it prints
// the tables that packages/dsp/ACCURACY.md records.
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, type AlertEvent, type StrideEvent, type SummaryEvent } from '@gaitwatch/dsp';
import { parseTruthCsv } from '@gaitwatch/protocol';
import { SCENARIOS, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { absolute, matchStances, mean, quantile, type MatchResult } from './match.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const RUNNERS = Number(args.get('runners') ?? 10);
const DURATION_S = Number(args.get('duration') ?? 240);
const MISALIGNMENT_DEG = 15;
/** Extra long steady runs for the false-alarm count (the issue asks for ≥ 5 simulated hours of fresh running). */
const STEADY_MINUTES = Number(args.get('steady-minutes') ?? 20);

/** Form-breakdown outcomes, accumulated over sessions. */
const form = { freshHours: 0, falseAlarms: [] as string[], delaysS: [] as number[], missed: [] as string[], resolved: 0, raised: 0 };

/** Scores one session's form_breakdown alerts: before the fatigue onset (or without one) every raise is a false alarm. */
function scoreForm(name: string, analysis: Analysis, meta: { fatigueOnsetUs: number | null; startUs: number; standingS: number; durationS: number }): void {
  const raised = analysis.alerts.filter((a) => a.type === 'form_breakdown' && a.phase === 'raised');
  form.raised += raised.length;
  form.resolved += analysis.alerts.filter((a) => a.type === 'form_breakdown' && a.phase === 'resolved').length;
  const runStartUs = meta.startUs + meta.standingS * 1e6;
  const freshEndUs = meta.fatigueOnsetUs ?? meta.startUs + meta.durationS * 1e6;
  form.freshHours += (freshEndUs - runStartUs) / 3.6e9;
  for (const a of raised) if (a.tUs < freshEndUs) form.falseAlarms.push(`${name} at ${((a.tUs - meta.startUs) / 1e6).toFixed(0)} s: ${a.message}`);
  if (meta.fatigueOnsetUs !== null) {
    const hit = raised.find((a) => a.tUs >= meta.fatigueOnsetUs!);
    if (hit === undefined) form.missed.push(name);
    else form.delaysS.push((hit.tUs - meta.fatigueOnsetUs) / 1e6);
  }
}

interface Analysis {
  strides: StrideEvent[];
  alerts: AlertEvent[];
  summary: SummaryEvent;
}

async function analyze(path: string): Promise<Analysis> {
  const out: Analysis = { strides: [], alerts: [], summary: undefined as unknown as SummaryEvent };
  await analyzeRecording(createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>, (e) => {
    if (e.kind === 'stride') out.strides.push(e);
    else if (e.kind === 'alert') out.alerts.push(e);
    else out.summary = e;
  });
  return out;
}

const strides = async (path: string): Promise<StrideEvent[]> => (await analyze(path)).strides;

function merge(results: MatchResult[]): MatchResult {
  return results.reduce((a, b) => ({
    truth: a.truth + b.truth,
    detected: a.detected + b.detected,
    matched: a.matched + b.matched,
    icErrorsMs: [...a.icErrorsMs, ...b.icErrorsMs],
    toErrorsMs: [...a.toErrorsMs, ...b.toErrorsMs],
    dropErrorsDeg: [...a.dropErrorsDeg, ...b.dropErrorsDeg],
    shankErrorsDeg: [...a.shankErrorsDeg, ...b.shankErrorsDeg],
  }));
}

const f = (x: number, digits = 1): string => (Number.isNaN(x) ? '–' : x.toFixed(digits));

function row(name: string, m: MatchResult): string {
  return `| ${name} | ${m.truth} | ${f(m.matched / m.truth, 3)} | ${f(m.matched / m.detected, 3)} | ${f(quantile(m.icErrorsMs, 0.5))} | ${f(quantile(absolute(m.icErrorsMs), 0.5))} | ${f(quantile(absolute(m.icErrorsMs), 0.95))} | ${f(quantile(m.toErrorsMs, 0.5))} | ${f(quantile(absolute(m.toErrorsMs), 0.95))} | ${f(mean(absolute(m.dropErrorsDeg)), 2)} | ${f(mean(m.dropErrorsDeg), 2)} | ${f(mean(absolute(m.shankErrorsDeg)), 2)} | ${f(mean(m.shankErrorsDeg), 2)} |`;
}

/** The Mobilise-D lab trials: pelvis only, walking; scored inside the reference walking bouts. */
async function realRecordings(): Promise<void> {
  const realDir = fileURLToPath(new URL('../../../../shared/data/real/', import.meta.url));
  let files: string[];
  try {
    files = (await readdir(realDir)).filter((f) => f.endsWith('.csv') && !f.endsWith('.truth.csv')).sort();
  } catch {
    console.log(`\n(no real recordings at ${realDir})`);
    return;
  }
  console.log('\n# real recordings (pelvis-only mode, walking, ±250 ms match, inside reference bouts)\n');
  console.log('| recording | reference ICs | detected in bouts | recall (any side) | recall (side right) | precision | IC median abs ms | IC p95 abs ms | IC bias ms |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const totals = { truth: 0, detected: 0, matchedAny: 0, matchedSide: 0, errors: [] as number[] };
  for (const file of files) {
    const base = file.replace(/\.csv$/, '');
    const meta = JSON.parse(await readFile(join(realDir, `${base}.meta.json`), 'utf8')) as { referenceWalkingBouts: { startUs: number; endUs: number }[] };
    const inBout = (t: number): boolean => meta.referenceWalkingBouts.some((b) => t >= b.startUs - 250_000 && t <= b.endUs + 250_000);
    const truth = parseTruthCsv(await readFile(join(realDir, `${base}.truth.csv`), 'utf8'));
    const detected = (await strides(join(realDir, file))).filter((s) => inBout(s.icUs));
    const sideless = <T extends { side: 'left' | 'right' }>(xs: T[]): T[] => xs.map((x) => ({ ...x, side: 'left' as const }));
    const any = matchStances(sideless(truth), sideless(detected), 250);
    const sided = matchStances(truth, detected, 250);
    totals.truth += truth.length;
    totals.detected += detected.length;
    totals.matchedAny += any.matched;
    totals.matchedSide += sided.matched;
    totals.errors.push(...any.icErrorsMs);
    console.log(`| ${base} | ${truth.length} | ${detected.length} | ${f(any.matched / truth.length, 3)} | ${f(sided.matched / truth.length, 3)} | ${f(any.matched / detected.length, 3)} | ${f(quantile(absolute(any.icErrorsMs), 0.5))} | ${f(quantile(absolute(any.icErrorsMs), 0.95))} | ${f(quantile(any.icErrorsMs, 0.5))} |`);
  }
  console.log(`| **all** | ${totals.truth} | ${totals.detected} | ${f(totals.matchedAny / totals.truth, 3)} | ${f(totals.matchedSide / totals.truth, 3)} | ${f(totals.matchedAny / totals.detected, 3)} | ${f(quantile(absolute(totals.errors), 0.5))} | ${f(quantile(absolute(totals.errors), 0.95))} | ${f(quantile(totals.errors, 0.5))} |`);
}

const dir = await mkdtemp(join(tmpdir(), 'gw-eval-'));
try {
  console.log(`# simulator: ${RUNNERS} runners × ${SCENARIOS.length} scenarios, ${DURATION_S} s each, misalignment ≤ ${MISALIGNMENT_DEG}°, 200 Hz\n`);
  console.log('| scenario | truth stances | recall | precision | IC bias ms | IC median abs ms | IC p95 abs ms | TO bias ms | TO p95 abs ms | CPD MAE ° | CPD bias ° | shank MAE ° | shank bias ° |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const all: MatchResult[] = [];
  const yawErrors = new Map<string, number[]>();
  const yawStatus = new Map<string, Map<string, number>>();
  for (const scenario of SCENARIOS) {
    const results: MatchResult[] = [];
    for (let i = 0; i < RUNNERS; i++) {
      const session = new SimulatedSession({ scenario, durationS: DURATION_S, seed: 2026, runnerIndex: i, maxMisalignmentDeg: MISALIGNMENT_DEG, fatigueOnsetS: DURATION_S / 2 });
      const paths = await writeRecording(session, dir, `${scenario}-${i}`);
      const analysis = await analyze(paths.csv);
      results.push(matchStances(parseTruthCsv(await readFile(paths.truth, 'utf8')), analysis.strides));
      const meta = JSON.parse(await readFile(paths.meta, 'utf8')) as { sensors: Record<string, { mountYawDeg: number }>; fatigueOnsetUs: number | null; startUs: number; standingS: number; durationS: number };
      scoreForm(`${scenario}-${i}`, analysis, meta);
      for (const [sensor, info] of Object.entries(analysis.summary.sensors)) {
        const status = yawStatus.get(sensor) ?? new Map<string, number>();
        yawStatus.set(sensor, status);
        status.set(info.mounting?.status ?? 'none', (status.get(info.mounting?.status ?? 'none') ?? 0) + 1);
        const truthYaw = meta.sensors[sensor]?.mountYawDeg;
        if (info.mounting?.status === 'estimated' && truthYaw !== undefined) yawErrors.set(sensor, [...(yawErrors.get(sensor) ?? []), info.mounting.yawDeg - truthYaw]);
      }
    }
    const m = merge(results);
    all.push(m);
    console.log(row(scenario, m));
  }
  console.log(row('**all**', merge(all)));
  for (let i = 0; i < RUNNERS && STEADY_MINUTES > 0; i++) {
    const session = new SimulatedSession({ scenario: 'steady', durationS: STEADY_MINUTES * 60, seed: 4242, runnerIndex: i, maxMisalignmentDeg: MISALIGNMENT_DEG });
    const paths = await writeRecording(session, dir, `long-steady-${i}`);
    scoreForm(`long-steady-${i}`, await analyze(paths.csv), JSON.parse(await readFile(paths.meta, 'utf8')));
  }
  console.log('\n# form breakdown (form_breakdown alerts; fatigue onset from the simulator)\n');
  console.log('| fresh running h | false alarms | false alarms per h | fatigue onsets | detected | missed | delay median s | delay max s | raised | resolved |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const onsets = form.delaysS.length + form.missed.length;
  console.log(`| ${f(form.freshHours, 2)} | ${form.falseAlarms.length} | ${f(form.falseAlarms.length / form.freshHours, 2)} | ${onsets} | ${form.delaysS.length} | ${form.missed.length} | ${f(quantile(form.delaysS, 0.5))} | ${f(Math.max(...form.delaysS))} | ${form.raised} | ${form.resolved} |`);
  for (const line of form.falseAlarms) console.log(`- false alarm: ${line}`);
  for (const name of form.missed) console.log(`- missed fatigue: ${name}`);
  console.log('\n# mounting yaw from the motion (estimate − simulator truth)\n');
  console.log('| sensor | sessions estimated | other outcomes | median abs error ° | max abs error ° | bias ° |');
  console.log('|---|---|---|---|---|---|');
  for (const [sensor, status] of yawStatus) {
    const errors = yawErrors.get(sensor) ?? [];
    const other = [...status].filter(([k]) => k !== 'estimated').map(([k, n]) => `${k}: ${n}`).join(', ') || '–';
    console.log(`| ${sensor} | ${errors.length} | ${other} | ${f(quantile(absolute(errors), 0.5))} | ${f(Math.max(...absolute(errors)))} | ${f(mean(errors))} |`);
  }
  await realRecordings();
} finally {
  await rm(dir, { recursive: true, force: true });
}
