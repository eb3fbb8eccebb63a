import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore, type AlertRecord, type GaitStore, type SessionRecord } from '@gaitwatch/storage';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { IngestMetrics } from '../metrics.ts';
import { LoadRampCheck } from './load-ramp.ts';
import { StoreWriter } from './store-writer.ts';

const closed: SessionRecord = { athleteId: 'a1', sessionId: 's1', startUs: 1_780_000_000_000_000, endUs: 1_780_001_800_000_000, summary: { gpsDistanceM: 5000 } };

function check(store: Partial<GaitStore>): { check: LoadRampCheck; metrics: IngestMetrics; written: AlertRecord[]; published: string[] } {
  const metrics = new IngestMetrics();
  const written: AlertRecord[] = [];
  const published: string[] = [];
  const c = new LoadRampCheck({ store: store as GaitStore, logger: pino({ level: 'silent' }), metrics, write: (a) => written.push(a), publish: (_a, _s, p) => published.push(p), written: async () => undefined });
  return { check: c, metrics, written, published };
}

describe('LoadRampCheck', () => {
  it('a store that fails the read is logged and counted; nothing is written and the close is not held', async () => {
    const t = check({ getAthlete: async () => null, querySessions: async () => Promise.reject(new Error('store away')) });
    t.check.atClose(closed);
    await t.check.settled();
    expect((await t.metrics.loadRampCheckFailures.get()).values[0]?.value).toBe(1);
    expect(t.written).toEqual([]);
    expect(t.published).toEqual([]);
  });

  it('a running session (no end) is not checked', async () => {
    let reads = 0;
    const t = check({ getAthlete: async () => (reads++, null), querySessions: async () => (reads++, { items: [], next: null }) });
    t.check.atClose({ ...closed, endUs: null });
    await t.check.settled();
    expect(reads).toBe(0);
  });

  it('sees the sessions closed just before it: two runs closed back to back that together break the limit raise one alert', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gw-load-ramp-'));
    const store = new LocalStore({ dataDir, writerThread: false, maxBatchDelayMs: 1 });
    const logger = pino({ level: 'silent' });
    const metrics = new IngestMetrics();
    // A writer that would hold its records for a minute: only a check that asks for them durable sees them.
    const writer = new StoreWriter(store, logger, metrics, { flushMs: 60_000 });
    const alerts: AlertRecord[] = [];
    const write = (a: AlertRecord): void => {
      alerts.push(a);
      writer.alert(a);
    };
    const ramp = new LoadRampCheck({ store, logger, metrics, write, publish: () => undefined, written: () => writer.written() });
    try {
      const WEEK_US = 7 * 86_400e6;
      // Monday 2026-06-01 08:00 UTC (2026-W23): 5 km. The next week: two 3 km runs uploaded together (+20 %, the limit is 10 %).
      const mondayUs = Date.UTC(2026, 5, 1, 8) * 1000;
      await store.putAthlete({ athleteId: 'a1', settings: { timeZone: 'UTC', rampLimitPct: 10 }, updatedUs: mondayUs });
      await store.write({ sessions: [{ athleteId: 'a1', sessionId: 'w23', startUs: mondayUs, endUs: mondayUs + 1800e6, summary: { gpsDistanceM: 5000 } }] });
      await store.flush();
      const run = (sessionId: string, startUs: number): SessionRecord => ({ athleteId: 'a1', sessionId, startUs, endUs: startUs + 1200e6, summary: { gpsDistanceM: 3000 } });
      for (const record of [run('w24-mon', mondayUs + WEEK_US), run('w24-tue', mondayUs + WEEK_US + 86_400e6)]) {
        writer.session(record);
        ramp.atClose(record);
      }
      await ramp.settled();
      // One alert for the week's episode, on one of the two runs (the first one's check may already see the second, written in the same batch).
      expect(alerts.map((a) => a.episodeId)).toEqual(['load_ramp:2026-W24:week_over_week']);
      expect(['w24-mon', 'w24-tue']).toContain(alerts[0]!.sessionId);
      expect((await metrics.loadRampCheckFailures.get()).values[0]?.value ?? 0).toBe(0);

      // After a restart (a fresh check) the run that raised it closes again (resumed from its checkpoint, closed once more): the stored episode is not raised twice.
      const again = new LoadRampCheck({ store, logger, metrics, write, publish: () => undefined, written: () => writer.written() });
      const raisedBy = run(alerts[0]!.sessionId, alerts[0]!.sessionId === 'w24-mon' ? mondayUs + WEEK_US : mondayUs + WEEK_US + 86_400e6);
      writer.session(raisedBy);
      again.atClose(raisedBy);
      await again.settled();
      expect(alerts).toHaveLength(1);
    } finally {
      await writer.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
