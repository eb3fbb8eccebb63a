/**
 * The cohort export `GET /v1/strides.ndjson` over a real LocalStore: every
 * ended run the key may see, in start order, each session's manifest before
 * its strides, the strides the per-session export gives (each line naming
 * athlete and session), an end line with the counts; narrowed by athlete,
 * session start and side; pseudonyms for a researcher; and who is kept out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, STRIDES_PER_SESSION, T0_US, type TestApi, type Who } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(async () => {
  await api.close();
});

type Line = { kind: string } & Record<string, unknown>;
const lines = (body: string): Line[] => body.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);

/** The export cut into sessions: each manifest with the strides after it, and the end line. */
function sessionsOf(all: Line[]): { manifest: Line; strides: Line[] }[] {
  const out: { manifest: Line; strides: Line[] }[] = [];
  for (const line of all.slice(0, -1)) {
    if (line.kind === 'manifest') out.push({ manifest: line, strides: [] });
    else out.at(-1)!.strides.push(line);
  }
  return out;
}

async function cohort(query: string, who: Who): Promise<Line[]> {
  const res = await api.get(`/v1/strides.ndjson${query}`, who);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return lines(res.body);
}

describe('GET /v1/strides.ndjson', () => {
  it('streams every ended run in start order: its manifest, then the strides the per-session export gives, then an end line', async () => {
    const res = await api.get('/v1/strides.ndjson', 'admin');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const all = lines(res.body);
    // r1/s2 is still running: its strides are not all there yet, so it is left out.
    const sessions = sessionsOf(all);
    expect(sessions.map((s) => `${s.manifest['athleteId']}/${s.manifest['sessionId']}`)).toEqual(['r1/s1', 'r2/s1', 'r3/x.y_z-1']);
    expect(all.at(-1)).toEqual({ kind: 'end', sessions: 3, strides: 3 * STRIDES_PER_SESSION });
    for (const { manifest, strides } of sessions) {
      const single = lines((await api.get(`/v1/sessions/${String(manifest['athleteId'])}/${String(manifest['sessionId'])}/strides.ndjson`, 'admin')).body);
      expect({ ...manifest, exportedAt: null }).toEqual({ ...single[0], exportedAt: null });
      expect(strides).toEqual(single.slice(1).map((s) => ({ ...s, athleteId: manifest['athleteId'], sessionId: manifest['sessionId'] })));
    }
  });

  it('narrows by athlete, by session start and by side', async () => {
    expect(sessionsOf(await cohort('?athlete=r2,r3', 'admin')).map((s) => s.manifest['athleteId'])).toEqual(['r2', 'r3']);
    // r1/s1 started at T0: a from half a second later leaves it out.
    expect(sessionsOf(await cohort(`?from=${T0_US + 500_000}`, 'admin')).map((s) => s.manifest['athleteId'])).toEqual(['r2', 'r3']);
    expect(sessionsOf(await cohort(`?to=${T0_US + 500_000}`, 'admin')).map((s) => s.manifest['athleteId'])).toEqual(['r1']);
    const left = await cohort('?athlete=r1&side=left', 'admin');
    expect(left.filter((l) => l.kind === 'stride').every((l) => l['side'] === 'left')).toBe(true);
    expect(left.at(-1)).toEqual({ kind: 'end', sessions: 1, strides: STRIDES_PER_SESSION / 2 });
  });

  it('names athletes by pseudonym for a researcher, everywhere in the file, as the per-session export does', async () => {
    const res = await api.get('/v1/strides.ndjson', 'researcher');
    expect(res.statusCode).toBe(200);
    const all = lines(res.body);
    const single = lines((await api.get('/v1/sessions/r1/s1/strides.ndjson', 'researcher')).body)[0]!;
    const anon = single['athleteId'] as string;
    expect(anon).toMatch(/^anon-[0-9a-f]{16}$/);
    expect(sessionsOf(all)[0]!.manifest).toMatchObject({ athleteId: anon, athletePseudonymised: true });
    expect(new Set(all.filter((l) => l.kind === 'stride').map((l) => (l['athleteId'] as string).slice(0, 5)))).toEqual(new Set(['anon-']));
    expect(res.body).not.toMatch(/"r[123]"/);
    // An identified researcher gets the ids.
    expect(sessionsOf(await cohort('', 'researcherIdentified')).map((s) => s.manifest['athleteId'])).toEqual(['r1', 'r2', 'r3']);
  });

  it('keeps each key to its athletes: a coach to the roster, a runner to themself, an empty roster to nothing', async () => {
    expect(sessionsOf(await cohort('', 'coach')).map((s) => s.manifest['athleteId'])).toEqual(['r1', 'r3']);
    expect(sessionsOf(await cohort('', 'runnerR1')).map((s) => s.manifest['athleteId'])).toEqual(['r1']);
    expect(await cohort('', 'coachEmpty')).toEqual([{ kind: 'end', sessions: 0, strides: 0 }]);
    for (const [query, who] of [['?athlete=r2', 'coach'], ['?athlete=r1,r2', 'runnerR1']] as const) {
      const res = await api.get(`/v1/strides.ndjson${query}`, who);
      expect(res.statusCode, `${who} ${query}`).toBe(403);
      expect(res.json().error.code).toBe('GW_API_FORBIDDEN');
    }
    expect((await api.get('/v1/strides.ndjson', null)).statusCode).toBe(401);
  });

  it('refuses a bad query with 400 naming the parameter', async () => {
    for (const q of ['athlete=bad%20id', `from=${T0_US + 10}&to=${T0_US}`, 'side=middle', 'format=csv', 'from=2026-02-30T00:00:00Z']) {
      const res = await api.get(`/v1/strides.ndjson?${q}`, 'admin');
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code, q).toBe('GW_API_BAD_QUERY');
    }
  });
});
