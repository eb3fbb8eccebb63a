import { allPages, type GaitStore, type JsonObject, type SessionRecord } from '@gaitwatch/storage';
import type { Logger } from 'pino';

export interface AbandonedSweepOptions {
  readonly store: GaitStore;
  readonly logger: Logger;
  /** Sessions this process runs (never touched). */
  readonly isLive: (athleteId: string, sessionId: string) => boolean;
  /** A session whose newest checkpoint is older than this is abandoned, µs (well past any live worker's checkpoint period). */
  readonly staleAfterUs: number;
  /** How far back to look for sessions still open, µs. */
  readonly lookBackUs: number;
  readonly nowUs: () => number;
}

/**
 * Ends sessions the store still shows running although no worker has
 * checkpointed them for a long time: their worker crashed (SIGKILL, power)
 * and no message came since to resume them, so no idle timeout will ever end
 * them. Without this they stay "running" in every list and dashboard. A
 * session with a recent checkpoint belongs to a live worker somewhere and is
 * left alone; one without any checkpoint is left alone too (checkpoints off:
 * its age cannot be told). The session keeps its strides and alerts; its
 * summary says `endReason: "abandoned"` and when its data was last seen.
 * Returns how many it ended.
 */
export async function endAbandonedSessions(options: AbandonedSweepOptions): Promise<number> {
  const { store, logger } = options;
  const now = options.nowUs();
  let ended = 0;
  for await (const session of allPages((cursor) => store.querySessions({ fromUs: now - options.lookBackUs, toUs: now, limit: 1000, ...(cursor !== undefined ? { cursor } : {}) }))) {
    if (session.endUs !== null || options.isLive(session.athleteId, session.sessionId)) continue;
    const checkpoint = await store.latestCheckpoint(session.athleteId, session.sessionId);
    if (checkpoint === null || checkpoint.startUs !== session.startUs || now - checkpoint.atUs < options.staleAfterUs) continue;
    const lastDataUs = lastDataOf(checkpoint.data);
    const record: SessionRecord = {
      athleteId: session.athleteId,
      sessionId: session.sessionId,
      startUs: session.startUs,
      endUs: Math.max(session.startUs, lastDataUs ?? checkpoint.atUs),
      summary: { ...session.summary, state: 'closed', endReason: 'abandoned', abandonedCheckpointAtUs: checkpoint.atUs } as JsonObject,
    };
    await store.write({ sessions: [record] });
    logger.warn({ athleteId: session.athleteId, sessionId: session.sessionId, checkpointAgeS: Math.round((now - checkpoint.atUs) / 1e6) }, 'session abandoned by its worker: ended');
    ended++;
  }
  return ended;
}

/** The checkpoint's last data time (ingest's checkpoint envelope, JSON), when it can be read. */
function lastDataOf(data: Uint8Array): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { dataUs?: unknown };
    return typeof parsed.dataUs === 'number' && Number.isFinite(parsed.dataUs) ? parsed.dataUs : undefined;
  } catch {
    return undefined;
  }
}
