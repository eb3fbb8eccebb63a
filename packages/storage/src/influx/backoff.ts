/**
 * Exponential backoff with "equal jitter" (AWS Architecture Blog, "Exponential
 * Backoff and Jitter", 2015): half the delay is fixed, half random, so many
 * writers that lost the database at the same moment do not come back in step,
 * yet none retries much sooner than planned.
 */

export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  readonly initialDelayMs: number;
  /** Cap of the delay, ms. */
  readonly maxDelayMs: number;
  /** Growth per attempt (2 doubles it). */
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 200, maxDelayMs: 10_000, factor: 2 };

/**
 * Delay before retry number `retry` (1 = the first retry), ms: the capped
 * exponential delay d, then d/2 + random·d/2. A server's Retry-After (ms) is a floor.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random, retryAfterMs = 0): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry ${retry} must be an integer ≥ 1`);
  const capped = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** (retry - 1));
  const jittered = capped / 2 + random() * (capped / 2);
  return Math.max(Math.round(jittered), Math.min(retryAfterMs, options.maxDelayMs));
}

/** Waits `ms`; resolves early (false) when `signal` aborts, true when the time ran out. Uses setTimeout, so fake timers drive it. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
