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
 *
 * Sessions of one athlete can close back to back (a phone that was offline
 * for days uploads its runs in a burst; a replay). A check must see the
 * sessions closed before it, or two runs that together break the limit raise
 * nothing; and it may also see one closed just after it (written in the same
 * batch), which then must not raise the same warning again. So an athlete's
 * checks run one at a time in close order, each first waits until every
 * record handed to the writer before it is in the store (`written`: the
 * earlier sessions, and the alerts the earlier checks raised), and a warning
 * whose episode (`load_ramp:<week>:<kind>`) is already stored is not raised
 * twice — which also holds across a restart.
 */
import { coachingSettings, loadRampAlertsAtClose, loadWindowStartUs } from '@gaitwatch/coaching';
import { allPages, type AlertRecord, type GaitStore, type SessionRecord } from '@gaitwatch/storage';
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
  /** Resolves once every record handed to the writer so far is in the store (StoreWriter.written). */
  readonly written: () => Promise<void>;
}

export class LoadRampCheck {
  private readonly running = new Set<Promise<void>>();
  /** Each athlete's latest check: the next one of that athlete starts after it. */
  private readonly lastOf = new Map<string, Promise<void>>();

  constructor(private readonly options: LoadRampCheckOptions) {}

  /** Starts the check for a session record just handed to the writer; only ended sessions are checked. */
  atClose(record: SessionRecord): void {
    if (record.endUs === null) return;
    const { athleteId } = record;
    const check = (this.lastOf.get(athleteId) ?? Promise.resolve())
      // Asked when this check's turn comes: covers this record, the sessions closed before it and the earlier checks' alerts.
      .then(() => this.options.written())
      .then(() => this.check(record))
      .catch((error: unknown) => {
        this.options.metrics.loadRampCheckFailures.inc();
        this.options.logger.warn({ err: error, athleteId, sessionId: record.sessionId }, 'load_ramp check failed; the load report still shows the week');
      })
      .finally(() => {
        this.running.delete(check);
        if (this.lastOf.get(athleteId) === check) this.lastOf.delete(athleteId);
      });
    this.running.add(check);
    this.lastOf.set(athleteId, check);
  }

  /** Resolves when every check started so far has finished (shutdown waits for it before closing the writer). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private async check(closed: SessionRecord): Promise<void> {
    const { store, metrics, logger } = this.options;
    const athlete = await store.getAthlete(closed.athleteId);
    const settings = coachingSettings(athlete?.settings ?? {});
    const window = { athleteId: closed.athleteId, fromUs: loadWindowStartUs(closed.startUs), toUs: closed.startUs + AFTER_START_US, order: 'asc' as const, limit: PAGE };
    const history = await collect(allPages((cursor) => store.querySessions({ ...window, ...(cursor !== undefined ? { cursor } : {}) })));
    const raised = loadRampAlertsAtClose(closed, history, settings);
    if (raised.length === 0) return;
    // The week's episodes already warned about (by a check that saw this session too, or before a restart). An alert's time is its session's end: after the window's start.
    const stored = await collect(allPages((cursor) => store.queryAlerts({ ...window, toUs: closed.endUs! + AFTER_START_US, type: 'load_ramp', ...(cursor !== undefined ? { cursor } : {}) })));
    const known = new Set(stored.map((a) => a.episodeId));
    for (const alert of raised) {
      if (known.has(alert.episodeId)) continue;
      this.options.write(alert);
      metrics.alerts.inc({ type: alert.type, phase: alert.phase });
      this.options.publish(closed.athleteId, closed.sessionId, JSON.stringify(alert));
      logger.info({ athleteId: alert.athleteId, sessionId: alert.sessionId, metric: alert.metric, value: alert.value, severity: alert.severity }, 'load_ramp alert');
    }
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
