/**
 * At open, asks InfluxDB whether it would take a write — an empty one, so
 * nothing is written — so that a missing database or refused credentials show
 * (log, `writeProblem`, /readyz) when the service starts, not only once the
 * first runner's points pile up. While such a problem lasts and the spool is
 * empty (so no replayer is retrying), asks again with backoff, so that it
 * clears once the operator has fixed it.
 */
import { backoffDelayMs, sleep, type BackoffOptions } from './backoff.ts';
import type { WriteFailure } from './http.ts';
import type { WriteHealth } from './write-health.ts';

export interface WriteProbeOptions {
  /** One empty write (InfluxHttp#probeWrite): undefined on 2xx. */
  readonly probe: (signal: AbortSignal) => Promise<WriteFailure | undefined>;
  readonly health: WriteHealth;
  /** True while the spool holds batches: the replayer's retries then tell the health, not the probe. */
  readonly replaying: () => boolean;
  readonly backoff: BackoffOptions;
  /** Aborted at close. */
  readonly signal: AbortSignal;
}

export async function probeUntilWritable(options: WriteProbeOptions): Promise<void> {
  const { signal } = options;
  for (let retry = 1; !signal.aborted; retry++) {
    // A signal per request: the client library keeps a listener on the signal it is given (durable-writer.ts).
    const request = new AbortController();
    const abort = (): void => request.abort();
    signal.addEventListener('abort', abort, { once: true });
    const failure = await options.probe(request.signal).finally(() => signal.removeEventListener('abort', abort));
    if (signal.aborted) return;
    // Only what an empty write can tell: taken, or refused for good. An outage is the spool's business.
    if (failure === undefined || failure.condition !== undefined) options.health.observe(failure);
    if (options.health.problem === undefined || options.replaying()) return;
    if (!(await sleep(backoffDelayMs(Math.min(retry, 30), options.backoff), signal))) return;
  }
}
