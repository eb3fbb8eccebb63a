import { RecordingParser, type RecordingErrorReason, type RecordingParserOptions, type RecordingRow, type RecordingRowError, type SensorId } from '@gaitwatch/protocol/core';
import { SessionAnalyzer } from './analyzer.ts';
import type { AnalysisEvent, SummaryEvent } from './analysis-events.ts';
import { DEFAULT_PARAMS, type AnalyzerParams } from './params.ts';
import { ScreenAnalyzer, type ScreenAnalyzerOptions } from './screen/screen-analyzer.ts';
import type { ScreenEvent, ScreenSummaryEvent } from './screen/screen-events.ts';
import type { ScreenParams } from './screen/screen-params.ts';

/** What a recording is of: `run` (running or walking: strides) or `screen` (a movement screen: reps). */
export type Activity = 'run' | 'screen';

/** Options of a recording's analysis: the analyzer's, the activity, and for a screen its own parameters and threshold. */
export interface RecordingOptions extends ScreenAnalyzerOptions, ConstructorParamsOptions {
  /** Default `run`. */
  readonly activity?: Activity;
  /** A screen's parameters (screen/screen-params.ts); `params` are the running analyzer's. */
  readonly screenParams?: Partial<ScreenParams>;
}
type ConstructorParamsOptions = NonNullable<ConstructorParameters<typeof SessionAnalyzer>[1]>;

export interface RecordingAnalysis {
  /** Valid rows read. */
  readonly rows: number;
  /** The first few bad lines, with line number and reason (the parser keeps at most `keepErrors`). */
  readonly parseErrors: readonly RecordingRowError[];
  /** Bad lines in all. */
  readonly parseErrorCount: number;
  /** Bad lines per reason, only the reasons that occurred. */
  readonly parseErrorsByReason: Partial<Record<RecordingErrorReason, number>>;
  readonly params: AnalyzerParams;
  /** A screen's parameters, when the recording was analysed as one. */
  readonly screenParams?: ScreenParams;
}

/**
 * Runs a recording (as text chunks, e.g. a file stream) through a session
 * analyzer, calling `onEvent` for every stride and finally the summary, which
 * carries `parseErrors` (bad lines in all) and, when there were any,
 * `parseErrorsByReason`. No I/O of its own: the caller opens the file. Memory
 * stays bounded whatever the input (see RecordingParser). Throws the parser's
 * RecordingFormatError, before any event, when the input is empty or its first
 * line is not the recording header.
 */
export async function analyzeRecording(
  chunks: AsyncIterable<string> | Iterable<string>,
  onEvent: (event: AnalysisEvent) => void,
  params?: ConstructorParameters<typeof SessionAnalyzer>[0],
  options?: ConstructorParamsOptions & { readonly activity?: 'run' },
  parserOptions?: RecordingParserOptions,
): Promise<RecordingAnalysis>;
/** With `options.activity: 'screen'` the recording is a movement screen: reps and a screen summary (ScreenAnalyzer). */
export async function analyzeRecording(
  chunks: AsyncIterable<string> | Iterable<string>,
  onEvent: (event: AnalysisEvent | ScreenEvent) => void,
  params?: ConstructorParameters<typeof SessionAnalyzer>[0],
  options?: RecordingOptions,
  parserOptions?: RecordingParserOptions,
): Promise<RecordingAnalysis>;
export async function analyzeRecording(
  chunks: AsyncIterable<string> | Iterable<string>,
  onEvent: (event: never) => void,
  params: ConstructorParameters<typeof SessionAnalyzer>[0] = {},
  options: RecordingOptions = {},
  parserOptions: RecordingParserOptions = {},
): Promise<RecordingAnalysis> {
  // Constructed before reading, so bad parameters fail before any event.
  const sink = recordingSink(onEvent as (event: AnalysisEvent | ScreenEvent) => void, params, options);
  return parseRecordingInto(chunks, sink, parserOptions);
}

/**
 * Parses a recording's text into `sink` and finishes it with the parse's
 * counts: analyzeRecording's loop, for a caller with a sink of its own (the
 * CLI wraps one to check the rows' time order on the way).
 */
export async function parseRecordingInto(chunks: AsyncIterable<string> | Iterable<string>, sink: RecordingSink, parserOptions: RecordingParserOptions = {}): Promise<RecordingAnalysis> {
  const parser = new RecordingParser(parserOptions);
  const onRow = ({ sensor, tUs, values }: RecordingRow): void => sink.pushSample(sensor, tUs, values);
  for await (const chunk of chunks) parser.feed(chunk, onRow);
  parser.end(onRow);
  return sink.finish({ rows: parser.rowCount, errorCount: parser.errorCount, errorCounts: parser.errorCounts, errors: parser.errors });
}

/** What the parse of a recording counted: the summary and RecordingAnalysis report it. */
export interface ParseCounts {
  readonly rows: number;
  readonly errorCount: number;
  readonly errorCounts: Readonly<Record<RecordingErrorReason, number>>;
  /** The first few bad lines. */
  readonly errors: readonly RecordingRowError[];
}

/** The analysis half of analyzeRecording, fed rows parsed elsewhere (the CLI parses in a worker thread). */
export interface RecordingSink {
  pushSample(sensor: SensorId, tUs: number, values: ArrayLike<number>): void;
  /** `count` rows of one sensor from `buf` at `offset` (values), each t, ax, ay, az, gx, gy, gz. */
  pushRows(sensor: SensorId, buf: Float64Array, offset: number, count: number): void;
  /** The closing events (the summary with the parse's counts); what analyzeRecording returns. */
  finish(parse: ParseCounts): RecordingAnalysis;
}

/**
 * The analyzer a recording of `options.activity` needs, wrapped so that rows
 * go in and every event goes to `onEvent`, as analyzeRecording does. Throws
 * on bad parameters or an unknown activity, before any event.
 */
export function recordingSink(onEvent: (event: AnalysisEvent | ScreenEvent) => void, params: ConstructorParameters<typeof SessionAnalyzer>[0] = {}, options: RecordingOptions = {}): RecordingSink {
  const { activity = 'run', screenParams, pelvicDropLevelMaxDeg, ...runOptions } = options;
  if (activity !== 'run' && activity !== 'screen') throw new RangeError(`activity must be run or screen, got ${JSON.stringify(activity)}`);
  const analyzer =
    activity === 'screen'
      ? new ScreenAnalyzer(screenParams, { ...runOptions, ...(pelvicDropLevelMaxDeg !== undefined ? { pelvicDropLevelMaxDeg } : {}) })
      : new SessionAnalyzer(params, runOptions);
  const emitAll = (events: readonly (AnalysisEvent | ScreenEvent)[]): void => {
    for (let i = 0; i < events.length; i++) onEvent(events[i]!);
  };
  return {
    pushSample: (sensor, tUs, v) => emitAll(analyzer.pushSample(sensor, tUs, v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!)),
    pushRows: (sensor, buf, offset, count) => emitAll(analyzer.pushRows(sensor, buf, offset, count)),
    finish(parse) {
      const byReason = Object.fromEntries(Object.entries(parse.errorCounts).filter(([, count]) => count > 0)) as RecordingAnalysis['parseErrorsByReason'];
      for (const event of analyzer.finish()) {
        if (event.kind !== 'summary') onEvent(event);
        else {
          const summary: (SummaryEvent | ScreenSummaryEvent) & { parseErrorsByReason?: RecordingAnalysis['parseErrorsByReason'] } = { ...event, parseErrors: parse.errorCount };
          if (parse.errorCount > 0) summary.parseErrorsByReason = byReason;
          onEvent(summary);
        }
      }
      const base = { rows: parse.rows, parseErrors: parse.errors, parseErrorCount: parse.errorCount, parseErrorsByReason: byReason };
      return analyzer instanceof ScreenAnalyzer ? { ...base, params: DEFAULT_PARAMS, screenParams: analyzer.params } : { ...base, params: analyzer.params };
    },
  };
}
