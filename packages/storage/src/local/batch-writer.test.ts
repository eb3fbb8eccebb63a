import { describe, expect, it } from 'vitest';
import type { PreparedBatch } from '../write-batch.ts';
import { ThreadWriter, type RowWriter } from './batch-writer.ts';
import type { BatchRows } from './inserts.ts';

describe('ThreadWriter', () => {
  it('writes inline, owed writes first, when no writer thread can start (its database cannot be opened there)', async () => {
    const written: BatchRows[] = [];
    const inline: RowWriter = {
      writeRows: async (rows) => {
        written.push(rows);
        return 1;
      },
      close: async () => undefined,
    };
    const writer = new ThreadWriter({ path: '/nonexistent-gaitwatch-dir/sub/store.sqlite', synchronous: 'normal' }, () => inline);
    const stride = { athleteId: 'a', sessionId: 's', side: 'left', icUs: 1, toUs: null, strideTimeS: null, gctS: null, cadenceSpm: null, pelvicDropDeg: null, shankFrontalDeg: null, verticalOscillationCm: null, brakingMps: null };
    const batch = { strides: [stride], reps: [], alerts: [], sessions: [], checkpoints: [], imu: [], points: 1, imuSkipped: 0 } as unknown as PreparedBatch;
    // Owed while the thread tries to start, then after it died.
    await expect(writer.write([batch])).resolves.toBe(1);
    await expect(writer.write([batch, batch])).resolves.toBe(1);
    expect(written.map((rows) => rows.strides.length)).toEqual([1, 2]);
    expect(writer.thread).toBeUndefined();
    await writer.close();
  }, 30_000);
});
