/**
 * Figure 2 of issue 14: `gaitwatch analyze` of a one-hour recording (3
 * sensors × 200 Hz, 2.16 M rows), wall time as a user runs it, split into
 * start-up (the same command on a 600-row file), CSV reading + parsing
 * (RecordingParser over the file, rows discarded) and analysis (the rows,
 * pre-parsed into typed arrays, through SessionAnalyzer.pushSample as
 * analyzeRecording feeds them). Baselines in the same repetition: reading the
 * same file with a plain line split, and (python3 with numpy + scipy) numpy's
 * loadtxt of the same CSV plus one scipy sosfiltfilt, what a researcher's
 * script would spend.
 *
 *   pnpm bench --only analyze-cli
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SessionAnalyzer } from '@gaitwatch/dsp';
import { RecordingParser, SENSOR_IDS, type SensorId } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { utf8Text } from '../../src/cli/utf8-text.ts';
import { BENCH_SEED, cacheDir } from '../lib/data.ts';
import type { Row, ScenarioResult } from '../lib/result.ts';
import { cpuS, profiled, progress, type ScenarioOptions } from '../lib/scenario.ts';

const NAME = 'analyze-cli';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin/gaitwatch.mjs');
/** The CLI reads in 1 MiB chunks; the in-process figures read the same way. */
const CHUNK_BYTES = 1 << 20;
/** Repetitions at most (an hour's repetition is ~30 s). */
const MAX_RUNS = 3;

/** The recording, generated once per seed and duration and kept in the cache (a minute of simulation for an hour). */
async function recording(durationS: number): Promise<string> {
  const dir = cacheDir();
  const name = `analyze-s${BENCH_SEED}-r0-${durationS}s`;
  const csv = join(dir, `${name}.csv`);
  // writeRecording writes the meta file last: its presence means the CSV is complete.
  if (existsSync(join(dir, `${name}.meta.json`))) return csv;
  progress(NAME, `generating a ${durationS} s recording into ${csv} (once; cached)`);
  const session = new SimulatedSession({ scenario: 'steady', durationS, seed: BENCH_SEED, runnerIndex: 0 });
  await writeRecording(session, dir, name);
  return csv;
}

/** Wall time of a command, s; stdout into `outPath`. */
async function runCommand(args: readonly string[], outPath: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = openSync(outPath, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', out, 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const s = (performance.now() - started) / 1000;
  closeSync(out);
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`);
  return s;
}

/** The CLI's output must be NDJSON ending in the summary. */
function checkOutput(outPath: string): { strides: number } {
  const lines = readFileSync(outPath, 'utf8').trimEnd().split('\n');
  const last = JSON.parse(lines.at(-1)!) as { kind?: string };
  if (last.kind !== 'summary') throw new Error(`analyze output does not end with the summary: ${lines.at(-1)?.slice(0, 200)}`);
  return { strides: lines.filter((l) => l.startsWith('{"kind":"stride"')).length };
}

/** The file as the CLI reads it: 1 MiB byte chunks, decoded by its utf8Text (Latin-1 while ASCII). */
function chunks(path: string): AsyncIterable<string> {
  return utf8Text(createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>);
}

/** Baseline: the file read in the same chunk size as plain UTF-8 text and split into lines, nothing more. */
async function plainSplit(path: string): Promise<number> {
  let lines = 0;
  let carry = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: CHUNK_BYTES }) as AsyncIterable<string>) {
    const text = carry + chunk;
    let at = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', at)) {
      lines++;
      at = nl + 1;
    }
    carry = text.slice(at);
  }
  return lines + (carry.length > 0 ? 1 : 0);
}

/** CSV reading and parsing as the CLI does it, rows discarded. */
async function parseOnly(path: string): Promise<number> {
  const parser = new RecordingParser();
  let rows = 0;
  const onRow = (): void => {
    rows++;
  };
  for await (const chunk of chunks(path)) parser.feed(chunk, onRow);
  parser.end(onRow);
  return rows;
}

interface ParsedRows {
  readonly count: number;
  /** Per row t_us, ax, ay, az, gx, gy, gz. */
  readonly values: Float64Array;
  readonly sensors: Uint8Array;
}

async function parseToArrays(path: string, capacity: number): Promise<ParsedRows> {
  const values = new Float64Array(capacity * 7);
  const sensors = new Uint8Array(capacity);
  const parser = new RecordingParser();
  let n = 0;
  const onRow = ({ tUs, sensor, values: v }: { tUs: number; sensor: SensorId; values: readonly number[] }): void => {
    const o = n * 7;
    values[o] = tUs;
    for (let c = 0; c < 6; c++) values[o + 1 + c] = v[c]!;
    sensors[n++] = SENSOR_IDS.indexOf(sensor);
  };
  for await (const chunk of chunks(path)) parser.feed(chunk, onRow);
  parser.end(onRow);
  return { count: n, values, sensors };
}

/** The analysis alone, fed row by row as analyzeRecording does. */
function analyseRows(rows: ParsedRows): number {
  const analyzer = new SessionAnalyzer({}, { athleteId: 'unknown', sessionId: 'unknown' });
  const v = rows.values;
  let strides = 0;
  for (let i = 0, o = 0; i < rows.count; i++, o += 7) {
    for (const event of analyzer.pushSample(SENSOR_IDS[rows.sensors[i]!]!, v[o]!, v[o + 1]!, v[o + 2]!, v[o + 3]!, v[o + 4]!, v[o + 5]!, v[o + 6]!)) if (event.kind === 'stride') strides++;
  }
  for (const event of analyzer.finish()) if (event.kind === 'stride') strides++;
  return strides;
}

function numpyBaseline(csv: string, runs: number): { ok: true; values: number[]; version: string } | { ok: false; why: string } {
  const python = process.env['BENCH_PYTHON'] ?? 'python3';
  const script = fileURLToPath(new URL('./loadtxt.py', import.meta.url));
  const run = spawnSync(python, [script, csv, String(runs)], { encoding: 'utf8', timeout: 300_000 });
  if (run.error !== undefined) return { ok: false, why: `${python} not runnable (${run.error.message})` };
  if (run.status !== 0) return { ok: false, why: `${python} ${script} failed: ${run.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
  const parsed = JSON.parse(run.stdout.trim().split('\n').pop()!) as { seconds: number[]; version: string };
  return { ok: true, values: parsed.seconds, version: parsed.version };
}

export async function analyzeCli(options: ScenarioOptions): Promise<ScenarioResult> {
  const wallStarted = performance.now();
  const { quick } = options;
  // Each repetition over the hour takes ~30 s (the CLI alone 15–20 s on this box): at most 3, to keep `pnpm bench` within minutes.
  const runs = Math.min(options.runs, MAX_RUNS);
  const durationS = quick ? 30 : 3600;
  const setupStarted = performance.now();
  const csv = await recording(durationS);
  const expectedRows = Math.round(durationS * 200 * 3);
  // A 600-row file for the start-up figure: the same command with (almost) nothing to do.
  const tiny = join(cacheDir(), `analyze-tiny-${process.pid}.csv`);
  writeFileSync(tiny, `${readFileSync(csv, 'utf8').split('\n', 601).join('\n')}\n`);
  const outPath = join(cacheDir(), `analyze-out-${process.pid}.ndjson`);
  const rows = await parseToArrays(csv, expectedRows + 10);
  const setupS = (performance.now() - setupStarted) / 1000;
  progress(NAME, `${rows.count} rows (${durationS} s); ${runs} repetitions`);

  const wall: number[] = [];
  const startup: number[] = [];
  const parse: number[] = [];
  const analysis: number[] = [];
  const split: number[] = [];
  const oneThread: number[] = [];
  let strides = 0;
  let inProcessCpuS = 0;
  let inProcessWallS = 0;
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    const lines = await plainSplit(csv);
    split.push((performance.now() - t) / 1000);
    if (lines !== rows.count + 1) throw new Error(`plain split counted ${lines} lines, expected ${rows.count + 1}`);
    t = performance.now();
    const cpu0 = cpuS();
    const parsed = await profiled(`analyze-parse-${r}`, () => parseOnly(csv));
    parse.push((performance.now() - t) / 1000);
    if (parsed !== rows.count) throw new Error(`parser read ${parsed} rows, expected ${rows.count}`);
    t = performance.now();
    const found = await profiled(`analyze-analysis-${r}`, () => analyseRows(rows));
    analysis.push((performance.now() - t) / 1000);
    inProcessCpuS += cpuS() - cpu0;
    inProcessWallS += parse.at(-1)! + analysis.at(-1)!;
    wall.push(await runCommand([CLI, 'analyze', csv], outPath));
    strides = checkOutput(outPath).strides;
    if (strides === 0 || found === 0) throw new Error('no stride found in the recording: the bench input is broken');
    oneThread.push(await runCommand([CLI, 'analyze', csv], outPath, { ...process.env, GAITWATCH_ANALYZE_THREADS: '1' }));
    if (checkOutput(outPath).strides !== strides) throw new Error('the one-thread CLI found other strides than the default one');
    // --quick (the smoke test) spawns the CLI once only: its 30 s file is almost all start-up anyway.
    if (!quick) startup.push(await runCommand([CLI, 'analyze', tiny], outPath));
    progress(NAME, `run ${r + 1}/${runs}: CLI ${wall.at(-1)!.toFixed(2)} s (one thread ${oneThread.at(-1)!.toFixed(2)} s, start-up ${startup.at(-1)?.toFixed(2) ?? '-'} s), parse ${parse.at(-1)!.toFixed(2)} s, analysis ${analysis.at(-1)!.toFixed(2)} s, plain split ${split.at(-1)!.toFixed(2)} s`);
  }
  rmSync(tiny, { force: true });
  rmSync(outPath, { force: true });

  const notes = [
    `Recording: SimulatedSession steady, seed ${BENCH_SEED}, runner 0, ${durationS} s, written by writeRecording (${rows.count} rows; cached in ${cacheDir()}, generation not timed).`,
    `${runs} repetitions (capped at ${MAX_RUNS}: each takes ~30 s).`,
    `CLI: \`node bin/gaitwatch.mjs analyze FILE > file\` spawned from the bench (${strides} strides out); start-up: the same command on the file's first 600 rows.`,
    `CPU share: during the in-process parse and analysis this process got ${((100 * inProcessCpuS) / inProcessWallS).toFixed(0)} % of a core (CPU time ÷ wall time; the rest went to other processes on the box).`,
    'Parse: RecordingParser over the file read in 1 MiB chunks and decoded as the CLI decodes them (src/cli/utf8-text.ts: Latin-1 while the bytes are ASCII, UTF-8 from the first other byte), rows discarded; the plain split reads the file as ordinary UTF-8 text. Analysis: SessionAnalyzer.pushSample per row from typed arrays filled beforehand (as analyzeRecording calls it). The CLI parses a file of 32 MB or more on a second thread (src/cli/parse-worker.ts; the 600-row start-up file on one) while it analyses, so its wall ≈ start-up + analysis + the hand-off of the rows and the NDJSON output; with GAITWATCH_ANALYZE_THREADS=1 (its own row) it parses on the analysing thread, wall ≈ start-up + parse + analysis.',
  ];
  const rowsOut: Row[] = [
    { id: 'cli-wall', figure: `gaitwatch analyze, ${durationS / 3600 >= 1 ? `${durationS / 3600} h` : `${durationS} s`} recording, wall`, unit: 's', values: wall, higherIsBetter: false, baseline: 'plain-split', target: '≤ 3 s and faster than numpy loadtxt + sosfiltfilt', met: null },
    { id: 'cli-one-thread', figure: '… the same on one thread (GAITWATCH_ANALYZE_THREADS=1)', unit: 's', values: oneThread, higherIsBetter: false, baseline: 'plain-split' },
    { id: 'cli-startup', figure: '… of which start-up (600-row file)', unit: 's', values: startup, higherIsBetter: false, ...(quick ? { note: 'not measured with --quick' } : {}) },
    { id: 'parse', figure: '… of which CSV read + parse (in process)', unit: 's', values: parse, higherIsBetter: false, baseline: 'plain-split' },
    { id: 'analysis', figure: '… of which analysis (in process, pre-parsed rows)', unit: 's', values: analysis, higherIsBetter: false },
    { id: 'plain-split', figure: 'baseline: read the same file, plain line split', unit: 's', values: split, higherIsBetter: false },
  ];
  if (options.python) {
    const pyRuns = Math.min(runs, 2);
    progress(NAME, `numpy loadtxt + sosfiltfilt, ${pyRuns} repetitions`);
    const py = numpyBaseline(csv, pyRuns);
    if (py.ok) {
      rowsOut.push(
        { id: 'cli-wall-vs-numpy', figure: 'gaitwatch analyze, wall (vs numpy)', unit: 's', values: wall, higherIsBetter: false, baseline: 'numpy', unpaired: true },
        { id: 'numpy', figure: 'baseline: numpy loadtxt + scipy sosfiltfilt (python3)', unit: 's', values: py.values, higherIsBetter: false },
      );
      notes.push(`numpy baseline: ${py.version}; np.loadtxt(usecols = the 7 numeric columns) + one sosfiltfilt (4th-order Butterworth, 20 Hz) over the six channels, in a python3 child right after the JS repetitions (${pyRuns} repetitions: each takes seconds); its ratio is of medians, not paired.`);
    } else {
      notes.push(`numpy baseline skipped: ${py.why}`);
    }
  } else {
    notes.push('numpy baseline skipped: --no-python');
  }
  const med = (v: readonly number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  const numpyRow = rowsOut.find((r) => r.id === 'numpy');
  const wallMed = med(wall);
  const met = durationS === 3600 ? wallMed <= 3 && (numpyRow === undefined || wallMed < med(numpyRow.values)) : null;
  rowsOut[0] = { ...rowsOut[0]!, met };
  return { name: NAME, title: '`gaitwatch analyze` of a one-hour recording', runs, rows: rowsOut, notes, setupS, wallS: (performance.now() - wallStarted) / 1000 };
}
