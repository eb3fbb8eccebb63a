// The `analyze` bundle: `gaitwatch analyze` runs from one esbuild bundle of its
// own code (src/cli/analyze-main.ts and the parse thread's entry) instead of
// through tsx, which transpiles and resolves ~75 modules on a hooks thread at
// every start: ~0.6 s of start-up becomes ~0.25 s (bench/FINDINGS.md, 2).
// Plain JavaScript because it runs before any TypeScript loader exists.
//
// The bundle is built on first use and again whenever a file it was built
// from changes (mtime or size of every input, and of the package.json and
// tsconfig.json files above them, checked at each start: ~1 ms), into the
// cache folder; a build that fails for any reason (no esbuild, read-only
// folder) leaves `analyze` on tsx, which gives the same output. esbuild is
// the one tsx already installs; it is a root dependency so this file can
// import it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** Bump when the build below changes: a bundle built another way is then rebuilt. */
export const BUILD_FORMAT = 1;

/** Output name → source. The parse thread's entry sits beside the main one, where parse-worker-client.ts looks for it. */
const ENTRIES = { 'analyze-main': 'src/cli/analyze-main.ts', 'parse-worker': 'src/cli/parse-worker.ts' };

/** The manifest of the current bundle, inside the cache folder. */
const MANIFEST = 'analyze.json';

/** Builds other than the current one are deleted once this old (a run that started from one may still need its parse thread's file). */
const STALE_BUILD_MS = 24 * 3600 * 1000;

/** Where bundles live: GAITWATCH_CLI_CACHE, else node_modules/.cache/gaitwatch-cli in the checkout. */
export function cacheDir(env = process.env) {
  return env.GAITWATCH_CLI_CACHE || join(ROOT, 'node_modules', '.cache', 'gaitwatch-cli');
}

/** A file's mtime and size, or null when it is missing. */
function signature(path) {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return null;
  }
}

/**
 * Whether a manifest still describes the sources: same build format, every
 * recorded file (paths relative to `root`) with the mtime and size it had
 * when the bundle was built, and the bundle's own files present.
 */
export function isFresh(manifest, cache, root = ROOT) {
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== BUILD_FORMAT) return false;
  if (typeof manifest.dir !== 'string' || typeof manifest.files !== 'object' || manifest.files === null) return false;
  for (const name of Object.keys(ENTRIES)) if (!existsSync(join(cache, manifest.dir, `${name}.mjs`))) return false;
  for (const [path, recorded] of Object.entries(manifest.files)) if (signature(resolve(root, path)) !== recorded) return false;
  return true;
}

/** The manifest in `cache`, or null when there is none or it cannot be read. */
export function readManifest(cache) {
  try {
    return JSON.parse(readFileSync(join(cache, MANIFEST), 'utf8'));
  } catch {
    return null;
  }
}

/** The inputs esbuild read, plus every package.json and tsconfig.json between each of them and the root (they steer resolution and transforms). */
function inputsOf(metafile) {
  const files = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    if (input.includes(':')) continue; // esbuild's own namespaces, not files
    files.add(input);
    for (let dir = dirname(resolve(ROOT, input)); dir.startsWith(ROOT); dir = dirname(dir)) {
      for (const name of ['package.json', 'tsconfig.json']) if (existsSync(join(dir, name))) files.add(relative(ROOT, join(dir, name)));
      if (dir === ROOT) break;
    }
  }
  // The root tsconfig.json extends this one.
  if (existsSync(join(ROOT, 'tsconfig.base.json'))) files.add('tsconfig.base.json');
  return [...files].sort();
}

/** Builds the bundle into a fresh folder of `cache` and points the manifest at it; returns the manifest. */
export async function buildBundle(cache) {
  const { build } = await import('esbuild');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'build-'));
  const entryPoints = Object.fromEntries(Object.entries(ENTRIES).map(([name, source]) => [name, join(ROOT, source)]));
  const result = await build({
    entryPoints,
    absWorkingDir: ROOT,
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    metafile: true,
    logLevel: 'silent',
    // Bundled CommonJS packages (commander) call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as gaitwatchCreateRequire } from 'node:module';\nconst require = gaitwatchCreateRequire(import.meta.url);" },
  });
  const files = {};
  for (const path of inputsOf(result.metafile)) files[path] = signature(join(ROOT, path));
  const manifest = { format: BUILD_FORMAT, dir: relative(cache, dir), builtAt: new Date().toISOString(), files };
  // Written aside and renamed: a CLI starting meanwhile reads the old manifest or the new one, never half of one.
  const tmp = join(cache, `${MANIFEST}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 1));
  renameSync(tmp, join(cache, MANIFEST));
  removeOldBuilds(cache, manifest.dir);
  return manifest;
}

function removeOldBuilds(cache, keep) {
  for (const name of readdirSync(cache)) {
    if (!name.startsWith('build-') || name === keep) continue;
    const path = join(cache, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_BUILD_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another CLI removed it first.
    }
  }
}

/**
 * The bundle's entry file, built or rebuilt first if needed; null when
 * `analyze` should run through tsx instead (GAITWATCH_CLI_BUNDLE=0, or the
 * build failed: with GAITWATCH_CLI_DEBUG=1 the reason goes to stderr).
 */
export async function analyzeBundle(env = process.env) {
  const debug = env.GAITWATCH_CLI_DEBUG === '1' ? (message) => console.error(`gaitwatch: ${message}`) : () => {};
  if (env.GAITWATCH_CLI_BUNDLE === '0') {
    debug('analyze through tsx (GAITWATCH_CLI_BUNDLE=0)');
    return null;
  }
  const cache = cacheDir(env);
  try {
    let manifest = readManifest(cache);
    if (isFresh(manifest, cache)) debug(`analyze from bundle ${manifest.dir}`);
    else {
      manifest = await buildBundle(cache);
      debug(`analyze from bundle ${manifest.dir} (built)`);
    }
    return join(cache, manifest.dir, 'analyze-main.mjs');
  } catch (error) {
    debug(`analyze through tsx (no bundle: ${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
}
