// The shank's sagittal motion over the stride, simulated beside real: where in
// the stride the features that gait-event rules read fall (issue 15 item 2).
// A check of the simulator against real motion, not a fit: it prints, it tunes
// nothing. `node bin/run-ts.mjs packages/dsp/eval/shank-profile.ts [--runners=6] [--duration=90]`
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTruthCsv, type TruthRow } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { parseSeries, type SensorSeries } from './published/signals.ts';
import { quantile } from './match.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const RUNNERS = Number(args.get('runners') ?? 6);
const DURATION_S = Number(args.get('duration') ?? 90);
const REAL_DIR = fileURLToPath(new URL('../../../../shared/data/real-running/', import.meta.url));
const REAL = ['fukuchi-rbds001-t25', 'fukuchi-rbds032-t25'];

/** Features of one stride, from the shank's sagittal rate g (the sensor's y rate: + = the knee moving ahead of the ankle). */
interface StrideFeatures {
  stanceFraction: number;
  /** Early-swing peak of g (fastest backward rotation of the lower leg) after TO: ms, and stride fraction. */
  backPeakAfterToMs: number;
  backPeakPhase: number;
  /** g at TO over that peak (0: a late-stance plateau, 1: the peak is at TO). */
  rateAtToOverPeak: number;
  /** Mid-swing (most negative g: fastest forward swing) as a stride fraction. */
  midSwingPhase: number;
  /** End of swing: first sample after mid-swing with g ≥ 0, ms relative to the next IC. */
  zeroCrossBeforeIcMs: number;
  /** Angle (integrated g, drift removed) max and min, stride fractions. */
  angleMaxPhase: number;
  angleMinPhase: number;
  /** Peak rates, rad/s: early-swing backward, stance (IC..TO) forward-over-the-foot, and stance from IC + 80 ms; mid-swing (forward, negative). */
  backPeakRadps: number;
  stancePeakRadps: number;
  stancePeakAfter80msRadps: number;
  midSwingRadps: number;
  /** Angle range over the stride, degrees. */
  angleRangeDeg: number;
  /** Angle gained from IC to 0.55 of the stance and from there to TO, degrees. */
  earlyStanceRiseDeg: number;
  lateStanceRiseDeg: number;
  /** Angle gained from TO to the maximum (early swing), degrees. */
  swingRiseDeg: number;
}

function features(s: SensorSeries, ic: number, to: number, next: number): StrideFeatures | null {
  const t = s.tUs;
  const g = s.gyr[1];
  const at = (us: number): number => {
    let lo = 0;
    let hi = t.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid]! < us) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const i0 = at(ic);
  const iTo = at(to);
  const i1 = at(next);
  if (i1 - i0 < 20 || i1 >= t.length) return null;
  const stride = next - ic;
  const phase = (i: number): number => (t[i]! - ic) / stride;
  let iMid = iTo;
  for (let i = iTo; i < i1; i++) if (g[i]! < g[iMid]!) iMid = i;
  let iBack = iTo;
  for (let i = iTo; i < iMid; i++) if (g[i]! > g[iBack]!) iBack = i;
  let iZero = -1;
  for (let i = iMid; i < i1 + 40 && i < t.length; i++) {
    if (g[i]! >= 0) {
      iZero = i;
      break;
    }
  }
  // Angle: trapezoid integral, linear drift removed so the stride closes.
  const n = i1 - i0 + 1;
  const angle = new Float64Array(n);
  for (let k = 1; k < n; k++) angle[k] = angle[k - 1]! + ((g[i0 + k]! + g[i0 + k - 1]!) / 2) * ((t[i0 + k]! - t[i0 + k - 1]!) / 1e6);
  const drift = angle[n - 1]!;
  for (let k = 0; k < n; k++) angle[k] = angle[k]! - (drift * k) / (n - 1);
  let kMax = 0;
  let kMin = 0;
  for (let k = 0; k < n; k++) {
    if (angle[k]! > angle[kMax]!) kMax = k;
    if (angle[k]! < angle[kMin]!) kMin = k;
  }
  const kMidStance = at(ic + 0.55 * (to - ic)) - i0;
  let stancePeak = Number.NEGATIVE_INFINITY;
  let stancePeakLate = Number.NEGATIVE_INFINITY;
  const i80 = at(ic + 80_000);
  for (let i = i0; i < iTo; i++) {
    stancePeak = Math.max(stancePeak, g[i]!);
    if (i >= i80) stancePeakLate = Math.max(stancePeakLate, g[i]!);
  }
  const deg = 180 / Math.PI;
  return {
    stanceFraction: (to - ic) / stride,
    backPeakAfterToMs: (t[iBack]! - to) / 1000,
    backPeakPhase: phase(iBack),
    rateAtToOverPeak: g[iTo]! / g[iBack]!,
    midSwingPhase: phase(iMid),
    zeroCrossBeforeIcMs: iZero < 0 ? Number.NaN : (t[iZero]! - next) / 1000,
    angleMaxPhase: phase(i0 + kMax),
    angleMinPhase: phase(i0 + kMin),
    backPeakRadps: g[iBack]!,
    stancePeakRadps: stancePeak,
    stancePeakAfter80msRadps: stancePeakLate,
    midSwingRadps: g[iMid]!,
    angleRangeDeg: (angle[kMax]! - angle[kMin]!) * deg,
    earlyStanceRiseDeg: angle[kMidStance]! * deg,
    lateStanceRiseDeg: (angle[iTo - i0]! - angle[kMidStance]!) * deg,
    swingRiseDeg: (angle[kMax]! - angle[iTo - i0]!) * deg,
  };
}

function profile(series: Map<string, SensorSeries>, truth: readonly TruthRow[], running: (row: TruthRow) => boolean): StrideFeatures[] {
  const out: StrideFeatures[] = [];
  for (const side of ['left', 'right'] as const) {
    const s = series.get(`shank_${side}`);
    if (s === undefined) continue;
    const rows = truth.filter((r) => r.side === side);
    for (let k = 0; k + 1 < rows.length; k++) {
      const r = rows[k]!;
      const next = rows[k + 1]!;
      if (r.toUs === null || r.strideTimeS === null || !running(r) || !running(next)) continue;
      if (Math.abs(next.icUs - r.icUs - r.strideTimeS * 1e6) > 2000) continue;
      const f = features(s, r.icUs, r.toUs, next.icUs);
      if (f !== null) out.push(f);
    }
  }
  return out;
}

const KEYS: (keyof StrideFeatures)[] = [
  'stanceFraction',
  'backPeakAfterToMs',
  'backPeakPhase',
  'rateAtToOverPeak',
  'midSwingPhase',
  'zeroCrossBeforeIcMs',
  'angleMaxPhase',
  'angleMinPhase',
  'backPeakRadps',
  'stancePeakRadps',
  'stancePeakAfter80msRadps',
  'midSwingRadps',
  'angleRangeDeg',
  'earlyStanceRiseDeg',
  'lateStanceRiseDeg',
  'swingRiseDeg',
];

function row(label: string, fs: readonly StrideFeatures[]): string {
  const cells = KEYS.map((key) => {
    const xs = fs.map((f) => f[key]).filter(Number.isFinite);
    const q = (p: number): number => quantile(xs, p);
    const d = key.endsWith('Ms') || key.endsWith('Deg') ? 1 : 2; // phases, ratios and rad/s to 2 decimals
    return `${q(0.5).toFixed(d)} (${q(0.1).toFixed(d)}…${q(0.9).toFixed(d)})`;
  });
  return `| ${label} | ${fs.length} | ${cells.join(' | ')} |`;
}

console.log('# shank sagittal profile per stride: median (p10…p90); phases as fractions of the stride from IC');
console.log(`| data | strides | ${KEYS.join(' | ')} |`);
console.log(`|---|---|${KEYS.map(() => '---').join('|')}|`);
for (const name of REAL) {
  const series = parseSeries(await readFile(`${REAL_DIR}${name}.csv`, 'utf8'));
  const truth = parseTruthCsv(await readFile(`${REAL_DIR}${name}.truth.csv`, 'utf8'));
  console.log(row(`REAL ${name}`, profile(series, truth, () => true)));
}
const dir = await mkdtemp(join(tmpdir(), 'gw-shank-profile-'));
const pooled: StrideFeatures[] = [];
for (let runner = 0; runner < RUNNERS; runner++) {
  const session = new SimulatedSession({ scenario: 'steady', durationS: DURATION_S, seed: 7319, runnerIndex: runner, ideal: true, maxMisalignmentDeg: 0 });
  const paths = await writeRecording(session, dir, `steady-r${runner}`);
  const series = parseSeries(await readFile(paths.csv, 'utf8'));
  const truth = parseTruthCsv(await readFile(paths.truth, 'utf8'));
  const fs = profile(series, truth, (r) => r.gctS !== null && r.strideTimeS !== null && r.gctS < 0.5 * r.strideTimeS);
  pooled.push(...fs);
  console.log(row(`SIM steady r${runner} (${session.profile.speedMps.toFixed(1)} m/s)`, fs));
}
console.log(row('SIM all', pooled));
await rm(dir, { recursive: true, force: true });
