// pnpm eval:loss — the analysis under packet loss as a phone relay produces it:
// blocks of 10 samples lost at random, independently per sensor, plus a 2 s and
// a 30 s pelvis outage. Each case is scored against the simulator's truth and
// against the same session without loss. Prints the table of ACCURACY.md.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionAnalyzer, type AlertEvent, type StrideEvent, type SummaryEvent } from '@gaitwatch/dsp';
import { parseTruthCsv, type SensorId } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { absolute, matchStances, mean, quantile, type MatchResult } from './match.ts';
import { Random } from '@gaitwatch/runner-sim';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const RUNNERS = Number(args.get('runners') ?? 6);
const DURATION_S = Number(args.get('duration') ?? 240);
const SCENARIOS = (args.get('scenarios') ?? 'steady,itb-fatigue,weak-side').split(',');
const BLOCK = 10;

interface Rows {
  sensor: SensorId[];
  data: Float64Array;
}

async function readRows(path: string): Promise<Rows> {
  const lines = (await readFile(path, 'utf8')).split('\n').slice(1).filter((l) => l.length > 0);
  const data = new Float64Array(lines.length * 7);
  const sensor: SensorId[] = [];
  lines.forEach((line, i) => {
    const p = line.split(',');
    sensor.push(p[1] as SensorId);
    data[i * 7] = Number(p[0]);
    for (let c = 0; c < 6; c++) data[i * 7 + 1 + c] = Number(p[2 + c]);
  });
  return { sensor, data };
}

interface Case {
  name: string;
  /** Whether row `n` (the n-th sample of `sensor`, at time tUs) is lost. */
  lost: (sensor: SensorId, n: number, tUs: number) => boolean;
}

function blockLoss(p: number, seed: number): Case['lost'] {
  const rngs = new Map<SensorId, Random>();
  const verdicts = new Map<string, boolean>();
  return (sensor, n) => {
    const block = Math.floor(n / BLOCK);
    const key = `${sensor}:${block}`;
    let v = verdicts.get(key);
    if (v === undefined) {
      let rng = rngs.get(sensor);
      if (rng === undefined) rngs.set(sensor, (rng = new Random(seed, sensor.length * 7 + sensor.charCodeAt(6))));
      v = rng.next() < p;
      verdicts.set(key, v);
    }
    return v;
  };
}

interface Outcome {
  strides: StrideEvent[];
  alerts: AlertEvent[];
  summary: SummaryEvent;
}

function run(rows: Rows, lost: Case['lost']): Outcome {
  const analyzer = new SessionAnalyzer({}, { sensors: ['pelvis', 'shank_left', 'shank_right'] });
  const out: Outcome = { strides: [], alerts: [], summary: undefined as unknown as SummaryEvent };
  const counts = new Map<SensorId, number>();
  const take = (e: { kind: string }): void => {
    if (e.kind === 'stride') out.strides.push(e as StrideEvent);
    else if (e.kind === 'alert') out.alerts.push(e as AlertEvent);
    else out.summary = e as SummaryEvent;
  };
  for (let i = 0; i < rows.sensor.length; i++) {
    const sensor = rows.sensor[i]!;
    const n = counts.get(sensor) ?? 0;
    counts.set(sensor, n + 1);
    if (lost(sensor, n, rows.data[i * 7]!)) continue;
    for (const e of analyzer.pushRows(sensor, rows.data, i * 7, 1)) take(e);
  }
  for (const e of analyzer.finish()) take(e);
  return out;
}

const firstFatigueAlertUs = (o: Outcome, onsetUs: number | null): number | null =>
  onsetUs === null ? null : (o.alerts.find((a) => a.type === 'form_breakdown' && a.phase === 'raised' && a.tUs >= onsetUs)?.tUs ?? null);

interface Score {
  match: MatchResult[];
  withDrop: number;
  withShank: number;
  matchedTotal: number;
  /** Stances whose angle waited for the sensor's mounting yaw (the session's start, not the loss), per angle. */
  startDrop: number;
  startShank: number;
  /** |CPD error| − |CPD error without loss|, per matched stance of both. */
  dropDeltaDeg: number[];
  alertDelayS: number[];
  missedAlerts: number;
  falseForm: number;
  dataQuality: Map<string, number>;
  notes: string[];
}

const newScore = (): Score => ({ match: [], withDrop: 0, withShank: 0, matchedTotal: 0, startDrop: 0, startShank: 0, dropDeltaDeg: [], alertDelayS: [], missedAlerts: 0, falseForm: 0, dataQuality: new Map(), notes: [] });

const cases: Case[] = [
  { name: 'no loss', lost: () => false },
  ...[0.003, 0.01, 0.03, 0.1].map((p) => ({ name: `${(p * 100).toFixed(1)} % blocks`, lost: blockLoss(p, 77) })),
];

const dir = await mkdtemp(join(tmpdir(), 'gw-loss-'));
const scores = new Map<string, Score>();
try {
  for (const scenario of SCENARIOS) {
    for (let r = 0; r < RUNNERS; r++) {
      const session = new SimulatedSession({ scenario: scenario as 'steady', durationS: DURATION_S, seed: 2026, runnerIndex: r, maxMisalignmentDeg: 15, fatigueOnsetS: DURATION_S / 2 });
      const paths = await writeRecording(session, dir, `${scenario}-${r}`);
      const truth = parseTruthCsv(await readFile(paths.truth, 'utf8'));
      const meta = JSON.parse(await readFile(paths.meta, 'utf8')) as { fatigueOnsetUs: number | null; startUs: number; standingS: number };
      const rows = await readRows(paths.csv);
      const outageFromUs = meta.startUs + (meta.standingS + 60) * 1e6;
      const all: Case[] = [
        ...cases,
        { name: '2 s pelvis outage', lost: (s, _n, t) => s === 'pelvis' && t >= outageFromUs && t < outageFromUs + 2e6 },
        { name: '30 s pelvis outage', lost: (s, _n, t) => s === 'pelvis' && t >= outageFromUs && t < outageFromUs + 30e6 },
      ];
      const reference = run(rows, () => false);
      const refAlertUs = firstFatigueAlertUs(reference, meta.fatigueOnsetUs);
      for (const c of all) {
        const o = c.name === 'no loss' ? reference : run(rows, c.lost);
        const s = scores.get(c.name) ?? newScore();
        scores.set(c.name, s);
        const m = matchStances(truth, o.strides);
        s.match.push(m);
        s.matchedTotal += m.matched;
        s.withDrop += m.dropErrorsDeg.length;
        s.withShank += m.shankErrorsDeg.length;
        s.startDrop += o.strides.filter((x) => x.pelvicDropReason === 'mounting_unknown').length;
        s.startShank += o.strides.filter((x) => x.shankFrontalReason === 'mounting_unknown').length;
        s.dropDeltaDeg.push(mean(absolute(m.dropErrorsDeg)) - mean(absolute(matchStances(truth, reference.strides).dropErrorsDeg)));
        const freshEndUs = meta.fatigueOnsetUs ?? Number.POSITIVE_INFINITY;
        const falseForm = o.alerts.filter((a) => a.type === 'form_breakdown' && a.phase === 'raised' && a.tUs < freshEndUs);
        s.falseForm += falseForm.length;
        for (const a of falseForm) s.notes.push(`${scenario}-${r} at ${((a.tUs - meta.startUs) / 1e6).toFixed(0)} s: ${a.message}`);
        if (refAlertUs !== null) {
          const at = firstFatigueAlertUs(o, meta.fatigueOnsetUs);
          if (at === null) s.missedAlerts++;
          else s.alertDelayS.push((at - refAlertUs) / 1e6);
        }
        for (const a of o.alerts) if (a.type === 'data_quality' && a.phase === 'raised') s.dataQuality.set(a.metric, (s.dataQuality.get(a.metric) ?? 0) + 1);
      }
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
console.log(`# packet loss: ${RUNNERS} runners × ${SCENARIOS.join(', ')}, ${DURATION_S} s each, 10-sample blocks lost independently per sensor (simulated)\n`);
// Coverage counts the stances after the start: the first seconds wait for each sensor's mounting yaw
// (mounting_unknown, the same with or without loss), shown apart as the share of stances they are.
console.log('| case | truth stances | recall | precision | with pelvic drop | with knee proxy | waiting for the mounting (drop, knee) | CPD MAE ° | CPD MAE − no-loss ° | knee proxy MAE ° | fatigue alert − no-loss s (median, max) | missed fatigue alerts | false form alerts | data_quality raised |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [name, s] of scores) {
  const m = s.match.reduce((a, b) => ({ truth: a.truth + b.truth, detected: a.detected + b.detected, matched: a.matched + b.matched, icErrorsMs: [...a.icErrorsMs, ...b.icErrorsMs], toErrorsMs: [], gctErrorsMs: [], dropErrorsDeg: [...a.dropErrorsDeg, ...b.dropErrorsDeg], shankErrorsDeg: [...a.shankErrorsDeg, ...b.shankErrorsDeg] }));
  const dq = [...s.dataQuality].map(([k, v]) => `${k} ${v}`).join(', ') || '–';
  console.log(
    `| ${name} | ${m.truth} | ${f(m.matched / m.truth, 3)} | ${f(m.matched / m.detected, 3)} | ${f(s.withDrop / (s.matchedTotal - s.startDrop), 3)} | ${f(s.withShank / (s.matchedTotal - s.startShank), 3)} | ${f(s.startDrop / s.matchedTotal, 3)}, ${f(s.startShank / s.matchedTotal, 3)} | ${f(mean(absolute(m.dropErrorsDeg)), 2)} | ${f(mean(s.dropDeltaDeg), 3)} | ${f(mean(absolute(m.shankErrorsDeg)), 2)} | ${f(quantile(s.alertDelayS, 0.5))}, ${f(Math.max(...s.alertDelayS))} | ${s.missedAlerts} | ${s.falseForm} | ${dq} |`,
  );
}
for (const [name, s] of scores) for (const note of s.notes) console.log(`- false form alert (${name}): ${note}`);
