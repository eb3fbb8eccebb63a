import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore, type CheckpointRecord, type SessionRecord } from '@gaitwatch/storage';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endAbandonedSessions } from './abandoned-sessions.ts';

const NOW_US = 1_790_000_000_000_000;
const MIN_US = 60_000_000;

const open = (sessionId: string, startUs = NOW_US - 60 * MIN_US): SessionRecord => ({ athleteId: 'a1', sessionId, startUs, endUs: null, summary: { state: 'running' } });
const checkpoint = (sessionId: string, atUs: number, startUs = NOW_US - 60 * MIN_US, dataUs: number | null = atUs - 1_000_000): CheckpointRecord => ({
  athleteId: 'a1',
  sessionId,
  startUs,
  atUs,
  version: 1,
  data: Buffer.from(JSON.stringify({ dataUs })),
});

describe('endAbandonedSessions', () => {
  let dir: string;
  let store: LocalStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-abandoned-'));
    store = new LocalStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ends only open sessions whose newest checkpoint is stale, at their last data, keeping the summary', async () => {
    await store.write({
      sessions: [
        open('crashed'),
        open('alive'),
        open('no-checkpoint'),
        open('live-here'),
        open('other-run'),
        { ...open('ended'), endUs: NOW_US - 30 * MIN_US, summary: { state: 'closed', endReason: 'stop' } },
      ],
      checkpoints: [
        checkpoint('crashed', NOW_US - 20 * MIN_US),
        checkpoint('alive', NOW_US - 5_000_000),
        checkpoint('live-here', NOW_US - 20 * MIN_US),
        // A checkpoint of an earlier run under the same id: says nothing about this one.
        checkpoint('other-run', NOW_US - 20 * MIN_US, NOW_US - 500 * MIN_US),
        checkpoint('ended', NOW_US - 40 * MIN_US),
      ],
    });
    const sweep = (isLive: (a: string, s: string) => boolean) =>
      endAbandonedSessions({ store, logger: pino({ level: 'silent' }), isLive, staleAfterUs: 10 * MIN_US, lookBackUs: 24 * 60 * MIN_US, nowUs: () => NOW_US });
    expect(await sweep((_a, s) => s === 'live-here')).toBe(1);
    const crashed = await store.getSession('a1', 'crashed');
    expect(crashed).toMatchObject({ endUs: NOW_US - 20 * MIN_US - 1_000_000, summary: { state: 'closed', endReason: 'abandoned', abandonedCheckpointAtUs: NOW_US - 20 * MIN_US } });
    for (const id of ['alive', 'no-checkpoint', 'live-here', 'other-run']) expect((await store.getSession('a1', id))?.endUs, id).toBeNull();
    expect((await store.getSession('a1', 'ended'))?.summary).toMatchObject({ endReason: 'stop' });
    // Idempotent: the same sweep again ends nothing more.
    expect(await sweep((_a, s) => s === 'live-here')).toBe(0);
  });
});
