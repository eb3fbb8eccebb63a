/**
 * The return-to-run views in a real browser (Debian's chromium through
 * playwright-core) against a real API over a LocalStore seeded with the
 * simulated athletes of test/coaching/seed.ts, the API's clock pinned to
 * Sunday of 2026-W10 (the week after the 30 % jump). Signs in as their
 * coach and checks what is drawn: the digest roster's lights (red for the
 * jump), the load chart's twelve week bars and plan line, the onset chart's
 * points and trend, and the words; and that an athlete the key may not see
 * (403) or that does not exist (404) leaves no figure promising "Loading…".
 * Screenshots go to test/artifacts/
 * (coaching-roster.png, coaching-load.png, coaching-athlete.png; packages/coaching/docs/ holds copies for the README).
 */
import { mkdir } from 'node:fs/promises';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, haveChromium } from './chromium.ts';
import { openApiHarness, type ApiHarness } from './harness.ts';
import { AT_US, seedStore } from '../coaching/seed.ts';

const haveBrowser = haveChromium('the coaching browser test');
const COACH_KEY = 'gw_coach-kim-browser-000000000000000';
const ADMIN_KEY = 'gw_admin-browser-0000000000000000000';
const RUNNER_KEY = 'gw_runner-ok-browser-00000000000000';
/** Sunday of 2026-W10: the digest weighs W09 (the jump) and W10. */
const NOW_US = AT_US - 2 * 7 * 86_400e6;

describe.skipIf(!haveBrowser)('return-to-run views in a real browser', () => {
  let h: ApiHarness;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    h = await openApiHarness({
      tempPrefix: 'gw-rtr-browser-',
      seed: seedStore,
      keys: [
        { key: COACH_KEY, id: 'coach-kim', role: 'coach', athleteIds: ['rehab-ok', 'rehab-jump', 'rehab-onset'] },
        { key: ADMIN_KEY, id: 'admin-1', role: 'admin' },
        { key: RUNNER_KEY, id: 'runner-ok', role: 'runner', athleteId: 'rehab-ok' },
      ],
      api: { nowUs: () => NOW_US },
    });
    page = await h.newPage({ viewport: { width: 1100, height: 900 }, pageErrors });
  }, 60_000);

  afterAll(() => h?.close());

  it('shows the coach’s roster with traffic lights, red for the athlete who jumped 30 %', async () => {
    await page.goto(`${h.url}/#token=${COACH_KEY}`);
    await page.goto(`${h.url}/#/rtr`);
    await expect.poll(() => page.locator('.view-rtr').getAttribute('data-loaded'), { timeout: 20_000 }).toBe('true');
    expect(await page.locator('#rtr-roster .rtr-row').count()).toBe(3);
    const light = (id: string) => page.locator(`.rtr-row[data-athlete="${id}"]`).getAttribute('data-light');
    expect(await light('rehab-jump')).toBe('red');
    expect(await light('rehab-ok')).toBe('green');
    expect(await page.locator('.rtr-row[data-athlete="rehab-jump"] .rtr-reasons').textContent()).toMatch(/2026-W09: .*30 % more than the week before/);
    await page.screenshot({ path: new URL('coaching-roster.png', ARTIFACTS).pathname, fullPage: true });
  }, 60_000);

  it('draws the load chart (12 week bars, the plan line, the jump week in red) and the onset trend', async () => {
    await page.click('.rtr-row[data-athlete="rehab-jump"] h2 a');
    await expect.poll(() => page.locator('.view-rtr-athlete').getAttribute('data-loaded'), { timeout: 20_000 }).toBe('true');
    expect(await page.locator('#load-chart rect.week-bar').count()).toBe(12);
    expect(await page.locator('#rtr-athlete-heading').textContent()).toBe('Jonas (jumped) · rehab-jump');
    expect(await page.locator('#load-chart polyline.plan-line').count()).toBe(1);
    expect(await page.locator('#load-chart rect.week-bar.warned').getAttribute('data-week')).toBe('2026-W09');
    expect(await page.locator('#rtr-warnings li[data-kind="week_over_week"]').count()).toBe(1);
    await page.screenshot({ path: new URL('coaching-load.png', ARTIFACTS).pathname, fullPage: true });

    await page.goto(`${h.url}/#/rtr/rehab-onset`);
    await expect.poll(() => page.locator('.view-rtr-athlete').getAttribute('data-loaded'), { timeout: 20_000 }).toBe('true');
    expect(await page.locator('#onset-chart').getAttribute('data-sessions')).toBe('15');
    // Fifteen sessions, two sides: a point (or a held triangle) each.
    expect(await page.locator('#onset-chart .onset-point').count()).toBe(30);
    expect(await page.locator('#onset-chart .onset-point.held').count()).toBeGreaterThan(0);
    expect(await page.locator('#onset-chart .trend-line').count()).toBeGreaterThan(0);
    expect(await page.locator('#rtr-trend-words p[data-direction="later"]').count()).toBe(1);
    expect(await page.locator('#rtr-trend-words').textContent()).toMatch(/moving later/);
    await page.screenshot({ path: new URL('coaching-athlete.png', ARTIFACTS).pathname, fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('gives an admin (no roster of their own) the same lights from each athlete’s digest', async () => {
    const admin = await h.newPage();
    try {
      await admin.goto(`${h.url}/#token=${ADMIN_KEY}`);
      await admin.goto(`${h.url}/#/rtr`);
      await expect.poll(() => admin.locator('.view-rtr').getAttribute('data-loaded'), { timeout: 20_000 }).toBe('true');
      expect(await admin.locator('#rtr-roster .rtr-row').count()).toBe(3);
      expect(await admin.locator('.rtr-row[data-athlete="rehab-jump"]').getAttribute('data-light')).toBe('red');
    } finally {
      await admin.close();
    }
  }, 60_000);

  it.each([
    ['a runner opening another athlete', RUNNER_KEY, 'rehab-jump', /may not see athlete rehab-jump \(GW_API_FORBIDDEN\)/],
    ['an admin opening an athlete nobody knows', ADMIN_KEY, 'nobody', /no athlete nobody \(GW_API_NOT_FOUND\)/],
  ])('%s: the banner says why and the figures say they could not be loaded, not "Loading…"', async (_who, key, athleteId, banner) => {
    const errors: string[] = [];
    const other = await h.newPage({ pageErrors: errors });
    try {
      await other.goto(`${h.url}/#token=${key}`);
      await other.goto(`${h.url}/#/rtr/${athleteId}`);
      // The view fills its figures before it raises the banner: once the banner is up, they must say it.
      await expect.poll(() => other.locator('#banner').textContent(), { timeout: 20_000 }).toMatch(banner);
      expect(await other.locator('#banner').isVisible()).toBe(true);
      expect(await other.locator('.view-rtr-athlete').getAttribute('data-failed')).toBe('true');
      expect(await other.locator('#load-figure').textContent()).toBe('Could not load the weekly load.');
      expect(await other.locator('#onset-figure').textContent()).toBe('Could not load the onset trend.');
      expect(await other.locator('#screen-figure').textContent()).toBe('Could not load the movement screens.');
      expect(await other.locator('#main').textContent()).not.toMatch(/Loading/);
      expect(errors).toEqual([]);
    } finally {
      await other.close();
    }
  }, 60_000);
});
