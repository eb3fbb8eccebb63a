/**
 * Issue 14 figure 5: memory per warm session at 1,000 and 10,000 sessions —
 * marginal RSS (typed arrays live outside the JS heap, RSS sees them) and
 * heap + arrayBuffers growth after a forced GC, each size in a child process
 * of its own (bench/lib/warm-sessions-child.ts says how sessions are warmed).
 * The 10,000 size runs only when the 1,000 figure says it fits in half the
 * free memory (24 GB box, shared); otherwise its row is skipped with the
 * projection.
 *
 * Baseline (a scale, measured nowhere else): one second of one runner's raw
 * input as Float64 — 3 sensors × 200 Hz × 6 channels × 8 bytes = 28.1 KB; the
 * ratio says how many seconds of raw data a warm session holds.
 *
 *   pnpm bench --only memory
 */
import { spawn } from 'node:child_process';
import { freemem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Row, ScenarioResult } from '../lib/result.ts';
import { progress, type ScenarioOptions } from '../lib/scenario.ts';

const NAME = 'memory';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RAW_SECOND_KB = (3 * 200 * 6 * 8) / 1024;
const TARGET_KB = 128;

interface SizeResult {
  readonly sessions: number;
  readonly heapKB: number;
  readonly rssKB: number;
  readonly totalRssMB: number;
  readonly warmWallS: number;
}

async function measureSize(sessions: number, warmS: number, sources: number, settleS: number): Promise<SizeResult> {
  const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=16384', 'bin/run-ts.mjs', 'bench/lib/warm-sessions-child.ts', String(sessions), String(warmS), String(sources), String(settleS)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`warm-sessions child for ${sessions} sessions exited ${code}: ${err.slice(-1000)}`);
  return JSON.parse(line) as SizeResult;
}

export async function memory(options: ScenarioOptions): Promise<ScenarioResult> {
  const wallStarted = performance.now();
  const { quick } = options;
  const sizes = quick ? [20, 100] : [1000, 10_000];
  // Past the fresh-legs baseline (30 s warm-up + 60 s of running; the simulated runner starts standing): a
  // session learning it holds each series' values besides (~11 KB), for its first minute and a half only.
  const warmS = quick ? 8 : 150;
  // After the restore, data enough for the histories to grow to what running needs (~3 s): ~1 min at 10,000 sessions.
  const settleS = quick ? 4 : 5;
  const sources = quick ? 2 : 4;
  const results: SizeResult[] = [];
  const notes: string[] = [];
  for (const sessions of sizes) {
    const previous = results.at(-1);
    if (previous !== undefined) {
      // Projected from the smaller size, with 20 % room for garbage a GC has not yet returned; the box is shared, so at most 60 % of what is free.
      const projectedMB = (1.2 * sessions * Math.max(previous.rssKB, previous.heapKB)) / 1024;
      const budgetMB = (0.6 * freemem()) / 2 ** 20;
      if (projectedMB > budgetMB) {
        notes.push(`${sessions} sessions skipped: projected ${projectedMB.toFixed(0)} MB (1.2 × ${sessions} × ${Math.max(previous.rssKB, previous.heapKB).toFixed(0)} KB) exceeds 60 % of the free memory (${budgetMB.toFixed(0)} MB).`);
        continue;
      }
    }
    progress(NAME, `${sessions} warm sessions in a child process`);
    const r = await measureSize(sessions, warmS, sources, settleS);
    progress(NAME, `${sessions} sessions: ${r.rssKB.toFixed(0)} KB RSS, ${r.heapKB.toFixed(0)} KB heap + arrayBuffers per session (process RSS ${r.totalRssMB.toFixed(0)} MB; warm-up ${r.warmWallS.toFixed(1)} s)`);
    results.push(r);
  }
  const rows: Row[] = [{ id: 'raw-second', figure: 'baseline: one second of one runner\'s raw input (3 × 200 Hz × 6 × Float64)', unit: 'KB/session', values: [RAW_SECOND_KB], higherIsBetter: false }];
  for (const r of results) {
    const n = r.sessions.toLocaleString('en-US');
    rows.push(
      { id: `memory-rss-${r.sessions}`, figure: `marginal RSS per warm session, ${n} sessions`, unit: 'KB/session', values: [r.rssKB], higherIsBetter: false, baseline: 'raw-second', target: `≤ ${TARGET_KB} KB (next: 32 KB)`, met: quick ? null : r.rssKB <= TARGET_KB },
      { id: `memory-heap-${r.sessions}`, figure: `heap + arrayBuffers per warm session, ${n} sessions`, unit: 'KB/session', values: [r.heapKB], higherIsBetter: false, baseline: 'raw-second', target: `≤ ${TARGET_KB} KB (next: 32 KB)`, met: quick ? null : r.heapKB <= TARGET_KB },
    );
  }
  notes.unshift(
    `Each size in its own child process (node --expose-gc): ${sources} simulated runners (steady, seed 14, runners 100–${99 + sources}) fed ${warmS} s each, snapshot() taken, N sessions SessionAnalyzer.restore()d from them round-robin (each its own copy), then ${settleS} s more data interleaved message by message (a snapshot carries no signal history; the histories grow back to what running needs, ~3 s); memory = process.memoryUsage() after two forced GCs, after minus before the sessions were made, ÷ N. One measurement per size (memory does not vary run to run the way time does).`,
    ...results.map((r) => `${r.sessions} sessions: process RSS ${r.totalRssMB.toFixed(0)} MB at the end; restore + ${settleS} s of data took ${r.warmWallS.toFixed(1)} s.`),
  );
  return { name: NAME, title: 'Memory per warm session (1,000 and 10,000 sessions)', runs: 1, rows, notes, setupS: 0, wallS: (performance.now() - wallStarted) / 1000 };
}
