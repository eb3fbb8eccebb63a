import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyzeRecording, type AnalysisEvent, type StrideEvent } from '@gaitwatch/dsp';
import { matchStances, mean } from '@gaitwatch/dsp/eval';
import { parseTruthCsv, type TruthRow } from '@gaitwatch/protocol';
import { describe, expect, it } from 'vitest';
import { isCi } from '../harness/index.ts';

// The Mobilise-D lab trials live beside the repository (../shared/data/real).
const REAL = fileURLToPath(new URL('../../../shared/data/real/', import.meta.url));
const present = existsSync(`${REAL}MS001-Test5-Trial1.csv`);
if (!present) {
  if (isCi()) throw new Error(`CI=true but the real recordings are missing at ${REAL}`);
  console.warn(`\n!!! SKIPPING real-recording checks: ${REAL} not found.\n`);
}

async function analyze(name: string): Promise<AnalysisEvent[]> {
  const events: AnalysisEvent[] = [];
  await analyzeRecording(createReadStream(`${REAL}${name}.csv`, { encoding: 'utf8' }) as AsyncIterable<string>, (e) => events.push(e));
  return events;
}

function referenceIcs(name: string): TruthRow[] {
  return parseTruthCsv(readFileSync(`${REAL}${name}.truth.csv`, 'utf8'));
}

describe.skipIf(!present)('real lab recordings (pelvis only, walking)', () => {
  it.each([
    ['HA001-Test5-Trial1', 'fallback'],
    ['HA001-Test5-Trial2', 'fallback'],
    ['MS001-Test5-Trial1', 'standing'],
    ['HA001-Test11-Trial1', 'standing'],
  ])('%s: pelvis-only mode, 100 Hz, calibration %s as its metadata says', async (name, calibration) => {
    const summary = (await analyze(name)).at(-1) as Extract<AnalysisEvent, { kind: 'summary' }>;
    expect(summary.mode).toBe('pelvis-only');
    expect(summary.sensors['pelvis']).toMatchObject({ rateHz: 100, calibration, gaps: 0, duplicates: 0 });
  });

  // Behaviour lock: the straight walks' contacts, side and timing, as measured in
  // ACCURACY.md. A change that loses a contact, flips a side or shifts timing fails here.
  it.each(['HA001-Test5-Trial1', 'HA001-Test5-Trial2', 'MS001-Test5-Trial1'])('%s: finds every reference contact on the right side within 250 ms', async (name) => {
    const strides = (await analyze(name)).filter((e) => e.kind === 'stride');
    const reference = referenceIcs(name);
    for (const ref of reference) {
      const hit = strides.find((s) => Math.abs(s.icUs - ref.icUs) <= 250_000);
      expect(hit, `contact at ${ref.icUs}`).toBeDefined();
      expect(hit!.side).toBe(ref.side);
      expect(hit!.toUs).toBeNull();
    }
  });

  // Behaviour lock for the daily-activities trial (turns, starts, stops), scored as
  // ACCURACY.md scores it: inside the reference's walking bouts, ±250 ms. Measured
  // 0.966 / 0.949 / 0.862; the target is recall ≥ 0.95.
  it('HA001-Test11-Trial1: finds ≥ 95 % of the reference contacts inside its walking bouts, few extra, most sides right', async () => {
    const name = 'HA001-Test11-Trial1';
    const bouts = (JSON.parse(readFileSync(`${REAL}${name}.meta.json`, 'utf8')) as { referenceWalkingBouts: { startUs: number; endUs: number }[] }).referenceWalkingBouts;
    const inBout = (tUs: number): boolean => bouts.some((b) => tUs >= b.startUs - 250_000 && tUs <= b.endUs + 250_000);
    const strides = (await analyze(name)).filter((e) => e.kind === 'stride' && inBout(e.icUs)) as Extract<AnalysisEvent, { kind: 'stride' }>[];
    const reference = referenceIcs(name);
    const used = new Set<number>();
    let sideRight = 0;
    for (const ref of reference) {
      // The nearest unused detection within 250 ms, either side.
      let best = -1;
      strides.forEach((s, i) => {
        if (!used.has(i) && Math.abs(s.icUs - ref.icUs) <= 250_000 && (best < 0 || Math.abs(s.icUs - ref.icUs) < Math.abs(strides[best]!.icUs - ref.icUs))) best = i;
      });
      if (best < 0) continue;
      used.add(best);
      if (strides[best]!.side === ref.side) sideRight++;
    }
    expect(used.size / reference.length).toBeGreaterThanOrEqual(0.95);
    expect(used.size / strides.length).toBeGreaterThanOrEqual(0.93);
    expect(sideRight / reference.length).toBeGreaterThanOrEqual(0.85);
  });

  it('measures a plausible walking pelvic drop, vertical oscillation and braking (a sign or axis mistake lands far outside)', async () => {
    // Walking pelvic drop is a few degrees with the swing-side hip below neutral (positive); the sacrum
    // rises and falls 3–5 cm per step. Trials without quiet standing give no angles for their first
    // settleS + convergeS seconds, so the pooled trials are judged.
    const strides = (await Promise.all(['HA001-Test5-Trial1', 'HA001-Test5-Trial2', 'MS001-Test5-Trial1', 'HA001-Test11-Trial1'].map(analyze))).flat().filter((e) => e.kind === 'stride');
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    const drops = strides.map((s) => s.pelvicDropDeg).filter((d): d is number => d !== null);
    expect(drops.length).toBeGreaterThan(30);
    expect(median(drops)).toBeGreaterThan(0);
    expect(median(drops)).toBeLessThan(6);
    const vo = strides.map((s) => s.verticalOscillationCm).filter((d): d is number => typeof d === 'number');
    expect(vo.length).toBeGreaterThan(30);
    expect(median(vo)).toBeGreaterThan(2);
    expect(median(vo)).toBeLessThan(7);
    // Walking: the trunk's forward speed swings by a few tenths of a m/s each step.
    const braking = strides.map((s) => s.brakingMps).filter((d): d is number => typeof d === 'number');
    expect(braking.length).toBeGreaterThan(30);
    expect(median(braking)).toBeGreaterThan(0.05);
    expect(median(braking)).toBeLessThan(0.5);
  });
});

// Real treadmill running (../shared/data/real-running: virtual IMUs from motion
// capture, events from the force plate — rbds001 — or the foot markers —
// rbds032). Locks the shank events' timing on REAL motion, scored as `pnpm eval`
// scores it (detections inside the reference's span, ±100 ms, biases are
// medians of detected − truth). Measured (2026-12-04, toe-off = onset of the
// early-swing backward rotation, contact = onset of the axial acceleration's
// rise to the impact, packages/dsp/README.md):
//   rbds001: recall 1.000, precision 1.000, IC +6.6 ms, TO −2.0 ms, GCT −7.8 ms
//   rbds032: recall 1.000, precision 1.000, IC +5.3 ms, TO −14.3 ms, GCT −21.1 ms
// The IC, TO and GCT windows are ±5 ms around what is measured so that a
// contact or toe-off moved by 8 ms either way fails (it was checked: shifting
// TO by +8 ms fails both recordings' TO windows). Before these rules TO was
// +95 / +77 ms late, and IC (the impact itself) +10.5 / +33.0 ms.
const RUNNING = fileURLToPath(new URL('../../../shared/data/real-running/', import.meta.url));
const runningPresent = existsSync(`${RUNNING}fukuchi-rbds001-t25.csv`);
if (!runningPresent) {
  if (isCi()) throw new Error(`CI=true but the real running recordings are missing at ${RUNNING}`);
  console.warn(`\n!!! SKIPPING real-running checks: ${RUNNING} not found.\n`);
}

describe.skipIf(!runningPresent)('real running (virtual IMUs from motion capture, full set-up)', () => {
  const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  it.each([
    // name, IC bias window ms, TO bias window ms, GCT bias window ms, pelvic drop MAE ≤ °, its mean error window °, knee proxy mean error window °, its largest |error| ≤ °
    ['fukuchi-rbds001-t25', [1.5, 11.5], [-7, 3], [-13, -3], 0.4, [-0.3, 0.1], [-1.0, -0.35], 2.5],
    ['fukuchi-rbds032-t25', [0.5, 10.5], [-19.5, -9.5], [-26, -16], 0.8, [0.1, 0.5], [-1.15, -0.5], 4],
  ] as const)('%s: finds the stances, times contact, toe-off and contact time, and measures pelvic drop and the knee proxy as measured', async (name, icWindow, toWindow, gctWindow, dropMaeMaxDeg, dropBiasWindow, kneeBiasWindow, kneeMaxDeg) => {
    const events: AnalysisEvent[] = [];
    await analyzeRecording(createReadStream(`${RUNNING}${name}.csv`, { encoding: 'utf8' }) as AsyncIterable<string>, (e) => events.push(e));
    const truth = parseTruthCsv(readFileSync(`${RUNNING}${name}.truth.csv`, 'utf8'));
    const firstUs = Math.min(...truth.map((t) => t.icUs)) - 100_000;
    const lastUs = Math.max(...truth.map((t) => t.icUs)) + 100_000;
    const strides = events.filter((e): e is StrideEvent => e.kind === 'stride' && e.icUs >= firstUs && e.icUs <= lastUs);
    const m = matchStances(truth, strides);
    expect(m.matched / m.truth).toBeGreaterThanOrEqual(0.98);
    expect(m.matched / m.detected).toBeGreaterThanOrEqual(0.98);
    expect(m.toErrorsMs.length).toBeGreaterThanOrEqual(m.matched - 2);
    const icBias = median(m.icErrorsMs);
    expect(icBias).toBeGreaterThanOrEqual(icWindow[0]);
    expect(icBias).toBeLessThanOrEqual(icWindow[1]);
    // Issue 15's target, contact time's median |error| ≤ 20 ms: met on the force plate's recording (7.9 ms);
    // on the foot markers' one 21.9 ms, of which 14 ms is toe-off against the metatarsals rising (checked above).
    expect(median(m.gctErrorsMs.map(Math.abs))).toBeLessThanOrEqual(name.includes('rbds001') ? 20 : 25);
    const toBias = median(m.toErrorsMs);
    expect(toBias).toBeGreaterThanOrEqual(toWindow[0]);
    expect(toBias).toBeLessThanOrEqual(toWindow[1]);
    const gctBias = median(m.gctErrorsMs);
    expect(gctBias).toBeGreaterThanOrEqual(gctWindow[0]);
    expect(gctBias).toBeLessThanOrEqual(gctWindow[1]);
    // The knee proxy (measured 2026-12-04: mean error −0.68° / −0.82°, MAE 0.70° / 0.89°; issue 15's target
    // MAE ≤ 1°). Its stance window ends at toe-off: with the late toe-off it read +2.5–2.7° (early swing's
    // tilt). Its first strides read +3–6° while the shank's own axis stood in for its swing axis: they are
    // withheld now (mounting_unknown), which showed the steady −0.7° the outliers had hidden in the mean.
    expect(mean(m.shankErrorsDeg)).toBeGreaterThanOrEqual(kneeBiasWindow[0]);
    expect(mean(m.shankErrorsDeg)).toBeLessThanOrEqual(kneeBiasWindow[1]);
    expect(mean(m.shankErrorsDeg.map(Math.abs))).toBeLessThanOrEqual(1);
    // Measured largest |error| 1.57° / 2.76°; published before the swing axis was known, rbds001's first strides read 5.9°.
    expect(Math.max(...m.shankErrorsDeg.map(Math.abs))).toBeLessThanOrEqual(kneeMaxDeg);
    // Pelvic drop (measured 2026-12-04: MAE 0.17° / 0.37°). rbds032 read 1.20° while the pelvis's mounting
    // yaw came from the raw horizontal acceleration: its sway is not at right angles to its braking, and the
    // 5–6° yaw error leaked the running's extra anterior tilt into obliquity (packages/dsp/ACCURACY.md).
    expect(mean(m.dropErrorsDeg.map(Math.abs))).toBeLessThanOrEqual(dropMaeMaxDeg);
    // Its mean error (measured 2026-12-04: −0.11° / +0.28°), ±0.2°: a bias of 0.4° on every drop passed the MAE bound alone.
    expect(mean(m.dropErrorsDeg)).toBeGreaterThanOrEqual(dropBiasWindow[0]);
    expect(mean(m.dropErrorsDeg)).toBeLessThanOrEqual(dropBiasWindow[1]);
    // Both angles are withheld (mounting_unknown) only until their sensor's mounting yaw is known from the
    // running: the pelvis's step, then axisMinS of motion (measured: 5.4–6.2 s of running); every later stance has them.
    for (const [value, reason] of [['pelvicDropDeg', 'pelvicDropReason'], ['shankFrontalDeg', 'shankFrontalReason']] as const) {
      const first = strides.findIndex((s) => s[value] !== null);
      expect(strides.slice(0, first).map((s) => s[reason])).toEqual(strides.slice(0, first).map(() => 'mounting_unknown'));
      expect((strides[first]!.icUs - firstUs) / 1e6).toBeLessThan(7);
      expect(strides.slice(first).filter((s) => s[value] === null).length).toBeLessThanOrEqual(1);
    }
    // The summary says how long each sensor's angles waited, from its first movement (the 1 s cross-fade into
    // running included): measured 6.2–6.5 s for the pelvis, 3.7–4.3 s for the shanks.
    const sensors = (events.at(-1) as Extract<AnalysisEvent, { kind: 'summary' }>).sensors;
    expect(sensors['pelvis']!.mountingWaitS).toBeGreaterThan(5);
    expect(sensors['pelvis']!.mountingWaitS).toBeLessThan(8);
    for (const shank of ['shank_left', 'shank_right']) {
      expect(sensors[shank]!.mountingWaitS).toBeGreaterThan(3);
      expect(sensors[shank]!.mountingWaitS).toBeLessThan(5.5);
    }
  });
});

// The same running with the pelvis alone (the Lumo Run set-up). Its side comes from the pelvis's turn at
// contact, whose sense differs between walking and running (a runner's other leg is already swinging:
// packages/dsp/src/events/pelvis-events.ts); with the walking sense every running side came out wrong
// (0.000 / 0.056 right, pelvic drop then read for the other leg). Measured 2026-12-04: sides right
// 1.000 / 0.944, pelvic drop MAE 0.16° / 0.39°; contact after a flight = the onset of the landing's rise:
// IC bias −3.0 / +7.6 ms (the steepest rise itself read +45.2 / +44.1 ms); the window is ±5 ms around it.
describe.skipIf(!runningPresent)('real running, pelvis only', () => {
  const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  it.each([
    // name, share of sides right ≥, pelvic drop MAE ≤ °, IC bias window ms
    ['fukuchi-rbds001-t25', 0.95, 0.35, [-8, 2]],
    ['fukuchi-rbds032-t25', 0.9, 0.8, [2.5, 12.5]],
  ] as const)('%s: finds the stances on their own side, times their landing and measures their pelvic drop', async (name, sidesRightMin, dropMaeMaxDeg, icWindow) => {
    const lines = readFileSync(`${RUNNING}${name}.csv`, 'utf8').split('\n');
    const pelvisOnly = [lines[0], ...lines.slice(1).filter((l) => l.includes(',pelvis,'))].join('\n');
    const events: AnalysisEvent[] = [];
    await analyzeRecording((async function* () { yield pelvisOnly; })(), (e) => events.push(e));
    expect((events.at(-1) as Extract<AnalysisEvent, { kind: 'summary' }>).mode).toBe('pelvis-only');
    const truth = parseTruthCsv(readFileSync(`${RUNNING}${name}.truth.csv`, 'utf8'));
    const firstUs = Math.min(...truth.map((t) => t.icUs)) - 100_000;
    const lastUs = Math.max(...truth.map((t) => t.icUs)) + 100_000;
    const strides = events.filter((e): e is StrideEvent => e.kind === 'stride' && e.icUs >= firstUs && e.icUs <= lastUs);
    const anySide = matchStances(truth.map((t) => ({ ...t, side: 'left' as const })), strides.map((s) => ({ ...s, side: 'left' as const })));
    const sided = matchStances(truth, strides);
    expect(anySide.matched / anySide.truth).toBeGreaterThanOrEqual(0.98);
    expect(anySide.matched / anySide.detected).toBeGreaterThanOrEqual(0.98);
    expect(sided.matched / anySide.matched).toBeGreaterThanOrEqual(sidesRightMin);
    expect(mean(sided.dropErrorsDeg.map(Math.abs))).toBeLessThanOrEqual(dropMaeMaxDeg);
    const icBias = median(anySide.icErrorsMs);
    expect(icBias).toBeGreaterThanOrEqual(icWindow[0]);
    expect(icBias).toBeLessThanOrEqual(icWindow[1]);
  });
});
