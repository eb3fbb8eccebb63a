import { SessionAnalyzer, type AnalysisDescription, type AnalysisEvent, type AnalyzerOptions, type AnalyzerParams, type DeepPartial } from '@gaitwatch/dsp';
import type { RepMetrics, SensorId } from '@gaitwatch/protocol';

/** A rep of a movement screen as the analysis emits it (DESIGN.md's `analyze` line `{"kind":"rep",…}`). */
export type RepEvent = { kind: 'rep' } & RepMetrics;

/** What a hosted analyzer may emit: a run's strides, alerts and summary, or a screen's reps. */
export type HostedEvent = AnalysisEvent | RepEvent;

/** What kind of session the `start` status said it is (DESIGN.md): a run unless it said `screen`. */
export type SessionActivity = 'run' | 'screen';

/**
 * The part of an analyzer a live session drives (DESIGN.md "made to be hosted
 * by a long-running service"). SessionAnalyzer has it; a screen analyzer with
 * the same hosting interface fits here too.
 */
export interface HostedAnalyzer {
  pushFrame(sensor: SensorId, t0Us: number, periodUs: number, samples: Float64Array, count?: number): readonly HostedEvent[];
  advanceTo(nowUs: number): readonly HostedEvent[];
  finish(): readonly HostedEvent[];
  snapshot(): unknown;
  describe(): AnalysisDescription;
}

/**
 * The analyzer for a session of this activity. Every session is analysed by
 * SessionAnalyzer today, screens included (their reps come once a screen
 * analyzer is plugged in here, chosen by `activity`); the rest of ingest
 * already stores and publishes whatever `rep` events it emits.
 */
export function createAnalyzer(_activity: SessionActivity, params: DeepPartial<AnalyzerParams>, options: AnalyzerOptions): HostedAnalyzer {
  return new SessionAnalyzer(params, options);
}

/**
 * An analyzer continued from its snapshot (a checkpoint), of the kind
 * createAnalyzer made for this activity: a snapshot is only ever restored by
 * the analyzer class that took it.
 */
export function restoreAnalyzer(_activity: SessionActivity, snapshot: unknown): HostedAnalyzer {
  return SessionAnalyzer.restore(snapshot);
}

/** The pair a live session makes its analyzer with (SessionManagerOptions.analyzers; default: the two above). */
export interface AnalyzerFactory {
  readonly create: typeof createAnalyzer;
  readonly restore: typeof restoreAnalyzer;
}

export const DEFAULT_ANALYZERS: AnalyzerFactory = { create: createAnalyzer, restore: restoreAnalyzer };
