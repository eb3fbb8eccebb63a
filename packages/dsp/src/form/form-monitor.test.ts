import type { Alert, Side, StrideMetrics } from '@gaitwatch/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../params.ts';
import { FormMonitor } from './form-monitor.ts';
import { SeriesMonitor } from './series-monitor.ts';

const params = DEFAULT_PARAMS.form;

/** Deterministic Gaussian noise (Box–Muller on a small LCG): the same "runner" every run. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

interface Runner {
  /** Extra pelvic drop at time t (s), per side. */
  drop?: (tS: number, side: Side) => number;
  cadence?: (tS: number) => number;
  walking?: (tS: number) => boolean;
}

/** Strides of a synthetic runner: 170 spm, CPD 5° ± 0.6, shank 2° ± 0.5, GCT 0.24 s ± 3 %. */
function run(monitor: FormMonitor, durationS: number, runner: Runner = {}, seed = 1): Alert[] {
  const n = noise(seed);
  const alerts: Alert[] = [];
  const stepS = 60 / 170;
  for (let k = 0, tS = 0; tS < durationS; k++, tS = k * stepS) {
    const side: Side = k % 2 === 0 ? 'left' : 'right';
    const walking = runner.walking?.(tS) ?? false;
    const cadence = (runner.cadence?.(tS) ?? 170) * (1 + 0.01 * n());
    const strideTimeS = 120 / cadence;
    const stride: StrideMetrics = {
      side,
      icUs: 1_700_000_000_000_000 + Math.round(tS * 1e6),
      toUs: null,
      strideTimeS,
      gctS: (walking ? 0.62 : 0.34) * strideTimeS * (1 + 0.03 * n()),
      cadenceSpm: cadence,
      pelvicDropDeg: 5 + (runner.drop?.(tS, side) ?? 0) + 0.6 * n(),
      shankFrontalDeg: 2 + 0.5 * n(),
    };
    alerts.push(...monitor.push(stride));
  }
  return alerts;
}

const monitor = (limit = 9): FormMonitor => new FormMonitor(params, { athleteId: 'a1', sessionId: 's1', pelvicDropLimitDeg: limit });
const raised = (alerts: Alert[], type = 'form_breakdown'): Alert[] => alerts.filter((a) => a.type === type && a.phase === 'raised');

describe('FormMonitor', () => {
  it('stays quiet through ten hours of a fresh runner’s stride-to-stride variability', () => {
    for (let seed = 1; seed <= 10; seed++) expect(run(monitor(), 3600, {}, seed).map((a) => a.message)).toEqual([]);
  });

  it('raises one form_breakdown for a sustained rise in pelvic drop, resolves it once, and keeps the cooldown', () => {
    // Left hip fatigues at 300 s (+2.5° over ~40 s), recovers at 600 s, fatigues again at 640 s (inside the cooldown).
    const drop = (t: number, side: Side): number => (side !== 'left' ? 0 : t >= 300 && t < 600 ? 2.5 * Math.min(1, (t - 300) / 40) : t >= 640 ? 2.5 : 0);
    const alerts = run(monitor(), 900, { drop });
    const up = raised(alerts);
    const down = alerts.filter((a) => a.type === 'form_breakdown' && a.phase === 'resolved');
    expect(up.length).toBe(2);
    expect(down.length).toBe(1);
    const [first, second] = up;
    expect(first).toMatchObject({ metric: 'pelvicDropDeg', side: 'left', severity: 'warning', athleteId: 'a1', sessionId: 's1' });
    const t0 = 1_700_000_000_000_000;
    expect((first!.tUs - t0) / 1e6 - 300).toBeLessThan(60);
    expect(first!.value! - first!.baseline!).toBeGreaterThan(1);
    expect(first!.message).toMatch(/left pelvic drop .* fresh-legs/);
    expect(down[0]!.episodeId).toBe(first!.episodeId);
    // The relapse at 640 s waits for the cooldown (cooldownS after the resolve).
    expect(second!.tUs - down[0]!.tUs).toBeGreaterThanOrEqual(params.cooldownS * 1e6);
  });

  it('flags a cadence that sags by more than the floor, as a fall (not a rise)', () => {
    const alerts = run(monitor(), 600, { cadence: (t) => (t > 300 ? 160 : 170) });
    const up = raised(alerts);
    expect(up.map((a) => a.metric)).toEqual(['cadenceSpm']);
    expect(up[0]!.value!).toBeLessThan(up[0]!.baseline!);
  });

  it('holds running pelvic drop against the athlete’s absolute limit, with hysteresis', () => {
    const alerts = run(monitor(7.5), 600, { drop: (t) => (t > 100 && t < 400 ? 3.5 : 0) });
    const up = raised(alerts, 'pelvic_drop_high');
    expect(up.length).toBe(1);
    expect(up[0]!.baseline).toBe(7.5);
    expect(alerts.filter((a) => a.type === 'pelvic_drop_high' && a.phase === 'resolved').length).toBe(1);
    // A higher personal limit: nothing.
    expect(raised(run(monitor(10), 600, { drop: (t) => (t > 100 && t < 400 ? 3.5 : 0) }), 'pelvic_drop_high')).toEqual([]);
  });

  it('keeps walking and running baselines apart: a walk break is not a form change', () => {
    // Walk-run intervals: walking drop is 3° higher, yet no form_breakdown either way.
    const walking = (t: number): boolean => Math.floor(t / 150) % 2 === 1;
    const alerts = run(monitor(), 1800, { walking, drop: (t) => (walking(t) ? 3 : 0) });
    expect(raised(alerts)).toEqual([]);
  });
});

describe('SeriesMonitor', () => {
  it('uses a rolling median: a few wild stances do not raise', () => {
    const m = new SeriesMonitor({ windowStances: 20, confirmStances: 5 });
    m.setLevels(6, 5.5, 1);
    const changes = [];
    for (let i = 0; i < 200; i++) changes.push(m.push(i % 10 < 3 ? 30 : 5));
    expect(changes.filter((c) => c !== null)).toEqual([]);
  });
});
