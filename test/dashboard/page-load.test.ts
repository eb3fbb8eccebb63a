/**
 * How the page loads (index.html, main.js, early.js): the start-up module
 * graph is asked for at once (index.html's modulepreload links: one round of
 * requests instead of one per import level) and holds only what start-up
 * needs; the views loaded on first use are reachable from main.js (the
 * movement screen's review from the session review) and not preloaded;
 * early.js runs before everything else, as soon as it arrives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DIR = new URL('../../services/api/dashboard/', import.meta.url);
const source = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');

/** Modules reached through static `import … from './x.js'` lines. */
function graph(entry: string, seen = new Set<string>()): Set<string> {
  for (const [, name] of source(entry).matchAll(/^import [^;]*? from '\.\/([\w-]+\.js)';/gm)) {
    if (seen.has(name!)) continue;
    seen.add(name!);
    graph(name!, seen);
  }
  return seen;
}

/** Modules a file loads on demand: `import('./x.js')` in its code (not a JSDoc type's `import('./x.js').T`). */
const lazyImports = (entry: string): Set<string> =>
  new Set([...source(entry).replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/\bimport\('\.\/([\w-]+\.js)'\)/g)].map((m) => m[1]!));

describe('dashboard page load', () => {
  const html = source('index.html');
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="\/dashboard\/([\w-]+\.js)">/g)].map((m) => m[1]);

  it('preloads exactly the modules main.js imports statically, directly or not', () => {
    const reached = graph('main.js');
    expect(reached.size).toBeGreaterThan(10);
    expect(new Set(preloaded)).toEqual(reached);
    expect(preloaded.length).toBe(reached.size);
  });

  it('loads the views not needed at start on first use: not preloaded, not in the start-up graph', () => {
    const lazy = lazyImports('main.js');
    expect([...lazy].sort()).toEqual(['view-coach.js', 'view-rtr.js', 'view-runner.js']);
    const startup = graph('main.js');
    for (const name of lazy) {
      expect(startup.has(name), name).toBe(false);
      expect(preloaded, name).not.toContain(name);
    }
    // The session review and the live page (the default route) stay in the start-up graph.
    expect(startup.has('view-session.js')).toBe(true);
    expect(startup.has('view-live.js')).toBe(true);
  });

  it('loads a movement screen’s review only when a screen is opened: not in the start-up graph, not preloaded', () => {
    expect([...lazyImports('view-session.js')]).toEqual(['screen-review.js']);
    // The live page loads the rep code only when a movement screen is on it.
    expect([...lazyImports('view-live.js')]).toEqual(['runner-screen.js']);
    const startup = graph('main.js');
    for (const name of ['screen-review.js', ...graph('screen-review.js')].filter((m) => !['alerts.js', 'dom.js', 'format.js', 'charts.js', 'decimate.js'].includes(m))) {
      expect(startup.has(name), name).toBe(false);
      expect(preloaded, name).not.toContain(name);
    }
  });

  it('leaves no module unreachable: every .js file is early.js, main.js, in the start-up graph or a lazy view’s graph', () => {
    const reachable = new Set(['early.js', 'main.js', ...graph('main.js')]);
    for (const from of [...reachable]) for (const name of lazyImports(from)) for (const m of [name, ...graph(name)]) reachable.add(m);
    const files = readdirSync(DIR).filter((f) => f.endsWith('.js'));
    expect(files.filter((f) => !reachable.has(f))).toEqual([]);
  });

  it('runs early.js first: a classic parser-blocking script ahead of every stylesheet and script, importing nothing', () => {
    const tag = /<script src="\/dashboard\/early\.js"><\/script>/.exec(html);
    expect(tag, 'early.js as <script src> without type=module, defer or async').not.toBeNull();
    const at = tag!.index;
    expect(at).toBeLessThan(html.indexOf('<link rel="stylesheet"'));
    expect(at).toBeLessThan(html.indexOf('src="/vendor/uplot/'));
    expect(at).toBeLessThan(html.indexOf('src="/dashboard/main.js"'));
    expect(at).toBeLessThan(html.indexOf('<link rel="modulepreload"'));
    // A classic script cannot import or export; and its names stay inside its one function.
    const early = source('early.js');
    expect(early).not.toMatch(/^\s*(import|export)\b/m);
    expect(early.replace(/\/\*\*[\s\S]*?\*\/\s*/, '').trimStart()).toMatch(/^\(function \w+\(\) \{/);
  });
});
