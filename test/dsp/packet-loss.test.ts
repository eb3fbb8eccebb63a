// Lost packets as a phone relay loses them: the analysis bridges short gaps
// (attitude and detectors carried across) and loses at most the stances whose
// own samples are missing. Measured figures are in packages/dsp/ACCURACY.md.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionAnalyzer, type AnalysisEvent, type StrideEvent } from '@gaitwatch/dsp';
import { parseTruthCsv, type RecordingRow, type SensorId, type TruthRow } from '@gaitwatch/protocol';
import { Random, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterMountingKnown } from '../fixtures/mounting.ts';
import { readRecordingRows } from '../fixtures/recording.ts';
import { matchStances, mean, type MatchResult } from '@gaitwatch/dsp/eval';

const SENSORS: readonly SensorId[] = ['pelvis', 'shank_left', 'shank_right'];
let dir: string;
let rows: RecordingRow[];
let truth: TruthRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-loss-'));
  const session = new SimulatedSession({ scenario: 'steady', durationS: 150, seed: 31, maxMisalignmentDeg: 15 });
  const paths = await writeRecording(session, dir, 'steady');
  rows = await readRecordingRows(paths.csv);
  truth = parseTruthCsv(await readFile(paths.truth, 'utf8'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Runs the rows through an analyzer, leaving out those `lost` says (n: the sample's index within its sensor). */
function analyze(lost: (sensor: SensorId, n: number, tUs: number) => boolean): AnalysisEvent[] {
  const analyzer = new SessionAnalyzer({}, { sensors: SENSORS });
  const counts = new Map<SensorId, number>();
  const out: AnalysisEvent[] = [];
  for (const { sensor, tUs, values } of rows) {
    const n = counts.get(sensor) ?? 0;
    counts.set(sensor, n + 1);
    if (!lost(sensor, n, tUs)) out.push(...analyzer.pushSample(sensor, tUs, ...values));
  }
  out.push(...analyzer.finish());
  return out;
}

const stridesOf = (events: readonly AnalysisEvent[]): StrideEvent[] => events.filter((e): e is StrideEvent => e.kind === 'stride');

/** 10-sample packets lost at random with probability p, independently per sensor (seeded). */
function packetLoss(p: number, seed: number): (sensor: SensorId, n: number) => boolean {
  const verdicts = new Map<string, boolean>();
  const rng = new Random(seed, 3);
  return (sensor, n) => {
    const key = `${sensor}:${Math.floor(n / 10)}`;
    let v = verdicts.get(key);
    if (v === undefined) verdicts.set(key, (v = rng.next() < p));
    return v;
  };
}

describe('packet loss', () => {
  it('one lost 20 ms pelvis packet costs at most the stance it falls in, not the next 13 s of pelvic drop', () => {
    const reference = stridesOf(analyze(() => false));
    const lostFromUs = truth[150]!.icUs + 100_000;
    const strides = stridesOf(analyze((sensor, _n, tUs) => sensor === 'pelvis' && tUs >= lostFromUs && tUs < lostFromUs + 20_000));
    expect(strides.length).toBe(reference.length);
    // At most the stance whose window holds the gap loses its pelvic drop (none when the peak is away from the gap).
    const lostDrops = strides.filter((s) => s.pelvicDropDeg === null && !reference.some((r) => r.icUs === s.icUs && r.pelvicDropDeg === null));
    expect(lostDrops.length).toBeLessThanOrEqual(1);
    for (const s of lostDrops) expect(s.icUs <= lostFromUs && (s.toUs ?? s.icUs + 300_000) >= lostFromUs).toBe(true);
    // After the gap the angles are those of the uninterrupted run (the bridged attitude is right).
    const after = strides.filter((s) => s.icUs > lostFromUs + 1e6 && s.pelvicDropDeg !== null);
    const same = new Map(reference.map((s) => [`${s.side}${s.icUs}`, s.pelvicDropDeg]));
    const diffs = after.map((s) => Math.abs(s.pelvicDropDeg! - same.get(`${s.side}${s.icUs}`)!));
    expect(Math.max(...diffs)).toBeLessThan(0.05);
  });

  it('a gap too long to bridge re-levels the sensor: once its angles are back they are those of the uninterrupted run', () => {
    const reference = stridesOf(analyze(() => false));
    const same = new Map(reference.map((s) => [`${s.side}${s.icUs}`, s]));
    const worst: Record<string, number> = {};
    // 1 s lost: past the 0.5 s bridge, so the attitude restarts (settle, converge, then angles again);
    // at several points of the run, as the restart's error depended on how the sensor was turned then.
    for (const [sensor, field] of [['shank_left', 'shankFrontalDeg'], ['pelvis', 'pelvicDropDeg']] as const) {
      for (const atS of [20.11, 35.23, 50.37, 65.41, 80.53, 95.67]) {
        const lostFromUs = truth[0]!.icUs + atS * 1e6;
        const strides = stridesOf(analyze((s, _n, tUs) => s === sensor && tUs >= lostFromUs && tUs < lostFromUs + 1_000_000));
        const back = strides.filter((s) => s.icUs > lostFromUs + 1e6 && s[field] !== null && (sensor === 'pelvis' || s.side === 'left'));
        expect(back.length).toBeGreaterThan(20);
        // Withheld while the attitude settles (settleS + convergeS = 13 s), then back.
        expect((back[0]!.icUs - lostFromUs) / 1e6).toBeLessThan(16);
        const diffs = back.map((s) => Math.abs(s[field]! - same.get(`${s.side}${s.icUs}`)![field]!));
        worst[sensor] = Math.max(worst[sensor] ?? 0, ...diffs);
      }
    }
    // Measured over the six restarts: knee proxy within 0.08°, pelvic drop within 0.16° (with the
    // levelling rotation applied in the sensor frame, the bug until 2026-12-04: 0.67° / 0.98° here, and
    // 1–6° for 30 s and more on the simulated sensor-faults runs).
    expect(worst['shank_left']).toBeLessThan(0.2);
    expect(worst['pelvis']).toBeLessThan(0.35);
  });

  it('at 1 % packet loss keeps the stances, their angles and their accuracy', () => {
    // Scored from where the mounting is known (the first seconds withhold the angles: test/fixtures/mounting.ts).
    const scored = (strides: StrideEvent[]): MatchResult => {
      const known = afterMountingKnown(strides);
      return matchStances(truth.filter((t) => t.icUs >= known[0]!.icUs - 100_000), known);
    };
    const clean = scored(stridesOf(analyze(() => false)));
    const lossy = scored(stridesOf(analyze(packetLoss(0.01, 7))));
    expect(lossy.matched / lossy.truth).toBeGreaterThanOrEqual(0.99);
    expect(lossy.matched).toBe(lossy.detected);
    expect(lossy.dropErrorsDeg.length / lossy.matched).toBeGreaterThanOrEqual(0.95);
    expect(lossy.shankErrorsDeg.length / lossy.matched).toBeGreaterThanOrEqual(0.92);
    const maeDeg = (e: number[]): number => mean(e.map(Math.abs));
    expect(maeDeg(lossy.dropErrorsDeg) - maeDeg(clean.dropErrorsDeg)).toBeLessThan(0.1);
    expect(Math.abs(mean(lossy.icErrorsMs) - mean(clean.icErrorsMs))).toBeLessThan(1);
    expect(Math.abs(mean(lossy.toErrorsMs) - mean(clean.toErrorsMs))).toBeLessThan(2);
  });

  it('at 10 % packet loss from the start the strides keep their times, and the angles stay on the loss-free run', () => {
    const clean = new Map(stridesOf(analyze(() => false)).map((s) => [`${s.side}${s.icUs}`, s]));
    const lossy = stridesOf(analyze(packetLoss(0.1, 11)));
    // A gap comes between nearly every two contacts (one every ~0.5 s a sensor), so no interval is a
    // sure stride: the first ones are judged together (session/stride-assembler.ts). Before, a leg's
    // stride stayed unknown until an interval came without a gap (here rarely and late), and with it
    // the stride to bridge gaps from.
    const timed = lossy.filter((s) => s.strideTimeS !== null).length / lossy.length;
    // Measured 0.79 (0.59 before: only intervals without a gap in them).
    expect(timed).toBeGreaterThan(0.7);
    // The attitude's correction is right only over whole strides: a lost block — an impact above all —
    // left out of it tilts the sensor, so the previous stride's same phase stands in for it. What a form
    // alert sees is a 20-stance median: its largest shift from the loss-free run's after the first 40
    // stances. Measured 0.39° (knee proxy) and 0.32° (pelvic drop); without the stand-in 0.57° / 0.49°,
    // without a known stride (no stand-in, straight-line bridges) 0.60° / 0.45°.
    const worst: Record<string, number> = {};
    for (const field of ['shankFrontalDeg', 'pelvicDropDeg'] as const) {
      for (const side of ['left', 'right'] as const) {
        const diffs = lossy.flatMap((s) => {
          const c = clean.get(`${s.side}${s.icUs}`);
          return s.side === side && s[field] !== null && c !== undefined && c[field] !== null ? [s[field]! - c[field]!] : [];
        });
        for (let i = 40; i <= diffs.length; i++) {
          const window = diffs.slice(i - 20, i).sort((a, b) => a - b);
          worst[field] = Math.max(worst[field] ?? 0, Math.abs((window[9]! + window[10]!) / 2));
        }
      }
    }
    expect(worst['shankFrontalDeg']).toBeLessThan(0.5);
    expect(worst['pelvicDropDeg']).toBeLessThan(0.42);
  });

  it('says why a stance has no angle, and raises packet_loss only when loss costs a metric', () => {
    const light = analyze(packetLoss(0.01, 7));
    const gapped = stridesOf(light).filter((s) => s.pelvicDropDeg === null && s.pelvicDropReason === 'data_gap');
    expect(gapped.length).toBeGreaterThan(0);
    for (const s of stridesOf(light)) {
      expect(s.pelvicDropDeg === null).toBe(s.pelvicDropReason !== undefined);
      expect(s.shankFrontalDeg === null).toBe(s.shankFrontalReason !== undefined);
    }
    const lossAlerts = (events: AnalysisEvent[]): string[] => events.flatMap((e) => (e.kind === 'alert' && e.metric === 'packet_loss' && e.phase === 'raised' ? [e.message] : []));
    // 1 % is bridged: it costs a few stances, not a tenth of them.
    expect(lossAlerts(light)).toEqual([]);
    const heavy = lossAlerts(analyze(packetLoss(0.1, 7)));
    expect(heavy.some((m) => /^pelvis: lost packets cost the pelvic drop of \d+ %/.test(m))).toBe(true);
    expect(heavy.some((m) => /^shank_(left|right): lost packets cost the knee-collapse proxy/.test(m))).toBe(true);
  });

  it('a contact lost in a gap does not turn two strides into one: its neighbour has no stride time', () => {
    // 300 ms of the left shank around a foot strike: that contact is gone.
    const strike = truth.filter((t) => t.side === 'left')[100]!;
    const reference = stridesOf(analyze(() => false));
    const strides = stridesOf(analyze((sensor, _n, tUs) => sensor === 'shank_left' && tUs >= strike.icUs - 150_000 && tUs < strike.icUs + 150_000));
    const left = strides.filter((s) => s.side === 'left' && s.toUs !== null);
    expect(left.some((s) => Math.abs(s.icUs - strike.icUs) < 50_000)).toBe(false);
    const before = left.filter((s) => s.icUs < strike.icUs).at(-1)!;
    expect(before.strideTimeS).toBeNull();
    const longest = (xs: StrideEvent[]): number => Math.max(...xs.map((x) => x.strideTimeS ?? 0));
    expect(longest(strides)).toBe(longest(reference));
  });
});

describe('heavy loss and form alerts', () => {
  it('withholds a pelvic-drop form alert while lost packets cost the pelvic drop, and never resolves what it withheld', async () => {
    const session = new SimulatedSession({ scenario: 'itb-fatigue', durationS: 220, seed: 3, maxMisalignmentDeg: 15, fatigueOnsetS: 110 });
    const heavyRows = await readRecordingRows((await writeRecording(session, dir, 'heavy')).csv);
    const from = session.startUs + 100e6;
    const to = session.startUs + 170e6;
    const lost = packetLoss(0.15, 9);
    const analyzer = new SessionAnalyzer({}, { sensors: SENSORS });
    const events: AnalysisEvent[] = [];
    const counts = new Map<SensorId, number>();
    for (const { sensor, tUs, values } of heavyRows) {
      const n = counts.get(sensor) ?? 0;
      counts.set(sensor, n + 1);
      if (sensor === 'pelvis' && tUs >= from && tUs < to && lost(sensor, n)) continue;
      events.push(...analyzer.pushSample(sensor, tUs, ...values));
    }
    events.push(...analyzer.finish());
    const alerts = events.filter((e): e is Extract<AnalysisEvent, { kind: 'alert' }> => e.kind === 'alert');
    const loss = alerts.filter((a) => a.metric === 'packet_loss' && a.sensor === 'pelvis');
    expect(loss.map((a) => a.phase)).toEqual(['raised', 'resolved']);
    const [raisedUs, resolvedUs] = [loss[0]!.tUs, loss[1]!.tUs];
    const drop = alerts.filter((a) => a.type === 'form_breakdown' && a.metric === 'pelvicDropDeg');
    // The fatigue is real: it is told once the pelvic drop is measured again, not while it is not.
    expect(drop.some((a) => a.phase === 'raised' && a.tUs >= resolvedUs && /held back while lost packets/.test(a.message))).toBe(true);
    for (const a of drop) expect(a.tUs > raisedUs && a.tUs < resolvedUs).toBe(false);
    const raisedIds = new Set(alerts.filter((a) => a.phase === 'raised').map((a) => a.episodeId));
    for (const a of alerts.filter((x) => x.phase === 'resolved')) expect(raisedIds.has(a.episodeId)).toBe(true);
  });
});
