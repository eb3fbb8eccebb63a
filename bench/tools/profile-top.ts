/**
 * Where the time went in a V8 CPU profile (`node --cpu-prof`): self time per
 * function and per file, top N, as the flame graph's widest bars would show.
 *
 *   node bin/run-ts.mjs bench/tools/profile-top.ts FILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
const files = args.filter((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1));
if (files.length === 0) {
  console.error('usage: profile-top.ts FILE.cpuprofile [--top N]');
  process.exit(2);
}

const short = (url: string): string => url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '').replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // Each sample's time delta is attributed to the node sampled (self time).
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const totalUs = profile.endTime - profile.startTime;
  const perFunction = new Map<string, number>();
  const perFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url === '' ? '(native)' : `${short(url)}:${lineNumber + 1}`;
    const key = `${functionName === '' ? '(anonymous)' : functionName}  ${where}`;
    perFunction.set(key, (perFunction.get(key) ?? 0) + us);
    const fileKey = url === '' ? functionName : short(url);
    perFile.set(fileKey, (perFile.get(fileKey) ?? 0) + us);
  }
  const print = (title: string, map: Map<string, number>): void => {
    console.log(`\n${title}`);
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
  };
  console.log(`${file}: ${(totalUs / 1e6).toFixed(2)} s profiled`);
  print('self time by function', perFunction);
  print('self time by file', perFile);
}
