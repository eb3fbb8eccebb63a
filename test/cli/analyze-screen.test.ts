import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCREEN_PARAMS, ScreenAnalyzer, SessionAnalyzer, typedArrayFootprint, type RepEvent, type ScreenSummaryEvent, type StrideEvent } from '@gaitwatch/dsp';
import { RepMetricsSchema, SENSOR_IDS, US_PER_S, type SensorId } from '@gaitwatch/protocol';
import { mountYawDeg, repTruth, SimulatedSession, type RepTruth, type ScreenProtocol, type SessionOptions } from '@gaitwatch/runner-sim';
import { activityFromMeta, parseActivity } from '../../src/cli/analyze.ts';

// The movement-screen analysis (issue #17 item 2) against simulated screens
// with known per-rep truth: reps from the motion only, the standing leg, per
// rep the pelvic drop, the knee-collapse proxy and depth; no reps from
// running, walking or standing; streaming guarantees; `gaitwatch analyze`.

/** A simulated session's samples per sensor and its per-rep truth. */
interface SimulatedData {
  readonly session: SimulatedSession;
  /** Per sensor: rows t, ax, ay, az, gx, gy, gz (7 values each), in time order. */
  readonly rows: Map<SensorId, Float64Array>;
  /** Truth per rep, times in µs like the samples; empty for running. */
  readonly reps: (RepTruth & { startUs: number; bottomUs: number; endUs: number })[];
}

function simulate(options: SessionOptions): SimulatedData {
  const session = new SimulatedSession(options);
  const rows = new Map<SensorId, Float64Array>();
  const sample = new Float64Array(6);
  for (const sensor of SENSOR_IDS) {
    const imu = session.imus.get(sensor);
    if (imu === undefined) continue;
    const n = session.sampleCount(sensor);
    const out = new Float64Array(n * 7);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const tS = session.sampleTimeS(sensor, i);
      if (session.isDropped(sensor, tS)) continue;
      imu.sample(tS, sample);
      out[k * 7] = session.timestampUs(tS);
      out.set(sample, k * 7 + 1);
      k++;
    }
    rows.set(sensor, out.subarray(0, k * 7));
  }
  const us = (s: number): number => session.startUs + Math.round(s * US_PER_S);
  const reps = session.screen === undefined ? [] : repTruth(session.screen).map((r) => ({ ...r, startUs: us(r.startS), bottomUs: us(r.bottomS), endUs: us(r.endS) }));
  return { session, rows, reps };
}

/** Every sample of every sensor in time order (ties by sensor order), as [sensor, offset] pairs. */
function timeOrder(rows: Map<SensorId, Float64Array>): [SensorId, number][] {
  const order: [SensorId, number][] = [];
  for (const [sensor, r] of rows) for (let o = 0; o < r.length; o += 7) order.push([sensor, o]);
  order.sort((a, b) => rows.get(a[0])![a[1]]! - rows.get(b[0])![b[1]]! || SENSOR_IDS.indexOf(a[0]) - SENSOR_IDS.indexOf(b[0]));
  return order;
}

const SENSORS: readonly SensorId[] = ['pelvis', 'shank_left', 'shank_right'];
type Out = RepEvent | ScreenSummaryEvent;

/** Every sample in time order, one row per call (the reference feed). */
function analyzeInOrder(data: SimulatedData, analyzer = new ScreenAnalyzer({}, { sensors: [...data.rows.keys()] })): { reps: RepEvent[]; summary: ScreenSummaryEvent } {
  const out: Out[] = [];
  for (const [sensor, o] of timeOrder(data.rows)) out.push(...analyzer.pushRows(sensor, data.rows.get(sensor)!, o, 1));
  out.push(...analyzer.finish());
  return { reps: out.filter((e): e is RepEvent => e.kind === 'rep'), summary: out.find((e): e is ScreenSummaryEvent => e.kind === 'summary')! };
}

/** Each truth rep with the rep found nearest its bottom (within 0.6 s), or undefined. */
function match(data: SimulatedData, reps: readonly RepEvent[]): { truth: SimulatedData['reps'][number]; rep: RepEvent | undefined }[] {
  return data.reps.map((truth) => ({ truth, rep: reps.find((r) => Math.abs(r.bottomUs - truth.bottomUs) < 600_000) }));
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const mae = (xs: readonly number[]): number => mean(xs.map(Math.abs));

/** Theil–Sen slope of y over its index: the median of the pairwise slopes. */
function theilSen(ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < ys.length; i++) for (let j = i + 1; j < ys.length; j++) slopes.push((ys[j]! - ys[i]!) / (j - i));
  slopes.sort((a, b) => a - b);
  return slopes[slopes.length >> 1]!;
}

// Two tasks × seeds, with the simulator's default (10°) and a larger (15°) mounting misalignment.
const CASES = [
  { scenario: 'screen-squat', seed: 1, mis: 10 },
  { scenario: 'screen-squat', seed: 2, mis: 15 },
  { scenario: 'screen-step-down', seed: 3, mis: 10 },
  { scenario: 'screen-step-down', seed: 6, mis: 15 },
] as const;
const sims = new Map<string, { data: SimulatedData; result: ReturnType<typeof analyzeInOrder> }>();

beforeAll(() => {
  for (const c of CASES) {
    const data = simulate({ scenario: c.scenario, durationS: 600, seed: c.seed, maxMisalignmentDeg: c.mis });
    sims.set(`${c.scenario}/${c.seed}`, { data, result: analyzeInOrder(data) });
  }
});

describe.each(CASES)('$scenario seed $seed, misalignment up to $mis°', ({ scenario, seed }) => {
  const get = (): { data: SimulatedData; result: ReturnType<typeof analyzeInOrder> } => sims.get(`${scenario}/${seed}`)!;

  it('finds every rep exactly once, on the right standing leg, numbered by set and rep', () => {
    const { data, result } = get();
    expect(data.reps.length).toBeGreaterThan(20);
    expect(result.reps).toHaveLength(data.reps.length);
    for (const { truth, rep } of match(data, result.reps)) {
      expect(rep, `rep ${truth.set + 1}.${truth.rep + 1}`).toBeDefined();
      expect(rep!.side).toBe(truth.side);
      expect([rep!.set, rep!.rep]).toEqual([truth.set + 1, truth.rep + 1]);
      // Start and end within 0.3 s of the truth's: measured 0.08–0.16 s inside it (the truth counts the motion's
      // first and last millidegrees, the rep its first and last 0.3° of tilt).
      expect(Math.abs(rep!.startUs - truth.startUs)).toBeLessThan(300_000);
      expect(Math.abs(rep!.endUs - truth.endUs)).toBeLessThan(300_000);
      expect(rep!.durationS).toBeCloseTo((rep!.endUs - rep!.startUs) / 1e6, 3);
    }
  });

  it('measures pelvic drop and depth per rep (pelvic drop MAE ≤ 0.6°, depth within 1.5°)', () => {
    const { data, result } = get();
    const pairs = match(data, result.reps);
    const drop = pairs.map(({ truth, rep }) => rep!.pelvicDropDeg! - truth.pelvicDropDeg);
    const depth = pairs.map(({ truth, rep }) => rep!.depthDeg! - truth.depthDeg);
    // Measured (6 seeds × 2 tasks, 5–15° misalignment): pelvic-drop MAE 0.10–0.26°, depth error ≤ 0.6°.
    expect(mae(drop)).toBeLessThan(0.6);
    expect(Math.max(...depth.map(Math.abs))).toBeLessThan(1.5);
  });

  it('reports the verdict against the threshold and summarises per side', () => {
    const { data, result } = get();
    for (const rep of result.reps) expect(rep.pelvicDropVerdict).toBe(rep.pelvicDropDeg! > DEFAULT_SCREEN_PARAMS.pelvicDropLevelMaxDeg ? 'dropping' : 'level');
    const clean = data.session.screen!.plan.sets.filter((s) => s.control === 'clean').map((s) => s.index + 1);
    for (const rep of result.reps.filter((r) => clean.includes(r.set))) expect(rep.pelvicDropVerdict).toBe('level');
    const s = result.summary;
    expect(s.activity).toBe('screen');
    expect(s.strides).toEqual({ left: 0, right: 0 });
    expect(s.reps.left + s.reps.right).toBe(data.reps.length);
    expect(s.sets).toBe(data.session.screen!.plan.sets.length);
    const weak = data.session.screen!.plan.sets.find((set) => set.control !== 'clean')!;
    const weakSide = result.reps.find((r) => r.set === weak.index + 1)!.side;
    // The weak side drops more: left minus right has its sign.
    expect(Math.sign(s.leftMinusRight.pelvicDropDeg!)).toBe(weakSide === 'left' ? 1 : -1);
    for (const side of ['left', 'right'] as const) {
      const truth = data.reps.filter((r) => r.side === side).map((r) => r.pelvicDropDeg).sort((a, b) => a - b);
      const median = (truth[(truth.length - 1) >> 1]! + truth[truth.length >> 1]!) / 2;
      expect(Math.abs(s[side].pelvicDropDeg.median! - median)).toBeLessThan(0.5);
      expect(s[side].pelvicDropDeg.iqr).toBeGreaterThanOrEqual(0);
      expect(s[side].depthDeg.n).toBe(s.reps[side]);
    }
    expect(s.sensors.pelvis!.mountingYawDeg).not.toBeNull();
  });

  it('shows the control fading over the tiring set', () => {
    const { data, result } = get();
    const fading = data.session.screen!.plan.sets.find((set) => set.control === 'fading')!;
    const drops = result.reps.filter((r) => r.set === fading.index + 1).map((r) => r.pelvicDropDeg!);
    const truth = data.reps.filter((r) => r.set === fading.index).map((r) => r.pelvicDropDeg);
    expect(drops).toHaveLength(truth.length);
    // The truth rises 4.5° over the set (3 → 7.5° intended): the measured slope per rep within 0.15° of the truth's.
    expect(Math.abs(theilSen(drops) - theilSen(truth))).toBeLessThan(0.15);
    expect(theilSen(drops)).toBeGreaterThan(0.4);
    // First to last rep: the truth's own rise (3.0–5.2° on these seeds, its reps vary by 0.4°), measured within 0.5°
    // (measured within 0.33°).
    expect(drops.at(-1)! - drops[0]!).toBeGreaterThan(2.5);
    expect(Math.abs(drops.at(-1)! - drops[0]! - (truth.at(-1)! - truth[0]!))).toBeLessThan(0.5);
  });
});

describe('the knee-collapse proxy', () => {
  it('is within 1° MAE on the squats, whose walk-in and free leg show each shank its axis', () => {
    for (const c of CASES.filter((k) => k.scenario === 'screen-squat')) {
      const { data, result } = sims.get(`${c.scenario}/${c.seed}`)!;
      const knee = match(data, result.reps).map(({ truth, rep }) => rep!.shankFrontalDeg! - truth.kneeCollapseDeg);
      // Measured 0.07–0.19° over 6 seeds at 5–15° (0.05–0.46° before the walk-in: the first set on each leg
      // used the clip's own axes, the leg not having been held up yet).
      expect(mae(knee)).toBeLessThan(0.5);
      expect(result.summary.sensors.shank_left!.mountingYawDeg).not.toBeNull();
    }
  });

  it('is within 1° MAE on the step-downs: the walk-in shows each shank its axis, which no step-down motion can', () => {
    for (const c of CASES.filter((k) => k.scenario === 'screen-step-down')) {
      const { data, result } = sims.get(`${c.scenario}/${c.seed}`)!;
      const knee = match(data, result.reps).map(({ truth, rep }) => rep!.shankFrontalDeg! - truth.kneeCollapseDeg);
      // Measured 0.21° (seed 3, ≤ 10°) and 0.14° (seed 6, ≤ 15°); 0.09–0.21° over 6 seeds at 5–15°.
      expect(mae(knee)).toBeLessThan(0.5);
      // The clip's yaw found from the walk-in's swing, against the simulator's (measured within 0.45°).
      for (const side of ['left', 'right'] as const) {
        const found = result.summary.sensors[`shank_${side}`]!.mountingYawDeg;
        expect(found).not.toBeNull();
        expect(Math.abs(found! - mountYawDeg(data.session.imus.get(`shank_${side}`)!.spec.mount))).toBeLessThan(1);
      }
    }
  });

  it("without a walk-in reads a step-down in the clip's own axes: within 1.2° for a carefully placed clip (≤ 5°)", () => {
    const probe = new SimulatedSession({ scenario: 'screen-step-down', durationS: 600, seed: 2, maxMisalignmentDeg: 5 });
    const data = simulate({ scenario: 'screen-step-down', durationS: 600, seed: 2, maxMisalignmentDeg: 5, screen: { ...probe.screen!.plan.protocol, walkInSteps: 0 } });
    const { reps, summary } = analyzeInOrder(data);
    const knee = match(data, reps).map(({ truth, rep }) => rep!.shankFrontalDeg! - truth.kneeCollapseDeg);
    // Measured 0.89° here (0.07–0.89° over 6 seeds; 0.13–1.67° at ≤ 10°: README, known limits).
    expect(mae(knee)).toBeLessThan(1.2);
    expect(summary.sensors.shank_left!.mountingYawDeg).toBeNull();
  });
});

/** A small custom screen: two sets of `reps` squats on the left leg, `restS` apart. */
function protocol(reps: number, restS: number): ScreenProtocol {
  const set = { standingLeg: 'left', reps, depthDeg: 25, tempoS: 2.5, control: 'clean' } as const;
  return { task: 'squat', sets: [set, set], restS, standingS: 5, stepHeightM: 0 };
}

describe('sets', () => {
  it('starts a new set on the same leg after a rest', () => {
    const data = simulate({ scenario: 'screen-squat', durationS: 600, seed: 7, screen: protocol(3, 8) });
    const { reps, summary } = analyzeInOrder(data);
    expect(reps.map((r) => [r.side, r.set, r.rep])).toEqual(data.reps.map((r) => [r.side, r.set + 1, r.rep + 1]));
    expect(reps.map((r) => `${r.set}.${r.rep}`)).toEqual(['1.1', '1.2', '1.3', '2.1', '2.2', '2.3']);
    expect(summary.sets).toBe(2);
    expect(summary.reps).toEqual({ left: 6, right: 0 });
    expect(summary.right.depthDeg.median).toBeNull();
    expect(summary.leftMinusRight.depthDeg).toBeNull();
  });
});

describe('no reps without a screen, no strides in a screen', () => {
  it('finds no reps in running (after standing and walking off) or in a walk-run session', () => {
    for (const scenario of ['steady', 'return-to-run'] as const) {
      const data = simulate({ scenario, durationS: 70, seed: 4 });
      const { reps, summary } = analyzeInOrder(data);
      expect(reps, scenario).toEqual([]);
      expect(summary.reps).toEqual({ left: 0, right: 0 });
    }
  });

  it('finds no reps in a minute of standing still', () => {
    const data = simulate({ scenario: 'screen-squat', durationS: 600, seed: 5, screen: protocol(1, 10) });
    // The screen's first 5 s are quiet standing; repeat that standing (with its noise) for a minute.
    const standing = new Map<SensorId, Float64Array>();
    for (const [sensor, rows] of data.rows) {
      const n = rows.findIndex((_, i) => i % 7 === 0 && rows[i]! > data.session.startUs + 4.5e6) / 7;
      const out = new Float64Array(12 * n * 7);
      for (let k = 0; k < 12; k++) for (let i = 0; i < n; i++) {
        out.set(rows.subarray(i * 7, i * 7 + 7), (k * n + i) * 7);
        out[(k * n + i) * 7] = rows[i * 7]! + k * 4.5e6;
      }
      standing.set(sensor, out);
    }
    const { reps, summary } = analyzeInOrder({ ...data, rows: standing, reps: [] });
    expect(reps).toEqual([]);
    expect(summary.sensors.pelvis!.calibration).toBe('standing');
  });

  it("the running analyzer finds the walk-in's strides and none in the screen itself", () => {
    const { data } = sims.get('screen-squat/1')!;
    const analyzer = new SessionAnalyzer({}, { sensors: [...SENSORS] });
    const strides: StrideEvent[] = [];
    const keep = (events: readonly { kind: string }[]): void => {
      for (const e of events) if (e.kind === 'stride') strides.push(e as StrideEvent);
    };
    for (const [sensor, o] of timeOrder(data.rows)) keep(analyzer.pushRows(sensor, data.rows.get(sensor)!, o, 1));
    keep(analyzer.finish());
    const walk = data.session.screen!.plan.walkIn!;
    const us = (sec: number): number => data.session.startUs + sec * US_PER_S;
    // 10 steps: the walking contacts between the first and the last (measured 7 strides, contacts within ~1 ms).
    expect(strides.length).toBeGreaterThanOrEqual(5);
    for (const s of strides) expect(s.icUs >= us(walk.startS) && s.icUs <= us(walk.endS), `stride at ${(s.icUs - data.session.startUs) / 1e6} s`).toBe(true);
  });
});

/** A tiny seeded generator (LCG) so the interleavings are reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('streaming', () => {
  it('gives identical output for any chunking and interleaving of the sensors', () => {
    const { data, result } = sims.get('screen-step-down/3')!;
    const reference = JSON.stringify([...result.reps, result.summary]);
    for (const seed of [1, 2]) {
      const rnd = lcg(seed);
      const analyzer = new ScreenAnalyzer({}, { sensors: [...SENSORS] });
      const next = new Map<SensorId, number>(SENSORS.map((s) => [s, 0]));
      const out: Out[] = [];
      for (;;) {
        const live = SENSORS.filter((s) => next.get(s)! < data.rows.get(s)!.length);
        if (live.length === 0) break;
        // Any sensor whose next block starts within 1 s of the earliest (a relay's batching, sensors out of step).
        const earliest = Math.min(...live.map((s) => data.rows.get(s)![next.get(s)!]!));
        const ready = live.filter((s) => data.rows.get(s)![next.get(s)!]! <= earliest + 1e6);
        const sensor = ready[Math.floor(rnd() * ready.length)]!;
        const rows = data.rows.get(sensor)!;
        const o = next.get(sensor)!;
        const count = Math.min(1 + Math.floor(rnd() * (seed === 1 ? 40 : 400)), (rows.length - o) / 7);
        out.push(...analyzer.pushRows(sensor, rows, o, count));
        next.set(sensor, o + count * 7);
      }
      out.push(...analyzer.finish());
      expect(JSON.stringify(out)).toBe(reference);
    }
  });

  it('loses only the rep under way when a snapshot cuts into it', () => {
    const { data, result } = sims.get('screen-step-down/3')!;
    const cutUs = data.reps[5]!.bottomUs;
    const first = new ScreenAnalyzer({}, { sensors: [...SENSORS] });
    const out: Out[] = [];
    let second: ScreenAnalyzer | undefined;
    for (const [sensor, o] of timeOrder(data.rows)) {
      const rows = data.rows.get(sensor)!;
      if (second === undefined && rows[o]! >= cutUs) second = ScreenAnalyzer.restore(JSON.parse(JSON.stringify(first.snapshot())));
      out.push(...(second ?? first).pushRows(sensor, rows, o, 1));
    }
    out.push(...second!.finish());
    const reps = out.filter((e): e is RepEvent => e.kind === 'rep');
    // Rep 6 of set 1 is gone; the rest keep their sides, sets and angles (later reps of that set are numbered one lower).
    const expected = result.reps.filter((_, i) => i !== 5);
    expect(reps.map((r) => [r.side, r.set])).toEqual(expected.map((r) => [r.side, r.set]));
    for (const [i, rep] of reps.entries()) {
      expect(Math.abs(rep.pelvicDropDeg! - expected[i]!.pelvicDropDeg!), `rep ${i}`).toBeLessThan(0.3);
      expect(Math.abs(rep.depthDeg! - expected[i]!.depthDeg!), `rep ${i}`).toBeLessThan(0.3);
    }
  });

  it('holds bounded state: the same typed-array bytes half-way and at the end', () => {
    const { data } = sims.get('screen-squat/1')!;
    const analyzer = new ScreenAnalyzer({}, { sensors: [...SENSORS] });
    const order = timeOrder(data.rows);
    let halfBytes = 0;
    for (const [i, [sensor, o]] of order.entries()) {
      analyzer.pushRows(sensor, data.rows.get(sensor)!, o, 1);
      if (i === order.length >> 1) halfBytes = typedArrayFootprint(analyzer).bytes;
    }
    const endBytes = typedArrayFootprint(analyzer).bytes;
    expect(endBytes).toBe(halfBytes);
    // Measured 66 KB: 49 KB of it the input tracks' recent-sample rings (kept for the running analyzer's gap bridging).
    expect(endBytes).toBeLessThan(80_000);
  });

  it('reads a decoded frame like the same rows', () => {
    const { data } = sims.get('screen-squat/1')!;
    const byRows = new ScreenAnalyzer({}, { sensors: [...SENSORS] });
    const byFrames = new ScreenAnalyzer({}, { sensors: [...SENSORS] });
    const periodUs = 5000;
    const rowsOut: Out[] = [];
    const framesOut: Out[] = [];
    // Regular timestamps (a frame carries t0 and the period): rebuild each sensor's rows on that grid.
    const grid = new Map<SensorId, Float64Array>();
    for (const [sensor, rows] of data.rows) {
      const g = Float64Array.from(rows);
      for (let o = 0; o < g.length; o += 7) g[o] = rows[0]! + (o / 7) * periodUs;
      grid.set(sensor, g);
    }
    for (const [sensor, o] of timeOrder(grid)) {
      if (o % (15 * 7) !== 0) continue;
      const rows = grid.get(sensor)!;
      const count = Math.min(15, (rows.length - o) / 7);
      const samples = new Float64Array(count * 6);
      for (let i = 0; i < count; i++) samples.set(rows.subarray(o + i * 7 + 1, o + i * 7 + 7), i * 6);
      rowsOut.push(...byRows.pushRows(sensor, rows, o, count));
      framesOut.push(...byFrames.pushFrame(sensor, rows[o]!, periodUs, samples, count));
    }
    rowsOut.push(...byRows.finish());
    framesOut.push(...byFrames.finish());
    expect(rowsOut.filter((e) => e.kind === 'rep').length).toBe(data.reps.length);
    expect(JSON.stringify(framesOut)).toBe(JSON.stringify(rowsOut));
  });

  it('continues across a snapshot taken in the rest between sets, through JSON', () => {
    const { data, result } = sims.get('screen-squat/2')!;
    // After the first set: the leg held up in it has shown its shank's axis, which the second set (on that leg) needs.
    const set1 = data.session.screen!.plan.sets[0]!;
    const cutUs = data.session.startUs + (set1.endS + 10) * 1e6;
    const first = new ScreenAnalyzer({}, { sensors: [...SENSORS] });
    const out: Out[] = [];
    let second: ScreenAnalyzer | undefined;
    for (const [sensor, o] of timeOrder(data.rows)) {
      const rows = data.rows.get(sensor)!;
      if (second === undefined && rows[o]! >= cutUs) second = ScreenAnalyzer.restore(JSON.parse(JSON.stringify(first.snapshot())));
      out.push(...(second ?? first).pushRows(sensor, rows, o, 1));
    }
    out.push(...second!.finish());
    const reps = out.filter((e): e is RepEvent => e.kind === 'rep');
    expect(reps.map((r) => [r.side, r.set, r.rep])).toEqual(result.reps.map((r) => [r.side, r.set, r.rep]));
    for (const [i, rep] of reps.entries()) {
      // The edges may move by a sample or two (the rep detector restarts at the cut; the attitude goes on from its saved state).
      expect(Math.abs(rep.startUs - result.reps[i]!.startUs)).toBeLessThan(20_000);
      expect(Math.abs(rep.endUs - result.reps[i]!.endUs)).toBeLessThan(20_000);
      // After the cut the attitude goes on from its saved state (tilt, heading, learnt gyro bias, integral) and the yaw in use.
      expect(Math.abs(rep.pelvicDropDeg! - result.reps[i]!.pelvicDropDeg!)).toBeLessThan(0.3);
      expect(Math.abs(rep.shankFrontalDeg! - result.reps[i]!.shankFrontalDeg!)).toBeLessThan(0.3);
    }
    const summary = out.find((e): e is ScreenSummaryEvent => e.kind === 'summary')!;
    expect(summary.reps).toEqual(result.summary.reps);
    expect(summary.sensors.pelvis!.samples).toBe(result.summary.sensors.pelvis!.samples);
    expect(() => ScreenAnalyzer.restore({ kind: 'screen', version: 99 })).toThrow(TypeError);
    expect(() => ScreenAnalyzer.restore(null)).toThrow(TypeError);
    expect(() => ScreenAnalyzer.restore(new SessionAnalyzer().snapshot())).toThrow(/not a screen analyzer snapshot/);
  });
});

describe('bad parameters and bad input', () => {
  it('refuses bad parameters at construction, naming them', () => {
    expect(() => new ScreenAnalyzer({ repEnterDegs: 12 } as never)).toThrow(TypeError);
    expect(() => new ScreenAnalyzer({ repEnterDegs: 12 } as never)).toThrow(/unknown screen parameter repEnterDegs/);
    expect(() => new ScreenAnalyzer({ repExitDeg: 15 })).toThrow(/repExitDeg \(15\) must be below repEnterDeg \(12\)/);
    expect(() => new ScreenAnalyzer({ minRepS: 6 })).toThrow(RangeError);
    expect(() => new ScreenAnalyzer({ maxRepS: Number.NaN })).toThrow(/maxRepS must be a finite number > 0, got NaN/);
    expect(() => new ScreenAnalyzer({ pelvicDropLevelMaxDeg: -1 })).toThrow(RangeError);
    expect(() => new ScreenAnalyzer({ minAxisRatio: 1 })).toThrow(/minAxisRatio/);
    expect(() => new ScreenAnalyzer({ newSetAfterS: '5' as never })).toThrow(/must be a number/);
    expect(() => new ScreenAnalyzer({}, { pelvicDropLevelMaxDeg: 90 })).toThrow(/pelvicDropLevelMaxDeg must be degrees between 0 and 45, got 90/);
    expect(() => new ScreenAnalyzer({}, { sensors: ['pelvis', 'thigh' as SensorId] })).toThrow(/unknown sensor "thigh"/);
  });

  it("judges the verdict by the athlete's own threshold", () => {
    const { data, result } = sims.get('screen-squat/1')!;
    const strict = analyzeInOrder(data, new ScreenAnalyzer({}, { sensors: [...SENSORS], pelvicDropLevelMaxDeg: 2 }));
    expect(strict.reps.map((r) => r.pelvicDropDeg)).toEqual(result.reps.map((r) => r.pelvicDropDeg));
    for (const rep of strict.reps) expect(rep.pelvicDropVerdict).toBe(rep.pelvicDropDeg! > 2 ? 'dropping' : 'level');
    expect(strict.summary.dropping.left + strict.summary.dropping.right).toBeGreaterThan(result.summary.dropping.left + result.summary.dropping.right);
    expect(strict.summary.pelvicDropLevelMaxDeg).toBe(2);
  });

  it('describes what produced its numbers, with the athlete\'s threshold', () => {
    const described = new ScreenAnalyzer({ maxRepS: 6 }, { pelvicDropLevelMaxDeg: 4 }).describe();
    expect(described).toMatchObject({ package: '@gaitwatch/dsp', activity: 'screen', pelvicDropLevelMaxDeg: 4 });
    expect(described.parameters['screen.maxRepS']).toBe(6);
    expect(described.parameters['screen.pelvicDropLevelMaxDeg']).toBe(DEFAULT_SCREEN_PARAMS.pelvicDropLevelMaxDeg);
    expect(described.parameters['segments.attitude.kp']).toBeTypeOf('number');
    expect(new ScreenAnalyzer().describe().pelvicDropLevelMaxDeg).toBeUndefined();
  });

  it('ignores and counts an unknown sensor, drops invalid samples, survives a silent pelvis', () => {
    const { data, result } = sims.get('screen-step-down/6')!;
    const analyzer = new ScreenAnalyzer({}, { sensors: [...SENSORS] });
    const silentFromUs = data.reps[12]!.startUs - 2e6;
    const out: Out[] = [];
    for (const [sensor, o] of timeOrder(data.rows)) {
      const rows = data.rows.get(sensor)!;
      if (sensor === 'pelvis' && rows[o]! >= silentFromUs) continue;
      out.push(...analyzer.pushRows(sensor, rows, o, 1));
      if (o === 7000 && sensor === 'shank_left') {
        expect(analyzer.pushSample('thigh' as SensorId, rows[o]!, 0, 0, 9.8, 0, 0, 0)).toEqual([]);
        expect(analyzer.pushSample(sensor, rows[o]! + 1, Number.NaN, 0, 9.8, 0, 0, 0)).toEqual([]);
        expect(analyzer.pushSample(sensor, Number.POSITIVE_INFINITY, 0, 0, 9.8, 0, 0, 0)).toEqual([]);
      }
    }
    out.push(...analyzer.finish());
    const reps = out.filter((e): e is RepEvent => e.kind === 'rep');
    expect(reps).toHaveLength(result.reps.length);
    expect(reps.slice(0, 12).every((r) => r.pelvicDropDeg !== null)).toBe(true);
    for (const rep of reps.slice(12)) {
      expect(rep.pelvicDropDeg).toBeNull();
      expect(rep.pelvicDropVerdict).toBeNull();
      expect(rep.pelvicDropReason).toBe('sensor_silent');
      expect(rep.shankFrontalDeg).not.toBeNull();
    }
    const summary = out.find((e): e is ScreenSummaryEvent => e.kind === 'summary')!;
    expect(summary.unknownSensorPushes).toBe(1);
    expect(Object.values(summary.sensors).reduce((n, s) => n + s.invalid, 0)).toBe(2);
  });

  it('survives dropouts and a flat-lined pelvis: short gaps cost nothing, long ones say what they cost', () => {
    const { data, result } = sims.get('screen-squat/1')!;
    const t = (rep: number, frac: number): number => data.reps[rep]!.startUs + frac * (data.reps[rep]!.endUs - data.reps[rep]!.startUs);
    const set2StartUs = data.session.startUs + data.session.screen!.plan.sets[1]!.startS * 1e6;
    const standing3 = data.reps[3]!.side === 'left' ? 'shank_left' : 'shank_right';
    // 0.2 s lost on the standing shank mid-rep 3 (bridged); 3 s lost on the pelvis in the rest before set 2 and 1 s inside
    // rep 17 (long gaps: the attitude settles again, 3 s + 10 s); the pelvis flat-lined from rep 26 on.
    const lost = (sensor: SensorId, tUs: number): boolean =>
      (sensor === standing3 && tUs > t(3, 0.3) && tUs < t(3, 0.3) + 0.2e6) ||
      (sensor === 'pelvis' && ((tUs > set2StartUs - 8e6 && tUs < set2StartUs - 5e6) || (tUs > t(17, 0.3) && tUs < t(17, 0.3) + 1e6)));
    const flatFromUs = t(26, 0) - 1e6;
    const analyzer = new ScreenAnalyzer({}, { sensors: [...SENSORS] });
    const out: Out[] = [];
    const flat = new Float64Array(7);
    for (const [sensor, o] of timeOrder(data.rows)) {
      const rows = data.rows.get(sensor)!;
      if (lost(sensor, rows[o]!)) continue;
      if (sensor === 'pelvis' && rows[o]! >= flatFromUs) {
        if (flat[1] === 0) flat.set(rows.subarray(o, o + 7));
        flat[0] = rows[o]!;
        out.push(...analyzer.pushRows(sensor, flat, 0, 1));
      } else out.push(...analyzer.pushRows(sensor, rows, o, 1));
    }
    out.push(...analyzer.finish());
    const reps = out.filter((e): e is RepEvent => e.kind === 'rep');
    expect(reps.map((r) => [r.side, r.set, r.rep])).toEqual(result.reps.map((r) => [r.side, r.set, r.rep]));
    // The short shank gap is bridged: rep 3's knee and depth are measured.
    expect(Math.abs(reps[3]!.shankFrontalDeg! - result.reps[3]!.shankFrontalDeg!)).toBeLessThan(0.3);
    expect(Math.abs(reps[3]!.depthDeg! - result.reps[3]!.depthDeg!)).toBeLessThan(0.3);
    const why = (from: number, to: number): string[] => reps.slice(from, to).map((r) => r.pelvicDropReason ?? 'measured');
    expect(why(0, 8)).toEqual(Array(8).fill('measured'));
    // Set 2 starts 5 s after the first pelvis gap ended: its first reps fall in the 13 s of settling, its last are measured.
    expect(why(8, 9)).toEqual(['attitude_settling']);
    expect(why(14, 16)).toEqual(['measured', 'measured']);
    expect(why(16, 19)).toEqual(['measured', 'data_gap', 'attitude_settling']);
    // Flat-lined: its samples are dropped, the sensor reads as silent.
    expect(why(26, 32)).toEqual(Array(6).fill('sensor_silent'));
    const summary = out.find((e): e is ScreenSummaryEvent => e.kind === 'summary')!;
    expect(summary.sensors.pelvis!.gaps).toBe(2);
    expect(summary.sensors.pelvis!.flatSamples).toBeGreaterThan(1000);
  });

  it('takes up a sensor the start left out, as the running analysis does, and names it; an id outside the contract is counted', () => {
    // Before: a pelvis the start forgot was ignored, and every rep said no_sensor for its pelvic drop.
    const { data } = sims.get('screen-squat/1')!;
    const declared = analyzeInOrder(data);
    const forgot = analyzeInOrder(data, new ScreenAnalyzer({}, { sensors: ['shank_left', 'shank_right'] }));
    expect(forgot.reps.length).toBeGreaterThan(20);
    expect(forgot.reps).toEqual(declared.reps);
    expect(forgot.reps.filter((r) => r.pelvicDropDeg !== null).length).toBeGreaterThan(20);
    expect(forgot.summary.unannouncedSensors).toEqual(['pelvis']);
    expect(declared.summary.unannouncedSensors).toBeUndefined();
    const { unannouncedSensors: _u, ...rest } = forgot.summary;
    expect(rest).toEqual(declared.summary);
    const analyzer = new ScreenAnalyzer({}, { sensors: ['shank_left', 'shank_right'] });
    expect(analyzer.pushSample('thigh' as SensorId, 1_000_000, 0, 0, 9.8, 0, 0, 0)).toEqual([]);
    expect((analyzer.finish().at(-1) as ScreenSummaryEvent).unknownSensorPushes).toBe(1);
  });

  it('says no_sensor for pelvic drop when no pelvis is worn', () => {
    const { data } = sims.get('screen-squat/1')!;
    const shanks = new Map([...data.rows].filter(([s]) => s !== 'pelvis'));
    const { reps, summary } = analyzeInOrder({ ...data, rows: shanks });
    expect(reps).toHaveLength(data.reps.length);
    expect(reps.every((r) => r.pelvicDropDeg === null && r.pelvicDropReason === 'no_sensor' && r.depthDeg !== null)).toBe(true);
    expect(summary.left.pelvicDropDeg).toEqual({ median: null, iqr: null, n: 0 });
    expect(summary.leftMinusRight.pelvicDropDeg).toBeNull();
  });

  it('releases the last reps on advanceTo when every sensor stops', () => {
    const { data, result } = sims.get('screen-squat/1')!;
    const analyzer = new ScreenAnalyzer({}, { sensors: [...SENSORS] });
    const lastEndUs = data.reps.at(-1)!.endUs;
    let count = 0;
    for (const [sensor, o] of timeOrder(data.rows)) {
      const rows = data.rows.get(sensor)!;
      if (rows[o]! > lastEndUs) continue;
      count += analyzer.pushRows(sensor, rows, o, 1).length;
    }
    expect(count).toBe(result.reps.length - 1);
    expect(analyzer.advanceTo(lastEndUs + 20e6)).toHaveLength(1);
  });
});

describe('gaitwatch analyze on a screen', () => {
  const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-screen-'));
    const sim = spawnSync(process.execPath, [BIN, 'simulate', '--scenario', 'screen-step-down', '--out', dir, '--seed', '2'], { encoding: 'utf8' });
    expect(sim.status, sim.stderr).toBe(0);
    // The same recording without its meta file beside it.
    await copyFile(join(dir, 'screen-step-down-s2-r0.csv'), join(dir, 'bare.csv'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints rep lines and a screen summary for a recording whose meta says screen', async () => {
    const csv = join(dir, 'screen-step-down-s2-r0.csv');
    const truth = (await readFile(join(dir, 'screen-step-down-s2-r0.reps.csv'), 'utf8')).trim().split('\n').slice(1);
    const run = spawnSync(process.execPath, [BIN, 'analyze', csv], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; side?: string });
    const reps = lines.filter((l) => l.kind === 'rep');
    expect(reps).toHaveLength(truth.length);
    // Each line is the protocol's rep (what storage and the live topic take), plus its kind.
    for (const rep of reps) expect(RepMetricsSchema.safeParse(rep).success).toBe(true);
    expect(reps.map((r) => r.side)).toEqual(truth.map((t) => t.split(',')[2]));
    expect(lines.filter((l) => l.kind === 'stride')).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ kind: 'summary', activity: 'screen', parseErrors: 0, strides: { left: 0, right: 0 } });
    expect(await activityFromMeta(csv)).toBe('screen');
    // The pelvis clip's yaw found from the motion, against the simulator's (measured within 2.3° over 12 sessions).
    const meta = JSON.parse(await readFile(join(dir, 'screen-step-down-s2-r0.meta.json'), 'utf8')) as { sensors: Record<string, { mountYawDeg: number }> };
    const summary = lines.at(-1) as unknown as ScreenSummaryEvent;
    expect(summary.sensors.pelvis!.mountingYawDeg).not.toBeNull();
    expect(Math.abs(summary.sensors.pelvis!.mountingYawDeg! - meta.sensors.pelvis!.mountYawDeg)).toBeLessThan(3);
  });

  it('analyses it as a run without its meta file (no reps; strides only in the walk-in)', async () => {
    const bare = join(dir, 'bare.csv');
    expect(await activityFromMeta(bare)).toBeUndefined();
    const run = spawnSync(process.execPath, [BIN, 'analyze', bare], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; activity?: string; icUs?: number });
    expect(lines.filter((l) => l.kind === 'rep')).toEqual([]);
    const meta = JSON.parse(await readFile(join(dir, 'screen-step-down-s2-r0.meta.json'), 'utf8')) as { screen: { walkIn: { startUs: number; endUs: number } } };
    const { startUs, endUs } = meta.screen.walkIn;
    const strides = lines.filter((l) => l.kind === 'stride');
    expect(strides.length).toBeGreaterThan(0);
    for (const s of strides) expect(s.icUs! >= startUs && s.icUs! <= endUs).toBe(true);
    expect(lines.at(-1)!.activity).toBeUndefined();
  });

  it('analyses it as a screen when told so (--activity screen), meta file or not', async () => {
    const bare = join(dir, 'bare.csv');
    const run = spawnSync(process.execPath, [BIN, 'analyze', '--activity', 'screen', bare], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; activity?: string });
    expect(lines.filter((l) => l.kind === 'rep').length).toBeGreaterThan(20);
    expect(lines.at(-1)!.activity).toBe('screen');
    // And the other way: a screen's own meta file is overridden by --activity run.
    const asRun = spawnSync(process.execPath, [BIN, 'analyze', '--activity', 'run', join(dir, 'screen-step-down-s2-r0.csv')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(asRun.status, asRun.stderr).toBe(0);
    expect(asRun.stdout.split('\n').filter((l) => l.includes('"kind":"rep"'))).toEqual([]);
  });

  it('refuses an unknown --activity with a usage error and nothing on stdout', () => {
    const run = spawnSync(process.execPath, [BIN, 'analyze', '--activity', 'squat', join(dir, 'bare.csv')], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/--activity must be run or screen, got "squat"/);
  });

  it('parses the --activity flag', () => {
    expect(parseActivity(undefined)).toBeUndefined();
    expect(parseActivity('screen')).toBe('screen');
    expect(parseActivity(' Run ')).toBe('run');
    expect(() => parseActivity('squat')).toThrow(/--activity must be run or screen, got "squat"/);
  });
});
