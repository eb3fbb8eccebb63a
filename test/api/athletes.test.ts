/**
 * Athletes (list, profile, settings patch) and alert acknowledgement: who
 * gets in and who must not, what each may change, path tricks and bad
 * bodies. A real LocalStore behind the app (helpers.ts), plus a few
 * athlete records and alerts of its own.
 */
import type { AlertRecord } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTS, KEYS, openTestApi, send, T0_US, type Caller, type TestApi, type Who } from './helpers.ts';

let api: TestApi;

/** r1's profile as seeded; r4 has a profile and no session; r2 and r3 have sessions only. */
const R1_PROFILE = { athleteId: 'r1', displayName: 'Runner One', settings: { pelvicDropLimitDeg: 7, injuredSide: 'right' as const }, updatedUs: T0_US };
const R4_PROFILE = { athleteId: 'r4', settings: {}, updatedUs: T0_US };

/** Alerts acknowledged only in the matrix, so the matrix does not depend on the other tests' order. */
const r1Matrix: AlertRecord = { athleteId: 'r1', sessionId: 's1', tUs: T0_US + 300_000_000, type: 'pelvic_drop_high', severity: 'critical', metric: 'pelvicDropDeg', value: 9, baseline: 7, message: 'm', phase: 'raised', side: 'left' };
const r2Matrix: AlertRecord = { ...r1Matrix, athleteId: 'r2' };
/** The alert the ack tests acknowledge: r1/s1's first form breakdown (helpers.ts). */
const r1Alert = ALERTS[0]!;

const keyOf = (a: AlertRecord) => ({
  athleteId: a.athleteId,
  sessionId: a.sessionId,
  tUs: a.tUs,
  type: a.type,
  severity: a.severity,
  metric: a.metric,
  ...(a.sensor === undefined ? {} : { sensor: a.sensor }),
  ...(a.side === undefined ? {} : { side: a.side }),
});

beforeAll(async () => {
  api = await openTestApi();
  await api.store.putAthlete(R1_PROFILE);
  await api.store.putAthlete(R4_PROFILE);
  await api.store.write({ alerts: [r1Matrix, r2Matrix] });
});
afterAll(async () => {
  await api?.close();
});

type Expect = Record<'none' | 'badKey' | 'runnerR1' | 'runnerR2' | 'coach' | 'coachEmpty' | 'researcher' | 'admin', number>;
const callerOf = (who: string): Caller => (who === 'none' ? null : who === 'badKey' ? { authorization: 'Bearer gw_not-a-key-we-know-000000000000' } : (who as Who));
/** Every caller of helpers.ts's KEYS gets a case: a researcher key of another kind expects what `researcher` does; any other new key must be added here. */
const casesOf = (expected: Expect) =>
  [...new Set([...Object.keys(expected), ...Object.keys(KEYS)])].map((who) => {
    const status = (expected as Record<string, number>)[who] ?? (who.startsWith('researcher') ? expected.researcher : undefined);
    if (status === undefined) throw new Error(`athletes.test.ts: say what key ${who} may do`);
    return [who, status] as const;
  });

function expectError(res: { statusCode: number; json(): { error: { code: string } } }, status: number, code: string): void {
  expect(res.statusCode).toBe(status);
  expect(res.json().error.code).toBe(code);
}

describe('who may read athletes', () => {
  // r1 belongs to runner r1 and is on coach anna's roster (r1, r3); r2 is outside it.
  const R1: Expect = { none: 401, badKey: 401, runnerR1: 200, runnerR2: 403, coach: 200, coachEmpty: 403, researcher: 200, admin: 200 };
  const R2: Expect = { none: 401, badKey: 401, runnerR1: 403, runnerR2: 200, coach: 403, coachEmpty: 403, researcher: 200, admin: 200 };
  const ANYONE: Expect = { none: 401, badKey: 401, runnerR1: 200, runnerR2: 200, coach: 200, coachEmpty: 200, researcher: 200, admin: 200 };
  const matrix: [string, Expect][] = [
    ['/v1/athletes', ANYONE],
    ['/v1/athletes?athlete=r1', R1],
    ['/v1/athletes?athlete=r2', R2],
    ['/v1/athletes/r1', R1],
    ['/v1/athletes/r2', R2],
  ];
  it.each(matrix.flatMap(([url, expected]) => casesOf(expected).map(([who, status]) => [url, who, status] as const)))('GET %s as %s → %i', async (url, who, status) => {
    const res = await send(api, 'GET', url, callerOf(who));
    expect(res.statusCode).toBe(status);
    if (status === 401) expect(res.json().error.code).toBe('GW_API_UNAUTHORIZED');
    if (status === 403) {
      expect(res.json().error.code).toBe('GW_API_FORBIDDEN');
      expect(res.body).not.toMatch(/settings|displayName/);
    }
  });

  it.each([
    ['runnerR1', ['r1']],
    ['runnerR2', ['r2']],
    ['coach', ['r1', 'r3']],
    ['coachEmpty', []],
    ['researcher', ['r1', 'r2', 'r3', 'r4']],
    ['admin', ['r1', 'r2', 'r3', 'r4']],
  ] as const)('%s lists athletes %j (profiles and athletes with sessions only)', async (who, athletes) => {
    const res = await send(api, 'GET', '/v1/athletes', who);
    expect(res.json().items.map((a: { athleteId: string }) => a.athleteId)).toEqual(athletes);
  });

  it('lists profiles with their settings, session-only athletes with none, and pages by id', async () => {
    const first = await send(api, 'GET', '/v1/athletes?limit=2', 'admin');
    expect(first.json().items).toEqual([R1_PROFILE, { athleteId: 'r2', settings: {}, updatedUs: null }]);
    const rest = await send(api, 'GET', `/v1/athletes?limit=2&cursor=${first.json().next}`, 'admin');
    expect(rest.json()).toEqual({ items: [{ athleteId: 'r3', settings: {}, updatedUs: null }, R4_PROFILE], next: null });
    expectError(await send(api, 'GET', '/v1/athletes?cursor=t123', 'admin'), 400, 'GW_API_BAD_QUERY');
    expectError(await send(api, 'GET', '/v1/athletes?role=admin', 'runnerR1'), 400, 'GW_API_BAD_QUERY');
  });

  it('a researcher who sees pseudonyms sees no display names; an identified researcher, a coach and an admin do', async () => {
    const named = (who: Who) => send(api, 'GET', '/v1/athletes/r1', who).then((r) => r.json().displayName as unknown);
    const listed = (who: Who) => send(api, 'GET', '/v1/athletes?athlete=r1', who).then((r) => r.json().items[0].displayName as unknown);
    expect(await named('researcher')).toBeUndefined();
    expect(await listed('researcher')).toBeUndefined();
    const name = (await api.store.getAthlete('r1'))!.displayName;
    expect(name).toBeDefined();
    for (const who of ['researcherIdentified', 'coach', 'admin', 'runnerR1'] as Who[]) {
      expect(await named(who), who).toBe(name);
      expect(await listed(who), who).toBe(name);
    }
  });

  it('one athlete outside the caller’s reach in ?athlete= forbids the whole list', async () => {
    expectError(await send(api, 'GET', '/v1/athletes?athlete=r1,r2', 'runnerR1'), 403, 'GW_API_FORBIDDEN');
    expectError(await send(api, 'GET', '/v1/athletes?athlete=r3&athlete=r2', 'coach'), 403, 'GW_API_FORBIDDEN');
  });

  it('shows a profile; an athlete known from sessions only has empty settings; an unknown one is 404 only to whoever may see it', async () => {
    expect((await send(api, 'GET', '/v1/athletes/r1', 'runnerR1')).json()).toEqual(R1_PROFILE);
    expect((await send(api, 'GET', '/v1/athletes/r3', 'coach')).json()).toEqual({ athleteId: 'r3', settings: {}, updatedUs: null });
    expectError(await send(api, 'GET', '/v1/athletes/ghost', 'admin'), 404, 'GW_API_NOT_FOUND');
    expectError(await send(api, 'GET', '/v1/athletes/ghost', 'runnerR1'), 403, 'GW_API_FORBIDDEN');
    expectError(await send(api, 'GET', '/v1/athletes/ghost', 'coach'), 403, 'GW_API_FORBIDDEN');
  });
});

describe('who may change athletes', () => {
  const R1: Expect = { none: 401, badKey: 401, runnerR1: 200, runnerR2: 403, coach: 200, coachEmpty: 403, researcher: 403, admin: 200 };
  const R2: Expect = { none: 401, badKey: 401, runnerR1: 403, runnerR2: 200, coach: 403, coachEmpty: 403, researcher: 403, admin: 200 };
  it.each([
    ...casesOf(R1).map(([who, status]) => ['r1', who, status] as const),
    ...casesOf(R2).map(([who, status]) => ['r2', who, status] as const),
  ])('PATCH /v1/athletes/%s (alert preferences) as %s → %i', async (athleteId, who, status) => {
    const before = await api.store.getAthlete(athleteId);
    const res = await send(api, 'PATCH', `/v1/athletes/${athleteId}`, callerOf(who), { settings: { alerts: { voice: false } } });
    expect(res.statusCode).toBe(status);
    if (status === 401) expect(res.json().error.code).toBe('GW_API_UNAUTHORIZED');
    if (status === 403) {
      expect(res.json().error.code).toBe('GW_API_FORBIDDEN');
      expect(await api.store.getAthlete(athleteId)).toEqual(before);
    }
    if (status === 200) expect((await api.store.getAthlete(athleteId))?.settings.alerts?.voice).toBe(false);
  });

  it('a runner may change their alert preferences and display name, merged into what is stored', async () => {
    const res = await send(api, 'PATCH', '/v1/athletes/r1', 'runnerR1', { displayName: 'R. One', settings: { alerts: { vibrate: false } } });
    expect(res.statusCode).toBe(200);
    const stored = await api.store.getAthlete('r1');
    expect(res.json()).toEqual(stored);
    expect(stored).toMatchObject({ displayName: 'R. One', settings: { pelvicDropLimitDeg: 7, injuredSide: 'right', alerts: { vibrate: false, formBreakdown: true, pelvicDropHigh: true, dataQuality: true } } });
    expect(stored!.updatedUs).toBeGreaterThan(T0_US);
  });

  it.each([
    ['the pelvic-drop limit', { settings: { pelvicDropLimitDeg: 12 } }],
    ['the injured side', { settings: { injuredSide: null } }],
    ['the baseline', { settings: { baselineOverride: { pelvicDropDeg: 3 } } }],
    ['the limit alongside alerts', { settings: { alerts: { voice: true }, pelvicDropLimitDeg: 12 } }],
  ])('a runner may not change %s of their own profile (coach only): 403, nothing stored', async (_what, body) => {
    const before = await api.store.getAthlete('r1');
    expectError(await send(api, 'PATCH', '/v1/athletes/r1', 'runnerR1', body), 403, 'GW_API_FORBIDDEN');
    expect(await api.store.getAthlete('r1')).toEqual(before);
  });

  it('a runner puts one cue, or all of them, back to the default with null (merge patch)', async () => {
    expect((await send(api, 'PATCH', '/v1/athletes/r2', 'runnerR2', { settings: { alerts: { voice: false, vibrate: false } } })).statusCode).toBe(200);
    const res = await send(api, 'PATCH', '/v1/athletes/r2', 'runnerR2', { settings: { alerts: { voice: null } } });
    expect(res.statusCode).toBe(200);
    expect((await api.store.getAthlete('r2'))?.settings.alerts).toEqual({ formBreakdown: true, pelvicDropHigh: true, dataQuality: true, voice: true, vibrate: false });
    expect((await send(api, 'PATCH', '/v1/athletes/r2', 'runnerR2', { settings: { alerts: null } })).statusCode).toBe(200);
    expect((await api.store.getAthlete('r2'))?.settings.alerts).toBeUndefined();
  });

  it('a coach changes every setting of a roster athlete; null takes a setting back to the default', async () => {
    const res = await send(api, 'PATCH', '/v1/athletes/r3', 'coach', { settings: { pelvicDropLimitDeg: 6.5, screenPelvicDropLevelMaxDeg: 7, injuredSide: 'left', baselineOverride: { pelvicDropDeg: 4.2 } } });
    expect(res.statusCode).toBe(200);
    expect((await send(api, 'GET', '/v1/athletes/r3', 'runnerR1')).statusCode).toBe(403);
    expect((await send(api, 'GET', '/v1/athletes/r3', 'coach')).json()).toMatchObject({ athleteId: 'r3', settings: { pelvicDropLimitDeg: 6.5, screenPelvicDropLevelMaxDeg: 7, injuredSide: 'left', baselineOverride: { pelvicDropDeg: 4.2 } } });
    await send(api, 'PATCH', '/v1/athletes/r3', 'coach', { settings: { pelvicDropLimitDeg: null, screenPelvicDropLevelMaxDeg: null, baselineOverride: { shankFrontalDeg: -1 } } });
    expect((await api.store.getAthlete('r3'))?.settings).toEqual({ injuredSide: 'left', baselineOverride: { pelvicDropDeg: 4.2, shankFrontalDeg: -1 } });
    // A nested field's null removes that field only; an override left empty is none.
    expect((await send(api, 'PATCH', '/v1/athletes/r3', 'coach', { settings: { baselineOverride: { pelvicDropDeg: null } } })).statusCode).toBe(200);
    expect((await api.store.getAthlete('r3'))?.settings).toEqual({ injuredSide: 'left', baselineOverride: { shankFrontalDeg: -1 } });
    await send(api, 'PATCH', '/v1/athletes/r3', 'coach', { settings: { baselineOverride: { shankFrontalDeg: null } } });
    expect((await api.store.getAthlete('r3'))?.settings).toEqual({ injuredSide: 'left' });
    await send(api, 'PATCH', '/v1/athletes/r3', 'coach', { settings: { baselineOverride: { pelvicDropDeg: 4.2 } } });
    await send(api, 'PATCH', '/v1/athletes/r3', 'admin', { settings: { baselineOverride: null }, displayName: 'Three' });
    expect(await api.store.getAthlete('r3')).toMatchObject({ displayName: 'Three', settings: { injuredSide: 'left' } });
    await send(api, 'PATCH', '/v1/athletes/r3', 'coach', { displayName: null });
    expect((await api.store.getAthlete('r3'))?.displayName).toBeUndefined();
  });

  it('a coach outside the roster and a researcher are refused whatever they send', async () => {
    expectError(await send(api, 'PATCH', '/v1/athletes/r2', 'coach', { settings: { pelvicDropLimitDeg: 5 } }), 403, 'GW_API_FORBIDDEN');
    expectError(await send(api, 'PATCH', '/v1/athletes/r4', 'coach', { settings: { pelvicDropLimitDeg: 5 } }), 403, 'GW_API_FORBIDDEN');
    expectError(await send(api, 'PATCH', '/v1/athletes/r1', 'researcher', { settings: { pelvicDropLimitDeg: 5 } }), 403, 'GW_API_FORBIDDEN');
    expectError(await send(api, 'PATCH', '/v1/athletes/r1', 'researcher', { displayName: 'x' }), 403, 'GW_API_FORBIDDEN');
    expect((await api.store.getAthlete('r2'))?.settings.pelvicDropLimitDeg).toBeUndefined();
    expect((await api.store.getAthlete('r1'))?.settings.pelvicDropLimitDeg).toBe(7);
  });

  it('accepts the merge-patch media type (RFC 7396) like JSON', async () => {
    const res = await send(api, 'PATCH', '/v1/athletes/r4', 'admin', JSON.stringify({ displayName: 'Four' }), { 'content-type': 'application/merge-patch+json' });
    expect(res.statusCode).toBe(200);
    expect((await api.store.getAthlete('r4'))?.displayName).toBe('Four');
  });
});

describe('path tricks on athlete routes', () => {
  it.each(['/v1/athletes/..%2Fr2', '/v1/athletes/r1%2F..%2Fr2', '/v1/athletes/r1%00', '/v1/athletes/.hidden', `/v1/athletes/${'a'.repeat(65)}`])('%s is a 400 GW_API_BAD_PATH for GET and PATCH', async (url) => {
    expectError(await send(api, 'GET', url, 'runnerR1'), 400, 'GW_API_BAD_PATH');
    expectError(await send(api, 'PATCH', url, 'admin', { displayName: 'x' }), 400, 'GW_API_BAD_PATH');
  });

  it.each(['/v1/athletes/r1/../r2', '/v1/athletes/%2e%2e/r2', `/v1/athletes/${'r'.repeat(150)}`, '/v1/athletes/r1/r2'])('%s never reaches another athlete', async (url) => {
    for (const method of ['GET', 'PATCH'] as const) {
      const res = await send(api, method, url, 'runnerR1', method === 'PATCH' ? { displayName: 'hijack' } : undefined);
      expect([400, 403, 404, 414], `${method} ${url}`).toContain(res.statusCode);
      expect(res.body).not.toMatch(/settings/);
    }
    expect((await api.store.getAthlete('r2'))?.displayName).toBeUndefined();
  });

  it('URL-encoded ids are decoded before the check', async () => {
    expectError(await send(api, 'PATCH', '/v1/athletes/%72%32', 'runnerR1', { displayName: 'x' }), 403, 'GW_API_FORBIDDEN'); // "r2"
    expect((await send(api, 'GET', '/v1/athletes/%72%31', 'runnerR1')).statusCode).toBe(200); // "r1"
  });

  it('an athlete in the query of a PATCH is refused, not used', async () => {
    expectError(await send(api, 'PATCH', '/v1/athletes/r1?athlete=r2', 'runnerR1', { displayName: 'x' }), 400, 'GW_API_BAD_QUERY');
  });
});

describe('bad bodies', () => {
  it.each([
    ['a string limit', { settings: { pelvicDropLimitDeg: '7' } }, 'settings.pelvicDropLimitDeg'],
    ['a limit over 20°', { settings: { pelvicDropLimitDeg: 25 } }, 'settings.pelvicDropLimitDeg'],
    ['a limit under 1°', { settings: { pelvicDropLimitDeg: 0.5 } }, 'settings.pelvicDropLimitDeg'],
    ['a screen threshold over 15°', { settings: { screenPelvicDropLevelMaxDeg: 16 } }, 'settings.screenPelvicDropLevelMaxDeg'],
    ['a screen threshold as a string', { settings: { screenPelvicDropLevelMaxDeg: '5' } }, 'settings.screenPelvicDropLevelMaxDeg'],
    ['a baseline of 90°', { settings: { baselineOverride: { pelvicDropDeg: 90 } } }, 'settings.baselineOverride.pelvicDropDeg'],
    ['an injured side "both"', { settings: { injuredSide: 'both' } }, 'settings.injuredSide'],
    ['an alert switch as a string', { settings: { alerts: { voice: 'no' } } }, 'settings.alerts.voice'],
    ['an unknown top-level field', { role: 'admin' }, 'role'],
    ['an unknown setting', { settings: { colour: 'red' } }, 'settings.colour'],
    ['an unknown alert switch', { settings: { alerts: { loud: true } } }, 'settings.alerts.loud'],
    ['the athlete id in the body', { athleteId: 'r2', displayName: 'x' }, 'athleteId'],
    ['an empty name', { displayName: '' }, 'displayName'],
    ['a name with a newline', { displayName: 'a\nb' }, 'displayName'],
    ['a name of 101 characters', { displayName: 'x'.repeat(101) }, 'displayName'],
    ['nothing to change', {}, ''],
    ['an array', [{ displayName: 'x' }], ''],
    ['settings as a string', { settings: 'all' }, 'settings'],
  ])('%s is a 400 GW_API_BAD_BODY naming the field, and nothing is stored', async (_name, body, field) => {
    const before = await api.store.getAthlete('r1');
    const res = await send(api, 'PATCH', '/v1/athletes/r1', 'coach', body);
    expectError(res, 400, 'GW_API_BAD_BODY');
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(res.json().error.details[0].in).toBe('body');
    expect(await api.store.getAthlete('r1')).toEqual(before);
  });

  it('a body that is not JSON is a 400 GW_API_BAD_BODY; another media type a 415', async () => {
    expectError(await send(api, 'PATCH', '/v1/athletes/r1', 'coach', '{"displayName": ', { 'content-type': 'application/json' }), 400, 'GW_API_BAD_BODY');
    expectError(await send(api, 'PATCH', '/v1/athletes/r1', 'coach', 'displayName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'GW_API_BAD_REQUEST');
    expectError(await send(api, 'PATCH', '/v1/athletes/r1', 'coach', '', { 'content-type': 'application/json' }), 400, 'GW_API_BAD_BODY');
  });

  it.each([
    ['PATCH', '/v1/athletes/r1', '{"__proto__": {"x": 1}}', 'application/json'],
    ['PATCH', '/v1/athletes/r1', '{"settings": {"__proto__": {"injuredSide": "left"}}}', 'application/merge-patch+json'],
    ['PATCH', '/v1/athletes/r1', '{"constructor": {"prototype": {"x": 1}}}', 'application/json'],
    ['POST', '/v1/alerts/ack', '{"athleteId": "r1", "__proto__": {"note": "x"}}', 'application/json'],
  ] as const)('%s %s with %s (valid JSON, refused as a prototype-poisoning key) says so, not "not JSON"', async (method, url, body, type) => {
    const before = await api.store.getAthlete('r1');
    const res = await send(api, method, url, 'coach', body, { 'content-type': type });
    expectError(res, 400, 'GW_API_BAD_BODY');
    expect(res.json().error.message).toMatch(/a field named __proto__ \(or a constructor with a prototype field\), which is not allowed/);
    expect(res.json().error.message).not.toMatch(/not (valid )?JSON/);
    expect(await api.store.getAthlete('r1')).toEqual(before);
    // Broken JSON is still reported as such.
    const broken = await send(api, method, url, 'coach', body.slice(0, -1), { 'content-type': type });
    expectError(broken, 400, 'GW_API_BAD_BODY');
    expect(broken.json().error.message).toMatch(/not JSON/);
  });

  it('a body over 4 KiB is refused with 413 GW_API_BODY_TOO_LARGE, on both body routes; without a key it is a 401 first', async () => {
    const big = { displayName: 'x', settings: { alerts: { voice: true } }, pad: 'p'.repeat(5000) };
    expectError(await send(api, 'PATCH', '/v1/athletes/r1', 'coach', big), 413, 'GW_API_BODY_TOO_LARGE');
    expectError(await send(api, 'PATCH', '/v1/athletes/r1', 'coach', JSON.stringify(big), { 'content-type': 'application/merge-patch+json' }), 413, 'GW_API_BODY_TOO_LARGE');
    expectError(await send(api, 'POST', '/v1/alerts/ack', 'coach', { ...keyOf(r1Alert), note: 'n'.repeat(5000) }), 413, 'GW_API_BODY_TOO_LARGE');
    expectError(await send(api, 'PATCH', '/v1/athletes/r1', null, big), 401, 'GW_API_UNAUTHORIZED');
  });
});

describe('alert acknowledgement', () => {
  const R1: Expect = { none: 401, badKey: 401, runnerR1: 403, runnerR2: 403, coach: 200, coachEmpty: 403, researcher: 403, admin: 200 };
  const R2: Expect = { none: 401, badKey: 401, runnerR1: 403, runnerR2: 403, coach: 403, coachEmpty: 403, researcher: 403, admin: 200 };
  it.each([
    ...casesOf(R1).map(([who, status]) => ['r1', who, status] as const),
    ...casesOf(R2).map(([who, status]) => ['r2', who, status] as const),
  ])('POST /v1/alerts/ack for an alert of %s as %s → %i', async (athleteId, who, status) => {
    const alert = athleteId === 'r1' ? r1Matrix : r2Matrix;
    const res = await send(api, 'POST', '/v1/alerts/ack', callerOf(who), keyOf(alert));
    expect(res.statusCode).toBe(status);
    if (status === 401) expect(res.json().error.code).toBe('GW_API_UNAUTHORIZED');
    if (status === 403) expect(res.json().error.code).toBe('GW_API_FORBIDDEN');
  });

  it('a coach acknowledges a roster athlete’s alert; the ack shows in GET /v1/alerts; a second ack keeps the first', async () => {
    const first = await send(api, 'POST', '/v1/alerts/ack', 'coach', { ...keyOf(r1Alert), note: 'talked it through after the run' });
    expect(first.statusCode).toBe(200);
    const ack = first.json().alert.ack;
    expect(ack).toMatchObject({ by: 'coach-anna', note: 'talked it through after the run' });
    expect(first.json()).toMatchObject({ created: true, alert: { ...r1Alert, ack } });
    const again = await send(api, 'POST', '/v1/alerts/ack', 'admin', { ...keyOf(r1Alert), note: 'me too' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ created: false, alert: first.json().alert });
    // The runner sees that the coach acknowledged it.
    const listed = (await send(api, 'GET', '/v1/alerts?athlete=r1&session=s1&phase=raised', 'runnerR1')).json().items as AlertRecord[];
    expect(listed.find((a) => a.tUs === r1Alert.tUs)?.ack).toEqual(ack);
    expect(listed.filter((a) => a.ack !== undefined && a.tUs !== r1Matrix.tUs)).toHaveLength(1);
  });

  it('takes the alert back exactly as GET /v1/alerts gave it (its other fields ignored), but not its resolved half', async () => {
    const listed = (await send(api, 'GET', '/v1/alerts?athlete=r1&session=s1&phase=raised', 'coach')).json().items as AlertRecord[];
    const item = listed.find((a) => a.tUs === r1Matrix.tUs)!;
    expect(item.episodeId ?? item.message).toBeDefined();
    const res = await send(api, 'POST', '/v1/alerts/ack', 'coach', { ...item, note: 'seen' });
    expect(res.statusCode).toBe(200);
    expect(res.json().alert).toMatchObject({ tUs: item.tUs, ack: { by: expect.any(String) } });
    expectError(await send(api, 'POST', '/v1/alerts/ack', 'coach', { ...item, phase: 'resolved' }), 400, 'GW_API_BAD_BODY');
  });

  it('an alert the store does not have is 404 to whoever may see the athlete, 403 to anyone else', async () => {
    expectError(await send(api, 'POST', '/v1/alerts/ack', 'coach', { ...keyOf(r1Alert), tUs: r1Alert.tUs + 1 }), 404, 'GW_API_NOT_FOUND');
    expectError(await send(api, 'POST', '/v1/alerts/ack', 'coach', { ...keyOf(r1Alert), sessionId: 'nope' }), 404, 'GW_API_NOT_FOUND');
    expectError(await send(api, 'POST', '/v1/alerts/ack', 'coach', { ...keyOf(r1Alert), severity: 'info' }), 404, 'GW_API_NOT_FOUND');
    // The resolved alert of an episode is not acknowledged (its raised one is).
    const resolved = ALERTS[1]!;
    expect(resolved.phase).toBe('resolved');
    expectError(await send(api, 'POST', '/v1/alerts/ack', 'admin', keyOf(resolved)), 404, 'GW_API_NOT_FOUND');
    expectError(await send(api, 'POST', '/v1/alerts/ack', 'coach', { ...keyOf(r2Matrix), tUs: r2Matrix.tUs + 1 }), 403, 'GW_API_FORBIDDEN');
  });

  it.each([
    ['no time', (({ tUs: _t, ...rest }) => rest)(keyOf(r1Alert)), 'tUs'],
    ['a time as a string', { ...keyOf(r1Alert), tUs: String(r1Alert.tUs) }, 'tUs'],
    ['a time in 1970', { ...keyOf(r1Alert), tUs: 12 }, 'tUs'],
    ['an unknown type', { ...keyOf(r1Alert), type: 'bogus' }, 'type'],
    ['a note of 501 characters', { ...keyOf(r1Alert), note: 'n'.repeat(501) }, 'note'],
    ['a forged acknowledger', { ...keyOf(r1Alert), ackedBy: 'admin-1' }, 'ackedBy'],
    ['a traversal id', { ...keyOf(r1Alert), athleteId: '../r2' }, 'athleteId'],
    ['a metric with a space', { ...keyOf(r1Alert), metric: 'a b' }, 'metric'],
  ])('%s is a 400 GW_API_BAD_BODY', async (_name, body, field) => {
    const res = await send(api, 'POST', '/v1/alerts/ack', 'admin', body);
    expectError(res, 400, 'GW_API_BAD_BODY');
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});

describe('documentation', () => {
  it('every new route is in the OpenAPI document', async () => {
    const doc = (await send(api, 'GET', '/docs/json', null)).json();
    expect(Object.keys(doc.paths['/v1/athletes'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/v1/athletes/{athleteId}']).sort()).toEqual(['get', 'patch']);
    expect(Object.keys(doc.paths['/v1/alerts/ack'])).toEqual(['post']);
    expect(JSON.stringify(doc.paths['/v1/athletes/{athleteId}'].patch.requestBody)).toMatch(/pelvicDropLimitDeg/);
  });
});
