import type { AlertRecord, GaitStore, SessionRecord } from '@gaitwatch/storage';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { IngestMetrics } from '../metrics.ts';
import { LoadRampCheck } from './load-ramp.ts';

const closed: SessionRecord = { athleteId: 'a1', sessionId: 's1', startUs: 1_780_000_000_000_000, endUs: 1_780_001_800_000_000, summary: { gpsDistanceM: 5000 } };

function check(store: Partial<GaitStore>): { check: LoadRampCheck; metrics: IngestMetrics; written: AlertRecord[]; published: string[] } {
  const metrics = new IngestMetrics();
  const written: AlertRecord[] = [];
  const published: string[] = [];
  const c = new LoadRampCheck({ store: store as GaitStore, logger: pino({ level: 'silent' }), metrics, write: (a) => written.push(a), publish: (_a, _s, p) => published.push(p) });
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
});
