/**
 * Whether InfluxDB takes writes, as the writes (and the open-time probe) find
 * out: a failure waiting cannot heal (write-condition.ts) is kept as the
 * store's `writeProblem` until a write succeeds, and logged once per change —
 * at error with what to do, then at info when writes go through again. A
 * transient failure (down, slow, 5xx) neither sets nor clears it: the spool
 * rides those out, and a database that was missing before it went down is
 * not known to exist once it is back.
 */
import type { StoreLogger, StoreWriteProblem } from '../types.ts';
import type { WriteFailure } from './http.ts';
import { loggableUrl, problemMessage, type WriteTarget } from './write-condition.ts';

export class WriteHealth {
  private current: StoreWriteProblem | undefined;

  constructor(
    private readonly target: WriteTarget,
    private readonly log: StoreLogger,
    /** Points waiting in the spool now, for the log lines. */
    private readonly pointsWaiting: () => number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The persistent condition, until a write succeeds; undefined while writes go through (or fail only transiently). */
  get problem(): StoreWriteProblem | undefined {
    return this.current;
  }

  /** One write's outcome: undefined = 2xx. */
  observe(failure: WriteFailure | undefined): void {
    if (failure === undefined) {
      if (this.current === undefined) return;
      this.log.info(
        { reason: this.current.reason, url: loggableUrl(this.target.url), pointsWaiting: this.pointsWaiting(), problemMs: this.nowMs() - this.current.sinceMs },
        `InfluxDB at ${loggableUrl(this.target.url)} takes writes again (was: ${this.current.reason}); the spool is being sent (${this.pointsWaiting()} points waiting)`,
      );
      this.current = undefined;
      return;
    }
    const reason = failure.condition;
    if (reason === undefined || reason === this.current?.reason) return;
    const message = problemMessage(reason, this.target);
    this.current = { reason, status: failure.status ?? 0, message, sinceMs: this.nowMs() };
    const waiting = this.pointsWaiting();
    // The answer's body is InfluxDB's (e.g. `database not found: "gw"`), never a credential: those travel in headers.
    this.log.error(
      { reason, status: failure.status, url: loggableUrl(this.target.url), database: this.target.database ?? this.target.bucket, answer: failure.body.trim().slice(0, 200), pointsWaiting: waiting },
      `${message}; points are kept in the spool (${waiting} waiting) and sent once it is fixed`,
    );
  }
}
