// One worker thread's share of a fleet (see parallel-fleet.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runFleet, type FleetOptions } from './fleet.ts';

const options = workerData as Omit<FleetOptions, 'onProgress' | 'signal'>;
const abort = new AbortController();
parentPort?.on('message', (message: unknown) => {
  if (message === 'abort') abort.abort();
});
const result = await runFleet({ ...options, signal: abort.signal, onProgress: (progress) => parentPort?.postMessage({ kind: 'progress', progress }) });
parentPort?.postMessage({ kind: 'result', result });
