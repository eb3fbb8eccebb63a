import { StoreFullError, type GaitStore, type SessionRecord, type WriteBatch } from '@gaitwatch/storage';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IngestMetrics } from '../metrics.ts';
import { StoreWriter } from './store-writer.ts';

/** A store whose write fails as told: `failures` StoreFullErrors first, or one TypeError. */
function fakeStore(plan: { full?: number; invalid?: boolean }): { store: GaitStore; writes: WriteBatch[] } {
  const writes: WriteBatch[] = [];
  let full = plan.full ?? 0;
  const store = {
    kind: 'local',
    accepting: true,
    write: async (batch: WriteBatch): Promise<void> => {
      if (full > 0) {
        full--;
        throw new StoreFullError('spool', 1, 1);
      }
      if (plan.invalid === true) throw new TypeError('bad record');
      writes.push(batch);
    },
  } as unknown as GaitStore;
  return { store, writes };
}

const session = (i: number): SessionRecord => ({ athleteId: 'a', sessionId: `s${i}`, startUs: 1_767_254_400_000_000 + i, endUs: null, summary: {} });

describe('StoreWriter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('batches records for flushMs, then writes them in one call, in order', async () => {
    const { store, writes } = fakeStore({});
    const writer = new StoreWriter(store, pino({ level: 'silent' }), new IngestMetrics(), { flushMs: 200 });
    for (let i = 0; i < 5; i++) writer.session(session(i));
    expect(writer.pending).toBe(5);
    await vi.advanceTimersByTimeAsync(199);
    expect(writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.sessions!.map((s) => s.sessionId)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(writer.pending).toBe(0);
  });

  it('on StoreFullError keeps the batch, reports blocked, retries with backoff and delivers it once', async () => {
    const { store, writes } = fakeStore({ full: 3 });
    const metrics = new IngestMetrics();
    const writer = new StoreWriter(store, pino({ level: 'silent' }), metrics, { flushMs: 10, retryMs: 100 });
    writer.session(session(1));
    await vi.advanceTimersByTimeAsync(10);
    expect(writer.blocked).toBe(true);
    writer.session(session(2));
    expect(writer.pending).toBe(2);
    // Retries after 100, 200, 400 ms.
    await vi.advanceTimersByTimeAsync(100 + 200 + 400);
    await writer.flush();
    expect(writer.blocked).toBe(false);
    expect(writes.flatMap((w) => w.sessions!.map((s) => s.sessionId))).toEqual(['s1', 's2']);
    expect((await metrics.storeErrors.get()).values).toEqual([expect.objectContaining({ labels: { error: 'full' }, value: 3 })]);
  });

  it('drops a batch the store refuses as invalid, counts it, and goes on', async () => {
    const { store } = fakeStore({ invalid: true });
    const metrics = new IngestMetrics();
    const writer = new StoreWriter(store, pino({ level: 'silent' }), metrics, { flushMs: 10 });
    writer.session(session(1));
    await vi.advanceTimersByTimeAsync(10);
    await writer.flush();
    expect(writer.pending).toBe(0);
    expect((await metrics.storeErrors.get()).values).toEqual([expect.objectContaining({ labels: { error: 'TypeError' }, value: 1 })]);
  });

  it('written() waits for the records queued before it, not for later ones, and not forever under a steady stream', async () => {
    let release: (() => void) | undefined;
    const writes: WriteBatch[] = [];
    const store = {
      kind: 'local',
      accepting: true,
      write: (batch: WriteBatch): Promise<void> =>
        new Promise<void>((resolve) => {
          writes.push(batch);
          release = resolve;
        }),
    } as unknown as GaitStore;
    const writer = new StoreWriter(store, pino({ level: 'silent' }), new IngestMetrics(), { flushMs: 10 });
    writer.session(session(1));
    await vi.advanceTimersByTimeAsync(10);
    expect(writes).toHaveLength(1);
    writer.session(session(2));
    let done = false;
    void writer.written().then(() => (done = true));
    writer.session(session(3)); // after the call: not waited for
    release!();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    expect(writes).toHaveLength(2);
    expect(writes[1]!.sessions!.map((s) => s.sessionId)).toEqual(['s2', 's3']);
    writer.session(session(4));
    release!();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    // A replaced queued checkpoint counts once: written() still resolves.
    const checkpoint = { athleteId: 'a', sessionId: 's', startUs: 1_767_254_400_000_000, atUs: 1_767_254_400_000_000, version: 1, data: new Uint8Array(1) };
    writer.checkpoint(checkpoint);
    writer.checkpoint({ ...checkpoint, atUs: checkpoint.atUs + 1 });
    let second = false;
    void writer.written().then(() => (second = true));
    for (let i = 0; i < 5 && !second; i++) {
      release?.();
      await vi.advanceTimersByTimeAsync(20);
    }
    expect(second).toBe(true);
  });
});
