/**
 * The session review loads a run's stances as column pages (issue 14
 * figure 7: `GET …/strides?layout=columns`, one array per field, instead of
 * 10,000 row objects), in a real browser (Debian's chromium through
 * playwright-core) against the real API over a LocalStore holding one ended
 * run of 10,500 stances: more than one page, so the second is asked for
 * with the first page's cursor. Checks what the review asked for (column
 * pages only, the first the one early.js parked) and what it shows: every
 * stance counted and charted, the gaps where a value was not measured, the
 * onset and the baseline.
 */
import { LiveHub } from '@gaitwatch/api';
import type { AlertRecord, LocalStore, StrideRecord } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium } from './chromium.ts';
import { openApiHarness, type ApiHarness } from './harness.ts';

const haveBrowser = haveChromium('the session review browser test');
const ADMIN_KEY = 'gw_admin-review-000000000000000000000';
const ATHLETE = 'review-a';
const SESSION = 'hour-plus';
const START_US = 1_780_000_000_000_000;
/** More than one page of 10,000 (the review's page size). */
const STANCES = 10_500;

/** Stance i: sides alternating every 0.36 s; every 17th without a pelvic drop (a gap), stance 100 without a ground contact time. */
function stride(i: number): StrideRecord {
  const icUs = START_US + 5_000_000 + i * 360_000;
  const gap = i % 17 === 16;
  return {
    athleteId: ATHLETE,
    sessionId: SESSION,
    side: i % 2 === 0 ? 'left' : 'right',
    icUs,
    toUs: icUs + 230_000,
    strideTimeS: 0.72,
    gctS: i === 100 ? null : 0.23 + (i % 5) / 1000,
    cadenceSpm: 168 + (i % 7),
    pelvicDropDeg: gap ? null : 4.5 + Math.sin(i / 50) + (i > STANCES / 2 ? 2 : 0),
    shankFrontalDeg: 2 + (i % 3) / 2,
    ...(gap ? { pelvicDropReason: 'data_gap' as const } : {}),
  };
}

/** One ended run of STANCES stances, the form alert at its middle. */
async function seed(store: LocalStore): Promise<void> {
  const strides = Array.from({ length: STANCES }, (_, i) => stride(i));
  const onset: AlertRecord = { type: 'form_breakdown', severity: 'warning', athleteId: ATHLETE, sessionId: SESSION, tUs: strides[STANCES / 2 + 1]!.icUs, metric: 'pelvicDropDeg', value: 7.1, baseline: 4.6, message: 'pelvic drop rose 2.5° over your fresh-legs baseline', phase: 'raised', side: 'left' };
  await store.write({ sessions: [{ athleteId: ATHLETE, sessionId: SESSION, startUs: START_US, endUs: strides.at(-1)!.icUs + 1_000_000, summary: {} }], strides, alerts: [onset] });
  await store.flush();
}

describe.skipIf(!haveBrowser)('session review from column pages in a real browser', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await openApiHarness({
      tempPrefix: 'gw-review-browser-',
      seed,
      keys: [{ key: ADMIN_KEY, id: 'admin-1', role: 'admin' }],
      // A live hub with nothing on it: the page opens the live stream as always (without one it is a 503 in the console).
      api: { live: { hub: new LiveHub(), heartbeatMs: 1_000 } },
    });
  }, 120_000);

  afterAll(() => h?.close());

  it('asks for the stances as column pages only, follows the cursor, and shows every stance', async () => {
    const errors: string[] = [];
    const asked: string[] = [];
    const page = await h.newPage({ viewport: { width: 1280, height: 900 }, token: ADMIN_KEY, pageErrors: errors, consoleErrors: errors });
    page.on('request', (request) => {
      const { pathname, search } = new URL(request.url());
      if (pathname.startsWith('/v1/')) asked.push(pathname + search);
    });
    try {
      await page.goto(`${h.url}/#/session/${ATHLETE}/${SESSION}`);
      await expect.poll(() => page.locator('.view-session').getAttribute('data-loaded'), { timeout: 30_000 }).toBe(String(STANCES));

      // Column pages only: the first (early.js asked for it before the modules loaded; api.js took it), then the
      // rest with its cursor. No row page of strides was asked for.
      const base = `/v1/sessions/${ATHLETE}/${SESSION}/strides`;
      const stridePages = asked.filter((p) => p.startsWith(`${base}?`));
      expect(stridePages).toEqual([`${base}?limit=10000&layout=columns`, `${base}?limit=10000&layout=columns&cursor=t${stride(9_999).icUs}`]);
      expect(await page.evaluate('globalThis.gaitwatchEarly?.size')).toBe(0);

      // What it shows: the count in words, every stance in each chart, the onset, the baseline of the first stances.
      expect(await page.locator('.view-session [role=status]').textContent()).toMatch(new RegExp(`^Ended · started .* · ${STANCES} stances$`));
      for (const id of ['chart-pelvic', 'chart-knee', 'chart-cadence', 'chart-gct']) {
        expect(Number(await page.locator(`#${id}`).getAttribute('data-points')), id).toBe(STANCES);
        expect(await page.locator(`#${id} canvas`).count(), id).toBe(1);
      }
      expect(await page.locator('#onset').textContent()).toMatch(/^Form broke down 31:\d\d into the run — /);
      expect(await page.locator('#chart-pelvic + .note').textContent()).toBe('baseline: median of the first 30 stances per side, band = middle half');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('builds the same series from those column pages as from the row pages (gaps kept), in the page itself', async () => {
    const page = await h.newPage({ token: ADMIN_KEY });
    try {
      await page.goto(`${h.url}/#/`);
      // The page's own modules and api.js, both layouts of the same session, compared as the charts would read them.
      const compared = (await page.evaluate(`(async () => {
        const { createApi } = await import('/dashboard/api.js');
        const { StanceSeries, SERIES_METRICS } = await import('/dashboard/stance-series.js');
        const api = createApi(() => sessionStorage.getItem('gaitwatch.token'));
        const path = '/v1/sessions/${ATHLETE}/${SESSION}/strides';
        const fromRows = new StanceSeries(${START_US});
        for (const s of await api.all(path, { limit: 10000 }, 10)) fromRows.add(s);
        const fromColumns = new StanceSeries(${START_US});
        const pages = await api.strideColumns('${ATHLETE}', '${SESSION}');
        for (const p of pages) fromColumns.addColumns(p);
        const charts = (series) => JSON.stringify([...SERIES_METRICS.map((m) => series.data(m)), series.data('cadenceSpm', true), series.latest('left', 3), series.first('right', 'pelvicDropDeg', 30)]);
        return { pages: pages.length, rows: fromRows.count, columns: fromColumns.count, same: charts(fromRows) === charts(fromColumns), gaps: fromColumns.data('pelvicDropDeg')[1].filter((v) => v === null).length - fromColumns.count / 2 };
      })()`)) as { pages: number; rows: number; columns: number; same: boolean; gaps: number };
      expect(compared).toEqual({ pages: 2, rows: STANCES, columns: STANCES, same: true, gaps: Math.ceil(STANCES / 34) });
    } finally {
      await page.close();
    }
  }, 60_000);
});
