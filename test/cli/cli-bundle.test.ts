import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_FORMAT, isFresh, readManifest } from '../../bin/cli-bundle.mjs';

// `gaitwatch analyze` starts from an esbuild bundle of its own code (bin/cli-bundle.mjs): the same
// output as through tsx, byte for byte, the parse thread included; rebuilt when a source changes;
// and a bundle that cannot be built leaves analyze on tsx, never broken.

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gw-cli-bundle-'));
let csv: string;

beforeAll(() => {
  const sim = spawnSync(process.execPath, [BIN, 'simulate', '--out', dir, '--duration', '60s', '--seed', '7'], { encoding: 'utf8' });
  expect(sim.status, sim.stderr).toBe(0);
  csv = join(dir, 'steady-s7-r0.csv');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `gaitwatch analyze` of the recording on its parse thread, with the bundle cache and any other variables given. */
function analyze(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, 'analyze', csv], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, GAITWATCH_ANALYZE_THREADS: '2', GAITWATCH_CLI_DEBUG: '1', ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Packages and modules analyze has no use for: the services, their servers and clients, zod. */
const SERVICE_ONLY = /(^|\/)(fastify|@fastify|aedes|mqtt|@influxdata|better-sqlite3|pino|prom-client|zod)[@/]|^services\/|^src\/cli\/(api|ingest|start|simulate|replay|demo)\.ts$/;

describe('the analyze bundle', () => {
  it('is built on first use, then reused, and gives the bytes tsx gives', () => {
    const cache = join(dir, 'cache-a');
    const throughTsx = analyze({ GAITWATCH_CLI_BUNDLE: '0', GAITWATCH_CLI_CACHE: cache });
    expect(throughTsx.status, throughTsx.stderr).toBe(0);
    expect(throughTsx.stderr).toContain('analyze through tsx');
    expect(existsSync(cache)).toBe(false);

    const first = analyze({ GAITWATCH_CLI_CACHE: cache });
    expect(first.status, first.stderr).toBe(0);
    const manifest = readManifest(cache)!;
    expect(first.stderr).toContain(`analyze from bundle ${manifest.dir} (built)`);
    expect(first.stdout).toContain('"kind":"stride"');
    expect(first.stdout).toBe(throughTsx.stdout);

    const second = analyze({ GAITWATCH_CLI_CACHE: cache });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain(`analyze from bundle ${manifest.dir}\n`);
    expect(readManifest(cache)!.dir).toBe(manifest.dir);
    expect(second.stdout).toBe(throughTsx.stdout);
  }, 120_000);

  it('holds the analysis and nothing of the services', () => {
    const cache = join(dir, 'cache-b');
    expect(analyze({ GAITWATCH_CLI_CACHE: cache }).status).toBe(0);
    const files = Object.keys(readManifest(cache)!.files);
    expect(files).toContain('src/cli/analyze.ts');
    expect(files).toContain('src/cli/parse-worker.ts');
    expect(files.some((f) => f.startsWith('packages/dsp/src/'))).toBe(true);
    expect(files.filter((f) => SERVICE_ONLY.test(f))).toEqual([]);
  }, 60_000);

  it('is rebuilt when a file it was built from changes', () => {
    const cache = join(dir, 'cache-c');
    expect(analyze({ GAITWATCH_CLI_CACHE: cache }).status).toBe(0);
    const before = readManifest(cache)!;
    // As if src/cli/analyze.ts had been edited since: its recorded signature no longer matches.
    const edited = { ...before, files: { ...before.files, 'src/cli/analyze.ts': '0:0' } };
    writeFileSync(join(cache, 'analyze.json'), JSON.stringify(edited));
    const run = analyze({ GAITWATCH_CLI_CACHE: cache });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/analyze from bundle build-\S+ \(built\)/);
    expect(readManifest(cache)!.dir).not.toBe(before.dir);
  }, 120_000);

  it('leaves analyze on tsx, with the same output, when it cannot be built', () => {
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'a file where the cache folder would go');
    const run = analyze({ GAITWATCH_CLI_CACHE: join(blocker, 'cache') });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/analyze through tsx \(no bundle: .*not-a-folder/);
    expect(run.stdout).toBe(analyze({ GAITWATCH_CLI_BUNDLE: '0' }).stdout);
  }, 120_000);
});

describe('isFresh', () => {
  const root = mkdtempSync(join(tmpdir(), 'gw-cli-fresh-'));
  const cache = join(root, 'cache');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A manifest of one source file as it is now, with the bundle's two files present. */
  function setUp(): { source: string; manifest: unknown } {
    rmSync(cache, { recursive: true, force: true });
    const source = join(root, 'a.ts');
    writeFileSync(source, 'export const a = 1;\n');
    mkdirSync(join(cache, 'build-x'), { recursive: true });
    for (const name of ['analyze-main.mjs', 'parse-worker.mjs']) writeFileSync(join(cache, 'build-x', name), '');
    const stat = statSync(source);
    return { source, manifest: { format: BUILD_FORMAT, dir: 'build-x', builtAt: '', files: { 'a.ts': `${stat.mtimeMs}:${stat.size}` } } };
  }

  it('holds while every file has its recorded mtime and size', () => {
    const { manifest } = setUp();
    expect(isFresh(manifest, cache, root)).toBe(true);
  });

  it('fails for a touched, resized or deleted source, a missing bundle file, another format, or no manifest', () => {
    const { source, manifest } = setUp();
    utimesSync(source, new Date(), new Date(Date.now() + 5000));
    expect(isFresh(manifest, cache, root)).toBe(false);

    const again = setUp();
    writeFileSync(again.source, 'export const a = 10;\n');
    expect(isFresh(again.manifest, cache, root)).toBe(false);

    const deleted = setUp();
    rmSync(deleted.source);
    expect(isFresh(deleted.manifest, cache, root)).toBe(false);

    const noWorker = setUp();
    rmSync(join(cache, 'build-x', 'parse-worker.mjs'));
    expect(isFresh(noWorker.manifest, cache, root)).toBe(false);

    const other = setUp();
    expect(isFresh({ ...(other.manifest as object), format: BUILD_FORMAT + 1 }, cache, root)).toBe(false);
    expect(isFresh(null, cache, root)).toBe(false);
    expect(readFileSync(join(cache, 'build-x', 'analyze-main.mjs'), 'utf8')).toBe('');
  });
});
