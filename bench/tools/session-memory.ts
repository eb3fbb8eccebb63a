/**
 * What a warm SessionAnalyzer holds: walks one analyzer's object graph after
 * 30 s of a simulated run and sums typed-array bytes by where they hang
 * (class path), largest first — the "why" behind hot-path's memory row.
 * The walk is the dsp package's typedArrayFootprint (its memory test uses it too).
 *
 *   node bin/run-ts.mjs bench/tools/session-memory.ts [--top 20]
 */
import { SessionAnalyzer, typedArrayFootprint } from '@gaitwatch/dsp';
import { SENSOR_IDS } from '@gaitwatch/protocol';
import { simulatedFrames } from '../lib/data.ts';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 20;

const analyzer = new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: 'a', sessionId: 's' });
for (const f of simulatedFrames(0, 150)) analyzer.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count);

const { bytes: total, buffers, byPath } = typedArrayFootprint(analyzer, 'SessionAnalyzer');
console.log(`typed arrays reachable from one warm SessionAnalyzer: ${(total / 1024).toFixed(0)} KB in ${buffers} buffers`);
// Group by the path with sensor keys and indices folded, then list the largest.
const folded = new Map<string, number>();
for (const [path, bytes] of byPath) {
  const key = path.replace(/\[(pelvis|shank_left|shank_right|left|right)\]/g, '[·]').replace(/\[\d+\]|\[\*\]/g, '[i]');
  folded.set(key, (folded.get(key) ?? 0) + bytes);
}
for (const [path, bytes] of [...folded].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(bytes / 1024).toFixed(1).padStart(8)} KB  ${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${path}`);
