import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from './batcher.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder(fail?: (batch: string[]) => boolean) {
  const flushed: string[][] = [];
  const batcher = new Batcher<string>({
    maxBatchPoints: 3,
    maxBatchDelayMs: 100,
    flush: async (payloads) => {
      await Promise.resolve();
      if (fail?.(payloads)) throw new Error(`refused ${payloads.join(',')}`);
      flushed.push(payloads);
    },
  });
  return { batcher, flushed };
}

describe('Batcher', () => {
  it('sends a batch once it holds maxBatchPoints, without waiting for the timer', async () => {
    const { batcher, flushed } = recorder();
    const acks = [batcher.add('a', 1), batcher.add('b', 2)];
    await Promise.all(acks);
    expect(flushed).toEqual([['a', 'b']]);
    expect(batcher.pendingPoints).toBe(0);
  });

  it('also seals a batch at maxBatchBytes', async () => {
    const flushed: string[][] = [];
    const batcher = new Batcher<string>({ maxBatchPoints: 100, maxBatchDelayMs: 100, maxBatchBytes: 10, flush: async (p) => void flushed.push(p) });
    const ab = [batcher.add('a', 1, 6), batcher.add('b', 1, 6)]; // 12 bytes ≥ 10: sealed at once
    const c = batcher.add('c', 1, 6);
    await Promise.all(ab);
    expect(flushed).toEqual([['a', 'b']]);
    await batcher.flush();
    await c;
    expect(flushed).toEqual([['a', 'b'], ['c']]);
  });

  it('sends a partial batch after maxBatchDelayMs', async () => {
    const { batcher, flushed } = recorder();
    const ack = batcher.add('a', 1);
    await vi.advanceTimersByTimeAsync(99);
    expect(flushed).toEqual([]);
    expect(batcher.pendingPoints).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await ack;
    expect(flushed).toEqual([['a']]);
  });

  it('hands batches over one at a time and in order, and flush() waits for all', async () => {
    const { batcher, flushed } = recorder();
    const acks = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((p) => batcher.add(p, 1));
    await batcher.flush();
    await Promise.all(acks);
    expect(flushed).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
  });

  it("rejects only the writers of a batch that failed, and goes on with the next", async () => {
    const { batcher, flushed } = recorder((batch) => batch.includes('x'));
    const [a, x, b] = [batcher.add('a', 1), batcher.add('x', 2), batcher.add('b', 3)];
    await expect(a).rejects.toThrow('refused a,x');
    await expect(x).rejects.toThrow('refused a,x');
    await b;
    expect(flushed).toEqual([['b']]);
    expect(batcher.pendingPoints).toBe(0);
  });

  it('keeps at most inFlight batches unfinished (default one), handed over in order, and flush() waits for all', async () => {
    for (const inFlight of [undefined, 2]) {
      const started: string[][] = [];
      let active = 0;
      let most = 0;
      const batcher = new Batcher<string>({
        maxBatchPoints: 2,
        maxBatchDelayMs: 100,
        ...(inFlight !== undefined ? { inFlight } : {}),
        flush: async (payloads) => {
          started.push(payloads);
          most = Math.max(most, ++active);
          await new Promise((r) => setTimeout(r, 10));
          active--;
          if (payloads.includes('x')) throw new Error('refused x');
        },
      });
      const acks = ['a', 'b', 'c', 'x', 'e', 'f', 'g'].map((p) => batcher.add(p, 1).then(() => p, () => `!${p}`));
      const done = batcher.flush();
      await vi.advanceTimersByTimeAsync(100);
      await done;
      expect(most).toBe(inFlight ?? 1);
      expect(started).toEqual([['a', 'b'], ['c', 'x'], ['e', 'f'], ['g']]);
      expect(await Promise.all(acks)).toEqual(['a', 'b', '!c', '!x', 'e', 'f', 'g']);
      expect(batcher.pendingPoints).toBe(0);
    }
  });

  it('refuses bad limits', () => {
    expect(() => new Batcher({ maxBatchPoints: 0, maxBatchDelayMs: 1, flush: async () => undefined })).toThrow(RangeError);
  });
});
