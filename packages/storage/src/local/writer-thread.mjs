// The local store's writer thread entry: Node 20 does not apply the parent's tsx registration to a worker's
// own entry file, so tsx is registered here and the TypeScript loaded through it (as ingest's analysis-worker.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./writer-thread.ts');
