// pnpm eval: accuracy of the analysis against the simulator's ground truth and
// the real recordings' reference. An evaluation harness, not a test: it prints
// the tables that packages/dsp/ACCURACY.md records.
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, DEFAULT_PARAMS, type AlertEvent, type StrideEvent, type SummaryEvent } from '@gaitwatch/dsp';
import { parseTruthCsv } from '@gaitwatch/protocol';
import { isScreenScenario, pelvisBrakingMps, SCENARIOS, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';

// Movement screens (single-leg squat, step-down) are not runs: scored by rep, not by stance (issue #17).
const RUN_SCENARIOS = SCENARIOS.filter((s) => !isScreenScenario(s));
import { absolute, matchStances, mean, quantile, type MatchResult } from './match.ts';
import { publishedEventRules } from './published-events.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const RUNNERS = Number(args.get('runners') ?? 10);
const DURATION_S = Number(args.get('duration') ?? 240);
const MISALIGNMENT_DEG = 15;
/** Extra long steady runs for the false-alarm count (the issue asks for ≥ 5 simulated hours of fresh running). */
const STEADY_MINUTES = Number(args.get('steady-minutes') ?? 20);
/** Parameter overrides as JSON (e.g. --params='{"segments":{"attitude":{"kp":0.2}}}'): a change judged against the defaults on the same seeds. */
const PARAMS = JSON.parse(args.get('params') ?? '{}') as Parameters<typeof analyzeRecording>[2];

/** Form-breakdown outcomes, accumulated over sessions. */
/**
 * Braking truth from the simulated body itself (the eval may look, the
 * analysis may not): the pelvis's forward speed loss after each contact, from
 * its trajectory by central differences; errors of the matched strides, m/s.
 */
function brakingErrors(session: SimulatedSession, truth: ReturnType<typeof parseTruthCsv>, strides: StrideEvent[]): { errors: number[]; truthMps: number[] } {
  const errors: number[] = [];
  const truthMps: number[] = [];
  for (const t of truth) {
    const hit = strides.find((s) => s.side === t.side && Math.abs(s.icUs - t.icUs) < 100_000);
    if (hit?.brakingMps === null || hit?.brakingMps === undefined || t.toUs === null) continue;
    const loss = pelvisBrakingMps(session.body, (t.icUs - session.startUs) / 1e6, (t.toUs - session.startUs) / 1e6);
    errors.push(hit.brakingMps - loss);
    truthMps.push(loss);
  }
  return { errors, truthMps };
}
const braking = new Map<string, { errors: number[]; truthMps: number[] }>();

/** The Lumo Run set-up on the same runs: the shank rows removed, the pelvis alone. */
const pelvisOnly = new Map<string, { sided: MatchResult[]; anySide: MatchResult[] }>();
/** The same runs without the pelvis: everything but pelvic drop. */
const shankOnly = new Map<string, MatchResult[]>();

/** The recording's text with the rows of some sensors left out, analysed. */
async function analyzeWithout(csvPath: string, text: string, dropped: string, label: string): Promise<StrideEvent[]> {
  const path = `${csvPath}.${label}.csv`;
  await writeFile(path, text.split('\n').filter((line) => !line.includes(dropped)).join('\n'));
  return strides(path);
}

async function scoreShankOnly(scenario: string, csvPath: string, text: string, truth: ReturnType<typeof parseTruthCsv>): Promise<void> {
  const detected = await analyzeWithout(csvPath, text, ',pelvis,', 'shank-only');
  shankOnly.set(scenario, [...(shankOnly.get(scenario) ?? []), matchStances(truth, detected)]);
}

async function scorePelvisOnly(scenario: string, csvPath: string, text: string, truth: ReturnType<typeof parseTruthCsv>): Promise<void> {
  const detected = await analyzeWithout(csvPath, text, ',shank_', 'pelvis-only');
  const sideless = <T extends { side: 'left' | 'right' }>(xs: readonly T[]): T[] => xs.map((x) => ({ ...x, side: 'left' as const }));
  const acc = pelvisOnly.get(scenario) ?? { sided: [], anySide: [] };
  acc.sided.push(matchStances(truth, detected));
  acc.anySide.push(matchStances(sideless(truth), sideless(detected)));
  pelvisOnly.set(scenario, acc);
}

/** pelvic_drop_high against the truth: sessions whose true 20-stance rolling median crossed the default limit. */
const limit = { expected: 0, alerted: 0, clear: 0, falseAlerts: 0, borderline: 0, notes: [] as string[] };

function scoreLimit(name: string, analysis: Analysis, truth: ReturnType<typeof parseTruthCsv>): void {
  const limitDeg = DEFAULT_PARAMS.form.pelvicDropLimitDeg;
  // The highest level the true rolling median (20 stances per side) held for 5 stances in a row.
  let sustained = Number.NEGATIVE_INFINITY;
  for (const side of ['left', 'right'] as const) {
    const drops = truth.filter((t) => t.side === side && t.pelvicDropDeg !== null).map((t) => t.pelvicDropDeg!);
    const medians: number[] = [];
    for (let i = 20; i <= drops.length; i++) medians.push([...drops.slice(i - 20, i)].sort((a, b) => a - b)[10]!);
    for (let i = 5; i <= medians.length; i++) sustained = Math.max(sustained, Math.min(...medians.slice(i - 5, i)));
  }
  const alerted = analysis.alerts.some((a) => a.type === 'pelvic_drop_high' && a.phase === 'raised');
  // ±0.3° around the limit is within the measurement's own error: not scored.
  if (sustained > limitDeg + 0.3) {
    limit.expected++;
    if (alerted) limit.alerted++;
    else limit.notes.push(`missed pelvic_drop_high: ${name} (true sustained median ${sustained.toFixed(2)}°)`);
  } else if (sustained < limitDeg - 0.3) {
    limit.clear++;
    if (alerted) {
      limit.falseAlerts++;
      limit.notes.push(`false pelvic_drop_high: ${name} (true sustained median ${sustained.toFixed(2)}°)`);
    }
  } else limit.borderline++;
}

const form = { freshHours: 0, falseAlarms: [] as string[], faultHours: 0, faultAlarms: [] as string[], delaysS: [] as number[], missed: [] as string[], resolved: 0, raised: 0 };

/** Scores one session's form_breakdown alerts: before the fatigue onset (or without one) every raise is a false alarm. */
function scoreForm(name: string, analysis: Analysis, meta: { fatigueOnsetUs: number | null; startUs: number; standingS: number; durationS: number }): void {
  const raised = analysis.alerts.filter((a) => a.type === 'form_breakdown' && a.phase === 'raised');
  form.raised += raised.length;
  form.resolved += analysis.alerts.filter((a) => a.type === 'form_breakdown' && a.phase === 'resolved').length;
  const runStartUs = meta.startUs + meta.standingS * 1e6;
  const freshEndUs = meta.fatigueOnsetUs ?? meta.startUs + meta.durationS * 1e6;
  // Steady running is the target's; the sensor-faults runs (dropouts, a silent shank, knocked clips) are counted apart.
  const faulty = name.startsWith('sensor-faults');
  if (faulty) form.faultHours += (freshEndUs - runStartUs) / 3.6e9;
  else form.freshHours += (freshEndUs - runStartUs) / 3.6e9;
  for (const a of raised) if (a.tUs < freshEndUs) (faulty ? form.faultAlarms : form.falseAlarms).push(`${name} at ${((a.tUs - meta.startUs) / 1e6).toFixed(0)} s: ${a.message}`);
  if (meta.fatigueOnsetUs !== null) {
    const hit = raised.find((a) => a.tUs >= meta.fatigueOnsetUs!);
    if (hit === undefined) form.missed.push(name);
    else form.delaysS.push((hit.tUs - meta.fatigueOnsetUs) / 1e6);
  }
}

/** Knocked clips (the simulator's slip faults) against the sensor_moved alerts. */
const moved = { injected: new Map<string, number>(), found: new Map<string, number>(), delaysS: new Map<string, number[]>(), pelvisValueErrorsDeg: [] as number[], falseAlerts: [] as string[] };

function scoreMoved(name: string, analysis: Analysis, meta: { startUs: number; faults?: { kind: string; sensor: string; fromUs?: number; deg?: number }[] }): void {
  const alerts = analysis.alerts.filter((a) => a.metric === 'sensor_moved' && a.phase === 'raised');
  const used = new Set<AlertEvent>();
  for (const fault of meta.faults ?? []) {
    if (fault.kind !== 'slip' || fault.fromUs === undefined) continue;
    moved.injected.set(fault.sensor, (moved.injected.get(fault.sensor) ?? 0) + 1);
    const hit = alerts.find((a) => a.sensor === fault.sensor && a.tUs >= fault.fromUs! && a.tUs <= fault.fromUs! + 15e6);
    if (hit === undefined) continue;
    used.add(hit);
    moved.found.set(fault.sensor, (moved.found.get(fault.sensor) ?? 0) + 1);
    moved.delaysS.set(fault.sensor, [...(moved.delaysS.get(fault.sensor) ?? []), (hit.tUs - fault.fromUs) / 1e6]);
    if (fault.sensor === 'pelvis' && hit.value !== null && fault.deg !== undefined) moved.pelvisValueErrorsDeg.push(hit.value - fault.deg);
  }
  for (const a of alerts) if (!used.has(a)) moved.falseAlerts.push(`${name} ${a.sensor} at ${((a.tUs - meta.startUs) / 1e6).toFixed(0)} s: ${a.value}°`);
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
  }, PARAMS);
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
    gctErrorsMs: [...a.gctErrorsMs, ...b.gctErrorsMs],
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

/**
 * Real treadmill running (../shared/data/real-running: virtual IMUs from motion
 * capture; events from the force plate or the foot markers), full set-up and
 * pelvis only, with the simulated table's columns plus contact time. Scored
 * where the reference exists: detections with IC from 100 ms before the first
 * reference contact to 100 ms after the last (the recordings' standing, their
 * 1 s synthetic cross-fade into running, and the tail past the last labelled
 * contact have no reference).
 */
export async function realRunning(): Promise<void> {
  const runDir = fileURLToPath(new URL('../../../../shared/data/real-running/', import.meta.url));
  let files: string[];
  try {
    files = (await readdir(runDir)).filter((f) => f.endsWith('.csv') && !f.endsWith('.truth.csv')).sort();
  } catch {
    console.log(`\n(no real running recordings at ${runDir})`);
    return;
  }
  console.log('\n# REAL running (../shared/data/real-running, treadmill 2.5 m/s, ±100 ms match, inside the reference span)\n');
  console.log('| recording | events from | mode | truth stances | recall | precision | side right | IC bias ms | IC median abs ms | TO bias ms | TO median abs ms | GCT bias ms | GCT median abs ms | CPD MAE ° | CPD bias ° | knee proxy MAE ° | knee proxy bias ° |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const dirTmp = await mkdtemp(join(tmpdir(), 'gw-eval-real-'));
  try {
    for (const file of files) {
      const base = file.replace(/\.csv$/, '');
      const meta = JSON.parse(await readFile(join(runDir, `${base}.meta.json`), 'utf8')) as { eventsFrom?: string };
      const truth = parseTruthCsv(await readFile(join(runDir, `${base}.truth.csv`), 'utf8'));
      const firstUs = Math.min(...truth.map((t) => t.icUs)) - 100_000;
      const lastUs = Math.max(...truth.map((t) => t.icUs)) + 100_000;
      const inSpan = (s: StrideEvent): boolean => s.icUs >= firstUs && s.icUs <= lastUs;
      const text = await readFile(join(runDir, file), 'utf8');
      const modes: [string, () => Promise<StrideEvent[]>][] = [
        ['full', () => strides(join(runDir, file))],
        ['pelvis only', () => analyzeWithout(join(dirTmp, file), text, ',shank_', 'pelvis-only')],
      ];
      for (const [mode, run] of modes) {
        const detected = (await run()).filter(inSpan);
        const sided = matchStances(truth, detected);
        const anySide = matchStances(truth.map((t) => ({ ...t, side: 'left' as const })), detected.map((s) => ({ ...s, side: 'left' as const })));
        const m = mode === 'full' ? sided : anySide;
        // Side right: of the stances matched regardless of side, the share also matched on their own side.
        console.log(`| ${base} | ${meta.eventsFrom ?? '?'} | ${mode}${mode === 'full' ? '' : ' (any side)'} | ${m.truth} | ${f(m.matched / m.truth, 3)} | ${f(m.matched / m.detected, 3)} | ${f(sided.matched / anySide.matched, 3)} | ${f(quantile(m.icErrorsMs, 0.5))} | ${f(quantile(absolute(m.icErrorsMs), 0.5))} | ${f(quantile(m.toErrorsMs, 0.5))} | ${f(quantile(absolute(m.toErrorsMs), 0.5))} | ${f(quantile(m.gctErrorsMs, 0.5))} | ${f(quantile(absolute(m.gctErrorsMs), 0.5))} | ${f(mean(absolute(m.dropErrorsDeg)), 2)} | ${f(mean(m.dropErrorsDeg), 2)} | ${f(mean(absolute(m.shankErrorsDeg)), 2)} | ${f(mean(m.shankErrorsDeg), 2)} |`);
      }
    }
  } finally {
    await rm(dirTmp, { recursive: true, force: true });
  }
  console.log('\nbias = median of detected − truth; pelvis only has no toe-off (TO, GCT –), its contacts matched regardless of side (its CPD is then read for the side it found).');
}

if (args.has('real-only')) {
  await realRunning();
  await realRecordings();
  process.exit(0);
}
if (args.has('published-only')) {
  await publishedEventRules();
  process.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), 'gw-eval-'));
try {
  console.log(`# simulator: ${RUNNERS} runners × ${RUN_SCENARIOS.length} running scenarios, ${DURATION_S} s each, misalignment ≤ ${MISALIGNMENT_DEG}°, 200 Hz\n`);
  console.log('| scenario | truth stances | recall | precision | IC bias ms | IC median abs ms | IC p95 abs ms | TO bias ms | TO p95 abs ms | CPD MAE ° | CPD bias ° | shank MAE ° | shank bias ° |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const all: MatchResult[] = [];
  const yawErrors = new Map<string, number[]>();
  const yawStatus = new Map<string, Map<string, number>>();
  for (const scenario of RUN_SCENARIOS) {
    const results: MatchResult[] = [];
    for (let i = 0; i < RUNNERS; i++) {
      const session = new SimulatedSession({ scenario, durationS: DURATION_S, seed: 2026, runnerIndex: i, maxMisalignmentDeg: MISALIGNMENT_DEG, fatigueOnsetS: DURATION_S / 2 });
      const paths = await writeRecording(session, dir, `${scenario}-${i}`);
      const analysis = await analyze(paths.csv);
      results.push(matchStances(parseTruthCsv(await readFile(paths.truth, 'utf8')), analysis.strides));
      const meta = JSON.parse(await readFile(paths.meta, 'utf8')) as { sensors: Record<string, { mountYawDeg: number }>; fatigueOnsetUs: number | null; startUs: number; standingS: number; durationS: number };
      scoreForm(`${scenario}-${i}`, analysis, meta);
      scoreMoved(`${scenario}-${i}`, analysis, meta);
      const truth = parseTruthCsv(await readFile(paths.truth, 'utf8'));
      scoreLimit(`${scenario}-${i}`, analysis, truth);
      if (scenario !== 'sensor-faults') {
        const text = await readFile(paths.csv, 'utf8');
        await scorePelvisOnly(scenario, paths.csv, text, truth);
        await scoreShankOnly(scenario, paths.csv, text, truth);
      }
      const b = brakingErrors(session, truth, analysis.strides);
      const acc = braking.get(scenario) ?? { errors: [], truthMps: [] };
      acc.errors.push(...b.errors);
      acc.truthMps.push(...b.truthMps);
      braking.set(scenario, acc);
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
    const analysis = await analyze(paths.csv);
    const meta = JSON.parse(await readFile(paths.meta, 'utf8')) as Parameters<typeof scoreForm>[2] & Parameters<typeof scoreMoved>[2];
    scoreForm(`long-steady-${i}`, analysis, meta);
    scoreMoved(`long-steady-${i}`, analysis, meta);
  }
  console.log('\n# form breakdown (form_breakdown alerts; fatigue onset from the simulator)\n');
  console.log('| fresh running h | false alarms | false alarms per h | fatigue onsets | detected | missed | delay median s | delay max s | raised | resolved | sensor-faults runs h | alerts in them |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const onsets = form.delaysS.length + form.missed.length;
  console.log(`| ${f(form.freshHours, 2)} | ${form.falseAlarms.length} | ${f(form.falseAlarms.length / form.freshHours, 2)} | ${onsets} | ${form.delaysS.length} | ${form.missed.length} | ${f(quantile(form.delaysS, 0.5))} | ${f(Math.max(...form.delaysS))} | ${form.raised} | ${form.resolved} | ${f(form.faultHours, 2)} | ${form.faultAlarms.length} |`);
  for (const line of form.falseAlarms) console.log(`- false alarm: ${line}`);
  for (const line of form.faultAlarms) console.log(`- in a sensor-faults run: ${line}`);
  for (const name of form.missed) console.log(`- missed fatigue: ${name}`);
  console.log('\n# knocked clips (sensor_moved alerts against the simulator\'s slip faults, found within 15 s)\n');
  console.log('| sensor | knocks | found | delay median s | delay max s | pelvis value − knock, median abs ° |');
  console.log('|---|---|---|---|---|---|');
  for (const [sensor, n] of moved.injected) {
    const delays = moved.delaysS.get(sensor) ?? [];
    console.log(`| ${sensor} | ${n} | ${moved.found.get(sensor) ?? 0} | ${f(quantile(delays, 0.5))} | ${f(Math.max(...delays))} | ${sensor === 'pelvis' ? f(quantile(absolute(moved.pelvisValueErrorsDeg), 0.5), 2) : '–'} |`);
  }
  console.log(`\nsensor_moved alerts with no knock (all sessions, incl. ${RUNNERS} × ${STEADY_MINUTES} min steady): ${moved.falseAlerts.length}`);
  for (const line of moved.falseAlerts) console.log(`- ${line}`);
  console.log('\n# pelvis-only mode on the same runs (shank rows removed; ±100 ms)\n');
  console.log('| scenario | truth stances | recall (any side) | recall (side right) | precision | IC bias ms | IC median abs ms | IC p95 abs ms | CPD MAE ° |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [scenario, r] of pelvisOnly) {
    const any = merge(r.anySide);
    const sided = merge(r.sided);
    console.log(`| ${scenario} | ${any.truth} | ${f(any.matched / any.truth, 3)} | ${f(sided.matched / sided.truth, 3)} | ${f(any.matched / any.detected, 3)} | ${f(quantile(any.icErrorsMs, 0.5))} | ${f(quantile(absolute(any.icErrorsMs), 0.5))} | ${f(quantile(absolute(any.icErrorsMs), 0.95))} | ${f(mean(absolute(sided.dropErrorsDeg)), 2)} |`);
  }
  console.log('\n# shank-only mode on the same runs (pelvis rows removed)\n');
  console.log('| scenario | truth stances | recall | precision | IC median abs ms | TO bias ms | shank MAE ° | shank bias ° |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [scenario, results] of shankOnly) {
    const m = merge(results);
    console.log(`| ${scenario} | ${m.truth} | ${f(m.matched / m.truth, 3)} | ${f(m.matched / m.detected, 3)} | ${f(quantile(absolute(m.icErrorsMs), 0.5))} | ${f(quantile(m.toErrorsMs, 0.5))} | ${f(mean(absolute(m.shankErrorsDeg)), 2)} | ${f(mean(m.shankErrorsDeg), 2)} |`);
  }
  console.log('\n# braking (forward speed the pelvis loses after contact) against the simulated body\n');
  console.log('| scenario | stances | truth mean m/s | MAE m/s | bias m/s |');
  console.log('|---|---|---|---|---|');
  for (const [scenario, b] of braking) console.log(`| ${scenario} | ${b.errors.length} | ${f(mean(b.truthMps), 3)} | ${f(mean(absolute(b.errors)), 3)} | ${f(mean(b.errors), 3)} |`);
  console.log(`\n# pelvic_drop_high (default limit ${DEFAULT_PARAMS.form.pelvicDropLimitDeg}°) against the true rolling median\n`);
  console.log('| sessions over the limit (truth) | alerted | sessions clearly under | false alerts | within ±0.3° (not scored) |');
  console.log('|---|---|---|---|---|');
  console.log(`| ${limit.expected} | ${limit.alerted} | ${limit.clear} | ${limit.falseAlerts} | ${limit.borderline} |`);
  for (const note of limit.notes) console.log(`- ${note}`);
  console.log('\n# mounting yaw from the motion (estimate − simulator truth)\n');
  console.log('| sensor | sessions estimated | other outcomes | median abs error ° | max abs error ° | bias ° |');
  console.log('|---|---|---|---|---|---|');
  for (const [sensor, status] of yawStatus) {
    const errors = yawErrors.get(sensor) ?? [];
    const other = [...status].filter(([k]) => k !== 'estimated').map(([k, n]) => `${k}: ${n}`).join(', ') || '–';
    console.log(`| ${sensor} | ${errors.length} | ${other} | ${f(quantile(absolute(errors), 0.5))} | ${f(Math.max(...absolute(errors)))} | ${f(mean(errors))} |`);
  }
  await realRunning();
  await realRecordings();
  await publishedEventRules();
} finally {
  await rm(dir, { recursive: true, force: true });
}
