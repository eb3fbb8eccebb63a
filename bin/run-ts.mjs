#!/usr/bin/env node
// Runs a TypeScript entry point from source (eval harnesses, benchmarks): node bin/run-ts.mjs FILE.ts [args…]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const [entry] = process.argv.splice(2, 1);
if (entry === undefined) {
  console.error('usage: node bin/run-ts.mjs FILE.ts [args…]');
  process.exit(2);
}
register();
await import(pathToFileURL(resolve(entry)).href);
