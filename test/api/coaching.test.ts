/**
 * The coaching routes over a real LocalStore seeded with the simulated
 * return-to-run athletes (test/coaching/seed.ts): load, trends and the
 * coach digest (JSON and the printable page), settings through the athlete
 * route, and who is kept out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, hashApiKey, KeyRing, type ApiApp, type KeyEntry } from '@gaitwatch/api';
import { LocalStore } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AT_US, PLAN, seedStore } from '../coaching/seed.ts';

const PEPPER = 'coaching-pepper';
const KEYS = {
  runner: 'gw_runner-ok-key-00000000000000000',
  otherRunner: 'gw_runner-other-key-0000000000000',
  coach: 'gw_coach-kim-key-0000000000000000',
  otherCoach: 'gw_coach-lee-key-0000000000000000',
  researcher: 'gw_researcher-key-0000000000000000',
  admin: 'gw_admin-key-00000000000000000000000',
} as const;
type Who = keyof typeof KEYS;
const ENTRIES: KeyEntry[] = [
  { id: 'runner-ok', hash: hashApiKey(KEYS.runner, PEPPER), role: 'runner', athleteId: 'rehab-ok' },
  { id: 'runner-other', hash: hashApiKey(KEYS.otherRunner, PEPPER), role: 'runner', athleteId: 'somebody' },
  { id: 'coach-kim', hash: hashApiKey(KEYS.coach, PEPPER), role: 'coach', athleteIds: ['rehab-ok', 'rehab-jump', 'rehab-onset'] },
  { id: 'coach-lee', hash: hashApiKey(KEYS.otherCoach, PEPPER), role: 'coach', athleteIds: ['somebody'] },
  { id: 'researcher-1', hash: hashApiKey(KEYS.researcher, PEPPER), role: 'researcher' },
  { id: 'admin-1', hash: hashApiKey(KEYS.admin, PEPPER), role: 'admin' },
];

let dataDir: string;
let store: LocalStore;
let app: ApiApp;
const AT = `at=${AT_US}`;

function get(url: string, who: Who | null) {
  return app.inject({ method: 'GET', url, headers: who === null ? {} : { authorization: `Bearer ${KEYS[who]}` } });
}
function patch(url: string, who: Who, body: unknown) {
  return app.inject({ method: 'PATCH', url, headers: { authorization: `Bearer ${KEYS[who]}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gw-api-coaching-'));
  store = new LocalStore({ dataDir, synchronous: 'normal', maxBatchDelayMs: 1 });
  await seedStore(store);
  app = await buildApp({ store, auth: { keys: new KeyRing(ENTRIES, PEPPER) }, rateLimit: false });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /v1/athletes/:id/load', () => {
  it('answers the weeks in the athlete’s zone, the plan line and the warning of the 30 % week', async () => {
    const res = await get(`/v1/athletes/rehab-jump/load?weeks=7&${AT}`, 'coach');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ athleteId: 'rehab-jump', timeZone: 'Pacific/Auckland', metric: 'distance', rampLimitPct: 10, acwrBand: { low: 0.8, high: 1.3 } });
    expect(body.weeks.map((w: { week: string }) => w.week)).toEqual(['2026-W06', '2026-W07', '2026-W08', '2026-W09', '2026-W10', '2026-W11', '2026-W12']);
    expect(body.weeks[0].plannedDistanceM).toBe(PLAN.startWeeklyDistanceM);
    expect(body.sessions).toHaveLength(21);
    expect(body.warnings.filter((w: { severity: string }) => w.severity === 'warning').map((w: { week: string; kind: string }) => `${w.week} ${w.kind}`)).toEqual(['2026-W09 week_over_week']);
    expect(body.plan).toMatchObject({ ...PLAN, weeksToTarget: 20 });
    const ok = (await get(`/v1/athletes/rehab-ok/load?weeks=7&${AT}`, 'runner')).json();
    expect(ok.warnings).toEqual([]);
  });

  it('rejects a bad query with 400 naming the parameter', async () => {
    for (const q of ['weeks=0', 'weeks=53', 'weeks=two', 'at=yesterday', 'colour=red']) {
      const res = await get(`/v1/athletes/rehab-ok/load?${q}`, 'admin');
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code).toBe('GW_API_BAD_QUERY');
    }
  });
});

describe('GET /v1/athletes/:id/trends', () => {
  it('gives the onset per session and side and a "later" trend for the athlete getting stronger', async () => {
    const res = await get(`/v1/athletes/rehab-onset/trends?weeks=7&${AT}`, 'coach');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.sessions).toHaveLength(21);
    const side = body.sessions[0].left.heldAllRun ? 'right' : 'left';
    expect(body.onset[side]).toMatchObject({ direction: 'later', unit: 'm' });
    expect(body.pelvicDrop[side].direction).toBe('falling');
    expect(body.sessions[0][side].pelvicDropP95Deg).toBeGreaterThan(body.sessions[20][side].pelvicDropP95Deg);
  });
});

describe('GET /v1/coaches/:id/digest', () => {
  it('lists the roster with lights: red for the 30 % jump, green for the block on plan and the one getting stronger', async () => {
    const res = await get(`/v1/coaches/coach-kim/digest?at=${AT_US - 7 * 86_400e6}`, 'coach');
    expect(res.statusCode).toBe(200);
    const lights = Object.fromEntries(res.json().athletes.map((a: { athleteId: string; light: string }) => [a.athleteId, a.light]));
    // The digest of 2026-W11 weighs W10 and W11: the W09 jump has passed; ask a week earlier for it below.
    expect(lights).toEqual({ 'rehab-jump': 'green', 'rehab-ok': 'green', 'rehab-onset': 'green' });
    const jumpWeek = (await get(`/v1/coaches/coach-kim/digest?at=${AT_US - 3 * 7 * 86_400e6}`, 'coach')).json();
    const jump = jumpWeek.athletes.find((a: { athleteId: string }) => a.athleteId === 'rehab-jump');
    expect(jump).toMatchObject({ light: 'red', displayName: 'Jonas (jumped)' });
    expect(jump.reasons[0]).toMatch(/2026-W09: .*30 % more than the week before/);
    const onset = jumpWeek.athletes.find((a: { athleteId: string }) => a.athleteId === 'rehab-onset');
    expect(onset.sessionsWithAlerts.length).toBeGreaterThan(0);
  });

  it('lists a run still going that raised alerts (running: true) beside the week’s ended ones, in JSON and on the page', async () => {
    // Four weeks after the seeded blocks (2026-W16), so no other test's week sees these sessions.
    const atUs = AT_US + 4 * 7 * 86_400e6;
    const alert = (sessionId: string, tUs: number, type: 'form_breakdown' | 'data_quality') => ({
      athleteId: 'rehab-ok', sessionId, tUs, type, severity: 'warning' as const, metric: 'pelvicDropDeg', value: 8, baseline: 5, message: 'form breaking down', phase: 'raised' as const,
    });
    const ended = { athleteId: 'rehab-ok', sessionId: 'w16-ended', startUs: atUs - 2 * 86_400e6, endUs: atUs - 2 * 86_400e6 + 1_800e6, summary: { strides: { left: 2000, right: 2000 } } };
    const running = { athleteId: 'rehab-ok', sessionId: 'w16-now', startUs: atUs - 3_600e6, endUs: null, summary: {} };
    const quiet = { athleteId: 'rehab-ok', sessionId: 'w16-quiet', startUs: atUs - 7_200e6, endUs: null, summary: {} };
    const screen = { athleteId: 'rehab-ok', sessionId: 'w16-screen', startUs: atUs - 5_400e6, endUs: null, summary: { activity: 'screen' } };
    await store.write({
      sessions: [ended, running, quiet, screen],
      alerts: [
        alert('w16-ended', ended.startUs + 900e6, 'form_breakdown'),
        alert('w16-now', running.startUs + 600e6, 'form_breakdown'),
        alert('w16-now', running.startUs + 900e6, 'form_breakdown'),
        alert('w16-now', running.startUs + 1_000e6, 'data_quality'),
        alert('w16-screen', screen.startUs + 60e6, 'data_quality'),
      ],
    });
    await store.flush();

    const digest = (await get(`/v1/coaches/coach-kim/digest?at=${atUs}`, 'coach')).json();
    const ok = digest.athletes.find((a: { athleteId: string }) => a.athleteId === 'rehab-ok');
    expect(ok.sessionsWithAlerts).toEqual([
      { sessionId: 'w16-ended', startUs: ended.startUs, alerts: { form_breakdown: 1 } },
      { sessionId: 'w16-now', startUs: running.startUs, alerts: { form_breakdown: 2, data_quality: 1 }, running: true },
    ]);
    // The running run has no load yet: the week counts the ended one only.
    expect(ok.week.sessions).toBe(1);
    expect((await get(`/v1/athletes/rehab-ok/digest?at=${atUs}`, 'runner')).json().sessionsWithAlerts).toEqual(ok.sessionsWithAlerts);

    const page = (await get(`/v1/coaches/coach-kim/digest?format=html&at=${atUs}`, 'coach')).body;
    const section = (id: string) => page.slice(page.indexOf(`data-athlete="${id}"`)).split('</section>')[0]!;
    expect(section('rehab-ok')).toContain(`<li>w16-now (${new Date(running.startUs / 1000).toISOString().slice(0, 10)}, still running): 2 form breakdown, 1 data quality</li>`);
    expect(section('rehab-ok')).toMatch(/<li>w16-ended \(\d{4}-\d\d-\d\d\): 1 form breakdown<\/li>/);
    expect(section('rehab-ok')).not.toMatch(/raised an alert this week/);
    expect(section('rehab-jump')).toContain('<p>No run raised an alert this week.</p>');
  });

  it('is a printable page with format=html: escaped, no script, its own stylesheet', async () => {
    await patch('/v1/athletes/rehab-ok', 'coach', { displayName: 'Olivia <script>alert(1)</script>' });
    const res = await get(`/v1/coaches/coach-kim/digest?format=html&at=${AT_US - 3 * 7 * 86_400e6}`, 'admin');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.body).toContain('<link rel="stylesheet" href="/dashboard/digest.css">');
    expect(res.body).toContain('Olivia &lt;script&gt;');
    expect(res.body).not.toContain('<script');
    expect(res.body).toMatch(/data-athlete="rehab-jump" data-light="red"/);
    expect((await app.inject({ method: 'GET', url: '/dashboard/digest.css' })).statusCode).toBe(200);
    await patch('/v1/athletes/rehab-ok', 'coach', { displayName: 'Olivia (on plan)' });
  });
});

describe('GET /v1/athletes/:id/digest', () => {
  it('gives one athlete’s digest to whoever may see them (red in the jump week), without the name for a pseudonymised researcher', async () => {
    const at = `at=${AT_US - 3 * 7 * 86_400e6}`;
    const jump = (await get(`/v1/athletes/rehab-jump/digest?${at}`, 'admin')).json();
    expect(jump).toMatchObject({ athleteId: 'rehab-jump', displayName: 'Jonas (jumped)', light: 'red', week: { week: '2026-W09' } });
    expect((await get(`/v1/athletes/rehab-ok/digest?${at}`, 'runner')).json().light).toBe('green');
    const researcher = (await get(`/v1/athletes/rehab-jump/digest?${at}`, 'researcher')).json();
    expect(researcher.light).toBe('red');
    expect(researcher).not.toHaveProperty('displayName');
  });
});

describe('who is kept out', () => {
  it.each<[string, Who | null, number]>([
    ['/v1/athletes/rehab-ok/load', null, 401],
    ['/v1/athletes/rehab-jump/load', 'runner', 403],
    ['/v1/athletes/rehab-ok/load', 'otherCoach', 403],
    ['/v1/athletes/rehab-ok/trends', 'otherRunner', 403],
    ['/v1/athletes/rehab-ok/trends', 'otherCoach', 403],
    ['/v1/athletes/nobody/load', 'admin', 404],
    ['/v1/athletes/nobody/trends', 'admin', 404],
    ['/v1/athletes/rehab-jump/digest', 'runner', 403],
    ['/v1/athletes/rehab-ok/digest', 'otherCoach', 403],
    ['/v1/athletes/nobody/digest', 'admin', 404],
    ['/v1/athletes/rehab-ok/digest?format=html', 'admin', 400],
    // A coach's roster athlete without data is still forbidden to others and 404 to them.
    ['/v1/athletes/somebody/load', 'otherCoach', 404],
    ['/v1/coaches/coach-kim/digest', null, 401],
    ['/v1/coaches/coach-kim/digest', 'runner', 403],
    ['/v1/coaches/coach-kim/digest', 'researcher', 403],
    ['/v1/coaches/coach-kim/digest', 'otherCoach', 403],
    ['/v1/coaches/no-such-coach/digest', 'admin', 404],
    ['/v1/coaches/runner-ok/digest', 'admin', 404],
  ])('GET %s as %s → %i', async (url, who, status) => {
    expect((await get(url, who)).statusCode).toBe(status);
  });

  it('lets the runner see their own load, the coach their roster, admin and researcher anyone', async () => {
    for (const [url, who] of [
      ['/v1/athletes/rehab-ok/load', 'runner'],
      ['/v1/athletes/rehab-ok/trends', 'runner'],
      ['/v1/athletes/rehab-onset/load', 'coach'],
      ['/v1/athletes/rehab-jump/trends', 'admin'],
      ['/v1/athletes/rehab-jump/load', 'researcher'],
      ['/v1/coaches/coach-kim/digest', 'admin'],
      ['/v1/coaches/coach-lee/digest', 'otherCoach'],
    ] as const) {
      expect((await get(`${url}?${AT}`, who)).statusCode, `${url} ${who}`).toBe(200);
    }
  });
});

describe('coaching settings through PATCH /v1/athletes/:id', () => {
  it('a coach sets zone, limit, band, stride and plan; null clears; bad values are 400 naming the field', async () => {
    const res = await patch('/v1/athletes/rehab-onset', 'coach', { settings: { rampLimitPct: 15, acwrBand: { low: 0.7, high: 1.5 }, strideLengthM: 2.2, returnToRun: { ...PLAN, startDate: '2026-02-09' } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().settings).toMatchObject({ timeZone: 'UTC', rampLimitPct: 15, acwrBand: { low: 0.7, high: 1.5 }, strideLengthM: 2.2, returnToRun: { startDate: '2026-02-09' } });
    const load = (await get(`/v1/athletes/rehab-onset/load?weeks=7&${AT}`, 'coach')).json();
    expect(load).toMatchObject({ rampLimitPct: 15, acwrBand: { low: 0.7, high: 1.5 } });
    expect(load.weeks.map((w: { planWeek: number | null }) => w.planWeek)).toEqual([null, 1, 2, 3, 4, 5, 6]);
    const cleared = await patch('/v1/athletes/rehab-onset', 'coach', { settings: { rampLimitPct: null, acwrBand: null, strideLengthM: null, returnToRun: null } });
    expect(cleared.json().settings).toEqual({ timeZone: 'UTC' });
    for (const [settings, field] of [
      [{ timeZone: 'Mars/Olympus' }, 'settings.timeZone'],
      [{ rampLimitPct: 0 }, 'settings.rampLimitPct'],
      [{ acwrBand: { low: 1.4, high: 1.2 } }, 'settings.acwrBand.low'],
      [{ returnToRun: { ...PLAN, startDate: '2026-02-30' } }, 'settings.returnToRun.startDate'],
      [{ returnToRun: { ...PLAN, targetWeeklyDistanceM: 5000 } }, 'settings.returnToRun.targetWeeklyDistanceM'],
    ] as const) {
      const bad = await patch('/v1/athletes/rehab-onset', 'coach', { settings });
      expect(bad.statusCode, JSON.stringify(settings)).toBe(400);
      expect(bad.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('a runner may set their own time zone but not their ramp limit or plan', async () => {
    expect((await patch('/v1/athletes/rehab-ok', 'runner', { settings: { timeZone: 'America/New_York' } })).statusCode).toBe(200);
    expect((await patch('/v1/athletes/rehab-ok', 'runner', { settings: { rampLimitPct: 50 } })).statusCode).toBe(403);
    expect((await patch('/v1/athletes/rehab-ok', 'runner', { settings: { returnToRun: null } })).statusCode).toBe(403);
    await patch('/v1/athletes/rehab-ok', 'coach', { settings: { timeZone: 'America/Los_Angeles' } });
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of ['/v1/athletes/{athleteId}/load', '/v1/athletes/{athleteId}/trends', '/v1/athletes/{athleteId}/digest', '/v1/coaches/{coachId}/digest']) expect(doc.paths[path]?.get, path).toBeDefined();
    const params = doc.paths['/v1/athletes/{athleteId}/load'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['weeks', 'at', 'athleteId']));
  });
});
