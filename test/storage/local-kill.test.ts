/**
 * The local store survives a kill -9 of the writing process without losing
 * an acknowledged write: a child writes batches as fast as it can, prints an
 * ack after each write resolved, and is SIGKILLed mid-stream.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '@gaitwatch/storage';
import { describe, expect, it } from 'vitest';
import { startWriterChild } from './child.ts';
import { freshIds } from './fixtures.ts';
import { batchStrides } from './writer-child.ts';

describe('LocalStore and kill -9', () => {
  it('keeps every acknowledged batch after the writer is SIGKILLed mid-write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-local-kill-'));
    const { athleteId, sessionId } = freshIds('kill');
    const config = { kind: 'local' as const, dir, athleteId, sessionId, batches: 100_000, stridesPerBatch: 50 };
    try {
      const child = startWriterChild(config);
      // Let it get well into its stride: dozens of committed transactions, one more in flight.
      try {
        await child.ackOf(40);
      } finally {
        await child.kill();
      }
      const acked = child.lastAck();
      expect(acked).toBeGreaterThanOrEqual(40);

      const store = new LocalStore({ dataDir: dir });
      try {
        const all = [];
        for await (const s of store.streamStrides({ athleteId, sessionId, pageSize: 2000 })) all.push(s);
        const keys = new Set(all.map((s) => `${s.icUs}/${s.side}`));
        for (let i = 0; i <= acked; i++) for (const s of batchStrides(config, i)) expect(keys.has(`${s.icUs}/${s.side}`)).toBe(true);
        // Whole transactions only: a batch is all there or not at all.
        expect(all.length % config.stridesPerBatch).toBe(0);
        const session = await store.getSession(athleteId, sessionId);
        expect(session?.summary['lastBatch']).toBeGreaterThanOrEqual(acked);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
