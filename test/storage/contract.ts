/**
 * The store contract: one suite, run against every GaitStore (the local
 * SQLite store and the InfluxDB store on a real server). Call it inside a
 * describe block; `store()` returns the store under test, opened by the caller.
 */
import type { AlertAckInput, AlertRecord, AthleteListItem, AthleteRecord, GaitStore, RepRecord, StrideRecord } from '@gaitwatch/storage';
import { StoreClosedError } from '@gaitwatch/storage';
import { expect, it } from 'vitest';
import { T0_US, alert, checkpoint, freshIds, reps, session, strides } from './fixtures.ts';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export function storeContract(store: () => GaitStore): void {
  it('round-trips strides exactly, nulls as null (not 0), absent optional metrics as null', async () => {
    const { athleteId, sessionId } = freshIds('nulls');
    const [full, partial] = strides(athleteId, sessionId, 2);
    const nullish: StrideRecord = { ...partial!, toUs: null, strideTimeS: null, gctS: null, cadenceSpm: null, pelvicDropDeg: null, shankFrontalDeg: null, verticalOscillationCm: null, brakingMps: null };
    const { verticalOscillationCm: _v, brakingMps: _b, ...withoutOptional } = full!;
    await store().write({ strides: [withoutOptional as StrideRecord, nullish] });
    const page = await store().queryStrides({ athleteId, sessionId });
    expect(page.next).toBeNull();
    expect(page.items).toEqual([{ ...full!, verticalOscillationCm: null, brakingMps: null }, nullish]);
  });

  it('keeps extra stride fields (numbers, strings, booleans) and drops null extras and the analyze `kind`', async () => {
    const { athleteId, sessionId } = freshIds('extras');
    const [s] = strides(athleteId, sessionId, 1);
    await store().write({ strides: [{ ...s!, pelvicDropDeg: null, pelvicDropReason: 'data_gap', stepCount: 12, fromFallback: true, gone: null, kind: 'stride' }] });
    const [back] = (await store().queryStrides({ athleteId, sessionId })).items;
    expect(back).toEqual({ ...s!, pelvicDropDeg: null, pelvicDropReason: 'data_gap', stepCount: 12, fromFallback: true });
  });

  it('overwrites a point written again (identity = tags + time): a replay doubles nothing', async () => {
    const { athleteId, sessionId } = freshIds('upsert');
    const batch = strides(athleteId, sessionId, 6);
    const alerts = [alert(athleteId, sessionId, T0_US + 5), alert(athleteId, sessionId, T0_US + 5, { phase: 'resolved', severity: 'info' })];
    await store().write({ strides: batch, alerts });
    await store().write({ strides: batch, alerts });
    await store().write({ strides: batch.slice(2, 4) });
    expect((await store().queryStrides({ athleteId, sessionId })).items).toHaveLength(6);
    expect((await store().queryAlerts({ athleteId })).items).toHaveLength(2);
  });

  it('pages strides by time without splitting a time, skipping or repeating, and streams them all in order', async () => {
    const { athleteId, sessionId } = freshIds('paging');
    const batch = strides(athleteId, sessionId, 25);
    // Two stances at one IC (left and right): a page must not split them.
    const twin = { ...batch[9]!, side: batch[9]!.side === 'left' ? 'right' : 'left' } as StrideRecord;
    await store().write({ strides: [...batch, twin] });
    const seen: StrideRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store().queryStrides({ athleteId, sessionId, limit: 5, ...(cursor === undefined ? {} : { cursor }) });
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items);
      cursor = page.next ?? undefined;
      pages++;
    } while (cursor !== undefined && pages < 20);
    expect(seen).toHaveLength(26);
    expect(new Set(seen.map((s) => `${s.icUs}/${s.side}`)).size).toBe(26);
    expect(seen.map((s) => s.icUs)).toEqual([...seen.map((s) => s.icUs)].sort((a, b) => a - b));
    expect(await collect(store().streamStrides({ athleteId, sessionId, pageSize: 4 }))).toEqual(seen);
  });

  it('filters strides by time range [from, to) and side', async () => {
    const { athleteId, sessionId } = freshIds('range');
    const batch = strides(athleteId, sessionId, 10);
    await store().write({ strides: batch });
    const { items } = await store().queryStrides({ athleteId, sessionId, fromUs: batch[2]!.icUs, toUs: batch[7]!.icUs, side: 'left' });
    expect(items.map((s) => s.icUs)).toEqual([batch[2]!.icUs, batch[4]!.icUs, batch[6]!.icUs]);
    expect((await store().queryStrides({ athleteId, sessionId: `${sessionId}x` })).items).toEqual([]);
  });

  it('stores a load_ramp alert (raised across sessions by @gaitwatch/coaching) and filters by its type', async () => {
    const { athleteId, sessionId } = freshIds('loadramp');
    const ramp = alert(athleteId, sessionId, T0_US + 9_000, { type: 'load_ramp', metric: 'weeklyDistanceM', value: 13_500, baseline: 10_000, message: '2026-W09: 35 % more than the week before', episodeId: 'load_ramp:2026-W09:week_over_week' });
    await store().write({ alerts: [alert(athleteId, sessionId, T0_US + 1_000), ramp] });
    expect((await store().queryAlerts({ athleteId, type: 'load_ramp' })).items).toEqual([ramp]);
  });

  it('stores alerts with every optional field and filters them by athlete(s), session, type, severity, phase and time', async () => {
    const { athleteId, sessionId, other } = freshIds('alerts');
    const a1 = alert(athleteId, sessionId, T0_US + 1_000);
    const a2 = alert(athleteId, sessionId, T0_US + 2_000, { type: 'pelvic_drop_high', severity: 'critical', value: 9.1, baseline: 8, side: 'left' });
    // Both shanks silent in the same microsecond: two alerts, not one.
    const a3 = alert(athleteId, sessionId, T0_US + 3_000, { type: 'data_quality', severity: 'info', metric: 'sensor_silent', value: null, baseline: null, sensor: 'shank_left', reason: 'sensor_silent' });
    const a4 = { ...a3, sensor: 'shank_right' };
    const a5 = alert(other, 'other-session', T0_US + 4_000, { phase: 'resolved', message: 'back to baseline\nwell done "runner"' });
    const { episodeId: _e, ...noEpisode } = alert(athleteId, sessionId, T0_US + 5_000, { severity: 'info' });
    await store().write({ alerts: [a5, a4, a3, a2, a1, noEpisode] });
    const q = store().queryAlerts.bind(store());
    expect((await q({ athleteId })).items).toEqual([a1, a2, a3, a4, noEpisode]);
    expect((await q({ athleteId: [athleteId, other], order: 'desc', limit: 2 })).items).toEqual([noEpisode, a5]);
    expect((await q({ athleteId, type: 'data_quality' })).items).toEqual([a3, a4]);
    expect((await q({ athleteId: [athleteId, other], severity: ['critical', 'warning'] })).items).toEqual([a1, a2, a5]);
    expect((await q({ athleteId: [athleteId, other], phase: 'resolved' })).items).toEqual([a5]);
    expect((await q({ athleteId, sessionId, fromUs: T0_US + 2_000, toUs: T0_US + 3_000 })).items).toEqual([a2]);
    expect((await q({ athleteId: [] })).items).toEqual([]);
  });

  it('pages alerts newest first with a cursor', async () => {
    const { athleteId, sessionId } = freshIds('alertpages');
    const all = Array.from({ length: 7 }, (_, i) => alert(athleteId, sessionId, T0_US + i * 1_000_000));
    await store().write({ alerts: all });
    const first = await store().queryAlerts({ athleteId, order: 'desc', limit: 3 });
    const second = await store().queryAlerts({ athleteId, order: 'desc', limit: 3, cursor: first.next! });
    const third = await store().queryAlerts({ athleteId, order: 'desc', limit: 3, cursor: second.next! });
    expect([...first.items, ...second.items, ...third.items].map((a) => a.tUs)).toEqual(all.map((a) => a.tUs).reverse());
    expect(third.next).toBeNull();
  });

  it('lists sessions newest first with filters, and the summary at stop overwrites the running session', async () => {
    const { athleteId, sessionId, other } = freshIds('sessions');
    await store().write({ sessions: [session(athleteId, `${sessionId}-a`, T0_US), session(athleteId, `${sessionId}-b`, T0_US + 3_600_000_000), session(other, `${sessionId}-c`, T0_US + 60_000_000)] });
    const stopped = session(athleteId, `${sessionId}-a`, T0_US, T0_US + 1_800_000_000);
    await store().write({ sessions: [stopped] });
    const mine = await store().querySessions({ athleteId });
    expect(mine.items.map((s) => s.sessionId)).toEqual([`${sessionId}-b`, `${sessionId}-a`]);
    expect(mine.items[1]).toEqual(stopped);
    const both = await store().querySessions({ athleteId: [athleteId, other], fromUs: T0_US + 1, order: 'asc' });
    expect(both.items.map((s) => s.sessionId)).toEqual([`${sessionId}-c`, `${sessionId}-b`]);
    expect(await store().getSession(athleteId, `${sessionId}-a`)).toEqual(stopped);
    expect(await store().getSession(athleteId, 'never-was')).toBeNull();
  });

  it('keeps the latest checkpoint of a session, bytes exact (large ones too)', async () => {
    const { athleteId, sessionId } = freshIds('checkpoint');
    expect(await store().latestCheckpoint(athleteId, sessionId)).toBeNull();
    // 100 kB spans several of InfluxDB's 64 KiB string fields; then smaller ones overwrite it.
    for (const [i, bytes] of [100_000, 1_000, 0].entries()) {
      const written = checkpoint(athleteId, sessionId, T0_US, T0_US + (i + 1) * 5_000_000, bytes, i + 1);
      await store().write({ checkpoints: [written] });
      const back = await store().latestCheckpoint(athleteId, sessionId);
      // Buffer.equals, not toEqual: a deep compare of 100 000 elements takes a second.
      expect(Buffer.from(back!.data).equals(written.data)).toBe(true);
      expect({ ...back!, data: null }).toEqual({ ...written, data: null });
    }
  });

  it('drops raw IMU by default and counts what it dropped', async () => {
    const { athleteId, sessionId } = freshIds('imuoff');
    const before = store().metrics.imuSamplesSkipped;
    await store().write({ imu: [{ athleteId, sessionId, sensor: 'pelvis', t0Us: T0_US, periodUs: 5000, samples: new Float64Array(12) }] });
    expect(store().metrics.imuSamplesSkipped - before).toBe(2);
    expect((await store().queryImu({ athleteId, sessionId })).items).toEqual([]);
  });

  it('refuses an invalid record with a TypeError/RangeError and stores nothing of that call', async () => {
    const { athleteId, sessionId } = freshIds('invalid');
    const good = strides(athleteId, sessionId, 2);
    await expect(store().write({ strides: [good[0]!, { ...good[1]!, athleteId: 'has space' }] })).rejects.toThrow(TypeError);
    await expect(store().write({ strides: [{ ...good[0]!, gctS: Number.NaN }] })).rejects.toThrow(TypeError);
    await expect(store().write({ strides: [{ ...good[0]!, icUs: 12 }] })).rejects.toThrow(RangeError);
    await expect(store().write({ strides: [{ ...good[0]!, athlete: 'x' }] })).rejects.toThrow(/extra field name/);
    await expect(store().queryStrides({ athleteId, sessionId, cursor: 'nope' })).rejects.toThrow(TypeError);
    expect((await store().queryStrides({ athleteId, sessionId })).items).toEqual([]);
  });

  it('counts written points in its metrics', async () => {
    const { athleteId, sessionId } = freshIds('metrics');
    const before = store().metrics.pointsWritten;
    await store().write({ strides: strides(athleteId, sessionId, 3), alerts: [alert(athleteId, sessionId, T0_US)] });
    await store().flush();
    expect(store().metrics.pointsWritten - before).toBe(4);
    expect(store().metrics.pendingPoints).toBe(0);
  });
}

/** Reps of movement screens (measurement `rep`) and sessions by activity: the same suite, both stores. */
export function repContract(store: () => GaitStore): void {
  it('round-trips reps exactly: null angles and verdict as null, reasons and extras kept, the analyze `kind` dropped', async () => {
    const { athleteId, sessionId } = freshIds('reps');
    const [full, partial] = reps(athleteId, sessionId, 1, 2);
    const nullish: RepRecord = { ...partial!, pelvicDropDeg: null, shankFrontalDeg: null, depthDeg: null, pelvicDropVerdict: null, pelvicDropReason: 'data_gap', shankFrontalReason: 'no_sensor' };
    await store().write({ reps: [{ ...full!, kind: 'rep', gone: null, fromFallback: true }, nullish] });
    const page = await store().queryReps({ athleteId, sessionId });
    expect(page.next).toBeNull();
    expect(page.items).toEqual([{ ...full!, fromFallback: true }, nullish]);
    expect((await store().queryStrides({ athleteId, sessionId })).items).toEqual([]);
  });

  it('overwrites a rep written again (identity = athlete, session, standing side, start): a replay doubles nothing', async () => {
    const { athleteId, sessionId } = freshIds('reps-upsert');
    const batch = reps(athleteId, sessionId, 2, 3);
    await store().write({ reps: batch });
    await store().write({ reps: batch.slice(1, 4) });
    // The same start on the other leg is another rep, not an overwrite.
    const twin: RepRecord = { ...batch[0]!, side: 'left' };
    await store().write({ reps: [twin] });
    const { items } = await store().queryReps({ athleteId, sessionId });
    expect(items).toHaveLength(13);
    expect(items.slice(0, 2)).toEqual([twin, batch[0]]);
  });

  it('pages reps by time without splitting a time, filters by side and range, and streams them all in order', async () => {
    const { athleteId, sessionId } = freshIds('reps-paging');
    const batch = reps(athleteId, sessionId, 2, 5);
    const twin: RepRecord = { ...batch[4]!, side: 'left' };
    await store().write({ reps: [...batch, twin] });
    const seen: RepRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store().queryReps({ athleteId, sessionId, limit: 5, ...(cursor === undefined ? {} : { cursor }) });
      // 5 at most, except never splitting the twin pair (4 then the pair starting a page, or the pair kept whole).
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items);
      cursor = page.next ?? undefined;
      pages++;
    } while (cursor !== undefined && pages < 20);
    expect(seen).toHaveLength(21);
    expect(new Set(seen.map((r) => `${r.startUs}/${r.side}`)).size).toBe(21);
    expect(seen.map((r) => r.startUs)).toEqual([...seen.map((r) => r.startUs)].sort((a, b) => a - b));
    expect(await collect(store().streamReps({ athleteId, sessionId, pageSize: 3 }))).toEqual(seen);
    const left = await store().queryReps({ athleteId, sessionId, side: 'left', fromUs: batch[5]!.startUs, toUs: batch[15]!.startUs });
    expect(left.items.map((r) => [r.set, r.rep, r.side])).toEqual([1, 2, 3, 4, 5].map((rep) => [1, rep, 'left']));
  });

  it('refuses an invalid rep with a TypeError/RangeError and stores nothing of that call', async () => {
    const { athleteId, sessionId } = freshIds('reps-invalid');
    const [good, other] = reps(athleteId, sessionId, 1, 2);
    const bad = (change: Record<string, unknown>): Promise<void> => store().write({ reps: [other!, { ...good!, ...change } as RepRecord] });
    await expect(bad({ rep: -1 })).rejects.toThrow(RangeError);
    await expect(bad({ set: 0 })).rejects.toThrow(RangeError);
    await expect(bad({ rep: 1.5 })).rejects.toThrow(RangeError);
    await expect(bad({ endUs: good!.startUs - 1 })).rejects.toThrow(/run forward/);
    await expect(bad({ bottomUs: good!.endUs + 1 })).rejects.toThrow(/run forward/);
    await expect(bad({ side: 'both' })).rejects.toThrow(TypeError);
    await expect(bad({ durationS: 0 })).rejects.toThrow(RangeError);
    await expect(bad({ depthDeg: Number.NaN })).rejects.toThrow(TypeError);
    await expect(bad({ pelvicDropVerdict: 'wobbly' })).rejects.toThrow(TypeError);
    await expect(bad({ startUs: 12 })).rejects.toThrow(RangeError);
    await expect(bad({ athleteId: '../x' })).rejects.toThrow(TypeError);
    await expect(store().queryReps({ athleteId, sessionId, cursor: 'nope' })).rejects.toThrow(TypeError);
    expect((await store().queryReps({ athleteId, sessionId })).items).toEqual([]);
  });

  it('lists sessions by activity: screens are those whose summary says so, a session naming none is a run', async () => {
    const { athleteId, sessionId } = freshIds('activity');
    const screen = { ...session(athleteId, `${sessionId}-screen`, T0_US + 2_000_000), summary: { state: 'running', activity: 'screen', start: { state: 'start', activity: 'screen' } } };
    const run = { ...session(athleteId, `${sessionId}-run`, T0_US + 1_000_000), summary: { state: 'running', activity: 'run' } };
    const old = session(athleteId, `${sessionId}-old`, T0_US);
    const closedScreen = { ...session(athleteId, `${sessionId}-screen2`, T0_US + 3_000_000, T0_US + 9_000_000), summary: { state: 'closed', activity: 'screen', strides: { left: 0, right: 0 } } };
    await store().write({ sessions: [screen, run, old, closedScreen] });
    const ids = async (activity?: 'run' | 'screen', limit?: number): Promise<string[]> => {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store().querySessions({ athleteId, ...(activity === undefined ? {} : { activity }), ...(limit === undefined ? {} : { limit }), ...(cursor === undefined ? {} : { cursor }) });
        out.push(...page.items.map((s) => s.sessionId.slice(sessionId.length + 1)));
        cursor = page.next ?? undefined;
      } while (cursor !== undefined);
      return out;
    };
    expect(await ids('screen')).toEqual(['screen2', 'screen']);
    // Full pages of the activity asked for: the filter is the store's, not a page thinned afterwards.
    expect((await store().querySessions({ athleteId, activity: 'screen', limit: 2 })).items).toEqual([closedScreen, screen]);
    expect(await ids('run', 1)).toEqual(['run', 'old']);
    expect(await ids()).toEqual(['screen2', 'screen', 'run', 'old']);
    await expect(store().querySessions({ athleteId, activity: 'swim' as 'run' })).rejects.toThrow(TypeError);
  });
}

/** Every athlete of a listing, page after page. */
async function allAthletes(store: GaitStore, query: { athleteIds?: string[]; limit?: number }): Promise<{ items: AthleteListItem[]; pages: number }> {
  const items: AthleteListItem[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.listAthletes({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.next ?? undefined;
    pages++;
  } while (cursor !== undefined && pages < 1000);
  return { items, pages };
}

/** The key of a stored alert, as a client copies it from `queryAlerts` to acknowledge it. */
function ackFor(a: AlertRecord, ackedBy: string, ackedUs: number, note?: string): AlertAckInput {
  return {
    athleteId: a.athleteId,
    sessionId: a.sessionId,
    tUs: a.tUs,
    type: a.type,
    severity: a.severity,
    metric: a.metric,
    ...(a.sensor === undefined ? {} : { sensor: a.sensor }),
    ...(a.side === undefined ? {} : { side: a.side }),
    ackedBy,
    ackedUs,
    ...(note === undefined ? {} : { note }),
  };
}

/** Athlete records and alert acknowledgements: the same suite, both stores. */
export function athleteContract(store: () => GaitStore): void {
  const full = (athleteId: string, updatedUs = T0_US): AthleteRecord => ({
    athleteId,
    displayName: 'Ada “Fast” Lovelace, ünïcode',
    settings: {
      pelvicDropLimitDeg: 6.25,
      screenPelvicDropLevelMaxDeg: 6.5,
      injuredSide: 'left',
      baselineOverride: { pelvicDropDeg: 4.5, shankFrontalDeg: -1.25 },
      alerts: { formBreakdown: true, pelvicDropHigh: false, dataQuality: true, voice: false, vibrate: true },
    },
    updatedUs,
  });

  it('round-trips an athlete record exactly; an unknown athlete is null', async () => {
    const { athleteId, other } = freshIds('athlete');
    expect(await store().getAthlete(athleteId)).toBeNull();
    await store().putAthlete(full(athleteId));
    expect(await store().getAthlete(athleteId)).toEqual(full(athleteId));
    expect(await store().getAthlete(other)).toBeNull();
    const nulls: AthleteRecord = { athleteId: other, settings: { injuredSide: null, baselineOverride: null }, updatedUs: T0_US + 1 };
    await store().putAthlete(nulls);
    expect(await store().getAthlete(other)).toEqual(nulls);
  });

  it('the latest putAthlete wins whole: fields it leaves out do not survive from the older write', async () => {
    const { athleteId } = freshIds('athlete-latest');
    await store().putAthlete(full(athleteId));
    const smaller: AthleteRecord = { athleteId, settings: { alerts: { formBreakdown: false, pelvicDropHigh: false, dataQuality: false, voice: false, vibrate: false } }, updatedUs: T0_US + 5_000_000 };
    await store().putAthlete(smaller);
    expect(await store().getAthlete(athleteId)).toEqual(smaller);
    const empty: AthleteRecord = { athleteId, displayName: 'B', settings: {}, updatedUs: T0_US + 6_000_000 };
    await store().putAthlete(empty);
    expect(await store().getAthlete(athleteId)).toEqual(empty);
  });

  it('refuses an invalid athlete record with a TypeError/RangeError and stores nothing', async () => {
    const { athleteId } = freshIds('athlete-bad');
    const good = full(athleteId);
    await expect(store().putAthlete({ ...good, settings: { pelvicDropLimitDeg: 25 } })).rejects.toThrow(RangeError);
    await expect(store().putAthlete({ ...good, settings: { pelvicDropLimitDeg: 0.5 } })).rejects.toThrow(RangeError);
    await expect(store().putAthlete({ ...good, settings: { pelvicDropLimitDeg: Number.NaN } })).rejects.toThrow(TypeError);
    await expect(store().putAthlete({ ...good, settings: { screenPelvicDropLevelMaxDeg: 16 } })).rejects.toThrow(/screenPelvicDropLevelMaxDeg/);
    await expect(store().putAthlete({ ...good, settings: { screenPelvicDropLevelMaxDeg: 0.5 } })).rejects.toThrow(RangeError);
    await expect(store().putAthlete({ ...good, settings: { injuredSide: 'both' } } as unknown as AthleteRecord)).rejects.toThrow(TypeError);
    await expect(store().putAthlete({ ...good, settings: { colour: 'red' } } as unknown as AthleteRecord)).rejects.toThrow(/unknown field/);
    await expect(store().putAthlete({ ...good, settings: { alerts: { voice: true } } } as unknown as AthleteRecord)).rejects.toThrow(TypeError);
    await expect(store().putAthlete({ ...good, displayName: 'two\nlines' })).rejects.toThrow(TypeError);
    await expect(store().putAthlete({ ...good, displayName: 'x'.repeat(101) })).rejects.toThrow(TypeError);
    await expect(store().putAthlete({ ...good, athleteId: '../r2' })).rejects.toThrow(TypeError);
    await expect(store().putAthlete({ ...good, updatedUs: 12 })).rejects.toThrow(RangeError);
    await expect(store().getAthlete('has space')).rejects.toThrow(TypeError);
    expect(await store().getAthlete(athleteId)).toBeNull();
  });

  it('round-trips the coaching settings (zone, ramp limit, ACWR band, stride length, return-to-run plan) and refuses bad ones', async () => {
    const { athleteId } = freshIds('athlete-coaching');
    const coaching: AthleteRecord = {
      athleteId,
      settings: {
        timeZone: 'Pacific/Auckland',
        rampLimitPct: 12.5,
        acwrBand: { low: 0.75, high: 1.4 },
        strideLengthM: 2.35,
        returnToRun: { startDate: '2026-03-02', startWeeklyDistanceM: 12_000, weeklyIncreasePct: 10, targetWeeklyDistanceM: 40_234 },
      },
      updatedUs: T0_US,
    };
    await store().putAthlete(coaching);
    expect(await store().getAthlete(athleteId)).toEqual(coaching);
    const bad = (settings: Record<string, unknown>): Promise<void> => store().putAthlete({ ...coaching, settings: { ...coaching.settings, ...settings } } as AthleteRecord);
    await expect(bad({ timeZone: 'Mars/Olympus' })).rejects.toThrow(/IANA/);
    await expect(bad({ rampLimitPct: 0 })).rejects.toThrow(RangeError);
    await expect(bad({ acwrBand: { low: 1.3, high: 0.8 } })).rejects.toThrow(/below/);
    await expect(bad({ acwrBand: { low: 0.8, high: 1.3, mid: 1 } })).rejects.toThrow(/unknown field/);
    await expect(bad({ strideLengthM: 5 })).rejects.toThrow(RangeError);
    await expect(bad({ returnToRun: { ...coaching.settings.returnToRun, startDate: '2026-02-30' } })).rejects.toThrow(/startDate/);
    await expect(bad({ returnToRun: { ...coaching.settings.returnToRun, targetWeeklyDistanceM: 1000 } })).rejects.toThrow(/at least/);
    await expect(bad({ returnToRun: { ...coaching.settings.returnToRun, weeklyIncreasePct: 60 } })).rejects.toThrow(RangeError);
    expect(await store().getAthlete(athleteId)).toEqual(coaching);
    const cleared: AthleteRecord = { athleteId, settings: { returnToRun: null }, updatedUs: T0_US + 1 };
    await store().putAthlete(cleared);
    expect(await store().getAthlete(athleteId)).toEqual(cleared);
  });

  it('lists the union of athletes with a record and athletes with sessions, in id order, paged by id', async () => {
    const { athleteId: base } = freshIds('roster');
    const [onlyRecord, onlySessions, both, d, e] = ['a', 'b', 'c', 'd', 'e'].map((x) => `${base}-${x}`) as [string, string, string, string, string];
    await store().write({ sessions: [session(onlySessions, 's1', T0_US), session(onlySessions, 's2', T0_US + 1_000_000), session(both, 's1', T0_US), session(d, 's1', T0_US), session(e, 's1', T0_US)] });
    await store().putAthlete(full(onlyRecord));
    await store().putAthlete({ athleteId: both, settings: { pelvicDropLimitDeg: 8 }, updatedUs: T0_US });
    const ids = [e, d, both, onlySessions, onlyRecord, `${base}-nobody`];
    const paged = await allAthletes(store(), { athleteIds: ids, limit: 2 });
    expect(paged.pages).toBe(3);
    expect(paged.items).toEqual([
      full(onlyRecord),
      { athleteId: onlySessions, settings: {}, updatedUs: null },
      { athleteId: both, settings: { pelvicDropLimitDeg: 8 }, updatedUs: T0_US },
      { athleteId: d, settings: {}, updatedUs: null },
      { athleteId: e, settings: {}, updatedUs: null },
    ]);
    expect((await store().listAthletes({ athleteIds: [onlySessions] })).items.map((a) => a.athleteId)).toEqual([onlySessions]);
    expect(await store().listAthletes({ athleteIds: [] })).toEqual({ items: [], next: null });
    // Unfiltered: everyone, each once, in order (the database may hold other tests' athletes too).
    const everyone = (await allAthletes(store(), { limit: 10_000 })).items.map((a) => a.athleteId);
    expect(everyone).toEqual(expect.arrayContaining([onlyRecord, onlySessions, both, d, e]));
    expect(new Set(everyone).size).toBe(everyone.length);
    expect(everyone).toEqual([...everyone].sort());
    await expect(store().listAthletes({ cursor: 't123' })).rejects.toThrow(TypeError);
  });

  it('acknowledges a raised alert once: the ack shows on that alert only, a second ack keeps the first', async () => {
    const { athleteId, sessionId } = freshIds('ack');
    // Both shanks silent in the same µs (two alerts told apart by sensor), and a raised/resolved pair.
    const left = alert(athleteId, sessionId, T0_US + 1_000, { type: 'data_quality', severity: 'info', metric: 'sensor_silent', value: null, baseline: null, sensor: 'shank_left' });
    const right = { ...left, sensor: 'shank_right' };
    const raised = alert(athleteId, sessionId, T0_US + 2_000, { side: 'left' });
    const resolved = alert(athleteId, sessionId, T0_US + 9_000, { phase: 'resolved', severity: 'info', side: 'left' });
    await store().write({ alerts: [left, right, raised, resolved] });

    const first = await store().ackAlert(ackFor(left, 'coach-anna', T0_US + 60_000_000, 'spoke to her: strap was loose'));
    expect(first).toEqual({ alert: { ...left, ack: { by: 'coach-anna', atUs: T0_US + 60_000_000, note: 'spoke to her: strap was loose' } }, created: true });
    const again = await store().ackAlert(ackFor(left, 'admin-1', T0_US + 90_000_000, 'me too'));
    expect(again).toEqual({ alert: first!.alert, created: false });

    const noNote = await store().ackAlert(ackFor(raised, 'admin-1', T0_US + 70_000_000));
    expect(noNote?.alert.ack).toEqual({ by: 'admin-1', atUs: T0_US + 70_000_000 });

    const { items } = await store().queryAlerts({ athleteId, sessionId });
    expect(items).toEqual([first!.alert, right, noNote!.alert, resolved]);
    // Acks follow the alert through every query shape, newest-first pages included.
    expect((await store().queryAlerts({ athleteId: [athleteId], order: 'desc', limit: 2 })).items).toEqual([resolved, noNote!.alert]);
  });

  it('answers null for an alert it does not have (wrong time, sensor, severity, or a resolved one) and stores no ack', async () => {
    const { athleteId, sessionId } = freshIds('ack-unknown');
    const a = alert(athleteId, sessionId, T0_US + 1_000, { sensor: 'pelvis' });
    const resolved = alert(athleteId, sessionId, T0_US + 2_000, { phase: 'resolved' });
    await store().write({ alerts: [a, resolved] });
    const base = ackFor(a, 'coach-anna', T0_US + 5_000_000);
    expect(await store().ackAlert({ ...base, tUs: a.tUs + 1 })).toBeNull();
    expect(await store().ackAlert({ ...base, sensor: 'shank_left' })).toBeNull();
    const { sensor: _s, ...noSensor } = base;
    expect(await store().ackAlert(noSensor)).toBeNull();
    expect(await store().ackAlert({ ...base, severity: 'critical' })).toBeNull();
    expect(await store().ackAlert({ ...base, sessionId: `${sessionId}x` })).toBeNull();
    expect(await store().ackAlert(ackFor(resolved, 'coach-anna', T0_US + 5_000_000))).toBeNull();
    expect((await store().queryAlerts({ athleteId })).items).toEqual([a, resolved]);
  });

  it('refuses an invalid ack with a TypeError/RangeError', async () => {
    const { athleteId, sessionId } = freshIds('ack-bad');
    const a = alert(athleteId, sessionId, T0_US);
    await store().write({ alerts: [a] });
    await expect(store().ackAlert(ackFor(a, 'coach-anna', T0_US, 'x'.repeat(501)))).rejects.toThrow(RangeError);
    await expect(store().ackAlert(ackFor(a, 'not an id', T0_US))).rejects.toThrow(TypeError);
    await expect(store().ackAlert(ackFor(a, 'coach-anna', 12))).rejects.toThrow(RangeError);
    await expect(store().ackAlert({ ...ackFor(a, 'coach-anna', T0_US), type: 'bogus' } as unknown as AlertAckInput)).rejects.toThrow(TypeError);
    expect((await store().queryAlerts({ athleteId })).items).toEqual([a]);
  });

  it('racing acks of one alert settle on one of them, and every read agrees afterwards', async () => {
    const { athleteId, sessionId } = freshIds('ack-race');
    const a = alert(athleteId, sessionId, T0_US + 3);
    await store().write({ alerts: [a] });
    const submitted = [ackFor(a, 'coach-anna', T0_US + 2_000_000, 'one'), ackFor(a, 'admin-1', T0_US + 1_000_000, 'two'), ackFor(a, 'coach-bob', T0_US + 1_500_000)];
    const results = await Promise.all(submitted.map((ack) => store().ackAlert(ack)));
    expect(results.some((r) => r!.created)).toBe(true);
    const [stored] = (await store().queryAlerts({ athleteId })).items;
    expect(submitted.map((s) => ({ by: s.ackedBy, atUs: s.ackedUs, ...(s.note === undefined ? {} : { note: s.note }) }))).toContainEqual(stored!.ack);
    expect((await store().queryAlerts({ athleteId, order: 'desc' })).items[0]!.ack).toEqual(stored!.ack);
    // Once settled, later acks change nothing.
    expect(await store().ackAlert(ackFor(a, 'admin-1', T0_US + 1, 'earlier clock'))).toEqual({ alert: stored, created: false });
  });
}

/** After close, writes are refused; used by each store's own test file. */
export async function expectClosed(closed: GaitStore): Promise<void> {
  await expect(closed.write({ strides: strides('a', 'b', 1) })).rejects.toThrow(StoreClosedError);
}
