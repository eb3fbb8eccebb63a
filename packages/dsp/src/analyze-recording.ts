import { RecordingParser, type RecordingErrorReason, type RecordingParserOptions, type RecordingRow, type RecordingRowError } from '@gaitwatch/protocol/core';
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
  // The overloads tie the callback's type to the activity; here it takes whatever the analyzer gives.
  const emit = onEvent as (event: AnalysisEvent | ScreenEvent) => void;
  const { activity = 'run', screenParams, pelvicDropLevelMaxDeg, ...runOptions } = options;
  if (activity !== 'run' && activity !== 'screen') throw new RangeError(`activity must be run or screen, got ${JSON.stringify(activity)}`);
  // Constructed before reading, so bad parameters fail before any event.
  const analyzer =
    activity === 'screen'
      ? new ScreenAnalyzer(screenParams, { ...runOptions, ...(pelvicDropLevelMaxDeg !== undefined ? { pelvicDropLevelMaxDeg } : {}) })
      : new SessionAnalyzer(params, runOptions);
  const parser = new RecordingParser(parserOptions);
  const onRow = ({ sensor, tUs, values }: RecordingRow): void => {
    for (const event of analyzer.pushSample(sensor, tUs, values[0], values[1], values[2], values[3], values[4], values[5])) emit(event);
  };
  for await (const chunk of chunks) parser.feed(chunk, onRow);
  parser.end(onRow);
  const byReason = Object.fromEntries(Object.entries(parser.errorCounts).filter(([, count]) => count > 0)) as RecordingAnalysis['parseErrorsByReason'];
  for (const event of analyzer.finish()) {
    if (event.kind !== 'summary') emit(event);
    else {
      const summary: (SummaryEvent | ScreenSummaryEvent) & { parseErrorsByReason?: RecordingAnalysis['parseErrorsByReason'] } = { ...event, parseErrors: parser.errorCount };
      if (parser.errorCount > 0) summary.parseErrorsByReason = byReason;
      emit(summary);
    }
  }
  const base = { rows: parser.rowCount, parseErrors: parser.errors, parseErrorCount: parser.errorCount, parseErrorsByReason: byReason };
  return analyzer instanceof ScreenAnalyzer ? { ...base, params: DEFAULT_PARAMS, screenParams: analyzer.params } : { ...base, params: analyzer.params };
}
