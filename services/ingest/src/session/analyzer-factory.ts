import {
  ScreenAnalyzer,
  SessionAnalyzer,
  type AnalysisDescription,
  type AnalysisEvent,
  type AnalyzerOptions,
  type AnalyzerParams,
  type DeepPartial,
  type RepEvent,
  type ScreenParams,
  type ScreenSummaryEvent,
  type SummaryEvent,
} from '@gaitwatch/dsp';
import type { SensorId } from '@gaitwatch/protocol';

export type { RepEvent };

/** What a hosted analyzer may emit: a run's strides, alerts and summary, or a screen's reps and summary. */
export type HostedEvent = AnalysisEvent | RepEvent | ScreenSummaryEvent;

/** The closing summary of either kind of session: a screen's says `activity: 'screen'` (reps, dropping, per-side stats). */
export type HostedSummary = SummaryEvent | ScreenSummaryEvent;

/** What kind of session the `start` status said it is (DESIGN.md): a run unless it said `screen`. */
export type SessionActivity = 'run' | 'screen';

/**
 * The options a live session makes its analyzer with: the running analyzer's
 * (sensors, ids, the athlete's `pelvicDropLimitDeg` for `pelvic_drop_high`)
 * plus a screen's verdict threshold. Each analyzer takes the ones that are
 * its own: a run ignores `pelvicDropLevelMaxDeg`, a screen `pelvicDropLimitDeg`.
 */
export interface HostedAnalyzerOptions extends AnalyzerOptions {
  /** This athlete's `level`/`dropping` threshold of a screen's reps, degrees (absent: dsp's default, screen-params.ts). */
  readonly pelvicDropLevelMaxDeg?: number;
}

/**
 * The part of an analyzer a live session drives (DESIGN.md "made to be hosted
 * by a long-running service"): SessionAnalyzer and ScreenAnalyzer both have it.
 */
export interface HostedAnalyzer {
  pushFrame(sensor: SensorId, t0Us: number, periodUs: number, samples: Float64Array, count?: number): readonly HostedEvent[];
  advanceTo(nowUs: number): readonly HostedEvent[];
  finish(): readonly HostedEvent[];
  snapshot(): unknown;
  describe(): AnalysisDescription;
}

/**
 * The analyzer for a session of this activity: a screen's reps come from
 * ScreenAnalyzer (`screenParams`, the athlete's `pelvicDropLevelMaxDeg`), a
 * run's strides and alerts from SessionAnalyzer (`params`).
 * @throws RangeError/TypeError for parameters or options the analyzer refuses
 */
export function createAnalyzer(activity: SessionActivity, params: DeepPartial<AnalyzerParams>, options: HostedAnalyzerOptions, screenParams: Partial<ScreenParams> = {}): HostedAnalyzer {
  const { pelvicDropLevelMaxDeg, pelvicDropLimitDeg, ...common } = options;
  switch (activity) {
    case 'screen':
      return new ScreenAnalyzer(screenParams, { ...common, ...(pelvicDropLevelMaxDeg !== undefined ? { pelvicDropLevelMaxDeg } : {}) });
    case 'run':
      return new SessionAnalyzer(params, { ...common, ...(pelvicDropLimitDeg !== undefined ? { pelvicDropLimitDeg } : {}) });
  }
}

/** True for what ScreenAnalyzer.snapshot() returns (`kind: 'screen'`); a SessionAnalyzer snapshot has no kind. */
function isScreenSnapshot(snapshot: unknown): boolean {
  return typeof snapshot === 'object' && snapshot !== null && (snapshot as { kind?: unknown }).kind === 'screen';
}

/**
 * An analyzer continued from its snapshot (a checkpoint), of the kind
 * createAnalyzer made for this activity: a snapshot is only ever restored by
 * the analyzer class that took it, so a run's snapshot never continues as a
 * screen nor a screen's as a run.
 * @throws TypeError when the snapshot is of the other kind (or not one the analyzer can restore): start the session afresh
 */
export function restoreAnalyzer(activity: SessionActivity, snapshot: unknown): HostedAnalyzer {
  const screen = isScreenSnapshot(snapshot);
  switch (activity) {
    case 'screen':
      if (!screen) throw new TypeError('checkpoint of a screen session holds no screen analyzer snapshot (kind "screen"), e.g. one written before screens had their own analyzer; start the session afresh');
      return ScreenAnalyzer.restore(snapshot);
    case 'run':
      if (screen) throw new TypeError('checkpoint of a run session holds a screen analyzer snapshot (kind "screen"); start the session afresh');
      return SessionAnalyzer.restore(snapshot);
  }
}

/** The pair a live session makes its analyzer with (SessionManagerOptions.analyzers; default: the two above). */
export interface AnalyzerFactory {
  readonly create: typeof createAnalyzer;
  readonly restore: typeof restoreAnalyzer;
}

export const DEFAULT_ANALYZERS: AnalyzerFactory = { create: createAnalyzer, restore: restoreAnalyzer };
