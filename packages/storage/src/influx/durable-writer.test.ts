/**
 * The writer's retry and spool decisions with fake timers and a scripted
 * endpoint (no database here: the real-server behaviour is in
 * test/storage/influx-spool.test.ts). The spool is in memory for the same reason.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InfluxWriteError, StoreFullError } from '../errors.ts';
import type { SpoolRecord } from '../spool/record.ts';
import { SpoolFullError } from '../spool/spool.ts';
import { DurableWriter, type WriterSpool } from './durable-writer.ts';
import { WriteFailure } from './http.ts';

class MemorySpool implements WriterSpool {
  readonly records: SpoolRecord[] = [];
  constructor(private readonly maxRecords = Infinity) {}
  get depthRecords(): number {
    return this.records.length;
  }
  async append(payload: Uint8Array, items: number): Promise<void> {
    if (this.records.length >= this.maxRecords) throw new SpoolFullError(this.records.length, this.maxRecords);
    this.records.push({ seq: 0n, items, payload: Buffer.from(payload) });
  }
  async peek(): Promise<SpoolRecord | undefined> {
    return this.records[0];
  }
  async ack(): Promise<void> {
    this.records.shift();
  }
}

/** An endpoint that fails while `down` and records what it stored. */
function endpoint() {
  const state = { down: false, status: 503, stored: [] as string[], calls: [] as number[] };
  const send = async (body: string): Promise<void> => {
    state.calls.push(Date.now());
    if (state.down) throw new WriteFailure(state.status !== 400, state.status, 'unavailable', 0);
    state.stored.push(body);
  };
  return { state, send };
}

const backoff = { initialDelayMs: 100, maxDelayMs: 800, factor: 2 };
let dir: string;
beforeEach(async () => {
  vi.useFakeTimers();
  dir = await mkdtemp(join(tmpdir(), 'gw-writer-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

function writer(send: (body: string) => Promise<void>, spool: WriterSpool, liveAttempts = 3): DurableWriter {
  return new DurableWriter({ send, spool, deadLetterPath: join(dir, 'dead.lp'), liveAttempts, backoff, random: () => 0 });
}

describe('DurableWriter', () => {
  it('retries a live batch with growing delays, then stores it live', async () => {
    const { state, send } = endpoint();
    state.down = true;
    const w = writer(send, new MemorySpool());
    const done = w.submit('a', 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(state.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50); // first retry after 100/2 ms (random 0)
    expect(state.calls).toHaveLength(2);
    state.down = false;
    await vi.advanceTimersByTimeAsync(100); // second retry after 200/2 ms
    await done;
    expect(state.stored).toEqual(['a']);
    expect(w.counters).toMatchObject({ pointsWritten: 1, writeRetries: 2, pointsSpooled: 0 });
  });

  it('spools a batch after its live attempts, queues later batches behind it, and replays them in order with backoff', async () => {
    const { state, send } = endpoint();
    state.down = true;
    const spool = new MemorySpool();
    const w = writer(send, spool, 2);
    const first = w.submit('a', 2);
    await vi.advanceTimersByTimeAsync(50);
    await first; // acknowledged: in the spool
    expect(spool.records.map((r) => r.payload.toString())).toEqual(['a']);
    const callsBefore = state.calls.length;
    await w.submit('b', 1); // the spool is not empty: straight behind 'a', no live attempt of its own
    expect(spool.records.map((r) => r.payload.toString())).toEqual(['a', 'b']);
    // The replayer keeps trying 'a' with delays 50, 100, 200, 400, 400 … ms (capped at 800/2).
    await vi.advanceTimersByTimeAsync(2_000);
    expect(state.calls.length - callsBefore).toBeGreaterThanOrEqual(5);
    expect(state.stored).toEqual([]);
    state.down = false;
    await vi.advanceTimersByTimeAsync(400);
    await w.drain();
    expect(state.stored).toEqual(['a', 'b']);
    expect(w.counters).toMatchObject({ pointsSpooled: 3, pointsReplayed: 3, pointsWritten: 3 });
    await w.submit('c', 1);
    expect(state.stored).toEqual(['a', 'b', 'c']);
    expect(w.counters.pointsSpooled).toBe(3);
    await w.close();
  });

  it('refuses with StoreFullError when the spool is full, and counts it', async () => {
    const { state, send } = endpoint();
    state.down = true;
    const w = writer(send, new MemorySpool(1), 1);
    await w.submit('a', 1);
    await expect(w.submit('b', 1)).rejects.toBeInstanceOf(StoreFullError);
    expect(w.counters.writesRefusedFull).toBe(1);
    await w.close();
  });

  it('does not retry a batch the database refuses as invalid: rejects it and keeps it in the dead-letter file', async () => {
    vi.useRealTimers();
    const { state, send } = endpoint();
    state.down = true;
    state.status = 400;
    const w = writer(send, new MemorySpool());
    await expect(w.submit('bad line', 4)).rejects.toBeInstanceOf(InfluxWriteError);
    expect(state.calls).toHaveLength(1);
    expect(w.counters.pointsRejected).toBe(4);
    expect(await readFile(join(dir, 'dead.lp'), 'utf8')).toMatch(/^# \S+ HTTP 400 unavailable\nbad line\n$/);
  });

  it('a missing database (404): spooled at once, retried with backoff until it is created, every outcome told in order', async () => {
    const outcomes: (string | undefined)[] = [];
    const spool = new MemorySpool();
    let created = false;
    const calls: number[] = [];
    const send = async (): Promise<void> => {
      calls.push(Date.now());
      if (!created) throw new WriteFailure(true, 404, '{"error":"database not found: \\"gw\\""}', 0);
    };
    const w = new DurableWriter({ send, spool, deadLetterPath: join(dir, 'dead.lp'), liveAttempts: 3, backoff, random: () => 0, onOutcome: (f) => outcomes.push(f?.condition) });
    const done = w.submit('a', 2);
    await vi.advanceTimersByTimeAsync(0);
    // In the spool with no backoff wait between live attempts: a second would not find the database either.
    expect(spool.records).toHaveLength(1);
    await done;
    expect(outcomes[0]).toBe('database_missing');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls.length).toBeGreaterThan(10); // still retrying, with backoff: 50, 100, 200, 400, 400 … ms
    expect(calls.length).toBeLessThan(20);
    expect(spool.records).toHaveLength(1); // nothing dropped, nothing dead-lettered
    expect(w.counters.pointsRejected).toBe(0);
    created = true;
    await vi.advanceTimersByTimeAsync(400);
    expect(spool.records).toHaveLength(0);
    expect(w.counters).toMatchObject({ pointsReplayed: 2, pointsRejected: 0 });
    expect(outcomes.at(-1)).toBeUndefined();
    expect(outcomes.slice(0, -1).every((o) => o === 'database_missing')).toBe(true);
    await w.close();
  });

  it('stops replaying on close and leaves the records in the spool', async () => {
    const { state, send } = endpoint();
    state.down = true;
    const spool = new MemorySpool();
    const w = writer(send, spool, 1);
    await w.submit('a', 1);
    await vi.advanceTimersByTimeAsync(300);
    await w.close();
    expect(spool.records).toHaveLength(1);
  });
});
