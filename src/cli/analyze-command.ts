import type { Command } from 'commander';
import { runOrExit, UsageError } from './errors.ts';

/** A pelvic-drop limit in degrees: a plain number between 1 and 30. */
function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const deg = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(deg >= 1 && deg <= 30)) throw new UsageError(`--pelvic-drop-limit must be degrees between 1 and 30 (e.g. 8), got "${text}"`);
  return deg;
}

/** Adds `gaitwatch analyze` to `program` (main.ts, and analyze-main.ts: the entry of the analyze bundle). */
export function addAnalyzeCommand(program: Command): void {
  program
    .command('analyze')
    .description('offline analysis of a recording: NDJSON strides, alerts and a summary on stdout')
    .argument('<file>', 'recording CSV (t_us,sensor,ax,ay,az,gx,gy,gz), or - for stdin')
    .option('--athlete <id>', 'athlete id written into alerts', 'unknown')
    .option('--session <id>', 'session id written into alerts', 'unknown')
    .option('--pelvic-drop-limit <deg>', "this athlete's absolute pelvic-drop limit for pelvic_drop_high, degrees (default 7.5)")
    .option('--activity <a>', "run | screen (default: the recording's <name>.meta.json activity, else run)")
    .action(async (file: string, flags: { athlete: string; session: string; pelvicDropLimit?: string; activity?: string }) =>
      runOrExit(async () => {
        const m = await import('./analyze.ts');
        await m.analyzeFile(file, { athleteId: flags.athlete, sessionId: flags.session, pelvicDropLimitDeg: parseLimit(flags.pelvicDropLimit), activity: m.parseActivity(flags.activity) });
      }),
    );
}
