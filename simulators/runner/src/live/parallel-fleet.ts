import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FleetOptions, FleetProgress, FleetResult } from './fleet.ts';

/**
 * Runs a fleet across worker threads, runners dealt round-robin, so a fleet
 * uses every core (one JS thread tops out near 250 live runners at 200 Hz).
 * Workers load TypeScript through tsx like the CLI does.
 */
export async function runFleetParallel(options: FleetOptions, workers = Math.max(1, Math.min(availableParallelism(), 4))): Promise<FleetResult> {
  const { onProgress, signal, ...shared } = options;
  const count = Math.min(workers, options.runners);
  const latest: FleetProgress[] = [];
  const threads = Array.from({ length: count }, (_, w) => {
    const indices = Array.from({ length: options.runners }, (_, i) => i).filter((i) => i % count === w);
    return new Worker(new URL('./fleet-worker.mjs', import.meta.url), { workerData: { ...shared, indices } });
  });
  signal?.addEventListener('abort', () => threads.forEach((t) => t.postMessage('abort')));
  const results = await Promise.all(
    threads.map(
      (thread, w) =>
        new Promise<FleetResult>((resolve, reject) => {
          thread.on('message', (message: { kind: 'progress'; progress: FleetProgress } | { kind: 'result'; result: FleetResult }) => {
            if (message.kind === 'result') resolve(message.result);
            else {
              latest[w] = message.progress;
              if (latest.filter(Boolean).length === count) onProgress?.(merge(latest));
            }
          });
          thread.once('error', reject);
          thread.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`fleet worker ${w} exited with code ${code}`))));
        }),
    ),
  );
  await Promise.all(threads.map((t) => t.terminate()));
  return { ...merge(results), relays: results.flatMap((r) => r.relays) };
}

function merge(parts: readonly FleetProgress[]): FleetProgress {
  const sum = (f: (p: FleetProgress) => number): number => parts.reduce((s, p) => s + f(p), 0);
  const max = (f: (p: FleetProgress) => number): number => Math.max(...parts.map(f));
  return {
    runnersActive: sum((p) => p.runnersActive),
    runnersDone: sum((p) => p.runnersDone),
    runnersTotal: sum((p) => p.runnersTotal),
    messagesSent: sum((p) => p.messagesSent),
    messagesAcked: sum((p) => p.messagesAcked),
    elapsedS: max((p) => p.elapsedS),
    simulatedS: max((p) => p.simulatedS),
    maxTickGapMs: max((p) => p.maxTickGapMs),
    meanTickGapMs: sum((p) => p.meanTickGapMs) / parts.length,
  };
}
