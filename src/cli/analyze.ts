import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { analyzeRecording, type AnalysisEvent, type AnalyzerOptions } from '@gaitwatch/dsp';
import { UsageError } from './errors.ts';

/** Writes NDJSON in large chunks: one write per line would dominate an hour's analysis. */
class LineWriter {
  private lines: string[] = [];
  write(event: AnalysisEvent): void {
    this.lines.push(JSON.stringify(event));
    if (this.lines.length >= 512) this.flush();
  }
  flush(): void {
    if (this.lines.length > 0) process.stdout.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
  }
}

/** Analyses a recording file and prints strides, alerts and a summary as NDJSON on stdout. */
export async function analyzeFile(path: string, options: AnalyzerOptions = { athleteId: 'unknown', sessionId: 'unknown' }): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new UsageError(`cannot read ${path}: no such file`);
  }
  const out = new LineWriter();
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>;
  const { parseErrors } = await analyzeRecording(stream, (event) => out.write(event), {}, options);
  out.flush();
  if (parseErrors.length > 0) {
    const first = parseErrors.slice(0, 5).map((e) => `line ${e.line}: ${e.message}`).join('; ');
    console.error(`gaitwatch analyze: skipped ${parseErrors.length} bad line(s) of ${path} (${first})`);
  }
}
