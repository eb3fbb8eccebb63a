// Worker entry: Node 20 does not apply `--import` loaders to a worker's own
// entry file, so register tsx here and load the TypeScript worker through it.
import { register } from 'tsx/esm/api';

register();
await import('./fleet-worker.ts');
