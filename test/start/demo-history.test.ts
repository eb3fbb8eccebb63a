/**
 * The demo's returning runner (src/start/demo-history.ts) through the real
 * API over a real LocalStore, the clock pinned: six past weeks on her plan
 * then the 35 % jump, so the coach's digest is red in the week after it, the
 * load chart warns that week only, her onset trend reads "later", nothing is
 * dated in the current week or the future, every session says where it came
 * from, and a second seed writes nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, hashApiKey, KeyRing, type ApiApp } from '@gaitwatch/api';
import { LocalStore } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_HISTORY_ATHLETE, seedDemoHistory } from '../../src/start/index.ts';
import { mondayBefore } from '../../src/start/demo-history.ts';

const PEPPER = 'demo-history-pepper';
const COACH = 'gw_coach-demo-history-0000000000000';
/** Wednesday 2026-12-02 12:00 UTC, in 2026-W49: the last completed week is W48. */
const NOW_US = Date.parse('2026-12-02T12:00:00Z') * 1000;
const us = (iso: string): number => Date.parse(iso) * 1000;

describe('mondayBefore', () => {
  it('is Monday 07:00 UTC of the ISO week the given number of weeks back, also at the edges of a week', () => {
    expect(mondayBefore(NOW_US, 0)).toBe(us('2026-11-30T07:00:00Z'));
    expect(mondayBefore(NOW_US, 6)).toBe(us('2026-10-19T07:00:00Z'));
    expect(mondayBefore(us('2026-11-30T00:00:00Z'), 1)).toBe(us('2026-11-23T07:00:00Z'));
    expect(mondayBefore(us('2026-12-06T23:59:59Z'), 1)).toBe(us('2026-11-23T07:00:00Z'));
  });
});

describe('the demo history', () => {
  let dataDir: string;
  let store: LocalStore;
  let app: ApiApp;
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${COACH}` } });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gw-demo-history-'));
    store = new LocalStore({ dataDir, synchronous: 'normal', maxBatchDelayMs: 1, writerThread: false });
    expect(await seedDemoHistory(store, { nowUs: NOW_US })).toBe(18);
    const keys = new KeyRing([{ id: 'coach-demo', hash: hashApiKey(COACH, PEPPER), role: 'coach', athleteIds: [DEMO_HISTORY_ATHLETE] }], PEPPER);
    app = await buildApp({ store, auth: { keys }, rateLimit: false, docs: false, nowUs: () => NOW_US });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('puts three runs a week in the six weeks before this one, none later, each marked as demo history', async () => {
    const sessions = (await get(`/v1/sessions?athlete=${DEMO_HISTORY_ATHLETE}&limit=100`)).items as { sessionId: string; startUs: number; endUs: number; summary: { source?: string } }[];
    expect(sessions).toHaveLength(18);
    expect(Math.min(...sessions.map((s) => s.startUs))).toBe(us('2026-10-20T07:00:00Z'));
    expect(Math.max(...sessions.map((s) => s.endUs))).toBeLessThan(mondayBefore(NOW_US, 0));
    expect(new Set(sessions.map((s) => s.summary.source))).toEqual(new Set(['demo-history']));
    expect(sessions.map((s) => s.sessionId)).toContain('run-2026-11-28');
    // What the summary counts is what a researcher exports.
    const last = (await get(`/v1/sessions/${DEMO_HISTORY_ATHLETE}/run-2026-11-28`)) as { summary: { strides: { left: number; right: number } } };
    const stored = (await get(`/v1/sessions/${DEMO_HISTORY_ATHLETE}/run-2026-11-28/strides?limit=10000&layout=columns`)) as { count: number };
    expect(stored.count).toBe(last.summary.strides.left + last.summary.strides.right);
  });

  it('follows the plan for five weeks, then warns of the last week’s jump on the load chart and in a red digest', async () => {
    const load = await get(`/v1/athletes/${DEMO_HISTORY_ATHLETE}/load?weeks=7`);
    expect(load.weeks.map((w: { week: string }) => w.week)).toEqual(['2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47', '2026-W48', '2026-W49']);
    const distances = load.weeks.map((w: { distanceM: number }) => w.distanceM) as number[];
    // Each week within 0.2 % of its plan (0.05 % measured) until the jump; the simulated pace makes the runs' distances a little off the plan.
    load.weeks.slice(0, 5).forEach((w: { distanceM: number; plannedDistanceM: number }) => expect(Math.abs(w.distanceM / w.plannedDistanceM - 1)).toBeLessThan(0.002));
    expect(distances[5]! / distances[4]!).toBeCloseTo(1.35, 2);
    expect(distances[6]).toBe(0);
    expect(load.warnings.filter((w: { severity: string }) => w.severity === 'warning').map((w: { week: string; kind: string }) => `${w.week} ${w.kind}`)).toContain('2026-W48 week_over_week');
    expect(load.warnings.every((w: { week: string }) => w.week === '2026-W48')).toBe(true);

    const digest = await get('/v1/coaches/coach-demo/digest');
    expect(digest.athletes).toHaveLength(1);
    expect(digest.athletes[0]).toMatchObject({ athleteId: DEMO_HISTORY_ATHLETE, displayName: 'Dora (back from ITB pain)', light: 'red' });
    expect(digest.athletes[0].reasons.join(' ')).toMatch(/2026-W48: .*3[45] % more than the week before/);
  });

  it('shows her form-breakdown onset moving later, on the side she was injured', async () => {
    const trends = await get(`/v1/athletes/${DEMO_HISTORY_ATHLETE}/trends?weeks=7`);
    expect(trends.sessions).toHaveLength(18);
    const athlete = await get(`/v1/athletes/${DEMO_HISTORY_ATHLETE}`);
    const side = athlete.settings.injuredSide as 'left' | 'right';
    expect(trends.onset[side]).toMatchObject({ direction: 'later', unit: 'm' });
  });

  it('writes nothing on a second start', async () => {
    expect(await seedDemoHistory(store, { nowUs: NOW_US + 14 * 86_400e6 })).toBe(0);
    expect((await get(`/v1/sessions?athlete=${DEMO_HISTORY_ATHLETE}&limit=100`)).items).toHaveLength(18);
  });
});
