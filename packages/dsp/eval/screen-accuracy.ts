// The movement-screen analysis against the simulator's per-rep truth (issue #17): both tasks, seeds
// 1–6, misalignment ≤ 5°, 10° and 15°. Prints per session: reps found / truth, and the MAE of the knee
// proxy, pelvic drop and depth (depth's largest error too). `--walk=0` runs the protocol without its
// walk-in. Simulated data only; the table is in src/screen/README.md.
//   node bin/run-ts.mjs packages/dsp/eval/screen-accuracy.ts [--walk=N] [--seeds=1-6] [--misalignment=5,10,15]
import { ScreenAnalyzer, type RepEvent } from '@gaitwatch/dsp';
import { SENSOR_IDS, US_PER_S, type SensorId } from '@gaitwatch/protocol';
import { repTruth, SimulatedSession, type ScreenTask } from '@gaitwatch/runner-sim';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const walk = args.get('walk');
const [firstSeed, lastSeed] = (args.get('seeds') ?? '1-6').split('-').map(Number) as [number, number];
const misalignments = (args.get('misalignment') ?? '5,10,15').split(',').map(Number);
const mae = (xs: number[]): number => xs.reduce((a, x) => a + Math.abs(x), 0) / xs.length;

function analyze(session: SimulatedSession): RepEvent[] {
  const rows: { sensor: SensorId; tUs: number; row: Float64Array }[] = [];
  const sample = new Float64Array(6);
  for (const sensor of SENSOR_IDS) {
    const imu = session.imus.get(sensor)!;
    for (let i = 0; i < session.sampleCount(sensor); i++) {
      const tS = session.sampleTimeS(sensor, i);
      imu.sample(tS, sample);
      const row = new Float64Array(7);
      row[0] = session.timestampUs(tS);
      row.set(sample, 1);
      rows.push({ sensor, tUs: row[0], row });
    }
  }
  rows.sort((a, b) => a.tUs - b.tUs);
  const analyzer = new ScreenAnalyzer({}, { sensors: SENSOR_IDS });
  const out: { kind: string }[] = rows.flatMap(({ sensor, row }) => analyzer.pushRows(sensor, row, 0, 1));
  out.push(...analyzer.finish());
  return out.filter((e): e is RepEvent => e.kind === 'rep');
}

console.log('task, misalignment: per seed  knee MAE / drop MAE / depth MAE / depth max °  (reps found/truth)');
for (const task of ['step-down', 'squat'] as ScreenTask[]) {
  for (const mis of misalignments) {
    const cells: string[] = [];
    for (let seed = firstSeed; seed <= lastSeed; seed++) {
      const options = { scenario: `screen-${task}` as const, durationS: 600, seed, maxMisalignmentDeg: mis };
      const base = new SimulatedSession(options);
      const session = walk === undefined ? base : new SimulatedSession({ ...options, screen: { ...base.screen!.plan.protocol, walkInSteps: Number(walk) } });
      const reps = analyze(session);
      const us = (s: number): number => session.startUs + Math.round(s * US_PER_S);
      const pairs = repTruth(session.screen!).map((t) => ({ t, r: reps.find((x) => Math.abs(x.bottomUs - us(t.bottomS)) < 600_000) }));
      const err = (f: (p: (typeof pairs)[number]) => number | null | undefined): number[] => pairs.map((p) => f(p) ?? Number.NaN);
      const depth = err(({ t, r }) => (r?.depthDeg ?? Number.NaN) - t.depthDeg);
      cells.push(
        `${mae(err(({ t, r }) => (r?.shankFrontalDeg ?? Number.NaN) - t.kneeCollapseDeg)).toFixed(2)}/${mae(err(({ t, r }) => (r?.pelvicDropDeg ?? Number.NaN) - t.pelvicDropDeg)).toFixed(2)}/${mae(depth).toFixed(2)}/${Math.max(...depth.map(Math.abs)).toFixed(2)} (${reps.length}/${pairs.length})`,
      );
    }
    console.log(`${task}, ≤ ${mis}°: ${cells.join('  ')}`);
  }
}
