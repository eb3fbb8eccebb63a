/**
 * The page asks for its whole module graph at once (index.html's
 * modulepreload links), so loading takes one round of requests instead of
 * one per import level: the list must name every module main.js reaches,
 * and nothing else.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DIR = new URL('../../services/api/dashboard/', import.meta.url);

function graph(entry: string, seen = new Set<string>()): Set<string> {
  for (const [, name] of readFileSync(new URL(entry, DIR), 'utf8').matchAll(/^import [^;]*? from '\.\/([\w-]+\.js)';/gm)) {
    if (seen.has(name!)) continue;
    seen.add(name!);
    graph(name!, seen);
  }
  return seen;
}

describe('dashboard page load', () => {
  it('preloads exactly the modules main.js imports, directly or not', () => {
    const html = readFileSync(new URL('index.html', DIR), 'utf8');
    const preloaded = [...html.matchAll(/<link rel="modulepreload" href="\/dashboard\/([\w-]+\.js)">/g)].map((m) => m[1]);
    const reached = graph('main.js');
    expect(reached.size).toBeGreaterThan(10);
    expect(new Set(preloaded)).toEqual(reached);
    expect(preloaded.length).toBe(reached.size);
  });

  it('runs early.js before main.js, and early.js imports nothing (it must not wait for the graph)', () => {
    const html = readFileSync(new URL('index.html', DIR), 'utf8');
    expect(html.indexOf('src="/dashboard/early.js"')).toBeGreaterThan(0);
    expect(html.indexOf('src="/dashboard/early.js"')).toBeLessThan(html.indexOf('src="/dashboard/main.js"'));
    expect(readFileSync(new URL('early.js', DIR), 'utf8')).not.toMatch(/^import /m);
  });
});
