import { once } from 'node:events';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { parseRecordingInto, recordingSink, type Activity, type AnalysisEvent, type AnalyzerOptions, type RecordingAnalysis, type ScreenEvent } from '@gaitwatch/dsp';
import { RECORDING_ERROR_LABELS, RecordingFormatError, type RecordingErrorReason, type RecordingRowError } from '@gaitwatch/protocol/core';
import { InputError, UsageError } from './errors.ts';
import { parseOnWorker } from './parse-worker-client.ts';
import { TimeOrderCheck } from './time-order.ts';
import { utf8Text } from './utf8-text.ts';

/** Bytes read from the file at a time: large reads keep an hour's analysis I/O-cheap; also the most text held at once. */
const READ_CHUNK_BYTES = 1 << 20;
/** Bad lines quoted in a message (the parser keeps a few more; the summary counts all). */
const QUOTED_ERRORS = 5;

/** Writes NDJSON in large chunks: one write per line would dominate an hour's analysis. */
class LineWriter {
  private lines: string[] = [];
  write(event: AnalysisEvent | ScreenEvent): void {
    this.lines.push(JSON.stringify(event));
    if (this.lines.length >= 512) this.flush();
  }
  flush(): void {
    if (this.lines.length > 0) process.stdout.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
  }
  discard(): void {
    this.lines = [];
  }
}

/** What a failed open or read means to the user, as one line (never a stack). */
function readError(name: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT' ? 'no such file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a directory, not a recording file'
    : code === 'ENOTDIR' ? 'a part of the path is not a directory'
    : error instanceof Error ? error.message
    : String(error);
  return new InputError(`cannot read ${name}: ${reason}`);
}

const isSystemError = (error: unknown): boolean => error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';

/** Opens the file at `path` (and says its size); a directory or unreadable file is refused here, before any output. */
async function openFile(path: string): Promise<{ handle: FileHandle; bytes: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readError(path, error);
  }
  // Linux opens a directory for reading and fails only at the first read: ask first.
  const stat = await handle.stat();
  if (stat.isDirectory()) {
    await handle.close();
    throw readError(path, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  }
  return { handle, bytes: stat.size };
}

/**
 * Files at least this large are parsed on a thread of their own. Starting one
 * costs ~0.28 s here (it loads its own TypeScript loader and parser), parsing
 * runs at ~200 MB/s: below ~60 MB the thread would not pay for itself; 32 MB
 * (12 minutes of three 200 Hz sensors) leaves a margin for slower disks and
 * busier machines, where the overlap is worth more.
 */
const PARSE_THREAD_MIN_BYTES = 32 << 20;

/**
 * Whether a file is parsed on a thread of its own while this one analyses
 * (parse-worker.ts): an hour's parsing (~0.8 s) then costs no wall time on a
 * machine with a second core. Stdin is read here. GAITWATCH_ANALYZE_THREADS=1
 * keeps everything on one thread, =2 uses the parse thread whatever the size
 * (the output is the same either way: a test holds them byte-identical).
 */
function parseThreadFor(path: string, bytes: number): boolean {
  const threads = process.env['GAITWATCH_ANALYZE_THREADS'];
  if (path === '-' || threads === '1') return false;
  return threads === '2' || bytes >= PARSE_THREAD_MIN_BYTES;
}

/**
 * Yields the chunks, waiting while stdout is backed up: output then stays
 * within one chunk's worth of strides however slow the reader is (on Linux
 * pipe writes are synchronous anyway; elsewhere they are not).
 */
async function* pacedByStdout(chunks: AsyncIterable<string>): AsyncIterable<string> {
  for await (const chunk of chunks) {
    yield chunk;
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
  }
}

/** "(2 unknown sensor, 1 bad t_us; first: line 3: …; line 9: …)": counts per reason, then the first few lines. */
function describeBadLines(byReason: Partial<Record<RecordingErrorReason, number>>, kept: readonly RecordingRowError[]): string {
  const counts = Object.entries(byReason).map(([reason, n]) => `${n} ${RECORDING_ERROR_LABELS[reason as RecordingErrorReason]}`);
  const first = kept.slice(0, QUOTED_ERRORS).map((e) => `line ${e.line}: ${e.message}`);
  return `(${counts.join(', ')}; first: ${first.join('; ')})`;
}

const ACTIVITIES: readonly Activity[] = ['run', 'screen'];

/** The `--activity` flag: `run` or `screen` (undefined: not given). */
export function parseActivity(text: string | undefined): Activity | undefined {
  if (text === undefined) return undefined;
  const activity = text.trim().toLowerCase();
  if (!(ACTIVITIES as readonly string[]).includes(activity)) throw new UsageError(`--activity must be run or screen, got "${text}"`);
  return activity as Activity;
}

/**
 * The activity a recording's sibling `<name>.meta.json` (what `gaitwatch
 * simulate --out` writes beside `<name>.csv`) declares, or undefined when
 * there is none, it cannot be read or it names no known activity: the
 * meta file is a convenience, its absence is no error.
 */
export async function activityFromMeta(path: string): Promise<Activity | undefined> {
  if (path === '-' || !path.endsWith('.csv')) return undefined;
  try {
    const meta = JSON.parse(await readFile(`${path.slice(0, -'.csv'.length)}.meta.json`, 'utf8')) as { activity?: unknown };
    return (ACTIVITIES as readonly unknown[]).includes(meta?.activity) ? (meta.activity as Activity) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Analyses a recording file (`-`: stdin) and prints strides, alerts and a
 * summary as NDJSON on stdout — or, for a movement screen (`activity`
 * `screen`, given or from the recording's meta file), reps and a screen
 * summary; skipped bad lines, and rows out of time order, are reported on
 * stderr (one line each; the exit code stays 0: the output is still the
 * analysis of what could be used).
 * Refuses with InputError (exit 2, one line, nothing on stdout) a file that is
 * missing, a directory or unreadable, an input that is not a recording (empty,
 * no or a wrong header) and one without a single valid row. A read that fails
 * midway also ends in InputError, after the strides analysed so far.
 */
export async function analyzeFile(path: string, options: AnalyzerOptions & { activity?: Activity | undefined } = { athleteId: 'unknown', sessionId: 'unknown' }): Promise<void> {
  const name = path === '-' ? 'stdin' : path;
  const activity = options.activity ?? (await activityFromMeta(path)) ?? 'run';
  // A reader that stops early (`analyze x.csv | head`) is no error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') console.error(`gaitwatch: cannot write the output: ${error.message}`);
    process.exit(error.code === 'EPIPE' ? 0 : 2);
  });
  const file = path === '-' ? undefined : await openFile(path);
  const handle = file?.handle;
  const threaded = parseThreadFor(path, file?.bytes ?? 0);
  if (threaded) await handle!.close();
  const out = new LineWriter();
  /** Rows the analysis used: its summary's samples, all sensors. */
  let usedRows: number | undefined;
  const onEvent = (event: AnalysisEvent | ScreenEvent): void => {
    if (event.kind === 'summary') usedRows = Object.values(event.sensors).reduce((sum, s) => sum + s.samples, 0);
    out.write(event);
  };
  const order = new TimeOrderCheck();
  let result: RecordingAnalysis;
  try {
    // Built before any reading (and before the parse thread starts), so bad options fail first.
    const sink = order.wrap(recordingSink(onEvent, {}, { ...options, activity }));
    if (threaded) {
      result = sink.finish(await parseOnWorker(path, READ_CHUNK_BYTES, sink, process.stdout));
    } else {
      // The stream closes the handle when it ends or fails.
      const chunks = handle === undefined ? utf8Text(process.stdin as AsyncIterable<Buffer>) : utf8Text(handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Buffer>);
      result = await parseRecordingInto(pacedByStdout(chunks), sink);
    }
  } catch (error) {
    if (error instanceof RecordingFormatError) throw new InputError(`cannot analyze ${name}: ${error.message}`);
    if (!isSystemError(error)) throw error;
    out.flush();
    throw readError(name, error);
  }
  const { rows, parseErrorCount, parseErrorsByReason, parseErrors } = result;
  if (rows === 0) {
    // Without a row the analyzer emitted only its closing events (far fewer than a flush), so stdout is still empty.
    out.discard();
    const why = parseErrorCount === 0 ? 'the header, but no data line' : `every data line is bad: ${parseErrorCount} bad line(s) ${describeBadLines(parseErrorsByReason, parseErrors)}`;
    throw new InputError(`cannot analyze ${name}: no valid row: ${why}`);
  }
  out.flush();
  if (parseErrorCount > 0) console.error(`gaitwatch analyze: skipped ${parseErrorCount} bad line(s) of ${name} ${describeBadLines(parseErrorsByReason, parseErrors)}`);
  const disorder = order.describe(name, rows, usedRows);
  if (disorder !== undefined) console.error(disorder);
}
