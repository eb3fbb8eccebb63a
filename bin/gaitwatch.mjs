#!/usr/bin/env node
// Runs the TypeScript CLI from source. tsx transpiles with esbuild (milliseconds
// per file, cached on disk), so there is no build step. `analyze`, which users
// run over and over on files, starts from a bundle of its own code instead
// (built on first use and when a source changes: cli-bundle.mjs), ~0.35 s
// faster; GAITWATCH_CLI_BUNDLE=0 runs it through tsx like the rest.
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2] === 'analyze' ? await (await import('./cli-bundle.mjs')).analyzeBundle() : null;
if (bundle !== null) {
  // Stack traces of a bug then name the TypeScript sources, not the bundle's lines.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
