/**
 * Movement screens in the API (issue 17): listed by activity, their reps paged and exported like strides, and
 * an athlete's screen history beside the weekly running pelvic drop — behind the same rules as sessions.
 * A real LocalStore behind the app, seeded with the shared runs plus screens of r1 and r2.
 */
import type { RepRecord, SessionRecord } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, SESSIONS, STRIDES_PER_SESSION, stride, T0_US, type TestApi, type Who } from './helpers.ts';

const DAY_US = 86_400_000_000;
const screen = (athleteId: string, sessionId: string, startUs: number): SessionRecord => ({ athleteId, sessionId, startUs, endUs: startUs + 600_000_000, summary: { state: 'closed', activity: 'screen', endReason: 'stop' } });
const SCREENS = [screen('r1', 'sq1', T0_US + 2 * 3_600_000_000), screen('r1', 'sq2', T0_US + 7 * DAY_US), screen('r2', 'sq1', T0_US + 3_600_000_000)];

/** A rep of r1's first screen: `side` standing, rep `n` of set 1, `i`-th of the session (3 s apart). */
function rep(athleteId: string, sessionId: string, startUs: number, i: number, side: 'left' | 'right', n: number, pelvicDropDeg: number | null, shankFrontalDeg: number | null, depthDeg: number | null): RepRecord {
  const t = startUs + 5_000_000 + i * 3_000_000;
  return {
    athleteId,
    sessionId,
    side,
    set: 1,
    rep: n,
    startUs: t,
    bottomUs: t + 1_000_000,
    endUs: t + 2_500_000,
    durationS: 2.5,
    pelvicDropDeg,
    shankFrontalDeg,
    depthDeg,
    pelvicDropVerdict: pelvicDropDeg === null ? null : pelvicDropDeg > 5 ? 'dropping' : 'level',
    ...(pelvicDropDeg === null ? { pelvicDropReason: 'data_gap' as const } : {}),
  };
}

const sq1 = SCREENS[0]!.startUs;
const REPS_R1_SQ1 = [
  rep('r1', 'sq1', sq1, 0, 'right', 1, 2, 1, 40),
  rep('r1', 'sq1', sq1, 1, 'right', 2, 3, 2, 41),
  rep('r1', 'sq1', sq1, 2, 'right', 3, 7, 3, 45),
  rep('r1', 'sq1', sq1, 3, 'left', 1, 4, 6, 38),
  rep('r1', 'sq1', sq1, 4, 'left', 2, null, 8, null),
];
const REPS = [...REPS_R1_SQ1, rep('r1', 'sq2', SCREENS[1]!.startUs, 0, 'left', 1, 3.5, 5, 42), rep('r2', 'sq1', SCREENS[2]!.startUs, 0, 'right', 1, 9, 9, 30)];

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
  await api.store.write({ sessions: SCREENS, reps: REPS });
});
afterAll(async () => {
  await api.close();
});

type Expect = Record<Who | 'none' | 'badKey', number>;
const OWN: Expect = { none: 401, badKey: 401, runnerR1: 200, runnerR2: 403, coach: 200, coachEmpty: 403, researcher: 200, researcherIdentified: 200, admin: 200 };
const R2: Expect = { none: 401, badKey: 401, runnerR1: 403, runnerR2: 200, coach: 403, coachEmpty: 403, researcher: 200, researcherIdentified: 200, admin: 200 };
const AT = `at=${T0_US + 8 * DAY_US}&weeks=2`;
const MATRIX: [string, Expect][] = [
  ['/v1/sessions/r1/sq1/reps', OWN],
  ['/v1/sessions/r1/sq1/reps.csv', OWN],
  ['/v1/sessions/r1/sq1/reps.ndjson', OWN],
  ['/v1/sessions?activity=screen&athlete=r1', OWN],
  [`/v1/athletes/r1/screens?${AT}`, OWN],
  ['/v1/sessions/r2/sq1/reps', R2],
  ['/v1/sessions/r2/sq1/reps.csv', R2],
  ['/v1/sessions/r2/sq1/reps.ndjson', R2],
  ['/v1/sessions?activity=screen&athlete=r2', R2],
  [`/v1/athletes/r2/screens?${AT}`, R2],
];

describe('screens: who gets in', () => {
  it.each(MATRIX.flatMap(([url, expected]) => Object.entries(expected).map(([who, status]) => [url, who, status] as const)))('GET %s as %s → %i', async (url, who, status) => {
    const as = who === 'none' ? null : who === 'badKey' ? { authorization: 'Bearer gw_not-a-key-we-know-000000000000' } : (who as Who);
    const res = await api.get(url, as);
    expect(res.statusCode).toBe(status);
    if (status === 401) expect(res.json().error.code).toBe('GW_API_UNAUTHORIZED');
    if (status === 403) {
      expect(res.json().error.code).toBe('GW_API_FORBIDDEN');
      expect(res.body).not.toMatch(/startUs|pelvicDropDeg|depthDeg/);
    }
  });

  it.each([
    ['runnerR1', ['r1/sq1', 'r1/sq2']],
    ['runnerR2', ['r2/sq1']],
    ['coach', ['r1/sq1', 'r1/sq2']],
    ['coachEmpty', []],
    ['admin', ['r1/sq1', 'r1/sq2', 'r2/sq1']],
  ] as const)('%s lists the screens it may see, and only screens', async (who, expected) => {
    const res = await api.get('/v1/sessions?activity=screen', who);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((s: SessionRecord) => `${s.athleteId}/${s.sessionId}`).sort()).toEqual(expected);
    const runs = await api.get('/v1/sessions?activity=run', who);
    expect(runs.json().items.every((s: SessionRecord) => s.summary['activity'] !== 'screen')).toBe(true);
  });

  it('asking for an activity it does not know is a 400 naming the parameter', async () => {
    const res = await api.get('/v1/sessions?activity=swim', 'admin');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'GW_API_BAD_QUERY', details: [expect.objectContaining({ field: 'activity' })] });
  });

  it('404 for a screen or an athlete the store does not have, once the caller may see the athlete; 400 for a stray parameter', async () => {
    expect((await api.get('/v1/sessions/r1/nope/reps', 'runnerR1')).json().error.code).toBe('GW_API_NOT_FOUND');
    expect((await api.get('/v1/sessions/r1/nope/reps.csv', 'coach')).statusCode).toBe(404);
    expect((await api.get('/v1/athletes/nobody/screens', 'admin')).statusCode).toBe(404);
    expect((await api.get('/v1/athletes/nobody/screens', 'coach')).statusCode).toBe(403);
    expect((await api.get('/v1/sessions/r1/sq1/reps?athlete=r2', 'admin')).json().error.code).toBe('GW_API_BAD_QUERY');
  });
});

describe('screens: reps', () => {
  const columns = (r: RepRecord): Record<string, unknown> => ({
    side: r.side,
    set: r.set,
    rep: r.rep,
    startUs: r.startUs,
    bottomUs: r.bottomUs,
    endUs: r.endUs,
    durationS: r.durationS,
    pelvicDropDeg: r.pelvicDropDeg,
    shankFrontalDeg: r.shankFrontalDeg,
    depthDeg: r.depthDeg,
    pelvicDropVerdict: r.pelvicDropVerdict,
    pelvicDropReason: r.pelvicDropReason ?? null,
    shankFrontalReason: null,
  });

  it('pages a screen’s reps in time order and filters by standing leg', async () => {
    const first = (await api.get('/v1/sessions/r1/sq1/reps?limit=2', 'coach')).json();
    const rest = (await api.get(`/v1/sessions/r1/sq1/reps?cursor=${first.next}`, 'coach')).json();
    expect([...first.items, ...rest.items]).toEqual(REPS_R1_SQ1.map(columns));
    expect(rest.next).toBeNull();
    const left = (await api.get('/v1/sessions/r1/sq1/reps?side=left', 'runnerR1')).json();
    expect(left.items.map((r: RepRecord) => [r.rep, r.pelvicDropDeg])).toEqual([
      [1, 4],
      [2, null],
    ]);
  });

  it('the session detail of a screen sums its reps up per standing leg; a run’s has no reps', async () => {
    const screenDetail = (await api.get('/v1/sessions/r1/sq1', 'runnerR1')).json();
    expect(screenDetail.summary.activity).toBe('screen');
    expect(screenDetail.reps).toEqual({
      left: { reps: 2, pelvicDropDegMedian: 4, shankFrontalDegMedian: 7, depthDegMedian: 38, droppingReps: 0 },
      right: { reps: 3, pelvicDropDegMedian: 3, shankFrontalDegMedian: 2, depthDegMedian: 41, droppingReps: 1 },
    });
    expect((await api.get('/v1/sessions/r1/s1', 'runnerR1')).json()).not.toHaveProperty('reps');
  });

  it('exports a screen as CSV: manifest lines, the rep columns with their units, empty fields for what was not measured', async () => {
    const res = await api.get('/v1/sessions/r1/sq1/reps.csv', 'coach');
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="r1_sq1_reps.csv"');
    const lines = res.body.trimEnd().split('\n');
    const comments = lines.filter((l) => l.startsWith('#'));
    expect(comments[0]).toBe('# gaitwatch rep export');
    const manifest = Object.fromEntries(comments.slice(1).map((l) => [l.slice(2, l.indexOf(':')), JSON.parse(l.slice(l.indexOf(':') + 2))]));
    expect(manifest).toMatchObject({ athleteId: 'r1', sessionId: 'sq1', athletePseudonymised: false, units: { depthDeg: expect.stringContaining('shank pitch'), side: 'the standing leg' } });
    const [header, ...rows] = lines.filter((l) => !l.startsWith('#'));
    expect(header).toBe('side,set,rep,startUs,bottomUs,endUs,durationS,pelvicDropDeg,shankFrontalDeg,depthDeg,pelvicDropVerdict,pelvicDropReason,shankFrontalReason');
    expect(manifest['columns']).toEqual(header!.split(','));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toBe(`right,1,1,${REPS_R1_SQ1[0]!.startUs},${REPS_R1_SQ1[0]!.bottomUs},${REPS_R1_SQ1[0]!.endUs},2.5,2,1,40,level,,`);
    expect(rows[4]).toBe(`left,1,2,${REPS_R1_SQ1[4]!.startUs},${REPS_R1_SQ1[4]!.bottomUs},${REPS_R1_SQ1[4]!.endUs},2.5,,8,,,data_gap,`);
  });

  it('exports a screen as NDJSON in the analyze format; a researcher gets a pseudonym, not the athlete', async () => {
    const res = await api.get('/v1/sessions/r1/sq1/reps.ndjson?side=right', 'researcher');
    const [manifest, ...reps] = res.body.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(manifest).toMatchObject({ kind: 'manifest', sessionId: 'sq1', athletePseudonymised: true });
    expect(manifest!['athleteId']).toMatch(/^anon-[0-9a-f]{16}$/);
    expect(res.headers['content-disposition']).toContain(`${String(manifest!['athleteId'])}_sq1_reps.ndjson`);
    expect(res.body).not.toContain('"r1"');
    expect(reps).toEqual(REPS_R1_SQ1.filter((r) => r.side === 'right').map((r) => ({ kind: 'rep', ...columns(r) })));
  });
});

describe('screens: an athlete’s history beside the running pelvic drop', () => {
  it('gives each screen its per-leg rep count and medians, and each week the runs’ median pelvic drop per leg', async () => {
    const res = await api.get(`/v1/athletes/r1/screens?${AT}`, 'coach');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ athleteId: 'r1', timeZone: 'UTC' });
    expect(body.screens).toEqual([
      {
        sessionId: 'sq1',
        startUs: SCREENS[0]!.startUs,
        endUs: SCREENS[0]!.endUs,
        date: '2026-05-28',
        week: '2026-W22',
        sides: {
          left: { reps: 2, pelvicDropDegMedian: 4, shankFrontalDegMedian: 7, depthDegMedian: 38, droppingReps: 0 },
          right: { reps: 3, pelvicDropDegMedian: 3, shankFrontalDegMedian: 2, depthDegMedian: 41, droppingReps: 1 },
        },
      },
      {
        sessionId: 'sq2',
        startUs: SCREENS[1]!.startUs,
        endUs: SCREENS[1]!.endUs,
        date: '2026-06-04',
        week: '2026-W23',
        sides: {
          left: { reps: 1, pelvicDropDegMedian: 3.5, shankFrontalDegMedian: 5, depthDegMedian: 42, droppingReps: 0 },
          right: { reps: 0, pelvicDropDegMedian: null, shankFrontalDegMedian: null, depthDegMedian: null, droppingReps: 0 },
        },
      },
    ]);
    // The runs of week 22 are r1's two seeded sessions; their stances' pelvic drop, per leg, straight from the seed.
    const drops = { left: [] as number[], right: [] as number[] };
    for (const s of SESSIONS.filter((x) => x.athleteId === 'r1')) {
      for (let i = 0; i < STRIDES_PER_SESSION; i++) {
        const st = stride('r1', s.sessionId, i);
        if (st.pelvicDropDeg !== null) drops[st.side].push(st.pelvicDropDeg);
      }
    }
    const median = (v: number[]): number => {
      const s = [...v].sort((a, b) => a - b);
      return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    expect(body.weeks).toEqual([
      { week: '2026-W22', fromUs: Date.UTC(2026, 4, 25) * 1000, toUs: Date.UTC(2026, 5, 1) * 1000, runs: 2, pelvicDropDegMedian: { left: median(drops.left), right: median(drops.right) }, screens: ['sq1'] },
      { week: '2026-W23', fromUs: Date.UTC(2026, 5, 1) * 1000, toUs: Date.UTC(2026, 5, 8) * 1000, runs: 0, pelvicDropDegMedian: { left: null, right: null }, screens: ['sq2'] },
    ]);
    expect(body.fromUs).toBe(Date.UTC(2026, 4, 25) * 1000);
  });

  it('reports the weeks in the athlete’s time zone and refuses a bad `weeks`', async () => {
    await api.store.putAthlete({ athleteId: 'r2', settings: { timeZone: 'Pacific/Auckland' }, updatedUs: T0_US });
    const body = (await api.get(`/v1/athletes/r2/screens?${AT}`, 'runnerR2')).json();
    expect(body.timeZone).toBe('Pacific/Auckland');
    // r2's screen at 2026-05-28 21:26 UTC is 09:26 on the 29th in Auckland, still week 22, which starts at Auckland's Monday midnight (UTC+12).
    expect(body.weeks[0]).toMatchObject({ week: '2026-W22', fromUs: Date.UTC(2026, 4, 24, 12) * 1000 });
    expect(body.screens.map((s: { sessionId: string; sides: { right: { reps: number } } }) => [s.sessionId, s.sides.right.reps])).toEqual([['sq1', 1]]);
    expect((await api.get('/v1/athletes/r2/screens?weeks=53', 'runnerR2')).json().error.code).toBe('GW_API_BAD_QUERY');
  });
});
