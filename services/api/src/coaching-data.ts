/**
 * What the coaching routes read from the store, page by page: an athlete's
 * sessions and raised alerts in a time range, and each session's 95th
 * percentile of pelvic drop per side (from its strides). The arithmetic
 * lives in @gaitwatch/coaching; this is its I/O edge.
 */
import { percentile95, type OnsetSide } from '@gaitwatch/coaching';
import type { AlertType } from '@gaitwatch/protocol';
import { allPages, type AlertRecord, type GaitStore, type SessionRecord } from '@gaitwatch/storage';

const PAGE = 10_000;

/** Sessions of the athlete starting in [fromUs, toUs), oldest first. */
export async function sessionsIn(store: GaitStore, athleteId: string, fromUs: number, toUs: number): Promise<SessionRecord[]> {
  const out: SessionRecord[] = [];
  for await (const session of allPages((cursor) => store.querySessions({ athleteId, fromUs, toUs, order: 'asc', limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) }))) out.push(session);
  return out;
}

/** Raised alerts of the athlete in [fromUs, toUs), oldest first, optionally of some types. */
export async function raisedAlertsIn(store: GaitStore, athleteId: string, fromUs: number, toUs: number, type?: AlertType): Promise<AlertRecord[]> {
  const out: AlertRecord[] = [];
  for await (const alert of allPages((cursor) => store.queryAlerts({ athleteId, fromUs, toUs, phase: 'raised', limit: PAGE, ...(type !== undefined ? { type } : {}), ...(cursor !== undefined ? { cursor } : {}) }))) out.push(alert);
  return out;
}

/** Most sessions whose strides a trends request reads (the newest): ~5,000 stances a 30-minute run, so ~300,000 rows at most. */
export const MAX_PEAK_SESSIONS = 60;

/**
 * Per session, the 95th percentile of pelvic drop on each side's stances,
 * streamed (one page in memory). Only the newest MAX_PEAK_SESSIONS ended
 * sessions are read; older ones have no peak (their trend points are left out).
 */
export async function pelvicDropPeaks(store: GaitStore, sessions: readonly SessionRecord[]): Promise<Map<string, Record<OnsetSide, number | null>>> {
  const out = new Map<string, Record<OnsetSide, number | null>>();
  const ended = sessions.filter((s) => s.endUs !== null).slice(-MAX_PEAK_SESSIONS);
  for (const s of ended) {
    const left: number[] = [];
    const right: number[] = [];
    for await (const stride of store.streamStrides({ athleteId: s.athleteId, sessionId: s.sessionId, pageSize: PAGE })) {
      if (stride.pelvicDropDeg !== null) (stride.side === 'left' ? left : right).push(stride.pelvicDropDeg);
    }
    out.set(s.sessionId, { left: percentile95(left), right: percentile95(right) });
  }
  return out;
}
