/**
 * Where a warm session's JS heap goes: N sessions made as the memory bench
 * makes them (restored from snapshots, then 5 s of data), a V8
 * heap snapshot before and after, and the difference per node type and
 * constructor name ÷ N, largest first. Complements session-memory.ts, which
 * sees typed arrays only.
 *
 *   node --expose-gc bin/run-ts.mjs bench/tools/session-heap.ts [--sessions 40] [--top 40]
 */
import { getHeapSnapshot } from 'node:v8';
import { SessionAnalyzer } from '@gaitwatch/dsp';
import { SENSOR_IDS } from '@gaitwatch/protocol';
import { frameAt, simulatedFrames } from '../lib/data.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const sessions = opt('--sessions', 40);
const top = opt('--top', 40);
/** Past the fresh-legs baseline, as the memory bench (bench/lib/warm-sessions-child.ts). */
const warmS = 150;
// After the restore: long enough for every history to hold what a running session needs (~3 s).
const SETTLE_S = 5;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

async function census(): Promise<Map<string, { bytes: number; count: number }>> {
  gc!();
  gc!();
  const chunks: Buffer[] = [];
  for await (const c of getHeapSnapshot()) chunks.push(c as Buffer);
  const snap = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!]!;
    let name = snap.strings[snap.nodes[i + nameAt]!]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '(string)';
    if (type === 'number') name = '(heap number)';
    const key = `${type}:${name.slice(0, 60)}`;
    const e = out.get(key) ?? { bytes: 0, count: 0 };
    e.bytes += snap.nodes[i + sizeAt]!;
    e.count += 1;
    out.set(key, e);
  }
  return out;
}

const sources = Array.from({ length: 4 }, (_, k) => simulatedFrames(100 + k, warmS + SETTLE_S + 2));
const warmTo = Math.min(...sources.map((f) => frameAt(f, warmS)));
const settleTo = Math.min(...sources.map((f) => frameAt(f, warmS + SETTLE_S)));
const snapshots = sources.map((frames, k) => {
  const a = new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: `bench-${k}`, sessionId: `s${k}` });
  for (let m = 0; m < warmTo; m++) {
    const f = frames[m]!;
    a.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count);
  }
  return a.snapshot();
});
// Kept as bytes outside the JS heap while the sessions are made, so the census's own map is not counted as theirs.
const beforeJson = Buffer.from(JSON.stringify([...(await census())]));
const analyzers = Array.from({ length: sessions }, (_, i) => SessionAnalyzer.restore(snapshots[i % 4]));
for (let m = warmTo; m < settleTo; m++) {
  for (let i = 0; i < sessions; i++) {
    const f = sources[i % 4]![m];
    if (f !== undefined) analyzers[i]!.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count);
  }
}
const after = await census();
const before = new Map<string, { bytes: number; count: number }>(JSON.parse(beforeJson.toString('utf8')) as [string, { bytes: number; count: number }][]);
if (analyzers.length !== sessions || sources.length !== 4 || snapshots.length !== 4) throw new Error('lost sessions');
const diff: [string, number, number][] = [];
let total = 0;
for (const [key, a] of after) {
  const b = before.get(key) ?? { bytes: 0, count: 0 };
  const bytes = (a.bytes - b.bytes) / sessions;
  const count = (a.count - b.count) / sessions;
  total += bytes;
  diff.push([key, bytes, count]);
}
console.log(`heap per warm session (V8 snapshot, self sizes, ${sessions} sessions): ${(total / 1024).toFixed(1)} KB`);
for (const [key, bytes, count] of diff.sort((x, y) => y[1] - x[1]).slice(0, top)) {
  console.log(`${(bytes / 1024).toFixed(2).padStart(8)} KB ${count.toFixed(1).padStart(8)} objs  ${key}`);
}
