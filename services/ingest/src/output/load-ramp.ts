/**
 * The `load_ramp` alert at session close (packages/coaching): when the
 * session just ended pushes its ISO week past the athlete's ramp limit, or
 * the acute:chronic ratio out of its band, one alert is stored and sent on
 * the session's alerts topic like any other.
 *
 * It runs on the main thread after the session's summary is handed to the
 * writer, off the analysis path: it reads five weeks of the athlete's
 * sessions from the store, which no analysis may wait for. A failure (store
 * away, bad settings) is logged and counted and never blocks the close; the
 * coach still sees the warning in the load report, which computes the same.
 */
import { coachingSettings, loadRampAlertsAtClose, loadWindowStartUs } from '@gaitwatch/coaching';
import type { AlertRecord, GaitStore, SessionRecord } from '@gaitwatch/storage';
import type { Logger } from 'pino';
import type { IngestMetrics } from '../metrics.ts';

/** A week and a day: the closed session's own ISO week ends within this after its start, in any time zone. */
const AFTER_START_US = 8 * 86_400_000_000;
const PAGE = 10_000;

export interface LoadRampCheckOptions {
  readonly store: GaitStore;
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  /** Stores the alert (the service's writer). */
  readonly write: (alert: AlertRecord) => void;
  /** Sends the alert's payload on the session's alerts topic. */
  readonly publish: (athleteId: string, sessionId: string, payload: string) => void;
}

export class LoadRampCheck {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: LoadRampCheckOptions) {}

  /** Starts the check for a session record just written; only ended sessions are checked. */
  atClose(record: SessionRecord): void {
    if (record.endUs === null) return;
    const check = this.check(record)
      .catch((error: unknown) => {
        this.options.metrics.loadRampCheckFailures.inc();
        this.options.logger.warn({ err: error, athleteId: record.athleteId, sessionId: record.sessionId }, 'load_ramp check failed; the load report still shows the week');
      })
      .finally(() => this.running.delete(check));
    this.running.add(check);
  }

  /** Resolves when every check started so far has finished (shutdown waits for it before closing the writer). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private async check(closed: SessionRecord): Promise<void> {
    const { store, metrics, logger } = this.options;
    const athlete = await store.getAthlete(closed.athleteId);
    const settings = coachingSettings(athlete?.settings ?? {});
    const history: SessionRecord[] = [];
    const query = { athleteId: closed.athleteId, fromUs: loadWindowStartUs(closed.startUs), toUs: closed.startUs + AFTER_START_US, order: 'asc' as const, limit: PAGE };
    let cursor: string | null = null;
    do {
      const page = await store.querySessions({ ...query, ...(cursor !== null ? { cursor } : {}) });
      history.push(...page.items);
      cursor = page.next;
    } while (cursor !== null);
    for (const alert of loadRampAlertsAtClose(closed, history, settings)) {
      this.options.write(alert);
      metrics.alerts.inc({ type: alert.type, phase: alert.phase });
      this.options.publish(closed.athleteId, closed.sessionId, JSON.stringify(alert));
      logger.info({ athleteId: alert.athleteId, sessionId: alert.sessionId, metric: alert.metric, value: alert.value, severity: alert.severity }, 'load_ramp alert');
    }
  }
}
