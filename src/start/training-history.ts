/**
 * Multi-week training histories made by the runner simulator, cheaply: the
 * demo athlete of `gaitwatch start` who returns from injury (demo-history.ts)
 * and the return-to-run tests (test/coaching/seed.ts).
 *
 * The shortcut (stated, because it matters): running the full DSP over
 * dozens of 30-minute sessions would cost minutes of CPU. Only the load and
 * the onset matter across weeks, so each session here is built from the
 * simulator's own session plan and step model (`SimulatedSession`: the
 * runner's profile, the speed schedule, every stance with its side and
 * modelled pelvic drop) WITHOUT generating IMU samples or analysing them:
 *   - duration: the session plan's length;
 *   - stances: the simulated stances (left/right) — what the analysis counts;
 *   - GPS distance (the phone's `stop`): the speed schedule integrated over the run;
 *   - the `form_breakdown` alert: at the plan's fatigue onset plus
 *     ALERT_DELAY_S, the analyzer's detection delay on this model (measured
 *     by the real-DSP test in test/coaching/onset-pipeline.test.ts, which holds it to a
 *     bound), on the side whose hip the model tires more;
 *   - strides (optional): one per simulated stance (walk-in included, as the
 *     summary counts them) with the model's pelvic drop (for the
 *     peak-pelvic-drop trend).
 * What the DSP does with real samples is tested elsewhere (test/dsp); that a
 * real analyzer's alert turns into the right onset is tested in
 * test/coaching/onset-pipeline.test.ts.
 */
import type { AlertRecord, SessionRecord, StrideRecord, WriteBatch } from '@gaitwatch/storage';
import { SimulatedSession } from '@gaitwatch/runner-sim';

/** Seconds from the modelled fatigue onset to the analyzer's form_breakdown alert (measured 29–41 s on three simulated runners through the real analyzer, onset-pipeline.test.ts). */
export const ALERT_DELAY_S = 35;
const DAY_US = 86_400e6;

export interface BlockSpec {
  readonly athleteId: string;
  readonly seed: number;
  /** The block's first Monday, 07:00 in UTC, µs. */
  readonly firstMondayUs: number;
  /** Planned distance per week, metres; the week's runs share it equally. */
  readonly weeklyDistanceM: readonly number[];
  /** Runs a week (Tuesday, Thursday, Saturday …), default 3. */
  readonly runsPerWeek?: number;
  /** Fatigue onset of session k (0-based), metres into the run; null: the runner holds form all run. Default: never. */
  readonly onsetM?: (k: number) => number | null;
  /** Write one stride per simulated stance, as many as the summary counts (for pelvic-drop trends). */
  readonly strides?: boolean;
  /** The id of session k (0-based) starting at `startUs`; default `run-01`, `run-02` … */
  readonly sessionId?: (k: number, startUs: number) => string;
  /** Fields added to every session's summary (e.g. where the session came from). */
  readonly summary?: Readonly<Record<string, string>>;
}

export interface SimulatedBlock extends Required<Pick<WriteBatch, 'sessions' | 'alerts' | 'strides'>> {
  readonly sessions: SessionRecord[];
  readonly alerts: AlertRecord[];
  readonly strides: StrideRecord[];
  /** The simulated runner's easy pace, m/s, and which side tires more. */
  readonly speedMps: number;
}

/** Simulates the block: sessions (with summaries as ingest writes them), alerts and optionally strides. */
export function simulateBlock(spec: BlockSpec): SimulatedBlock {
  const runs = spec.runsPerWeek ?? 3;
  const sessions: SessionRecord[] = [];
  const alerts: AlertRecord[] = [];
  const strides: StrideRecord[] = [];
  let speedMps = 0;
  let k = 0;
  spec.weeklyDistanceM.forEach((weekM, w) => {
    for (let r = 0; r < runs; r++, k++) {
      const startUs = spec.firstMondayUs + (w * 7 + 1 + 2 * r) * DAY_US;
      // The same runner every session: the seed draws the profile (pace, cadence, baseline drop, the weaker hip).
      speedMps = speedMps || new SimulatedSession({ scenario: 'steady', durationS: 60, seed: spec.seed }).profile.speedMps;
      const runM = weekM / runs;
      // Standing 5 s, walking 4 s, then running at the profile's pace.
      const durationS = Math.round(9 + runM / speedMps);
      const onsetM = spec.onsetM?.(k) ?? null;
      const fatigueOnsetS = onsetM === null ? undefined : 9 + onsetM / speedMps;
      const sim = new SimulatedSession({
        scenario: fatigueOnsetS === undefined || fatigueOnsetS >= durationS ? 'steady' : 'itb-fatigue',
        durationS,
        seed: spec.seed,
        startUs,
        ...(fatigueOnsetS !== undefined && fatigueOnsetS < durationS ? { fatigueOnsetS } : {}),
      });
      const body = sim.body;
      const stances = body.steps.filter((s) => !s.virtual);
      const left = stances.filter((s) => s.side === 0).length;
      const sessionId = spec.sessionId?.(k, startUs) ?? `run-${String(k + 1).padStart(2, '0')}`;
      sessions.push({
        athleteId: spec.athleteId,
        sessionId,
        startUs,
        endUs: startUs + durationS * 1e6,
        summary: { ...spec.summary, strides: { left, right: stances.length - left }, cadenceSpmMedian: sim.profile.cadenceSpm, gpsDistanceM: body.speed.distanceAt(durationS), state: 'closed', endReason: 'stop' },
      });
      if (sim.plan.fatigueOnsetS !== undefined && sim.plan.fatigueOnsetS + ALERT_DELAY_S < durationS) {
        // The analyzer names the side whose series rose first: the hip the model tires more (the larger mean drop once tired).
        const tired = stances.filter((s) => s.mode === 'run' && s.icS > sim.plan.fatigueOnsetS! + ALERT_DELAY_S);
        const mean = (side: number): number => tired.filter((s) => s.side === side).reduce((a, s, _i, arr) => a + s.dropDeg / arr.length, 0);
        alerts.push({
          athleteId: spec.athleteId,
          sessionId,
          tUs: startUs + Math.round((sim.plan.fatigueOnsetS + ALERT_DELAY_S) * 1e6),
          type: 'form_breakdown',
          severity: 'warning',
          metric: 'pelvicDropDeg',
          value: sim.profile.baselineDropDeg + 1.5,
          baseline: sim.profile.baselineDropDeg,
          message: 'pelvic drop up on the fresh-legs baseline',
          phase: 'raised',
          side: mean(0) > mean(1) ? 'left' : 'right',
        });
      }
      if (spec.strides === true) {
        // Every stance the summary counts (the walk-in too, as the analysis stores it): the export and the summary agree.
        for (const s of stances) {
          const icUs = startUs + Math.round(s.icS * 1e6);
          strides.push({ athleteId: spec.athleteId, sessionId, side: s.side === 0 ? 'left' : 'right', icUs, toUs: icUs + Math.round(s.stanceS * 1e6), strideTimeS: 2 * s.stepS, gctS: s.stanceS, cadenceSpm: 60 / s.stepS, pelvicDropDeg: s.dropDeg, shankFrontalDeg: s.collapseDeg });
        }
      }
    }
  });
  return { sessions, alerts, strides, speedMps };
}
