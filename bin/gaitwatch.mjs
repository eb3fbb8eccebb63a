#!/usr/bin/env node
// Runs the TypeScript CLI from source. tsx transpiles with esbuild (milliseconds
// per file, cached on disk), so there is no build step and no slow start.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
