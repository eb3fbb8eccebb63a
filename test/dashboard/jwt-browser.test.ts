/**
 * Signing in to the dashboard with an identity provider's token (a JWT,
 * API_JWT_SECRET set) in a real browser (Debian's chromium through
 * playwright-core), against a real API over a LocalStore seeded with the
 * return-to-run athletes of test/coaching/seed.ts. A coach's token typed into
 * the sign-in form opens their roster — only the athletes its claims name;
 * an expired token is refused with a message that says so; a runner's token
 * in a #token= link signs the runner in to their own athlete. Tokens are
 * signed here with node:crypto, independently of the library that verifies
 * them.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium } from './chromium.ts';
import { openApiHarness, type ApiHarness } from './harness.ts';
import { AT_US, seedStore } from '../coaching/seed.ts';

const haveBrowser = haveChromium('the JWT sign-in browser test');
const SECRET = 'a-club-identity-provider-secret-for-the-dashboard';
const nowS = (): number => Math.floor(Date.now() / 1000);

function hs256(claims: object): string {
  const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

describe.skipIf(!haveBrowser)('dashboard sign-in with an identity provider’s token', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await openApiHarness({
      tempPrefix: 'gw-jwt-browser-',
      seed: seedStore,
      keys: [{ key: 'gw_admin-jwt-browser-00000000000000', id: 'admin-1', role: 'admin' }],
      jwt: { secret: SECRET },
      // Sunday of 2026-W10, the week after rehab-jump's 30 % week (as the coaching browser test).
      api: { nowUs: () => AT_US - 2 * 7 * 86_400e6 },
    });
  }, 60_000);

  afterAll(() => h?.close());

  it('takes a coach’s token in the sign-in form and shows only the athletes it names', async () => {
    const errors: string[] = [];
    const page = await h.newPage({ pageErrors: errors });
    try {
      await page.goto(`${h.url}/`);
      await page.fill('#token-input', hs256({ sub: 'coach-ida', role: 'coach', athleteIds: ['rehab-jump'], exp: nowS() + 600 }));
      await page.click('#sign-in button[type=submit]');
      await expect.poll(() => page.locator('#sign-in').count(), { timeout: 10_000 }).toBe(0);
      await page.goto(`${h.url}/#/rtr`);
      await expect.poll(() => page.locator('.view-rtr').getAttribute('data-loaded'), { timeout: 20_000 }).toBe('true');
      expect(await page.locator('.rtr-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-athlete')))).toEqual(['rehab-jump']);
      expect(await page.locator('.rtr-row[data-athlete="rehab-jump"]').getAttribute('data-light')).toBe('red');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('refuses an expired token with a message that says why it may have been refused', async () => {
    const page = await h.newPage();
    try {
      await page.goto(`${h.url}/`);
      await page.fill('#token-input', hs256({ sub: 'coach-ida', role: 'coach', athleteIds: ['rehab-jump'], exp: nowS() - 60 }));
      await page.click('#sign-in button[type=submit]');
      await expect.poll(() => page.locator('#sign-in-error').textContent(), { timeout: 10_000 }).toMatch(/401.*expired/);
      expect(await page.locator('#sign-in').count()).toBe(1);
      // Neither a key nor a token: said before anything is sent.
      await page.fill('#token-input', 'hunter2');
      await page.click('#sign-in button[type=submit]');
      await expect.poll(() => page.locator('#sign-in-error').textContent()).toMatch(/keys start with gw_, tokens are three parts/);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('signs a runner in from a #token= link carrying their token: their own athlete only', async () => {
    const page = await h.newPage();
    try {
      await page.goto(`${h.url}/#token=${hs256({ sub: 'ona', role: 'runner', athleteId: 'rehab-onset', exp: nowS() + 600 })}`);
      await expect.poll(() => page.locator('#sign-in').count(), { timeout: 10_000 }).toBe(0);
      // The token left the address bar.
      expect(page.url()).not.toMatch(/token=/);
      // Asked from the page with the token it keeps (a string: the test's TypeScript has no DOM types).
      const sessions = (await page.evaluate(
        `fetch('/v1/sessions?limit=100', { headers: { authorization: 'Bearer ' + sessionStorage.getItem('gaitwatch.token') } }).then((r) => r.json()).then((b) => b.items.map((s) => s.athleteId))`,
      )) as string[];
      expect(new Set(sessions)).toEqual(new Set(['rehab-onset']));
    } finally {
      await page.close();
    }
  }, 60_000);
});
