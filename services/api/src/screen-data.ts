/**
 * What the screen history reads from the store (the I/O edge of
 * screen-history.ts): the reps of each screen session and the measured
 * pelvic drop of each run's stances, streamed a page at a time.
 */
import type { Side } from '@gaitwatch/protocol';
import type { GaitStore, RepRecord, SessionRecord } from '@gaitwatch/storage';
import { MAX_PEAK_SESSIONS } from './coaching-data.ts';
import type { RunDrops } from './screen-history.ts';

const PAGE = 10_000;

/** True when the session's summary says it was a movement screen (ingest records the `start`'s activity; none = a run). */
export function isScreen(session: SessionRecord): boolean {
  return session.summary['activity'] === 'screen';
}

export async function repsOf(store: GaitStore, session: SessionRecord): Promise<RepRecord[]> {
  const out: RepRecord[] = [];
  for await (const rep of store.streamReps({ athleteId: session.athleteId, sessionId: session.sessionId, pageSize: PAGE })) out.push(rep);
  return out;
}

/**
 * Each run's measured pelvic drop per stance leg; only the newest
 * MAX_PEAK_SESSIONS runs are read (as for the trends: ~5,000 stances a
 * 30-minute run), older ones get null.
 */
export async function runDrops(store: GaitStore, runs: readonly SessionRecord[]): Promise<(RunDrops | null)[]> {
  const firstRead = Math.max(0, runs.length - MAX_PEAK_SESSIONS);
  const out: (RunDrops | null)[] = [];
  for (const [i, run] of runs.entries()) {
    if (i < firstRead) {
      out.push(null);
      continue;
    }
    const drops: Record<Side, number[]> = { left: [], right: [] };
    for await (const stride of store.streamStrides({ athleteId: run.athleteId, sessionId: run.sessionId, pageSize: PAGE })) {
      if (stride.pelvicDropDeg !== null) drops[stride.side].push(stride.pelvicDropDeg);
    }
    out.push(drops);
  }
  return out;
}
