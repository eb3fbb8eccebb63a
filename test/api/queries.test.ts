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
  type Rows = { items: Record<string, unknown>[]; next: string | null };
  type Columns = { count: number; columns: Record<string, unknown[]>; next: string | null };
  /** The rows a column page stands for: record i is the i-th value of every column, keys in the columns' order. */
  const transposed = (page: Columns): Record<string, unknown>[] =>
    Array.from({ length: page.count }, (_, i) => Object.fromEntries(Object.entries(page.columns).map(([field, values]) => [field, values[i]])));
  const both = async (query: string, who: 'runnerR1' | 'coach' = 'runnerR1'): Promise<{ rows: Rows; cols: Columns }> => {
    const rows = await api.get(`/v1/sessions/r1/s1/strides?${query}`, who);
    const cols = await api.get(`/v1/sessions/r1/s1/strides?${query}${query === '' ? '' : '&'}layout=columns`, who);
    expect(rows.statusCode, query).toBe(200);
    expect(cols.statusCode, query).toBe(200);
    return { rows: rows.json(), cols: cols.json() };
  };

  it('is the row page transposed, page by page along the cursor: same stances, same order, same next', async () => {
    let query = 'limit=40';
    let pages = 0;
    let stances = 0;
    for (;;) {
      const { rows, cols } = await both(query);
      expect(Object.keys(cols).sort()).toEqual(['columns', 'count', 'next']);
      expect(cols.count).toBe(rows.items.length);
      for (const values of Object.values(cols.columns)) expect(values).toHaveLength(cols.count);
      expect(transposed(cols)).toEqual(rows.items);
      expect(cols.next).toBe(rows.next);
      pages++;
      stances += cols.count;
      if (cols.next === null) break;
      query = `limit=40&cursor=${cols.next}`;
    }
    expect(pages).toBe(3);
    expect(stances).toBe(STRIDES_PER_SESSION);
  });

  it('takes the same time range (µs or ISO 8601, [from, to)) and side as the rows', async () => {
    const from = T0_US + 10_000_000 + 5 * 350_000; // stance 5
    const to = from + 30 * 350_000; // stances 5..34
    const iso = (us: number) => new Date(us / 1000).toISOString();
    for (const query of [`from=${from}&to=${to}`, `from=${iso(from)}&to=${iso(to)}`, `from=${from}&to=${to}&side=right`, `from=${from}&to=${to}&limit=7`]) {
      const { rows, cols } = await both(query);
      expect(cols.count, query).toBeGreaterThan(0);
      expect(transposed(cols), query).toEqual(rows.items);
      expect(cols.next, query).toBe(rows.next);
    }
    const { cols } = await both(`from=${from}&to=${to}`);
    expect(cols.count).toBe(30);
    expect(cols.columns.icUs![0]).toBe(from);
    expect((await both(`from=${from}&to=${to}&side=right`)).cols.columns.side).toEqual(Array(15).fill('right'));
  });

  it('keeps what was not measured as null in its place (never dropped, never 0), and every field of the rows', async () => {
    // Stance 9 of the session has no pelvic drop (reason data_gap); no seeded stance has vertical oscillation.
    const { rows, cols } = await both('limit=20');
    expect(Object.keys(cols.columns)).toEqual(Object.keys(rows.items[0]!));
    expect(cols.columns.pelvicDropDeg![9]).toBeNull();
    expect(cols.columns.pelvicDropReason![9]).toBe('data_gap');
    expect(cols.columns.pelvicDropDeg![8]).toBeCloseTo(5.08, 10);
    expect(cols.columns.pelvicDropReason![8]).toBeNull();
    expect(cols.columns.verticalOscillationCm).toEqual(Array(20).fill(null));
  });

  it('shares the cursor with the row form: a column page’s next continues the rows, and the other way round', async () => {
    const first = (await both('limit=30')).cols;
    const rowsAfter = (await api.get(`/v1/sessions/r1/s1/strides?limit=30&cursor=${first.next}`, 'runnerR1')).json() as Rows;
    expect(rowsAfter.items[0]!.icUs).toBe(T0_US + 10_000_000 + 30 * 350_000);
    const colsAfter = (await api.get(`/v1/sessions/r1/s1/strides?limit=30&layout=columns&cursor=${rowsAfter.next}`, 'runnerR1')).json() as Columns;
    expect(colsAfter.columns.icUs![0]).toBe(T0_US + 10_000_000 + 60 * 350_000);
  });

  it('answers an empty range with empty columns, not an absent key', async () => {
    const { cols } = await both(`from=${T0_US}&to=${T0_US + 1_000_000}`);
    expect(cols.count).toBe(0);
    expect(cols.next).toBeNull();
    expect(cols.columns.icUs).toEqual([]);
    expect(Object.keys(cols.columns)).toHaveLength(12);
  });

  it('is about a third of the bytes of the row page (0.35 measured)', async () => {
    const rows = (await api.get('/v1/sessions/r1/s1/strides?limit=10000', 'runnerR1')).body.length;
    const cols = (await api.get('/v1/sessions/r1/s1/strides?limit=10000&layout=columns', 'runnerR1')).body.length;
    expect(cols).toBeLessThan(rows * 0.45);
  });

  it.each(['table', 'COLUMNS', '', 'columns,rows'])('a layout of %j is a 400 naming layout and the two it may be', async (layout) => {
    const bad = await api.get(`/v1/sessions/r1/s1/strides?layout=${layout}`, 'runnerR1');
    expect(bad.statusCode).toBe(400);
    const { error } = bad.json();
    expect(error.code).toBe('GW_API_BAD_QUERY');
    expect(error.details).toEqual([{ in: 'querystring', field: 'layout', problem: expect.stringMatching(/must be `rows`.*or `columns`/) }]);
    expect(error.message).toMatch(/layout/);
  });

  it('checks every other parameter as the row form does (same 400 and field)', async () => {
    for (const query of ['limit=0', 'cursor=xyz', 'side=middle', `from=${T0_US + 10}&to=${T0_US}`, 'from=yesterday', 'format=columns']) {
      const rows = await api.get(`/v1/sessions/r1/s1/strides?${query}`, 'runnerR1');
      const cols = await api.get(`/v1/sessions/r1/s1/strides?${query}&layout=columns`, 'runnerR1');
      expect(cols.statusCode, query).toBe(400);
      expect(cols.json().error.details, query).toEqual(rows.json().error.details);
    }
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

  it.each([
    ['/v1/sessions?from=2026-02-30T00:00:00Z', 'from', '2026-02-30'],
    ['/v1/sessions?from=2026-02-01T00:00:00Z&to=2026-09-31T00:00:00Z', 'to', '2026-09-31'],
    ['/v1/alerts?to=2027-02-29T10:00:00%2B02:00', 'to', '2027-02-29'],
    ['/v1/sessions/r1/s1/strides?from=2026-04-31T07:00:00Z', 'from', '2026-04-31'],
    ['/v1/athletes/r1/load?at=2026-06-31T12:00:00Z', 'at', '2026-06-31'],
    ['/v1/sessions?from=2026-13-45T00:00:00Z', 'from', '2026-13-45'],
  ])('%s: a day the calendar does not have is refused (never rolled over), naming %s', async (url, field, day) => {
    const res = await api.get(url, 'admin');
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('GW_API_BAD_QUERY');
    expect(error.details).toEqual([{ in: 'querystring', field, problem: `must be a date that exists: the calendar has no ${day}` }]);
    expect(error.message).toContain(`${field} must be a date that exists`);
  });

  it.each([
    ['/v1/sessions?limit=0x10', 'limit'],
    ['/v1/sessions?limit=1e3', 'limit'],
    ['/v1/sessions?limit=%20100', 'limit'],
    ['/v1/sessions?limit=100%20', 'limit'],
    ['/v1/sessions?limit=%2B5', 'limit'],
    ['/v1/sessions?limit=5.0', 'limit'],
    ['/v1/sessions?limit=', 'limit'],
    ['/v1/alerts?limit=0b11', 'limit'],
    ['/v1/athletes?limit=1_000', 'limit'],
    ['/v1/sessions/r1/s1/strides?limit=0o17', 'limit'],
    ['/v1/athletes/r1/load?weeks=0x10', 'weeks'],
    ['/v1/athletes/r1/trends?weeks=1e1', 'weeks'],
    ['/v1/athletes/r1/screens?weeks=%208', 'weeks'],
  ])('%s: a count not in plain decimal digits is refused', async (url, field) => {
    const res = await api.get(url, 'admin');
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('GW_API_BAD_QUERY');
    expect(error.details).toEqual([{ in: 'querystring', field, problem: expect.stringMatching(/^must be an integer between 1 and \d+, in decimal digits$/) }]);
  });

  it('takes counts in decimal digits (leading zeros too)', async () => {
    for (const url of ['/v1/sessions?limit=1', '/v1/sessions?limit=10000', '/v1/sessions?limit=0100', '/v1/athletes/r1/load?weeks=52', '/v1/athletes/r1/load?weeks=08']) {
      expect((await api.get(url, 'admin')).statusCode, url).toBe(200);
    }
    expect((await api.get('/v1/athletes/r1/load?weeks=08', 'admin')).json().weeks).toHaveLength(8);
  });

  it('says what is wrong with a huge limit once, not once per failed check', async () => {
    const { error } = (await api.get('/v1/sessions?limit=99999999999999999999', 'admin')).json();
    expect(error.code).toBe('GW_API_BAD_QUERY');
    expect(error.message).toBe('invalid querystring: limit must be an integer between 1 and 10000, in decimal digits');
    expect(error.details).toEqual([{ in: 'querystring', field: 'limit', problem: 'must be an integer between 1 and 10000, in decimal digits' }]);
  });

  it('names `from` once when the range is upside down', async () => {
    const { error } = (await api.get(`/v1/sessions?from=${T0_US + 10}&to=${T0_US}`, 'admin')).json();
    expect(error.message).toBe('invalid querystring: from must be before `to`');
    expect(error.details).toEqual([{ in: 'querystring', field: 'from', problem: 'must be before `to`' }]);
  });

  it('takes a leap day that exists (2028-02-29), in UTC or with an offset', async () => {
    for (const url of ['/v1/sessions?from=2028-02-29T00:00:00Z', '/v1/alerts?to=2028-02-29T23:30:00-05:00', '/v1/athletes/r1/load?at=2028-02-29T12:00:00Z']) {
      const res = await api.get(url, 'admin');
      expect(res.statusCode, url).toBe(200);
    }
    const leap = Date.parse('2028-02-29T00:00:00Z') * 1000;
    // The day is read as written, not moved: sessions from 29 February 2028 on are none of the seeded 2026 ones.
    expect((await api.get('/v1/sessions?from=2028-02-29T00:00:00Z', 'admin')).json().items).toEqual([]);
    expect((await api.get(`/v1/sessions?to=2028-02-29T00:00:00Z`, 'admin')).json().items).toEqual((await api.get(`/v1/sessions?to=${leap}`, 'admin')).json().items);
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

  it('names the window (per minute) and says when to retry, the same wait as Retry-After', async () => {
    const limited = await openTestApi({ rateLimit: { max: 2, timeWindowMs: 60_000 } });
    try {
      for (let i = 0; i < 2; i++) expect((await limited.get('/healthz')).statusCode).toBe(200);
      const res = await limited.get('/healthz');
      expect(res.statusCode).toBe(429);
      const retryS = Number(res.headers['retry-after']);
      expect(retryS).toBeGreaterThan(0);
      expect(retryS).toBeLessThanOrEqual(60);
      expect(res.json().error.message).toBe(`rate limit of 2 requests per minute reached; retry in ${retryS === 60 ? '1 minute' : retryS === 1 ? '1 second' : `${retryS} seconds`} (Retry-After)`);
    } finally {
      await limited.close();
    }
    const slow = await openTestApi({ rateLimit: { max: 1, timeWindowMs: 300_000 } });
    try {
      await slow.get('/healthz');
      expect((await slow.get('/healthz')).json().error.message).toMatch(/^rate limit of 1 request per 5 minutes reached; retry in /);
    } finally {
      await slow.close();
    }
  });
});
