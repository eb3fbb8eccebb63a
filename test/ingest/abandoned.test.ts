/**
 * A worker killed hard leaves its sessions "running" in the store; if no
 * message ever comes to resume them, the next ingest ends them once their
 * newest checkpoint is long stale — and leaves alone a session some live
 * worker is still checkpointing.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '@gaitwatch/storage';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { startTestIngest, waitFor } from './helpers.ts';

const services = await realServices(['mosquitto']);

describe.skipIf(services.skip)('abandoned sessions', () => {
  const running = services.use();

  it('are ended by the next ingest at their last data; a session with a fresh checkpoint is not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-abandoned-'));
    const nowUs = Date.now() * 1000;
    const startUs = nowUs - 3_600_000_000;
    const seed = new LocalStore({ dataDir: dir });
    await seed.write({
      sessions: [
        { athleteId: 'crashed', sessionId: 's1', startUs, endUs: null, summary: { state: 'running' } },
        { athleteId: 'elsewhere', sessionId: 's1', startUs, endUs: null, summary: { state: 'running' } },
      ],
      checkpoints: [
        { athleteId: 'crashed', sessionId: 's1', startUs, atUs: nowUs - 1_800_000_000, version: 1, data: Buffer.from(JSON.stringify({ dataUs: nowUs - 1_801_000_000 })) },
        // Checkpointed 2 s ago: a live worker elsewhere runs it.
        { athleteId: 'elsewhere', sessionId: 's1', startUs, atUs: nowUs - 2_000_000, version: 1, data: Buffer.from('{}') },
      ],
    });
    await seed.close();
    const ingest = await startTestIngest(running.get('mosquitto').url, {}, { dir });
    try {
      await waitFor(async () => (await ingest.store.getSession('crashed', 's1'))?.endUs !== null, 10_000, 'the abandoned session ended');
      expect(await ingest.store.getSession('crashed', 's1')).toMatchObject({ endUs: nowUs - 1_801_000_000, summary: { state: 'closed', endReason: 'abandoned' } });
      expect((await ingest.store.getSession('elsewhere', 's1'))?.endUs).toBeNull();
    } finally {
      await ingest.close();
    }
  });
});
