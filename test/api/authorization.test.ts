/**
 * Who gets in, route by route (DESIGN.md: "Every route is authorized and
 * tested for who must NOT get in"). A real LocalStore behind the app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, T0_US, type TestApi, type Who } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(async () => {
  await api.close();
});

type Expect = Record<Who | 'none' | 'badKey', number>;

// r1/s1 belongs to runner r1, on coach anna's roster (r1, r3); r2/s1 to runner r2, outside the roster.
const OWN: Expect = { none: 401, badKey: 401, runnerR1: 200, runnerR2: 403, coach: 200, coachEmpty: 403, researcher: 200, researcherIdentified: 200, admin: 200 };
const R2: Expect = { none: 401, badKey: 401, runnerR1: 403, runnerR2: 200, coach: 403, coachEmpty: 403, researcher: 200, researcherIdentified: 200, admin: 200 };
const ANYONE_WITH_KEY: Expect = { none: 401, badKey: 401, runnerR1: 200, runnerR2: 200, coach: 200, coachEmpty: 200, researcher: 200, researcherIdentified: 200, admin: 200 };
const ADMIN_ONLY: Expect = { none: 401, badKey: 401, runnerR1: 403, runnerR2: 403, coach: 403, coachEmpty: 403, researcher: 403, researcherIdentified: 403, admin: 200 };
const PUBLIC: Expect = { none: 200, badKey: 200, runnerR1: 200, runnerR2: 200, coach: 200, coachEmpty: 200, researcher: 200, researcherIdentified: 200, admin: 200 };

// A range of stances both r1/s1 and r2/s1 have (from 10 s into T0, for 10 s).
const RANGE_FROM = T0_US + 10_000_000;
const RANGE_TO = RANGE_FROM + 10_000_000;

const MATRIX: [string, Expect][] = [
  ['/v1/sessions', ANYONE_WITH_KEY],
  ['/v1/alerts', ANYONE_WITH_KEY],
  ['/v1/sessions/r1/s1', OWN],
  ['/v1/sessions/r1/s1/strides', OWN],
  // The column form of the same page (the dashboard's review asks for it) keeps exactly the row form's rules, with paging and a range too.
  ['/v1/sessions/r1/s1/strides?layout=columns', OWN],
  [`/v1/sessions/r1/s1/strides?layout=columns&limit=5&cursor=t${RANGE_FROM}&from=${RANGE_FROM}&to=${RANGE_TO}`, OWN],
  ['/v1/sessions/r1/s1/strides.csv', OWN],
  ['/v1/sessions/r1/s1/strides.ndjson', OWN],
  ['/v1/sessions?athlete=r1', OWN],
  ['/v1/alerts?athlete=r1', OWN],
  ['/v1/sessions/r2/s1', R2],
  ['/v1/sessions/r2/s1/strides', R2],
  ['/v1/sessions/r2/s1/strides?layout=columns', R2],
  [`/v1/sessions/r2/s1/strides?layout=columns&limit=5&cursor=t${RANGE_FROM}&from=${RANGE_FROM}&to=${RANGE_TO}`, R2],
  ['/v1/sessions/r2/s1/strides.csv', R2],
  ['/v1/sessions/r2/s1/strides.ndjson', R2],
  ['/v1/sessions?athlete=r2', R2],
  ['/v1/alerts?athlete=r2', R2],
  // The cohort export: anyone with a key gets their own reach; naming an athlete outside it is 403.
  ['/v1/strides.ndjson', ANYONE_WITH_KEY],
  ['/v1/strides.ndjson?athlete=r1', OWN],
  ['/v1/strides.ndjson?athlete=r2', R2],
  ['/metrics', ADMIN_ONLY],
  ['/healthz', PUBLIC],
  ['/readyz', PUBLIC],
  ['/docs/json', PUBLIC],
];

const CASES = MATRIX.flatMap(([url, expected]) => Object.entries(expected).map(([who, status]) => [url, who, status] as const));

describe('authorization matrix', () => {
  it.each(CASES)('GET %s as %s → %i', async (url, who, status) => {
    const as = who === 'none' ? null : who === 'badKey' ? { authorization: 'Bearer gw_not-a-key-we-know-000000000000' } : (who as Who);
    const res = await api.get(url, as);
    expect(res.statusCode).toBe(status);
    if (status === 401) expect(res.json().error.code).toBe('GW_API_UNAUTHORIZED');
    if (status === 403) {
      expect(res.json().error.code).toBe('GW_API_FORBIDDEN');
      // A refusal carries no data of the athlete.
      expect(res.body).not.toMatch(/icUs|startUs|pelvicDropDeg/);
    }
  });
});

describe('what each caller sees in lists', () => {
  const athletesOf = (items: { athleteId: string }[]): string[] => [...new Set(items.map((i) => i.athleteId))].sort();

  it.each([
    ['runnerR1', ['r1']],
    ['runnerR2', ['r2']],
    ['coach', ['r1', 'r3']],
    ['coachEmpty', []],
    ['researcher', ['r1', 'r2', 'r3']],
    ['admin', ['r1', 'r2', 'r3']],
  ] as const)('%s lists sessions and alerts of %j only', async (who, athletes) => {
    const sessions = await api.get('/v1/sessions', who);
    expect(athletesOf(sessions.json().items)).toEqual(athletes);
    const alerts = await api.get('/v1/alerts', who);
    expect(athletesOf(alerts.json().items)).toEqual(athletes);
  });

  it('a session id shared by two athletes does not leak the other athlete’s alerts', async () => {
    const res = await api.get('/v1/alerts?session=s1', 'runnerR1');
    expect(res.statusCode).toBe(200);
    expect(athletesOf(res.json().items)).toEqual(['r1']);
  });
});

describe('path and query tricks', () => {
  it('an athlete named in the query of a session route is refused, not used', async () => {
    const res = await api.get('/v1/sessions/r1/s1/strides?athlete=r2', 'runnerR1');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('GW_API_BAD_QUERY');
    expect(res.json().error.details).toEqual([{ in: 'querystring', field: 'athlete', problem: 'unknown parameter' }]);
  });

  it('one forbidden athlete in a list forbids the request (comma-separated or repeated)', async () => {
    for (const url of ['/v1/sessions?athlete=r1,r2', '/v1/sessions?athlete=r1&athlete=r2', '/v1/alerts?athlete=r1,r2', '/v1/alerts?athlete=r3&athlete=r2']) {
      const res = await api.get(url, url.includes('r3') ? 'coach' : 'runnerR1');
      expect(res.statusCode, url).toBe(403);
    }
  });

  it('URL-encoded ids are decoded before the check', async () => {
    const res = await api.get('/v1/sessions/%72%32/s1/strides', 'runnerR1'); // %72%32 = "r2"
    expect(res.statusCode).toBe(403);
    expect((await api.get('/v1/sessions/%72%32/s1/strides?layout=columns', 'runnerR1')).statusCode).toBe(403);
    const own = await api.get('/v1/sessions/%72%31/s1', 'runnerR1'); // "r1"
    expect(own.statusCode).toBe(200);
  });

  it.each([
    '/v1/sessions/r1/..%2F..%2Fr2%2Fs1',
    '/v1/sessions/..%2Fr2/s1/strides',
    '/v1/sessions/r1/s1%00/strides',
    '/v1/sessions/r1/.hidden',
  ])('a traversal or malformed id is a 400 GW_API_BAD_PATH: %s', async (url) => {
    const res = await api.get(url, 'runnerR1');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('GW_API_BAD_PATH');
  });

  it.each([
    ['/v1/sessions/r1/%ZZ', 'runnerR1'],
    ['/v1/athletes/%E0%A4%A', null],
    ['/v1/sessions/r1/s1%/strides', 'admin'],
  ] as const)('a path that is not valid URL encoding is a 400 GW_API_BAD_REQUEST in the error envelope, with or without a key: %s', async (url, who) => {
    const res = await api.get(url, who);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toEqual({ code: 'GW_API_BAD_REQUEST', message: expect.stringMatching(/not valid URL encoding.*encodeURIComponent/), requestId: expect.any(String) });
  });

  it('a path segment over the router’s 100 characters is a 400 GW_API_BAD_PATH in the envelope, like any id that is too long', async () => {
    const res = await api.get(`/v1/sessions/r1/${'s'.repeat(150)}`, 'runnerR1');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'GW_API_BAD_PATH', message: expect.stringMatching(/over 100 characters/), requestId: expect.any(String) });
  });

  it.each(['/v1/sessions/r1/../r2/s1/strides', '/v1/sessions/r1/%2e%2e/r2/s1', '/v1/sessions/r1/s1/../../r2/s1/strides.csv'])(
    'a dot-dot path never reaches another athlete’s data: %s',
    async (url) => {
      const res = await api.get(url, 'runnerR1');
      expect([400, 403, 404]).toContain(res.statusCode);
      expect(res.body).not.toMatch(/icUs|startUs/);
    },
  );

  it('a missing session is 404 for whoever may see the athlete, 403 for anyone else (existence does not leak)', async () => {
    expect((await api.get('/v1/sessions/r1/nope', 'runnerR1')).json().error.code).toBe('GW_API_NOT_FOUND');
    expect((await api.get('/v1/sessions/r1/nope/strides.csv', 'runnerR1')).statusCode).toBe(404);
    expect((await api.get('/v1/sessions/r1/nope/strides?layout=columns', 'runnerR1')).statusCode).toBe(404);
    expect((await api.get('/v1/sessions/r1/nope/strides?layout=columns', 'runnerR2')).statusCode).toBe(403);
    expect((await api.get('/v1/sessions/r1/nope', 'runnerR2')).statusCode).toBe(403);
  });

  it.each([
    ['Basic with the key', { authorization: 'Basic gw_runner-r1-key-0000000000000000' }],
    ['Bearer with no key', { authorization: 'Bearer ' }],
    ['the stored hash presented as the key', { authorization: 'Bearer sha256:0000' }],
    ['an empty X-API-Key', { 'x-api-key': '' }],
  ])('401 for %s', async (_name, headers) => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/sessions/r1/s1', headers });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('GW_API_UNAUTHORIZED');
  });

  it('X-API-Key works like Authorization: Bearer', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/sessions/r1/s1', headers: { 'x-api-key': 'gw_runner-r1-key-0000000000000000' } });
    expect(res.statusCode).toBe(200);
  });

  it('an unknown route is 401 without a key and 404 with one (routes are not enumerable anonymously)', async () => {
    expect((await api.get('/v1/no-such-route')).statusCode).toBe(401);
    const res = await api.get('/v1/no-such-route', 'admin');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('GW_API_NOT_FOUND');
  });
});
