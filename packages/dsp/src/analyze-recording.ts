import { RecordingParser, type RecordingRow, type RecordingRowError } from '@gaitwatch/protocol';
import { SessionAnalyzer } from './analyzer.ts';
import type { AnalysisEvent } from './analysis-events.ts';
import type { AnalyzerParams } from './params.ts';

/**
 * Runs a recording (as text chunks, e.g. a file stream) through a session
 * analyzer, calling `onEvent` for every stride and finally the summary. No
 * I/O of its own: the caller opens the file.
 */
export async function analyzeRecording(
  chunks: AsyncIterable<string> | Iterable<string>,
  onEvent: (event: AnalysisEvent) => void,
  params: ConstructorParameters<typeof SessionAnalyzer>[0] = {},
  options: ConstructorParameters<typeof SessionAnalyzer>[1] = {},
): Promise<{ parseErrors: readonly RecordingRowError[]; params: AnalyzerParams }> {
  const analyzer = new SessionAnalyzer(params, options);
  const parser = new RecordingParser();
  const onRow = ({ sensor, tUs, values }: RecordingRow): void => {
    for (const event of analyzer.pushSample(sensor, tUs, values[0], values[1], values[2], values[3], values[4], values[5])) onEvent(event);
  };
  for await (const chunk of chunks) parser.feed(chunk, onRow);
  parser.end(onRow);
  for (const event of analyzer.finish()) onEvent(event.kind === 'summary' ? { ...event, parseErrors: parser.errors.length } : event);
  return { parseErrors: parser.errors, params: analyzer.params };
}
