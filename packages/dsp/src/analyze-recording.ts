import { RecordingParser, type RecordingErrorReason, type RecordingParserOptions, type RecordingRow, type RecordingRowError } from '@gaitwatch/protocol';
import { SessionAnalyzer } from './analyzer.ts';
import type { AnalysisEvent, SummaryEvent } from './analysis-events.ts';
import type { AnalyzerParams } from './params.ts';

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
  params: ConstructorParameters<typeof SessionAnalyzer>[0] = {},
  options: ConstructorParameters<typeof SessionAnalyzer>[1] = {},
  parserOptions: RecordingParserOptions = {},
): Promise<RecordingAnalysis> {
  const analyzer = new SessionAnalyzer(params, options);
  const parser = new RecordingParser(parserOptions);
  const onRow = ({ sensor, tUs, values }: RecordingRow): void => {
    for (const event of analyzer.pushSample(sensor, tUs, values[0], values[1], values[2], values[3], values[4], values[5])) onEvent(event);
  };
  for await (const chunk of chunks) parser.feed(chunk, onRow);
  parser.end(onRow);
  const byReason = Object.fromEntries(Object.entries(parser.errorCounts).filter(([, count]) => count > 0)) as RecordingAnalysis['parseErrorsByReason'];
  for (const event of analyzer.finish()) {
    if (event.kind !== 'summary') onEvent(event);
    else {
      const summary: SummaryEvent & { parseErrorsByReason?: RecordingAnalysis['parseErrorsByReason'] } = { ...event, parseErrors: parser.errorCount };
      if (parser.errorCount > 0) summary.parseErrorsByReason = byReason;
      onEvent(summary);
    }
  }
  return { rows: parser.rowCount, parseErrors: parser.errors, parseErrorCount: parser.errorCount, parseErrorsByReason: byReason, params: analyzer.params };
}
