/** Paging, filters and the 400s: every bad parameter gets GW_API_BAD_QUERY and says which one and why. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, STRIDES_PER_SESSION, T0_US, type TestApi } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('strides JSON', () => {
  it('pages by cursor through the whole session, nothing skipped or repeated', async () => {
    const seen: number[] = [];
    let url = '/v1/sessions/r1/s1/strides?limit=50';
    for (let pages = 0; pages < 10; pages++) {
      const body = (await api.get(url, 'runnerR1')).json();
      seen.push(...body.items.map((s: { icUs: number }) => s.icUs));
      if (body.next === null) break;
      url = `/v1/sessions/r1/s1/strides?limit=50&cursor=${body.next}`;
    }
    expect(seen).toHaveLength(STRIDES_PER_SESSION);
    expect(new Set(seen).size).toBe(STRIDES_PER_SESSION);
  });

  it('takes a time range in µs or ISO 8601, [from, to)', async () => {
    const from = T0_US + 10_000_000; // stance 0
    const to = from + 10 * 350_000; // stances 0..9
    const us = (await api.get(`/v1/sessions/r1/s1/strides?from=${from}&to=${to}`, 'runnerR1')).json();
    expect(us.items).toHaveLength(10);
    const iso = (q: number) => new Date(q / 1000).toISOString();
    const byIso = (await api.get(`/v1/sessions/r1/s1/strides?from=${iso(from)}&to=${iso(to)}`, 'runnerR1')).json();
    expect(byIso.items).toEqual(us.items);
    expect(us.items[9].pelvicDropDeg).toBeNull();
  });
});

describe('strides as columns (layout=columns)', () => {
  it('holds exactly the rows of the same page, one array per field, and pages the same way', async () => {
    const rows = (await api.get('/v1/sessions/r1/s1/strides?limit=40', 'runnerR1')).json();
    const cols = (await api.get('/v1/sessions/r1/s1/strides?limit=40&layout=columns', 'runnerR1')).json();
    expect(cols.next).toBe(rows.next);
    expect(cols.count).toBe(rows.items.length);
    expect(Object.keys(cols.columns)).toEqual(Object.keys(rows.items[0]));
    const rebuilt = rows.items.map((_: unknown, i: number) => Object.fromEntries(Object.entries(cols.columns as Record<string, unknown[]>).map(([k, v]) => [k, v[i]])));
    expect(rebuilt).toEqual(rows.items);
    // Not measured stays null, never dropped or 0 (the row page has stance 9 of the session without a pelvic drop).
    expect(cols.columns.pelvicDropDeg).toContain(null);
    const next = (await api.get(`/v1/sessions/r1/s1/strides?limit=40&layout=columns&cursor=${cols.next}`, 'runnerR1')).json();
    expect(next.columns.icUs[0]).toBeGreaterThan(cols.columns.icUs.at(-1));
  });

  it('is about a third of the bytes of the row page (0.35 measured)', async () => {
    const rows = (await api.get('/v1/sessions/r1/s1/strides?limit=10000', 'runnerR1')).body.length;
    const cols = (await api.get('/v1/sessions/r1/s1/strides?limit=10000&layout=columns', 'runnerR1')).body.length;
    expect(cols).toBeLessThan(rows * 0.45);
  });

  it('keeps the session rules: another runner is refused, a bad layout is a 400 naming it', async () => {
    expect((await api.get('/v1/sessions/r1/s1/strides?layout=columns', 'runnerR2')).statusCode).toBe(403);
    const bad = await api.get('/v1/sessions/r1/s1/strides?layout=table', 'runnerR1');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/layout/);
  });
});

describe('sessions and alerts', () => {
  it('a session’s detail has its summary, status and alert counts', async () => {
    const body = (await api.get('/v1/sessions/r1/s1', 'coach')).json();
    expect(body).toMatchObject({ athleteId: 'r1', sessionId: 's1', status: 'ended', summary: { mode: 'full' }, alerts: { raised: 2, byType: { form_breakdown: 1, pelvic_drop_high: 1 } } });
  });

  it('filters sessions by status and time', async () => {
    const running = (await api.get('/v1/sessions?status=running', 'admin')).json();
    expect(running.items.map((s: { sessionId: string }) => s.sessionId)).toEqual(['s2']);
    const early = (await api.get(`/v1/sessions?to=${T0_US + 1_500_000}`, 'admin')).json();
    expect(early.items.map((s: { athleteId: string }) => s.athleteId).sort()).toEqual(['r1', 'r2']);
  });

  it('filters alerts by type, severity, session and phase', async () => {
    const get = async (q: string) => (await api.get(`/v1/alerts?${q}`, 'researcher')).json().items as { athleteId: string; type: string }[];
    expect(await get('type=pelvic_drop_high')).toHaveLength(2);
    expect(await get('severity=critical&athlete=r1')).toHaveLength(1);
    expect(await get('type=form_breakdown,data_quality&phase=raised')).toHaveLength(2);
    expect(await get('athlete=r1&session=s1')).toHaveLength(3);
    expect(await get(`from=${T0_US + 150_000_000}`)).toHaveLength(2);
  });
});

describe('bad parameters → 400 with the code and what was wrong', () => {
  it.each([
    ['/v1/sessions/r1/s1/strides?limit=0', 'limit'],
    ['/v1/sessions/r1/s1/strides?limit=abc', 'limit'],
    ['/v1/sessions/r1/s1/strides?limit=10001', 'limit'],
    ['/v1/sessions/r1/s1/strides?from=yesterday', 'from'],
    ['/v1/sessions/r1/s1/strides?from=2026-05-01T07:00:00', 'from'], // no zone: ambiguous
    ['/v1/sessions/r1/s1/strides?from=1', 'from'], // 1970: outside the store's range
    [`/v1/sessions/r1/s1/strides?from=${T0_US + 10}&to=${T0_US}`, 'from'],
    ['/v1/sessions/r1/s1/strides?cursor=xyz', 'cursor'],
    ['/v1/sessions/r1/s1/strides?side=middle', 'side'],
    ['/v1/sessions?status=paused', 'status'],
    ['/v1/sessions?athlete=a%2Fb', 'athlete.0'],
    ['/v1/sessions?bogus=1', 'bogus'],
    ['/v1/alerts?type=knee_cave', 'type.0'],
    ['/v1/alerts?severity=', 'severity'],
    ['/v1/alerts?order=sideways', 'order'],
    ['/v1/sessions/r1/s1/strides.csv?limit=5', 'limit'],
  ])('%s names %s', async (url, field) => {
    const res = await api.get(url, 'admin');
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('GW_API_BAD_QUERY');
    expect(error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(error.message).toContain(field.split('.')[0]);
  });
});

describe('rate limiting', () => {
  it('answers 429 GW_API_RATE_LIMITED past the limit, before checking the key', async () => {
    const limited = await openTestApi({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      for (let i = 0; i < 3; i++) expect((await limited.get('/v1/sessions', null)).statusCode).toBe(401);
      const res = await limited.get('/v1/sessions', 'admin');
      expect(res.statusCode).toBe(429);
      expect(res.json().error.code).toBe('GW_API_RATE_LIMITED');
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });
});
