/**
 * Child process of the memory scenario: makes N warm sessions and prints what
 * they cost, as one JSON line. One process per size, so a size's garbage,
 * heap growth and freed-but-kept pages do not count in the next one's figure.
 *
 *   node --expose-gc bin/run-ts.mjs bench/lib/warm-sessions-child.ts SESSIONS WARM_S SOURCES SETTLE_S
 *
 * Sessions are warmed as a worker taking sessions over would: SOURCES runners
 * are fed WARM_S seconds of simulated data each (the bench: 150 s, past the
 * fresh-legs baseline — 30 s warm-up and 60 s of running — as nearly all of
 * a live session's life is), snapshot() is taken, and the
 * N sessions are SessionAnalyzer.restore()d from those snapshots (each its own
 * copy of the state), then fed SETTLE_S seconds more of data interleaved
 * message by message: a snapshot carries no signal history, and the
 * histories grow to what their reads need (~3 s of running), so a session is
 * warm only after a few seconds of data (5 s in the bench; 0.25 s, what this
 * took before the histories grew on demand, measured 126 KB instead of 143).
 */
import { SessionAnalyzer } from '@gaitwatch/dsp';
import { SENSOR_IDS } from '@gaitwatch/protocol';
import { frameAt, simulatedFrames } from './data.ts';

const [sessions, warmS, sourcesN, settleS] = process.argv.slice(2, 6).map(Number) as [number, number, number, number];
if (!(sessions > 0 && warmS > 0 && sourcesN > 0 && settleS > 0)) {
  console.error('usage: warm-sessions-child.ts SESSIONS WARM_S SOURCES SETTLE_S');
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc: the figures need a forced GC');
  process.exit(2);
}

function measure(): { heap: number; rss: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

const sources = Array.from({ length: sourcesN }, (_, k) => simulatedFrames(100 + k, warmS + settleS + 2));
const warmTo = Math.min(...sources.map((f) => frameAt(f, warmS)));
// The histories hold what their reads need (~3 s of running) and a restored session's start empty: SETTLE_S must cover that.
const settleTo = Math.min(...sources.map((f) => frameAt(f, warmS + settleS)));
const snapshots = sources.map((frames, k) => {
  const analyzer = new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: `bench-${k}`, sessionId: `s${k}` });
  for (let m = 0; m < warmTo; m++) {
    const f = frames[m]!;
    analyzer.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count);
  }
  return analyzer.snapshot();
});
const before = measure();
const started = performance.now();
const analyzers = Array.from({ length: sessions }, (_, i) => SessionAnalyzer.restore(snapshots[i % sourcesN]));
for (let m = warmTo; m < settleTo; m++) {
  for (let i = 0; i < sessions; i++) {
    const f = sources[i % sourcesN]![m];
    if (f !== undefined) analyzers[i]!.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count);
  }
}
const warmWallS = (performance.now() - started) / 1000;
const after = measure();
// Keep the sessions — and the input and snapshots, allocated before `before` — reachable until after the
// measurement: collected in between, the input's ~17 MB came off every session's figure (23 KB at 1,000).
if (analyzers.length !== sessions || sources.length !== sourcesN || snapshots.length !== sourcesN) throw new Error('lost sessions');
console.log(
  JSON.stringify({
    sessions,
    heapKB: (after.heap - before.heap) / sessions / 1024,
    rssKB: (after.rss - before.rss) / sessions / 1024,
    totalRssMB: after.rss / 2 ** 20,
    warmWallS,
  }),
);
