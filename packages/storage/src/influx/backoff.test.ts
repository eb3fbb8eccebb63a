import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelayMs, sleep } from './backoff.ts';

const opts = { initialDelayMs: 100, maxDelayMs: 1_000, factor: 2 };

describe('backoffDelayMs', () => {
  it('doubles from the initial delay up to the cap, half fixed and half jitter', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelayMs(n, opts, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelayMs(n, opts, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads writers that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, opts)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  it("takes a server's Retry-After as a floor, capped by the maximum delay", () => {
    expect(backoffDelayMs(1, opts, () => 0, 700)).toBe(700);
    expect(backoffDelayMs(1, opts, () => 0, 60_000)).toBe(1_000);
  });

  it('rejects a retry number below 1', () => {
    expect(() => backoffDelayMs(0, opts)).toThrow(RangeError);
  });
});

describe('sleep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves true when the time ran out and false at once when aborted', async () => {
    vi.useFakeTimers();
    const timed = sleep(1_000);
    let done = false;
    void timed.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await timed).toBe(true);

    const stop = new AbortController();
    const aborted = sleep(60_000, stop.signal);
    stop.abort();
    expect(await aborted).toBe(false);
    expect(await sleep(10, stop.signal)).toBe(false);
  });
});
