/**
 * `pnpm bench`: runs every scenario (bench/scenarios/*.ts), each in a child
 * process of its own (fresh heap and JIT, --expose-gc for the memory
 * figures), and prints one table: median, spread (min–max) and the ratio to
 * the baseline measured in the same run.
 *
 *   pnpm bench [--only NAME[,NAME]] [--runs N] [--quick] [--no-python] [--write] [--json FILE]
 *   pnpm bench --render FILE.json      (RESULTS.md again from a --json file: after editing FINDINGS.md)
 *
 * --write regenerates bench/RESULTS.md (machine, load, commands, table, the
 * scenarios' notes, then bench/FINDINGS.md: targets met and missed, and the
 * profiles behind them). --quick: tiny sizes, one repetition (proves the code,
 * measures nothing).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMachine, loadNow, type Machine } from './lib/machine.ts';
import { markdown, printTable, tableLines } from './lib/report.ts';
import { RESULT_MARKER, type ScenarioResult } from './lib/result.ts';
import { SCENARIOS } from './scenarios/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RESULTS_MD = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

interface Args {
  only: string[] | undefined;
  passThrough: string[];
  write: boolean;
  json: string | undefined;
  /** Re-render RESULTS.md from a --json file (after editing FINDINGS.md), measuring nothing. */
  render: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { only: undefined, passThrough: [], write: false, json: undefined, render: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--only') args.only = [...(args.only ?? []), ...(argv[++i] ?? '').split(',').filter((s) => s !== '')];
    else if (a === '--write') args.write = true;
    else if (a === '--json') args.json = argv[++i];
    else if (a === '--render') args.render = argv[++i];
    else if (a === '--runs') args.passThrough.push(a, argv[++i] ?? '');
    else if (a === '--quick' || a === '--no-python') args.passThrough.push(a);
    else if (a === '--help' || a === '-h') {
      console.log(`usage: pnpm bench [--only NAME[,NAME]] [--runs N] [--quick] [--no-python] [--write] [--json FILE]\nscenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(12)} ${s.summary}`).join('\n')}`);
      process.exit(0);
    } else throw new RangeError(`unknown argument ${a} (try --help)`);
  }
  for (const name of args.only ?? []) if (!SCENARIOS.some((s) => s.name === name)) throw new RangeError(`unknown scenario ${name}; one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return args;
}

async function runChild(name: string, passThrough: readonly string[]): Promise<ScenarioResult> {
  const args = ['--expose-gc', 'bin/run-ts.mjs', 'bench/child.ts', name, ...passThrough];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const line = out.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (code !== 0 || line === undefined) throw new Error(`scenario ${name} failed (exit ${code})${out.trim() !== '' ? `:\n${out.trim().slice(-2000)}` : ''}`);
  return JSON.parse(line.slice(RESULT_MARKER.length)) as ScenarioResult;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  if (args.render !== undefined) {
    const saved = JSON.parse(readFileSync(args.render, 'utf8')) as { machine: Machine; results: ScenarioResult[]; argv: string[] };
    printTable(tableLines(saved.results));
    writeFileSync(RESULTS_MD, markdown(saved.results, saved.machine, saved.argv));
    console.log(`\nwrote ${RESULTS_MD} from ${args.render}`);
    return;
  }
  const machine = describeMachine();
  console.log(`gaitwatch bench: ${machine.cpu} × ${machine.logicalCpus}, Node ${machine.node}, load ${machine.loadAtStart}`);
  const chosen = SCENARIOS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const results: ScenarioResult[] = [];
  const started = performance.now();
  for (const scenario of chosen) {
    console.log(`\n== ${scenario.name}: ${scenario.summary}`);
    results.push(await runChild(scenario.name, args.passThrough));
  }
  machine.loadAtEnd = loadNow();
  console.log(`\nall scenarios: ${((performance.now() - started) / 1000).toFixed(1)} s; load at end ${machine.loadAtEnd}\n`);
  printTable(tableLines(results));
  const shownArgv = argv.filter((a) => a !== '--write').concat(args.write ? ['--write'] : []);
  if (args.json !== undefined) writeFileSync(args.json, `${JSON.stringify({ machine, results, argv: shownArgv }, null, 2)}\n`);
  if (args.write) {
    writeFileSync(RESULTS_MD, markdown(results, machine, shownArgv));
    console.log(`\nwrote ${RESULTS_MD}`);
  }
}

await main();
