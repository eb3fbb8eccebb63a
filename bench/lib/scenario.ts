import { writeFileSync } from 'node:fs';
import { RESULT_MARKER, type ScenarioResult } from './result.ts';

/** Options every scenario takes from its command line. */
export interface ScenarioOptions {
  /** Tiny sizes and 2 repetitions: proves the code works (the smoke test), measures nothing worth quoting. */
  readonly quick: boolean;
  /** Repetitions of each timed measurement (default 5, quick 1). */
  readonly runs: number;
  /** Whether to run the Python (scipy/numpy) baselines; `--no-python` skips them (the smoke test does, for time). */
  readonly python: boolean;
}

export function parseScenarioArgs(argv: readonly string[]): ScenarioOptions & { out?: string } {
  const quick = argv.includes('--quick');
  const runsAt = argv.indexOf('--runs');
  const outAt = argv.indexOf('--out');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : quick ? 1 : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be a positive integer, got ${argv[runsAt + 1]}`);
  return { quick, runs, python: !argv.includes('--no-python'), ...(outAt >= 0 && argv[outAt + 1] !== undefined ? { out: argv[outAt + 1] } : {}) };
}

/** Progress on stderr (stdout carries the result line only). */
export function progress(scenario: string, message: string): void {
  process.stderr.write(`[${scenario} ${(performance.now() / 1000).toFixed(1)} s] ${message}\n`);
}

/**
 * The entry point of a scenario file: parses the arguments, runs it, and
 * prints the result as one marked JSON line (and to `--out FILE` when given).
 */
export async function runScenarioMain(run: (options: ScenarioOptions) => Promise<ScenarioResult>): Promise<void> {
  const { out, ...options } = parseScenarioArgs(process.argv.slice(2));
  const result = await run(options);
  const json = JSON.stringify(result);
  if (out !== undefined) writeFileSync(out, `${json}\n`);
  process.stdout.write(`${RESULT_MARKER}${json}\n`);
}

/** High-resolution wall clock, ms. */
export const nowMs = (): number => performance.now();

/** Runs `fn` and returns its wall time in seconds. */
export async function timeS(fn: () => unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

/** CPU time of this process (user + system, all threads), s. */
export function cpuS(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Runs `fn`; with BENCH_CPU_PROFILE_DIR set, under the V8 CPU profiler (node:inspector), writing
 * `<dir>/<label>.cpuprofile`: a profile of the timed section alone, without set-up and warm-up
 * (read it with bench/tools/profile-top.ts or Chrome DevTools).
 */
export async function profiled<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const dir = process.env['BENCH_CPU_PROFILE_DIR'];
  if (dir === undefined || dir === '') return fn();
  const { Session } = await import('node:inspector/promises');
  const { mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${label}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
