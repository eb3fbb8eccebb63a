/**
 * A writing process for the crash tests: opens a store, writes numbered
 * batches as fast as it can and prints `ack N` once batch N's write resolved
 * (= the store said it is durable). The test kills it with SIGKILL at a moment
 * of its choosing and checks that every acknowledged batch is there.
 *
 *   node bin/run-ts.mjs test/storage/writer-child.ts '<json ChildConfig>'
 */
import { InfluxStore, LocalStore, type GaitStore } from '@gaitwatch/storage';
import { T0_US, strides } from './fixtures.ts';
import type { Connection } from './influx-connection.ts';

export interface ChildConfig {
  readonly kind: 'local' | 'influx';
  /** local: the data directory; influx: the spool directory. */
  readonly dir: string;
  readonly url?: string;
  readonly connection?: Connection;
  readonly athleteId: string;
  readonly sessionId: string;
  /** Batches to write; then the child idles until killed. */
  readonly batches: number;
  readonly stridesPerBatch: number;
}

/** The strides of batch `i`: their own hour of the session, so batches never share a time. */
export function batchStrides(config: Pick<ChildConfig, 'athleteId' | 'sessionId' | 'stridesPerBatch'>, i: number) {
  return strides(config.athleteId, config.sessionId, config.stridesPerBatch, T0_US + i * 3_600_000_000);
}

/** However the test ends, this process does not outlive it by much. */
const MAX_LIFETIME_MS = 60_000;

async function main(): Promise<void> {
  setTimeout(() => process.exit(3), MAX_LIFETIME_MS);
  const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  const store: GaitStore =
    config.kind === 'local'
      ? new LocalStore({ dataDir: config.dir, maxBatchDelayMs: 1 })
      : await InfluxStore.open({ url: config.url!, ...config.connection!, spoolDir: config.dir, maxBatchDelayMs: 1, liveAttempts: 1, requestTimeoutMs: 500 });
  for (let i = 0; i < config.batches; i++) {
    // The session's summary names the last batch: replayed in order, the final value is the last one written.
    const summary = { lastBatch: i };
    await store.write({ strides: batchStrides(config, i), sessions: [{ athleteId: config.athleteId, sessionId: config.sessionId, startUs: T0_US, endUs: null, summary }] });
    process.stdout.write(`ack ${i}\n`);
  }
  process.stdout.write('done\n');
  setInterval(() => undefined, 60_000); // idle until killed
}

if (process.argv[2] !== undefined) await main();
