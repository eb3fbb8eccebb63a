// How good the angles are in their first seconds (SIMULATED): pelvic drop and knee proxy |error| over the
// first 5 s after each is first published (its sensor's mounting yaw just estimated), 5–15 s, and later, for
// a given segments.axisMinS. Chose axisMinS (ACCURACY.md, REAL running):
//   node bin/run-ts.mjs packages/dsp/eval/mounting-start.ts 3
import { analyzeRecording, type AnalysisEvent, type StrideEvent } from '@gaitwatch/dsp';
import { parseTruthCsv } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const axisMinS = Number(process.argv[2] ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'early-'));
const buckets = { drop: [[], [], []] as number[][], knee: [[], [], []] as number[][] };
const firstDrop: number[] = [];
const firstKnee: number[] = [];
for (let seed = 1; seed <= 12; seed++) {
  const scenario = seed % 2 ? 'steady' : 'weak-side';
  const paths = await writeRecording(new SimulatedSession({ scenario, durationS: 60, seed: 1000 + seed, maxMisalignmentDeg: 15 }), dir, `s${seed}`);
  const ev: AnalysisEvent[] = [];
  await analyzeRecording(createReadStream(paths.csv, { encoding: 'utf8' }) as AsyncIterable<string>, (e) => ev.push(e), { segments: { axisMinS } });
  const truth = parseTruthCsv(readFileSync(paths.truth, 'utf8'));
  const strides = ev.filter((e): e is StrideEvent => e.kind === 'stride');
  const t0 = strides[0]!.icUs;
  const fd = strides.find((s) => s.pelvicDropDeg !== null)!.icUs, fk = strides.find((s) => s.shankFrontalDeg !== null)!.icUs;
  firstDrop.push((fd - t0) / 1e6); firstKnee.push((fk - t0) / 1e6);
  for (const s of strides) {
    const t = truth.find((x) => x.side === s.side && Math.abs(x.icUs - s.icUs) < 100_000);
    if (!t) continue;
    const b = (from: number) => ((s.icUs - from) / 1e6 < 5 ? 0 : (s.icUs - from) / 1e6 < 15 ? 1 : 2);
    if (s.pelvicDropDeg !== null) buckets.drop[b(fd)]!.push(Math.abs(s.pelvicDropDeg - t.pelvicDropDeg!));
    if (s.shankFrontalDeg !== null) buckets.knee[b(fk)]!.push(Math.abs(s.shankFrontalDeg - t.shankFrontalDeg!));
  }
}
const m = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3) + ` max ${Math.max(...xs).toFixed(2)} n ${xs.length}`;
console.log(`axisMinS ${axisMinS}: first drop after ${m(firstDrop)} s, first knee after ${m(firstKnee)} s`);
console.log(' drop MAE first 5 s', m(buckets.drop[0]!), '| 5-15 s', m(buckets.drop[1]!), '| later', m(buckets.drop[2]!));
console.log(' knee MAE first 5 s', m(buckets.knee[0]!), '| 5-15 s', m(buckets.knee[1]!), '| later', m(buckets.knee[2]!));
