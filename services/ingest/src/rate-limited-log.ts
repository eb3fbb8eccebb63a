import type { Logger } from 'pino';

/**
 * Logs at most one line per key per interval, saying how many were
 * suppressed since the last one: a flood of garbage costs a counter
 * increment per message, not a log line.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  warn(key: string, fields: object, message: string): void {
    const now = this.nowMs();
    const entry = this.last.get(key);
    if (entry !== undefined && now - entry.atMs < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    this.logger.warn({ ...fields, suppressed: entry?.suppressed ?? 0 }, message);
    this.last.set(key, { atMs: now, suppressed: 0 });
    // Keys are kind:reason pairs (a few dozen); the bound only guards against a bug that makes them unbounded.
    if (this.last.size > 1000) this.last.clear();
  }
}
