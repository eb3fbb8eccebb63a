// Analysis thread entry: Node 20 does not apply `--import` loaders to a worker's own entry file,
// so tsx is registered here and the TypeScript worker loaded through it (as simulators/runner's fleet-worker.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./analysis-worker.ts');
