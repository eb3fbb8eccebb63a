/**
 * Movement screens in the dashboard (issue 17 item 3), in a real browser
 * (Debian's chromium through playwright-core) against a real API over a
 * LocalStore: the return-to-run athletes of test/coaching/seed.ts (weeks of
 * runs with strides) plus four step-down screens of `rehab-onset`, each
 * simulated (simulators/runner) and analysed (packages/dsp ScreenAnalyzer)
 * with the athlete's own 6° threshold, and a screen still running for
 * `screen-live`, whose reps come over the live stream (the API's LiveHub,
 * fed here as the MQTT feed feeds it). Checks, against what the API serves:
 * a screen's review (reps per leg and set, medians, left − right, exports),
 * a run's review unchanged, the runner view counting reps and saying each
 * verdict, and the athlete page's screens beside the running pelvic drop.
 * Screenshots go to test/artifacts/ (screen-review.png is copied to
 * services/api/docs/ for the README).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { LiveHub } from '@gaitwatch/api';
import type { LocalStore, RepRecord, SessionRecord } from '@gaitwatch/storage';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, haveChromium, RECORD_CUES } from './chromium.ts';
import { openApiHarness, type ApiHarness } from './harness.ts';
import { analyseScreen, stepDown, type AnalysedScreen } from './screen-seed.ts';
import { AT_US, ATHLETES, FIRST_MONDAY_US, seedStore } from '../coaching/seed.ts';

const haveBrowser = haveChromium('the movement-screen browser test');
const ADMIN_KEY = 'gw_admin-screens-00000000000000000000';
const COACH_KEY = 'gw_coach-screens-00000000000000000000';
const RUNNER_KEY = 'gw_runner-screen-live-000000000000000';
const WEEK_US = 7 * 86_400e6;
/** The screen threshold set on rehab-onset (the analysis used it; the athlete page states it). */
const LEVEL_MAX_DEG = 6;

describe.skipIf(!haveBrowser)('movement screens in a real browser', () => {
  let h: ApiHarness;
  let hub: LiveHub;
  const screens: AnalysedScreen[] = [];
  const pageErrors: string[] = [];
  const live = { athleteId: 'screen-live', sessionId: 'screen-now', startUs: AT_US - 120_000_000 };

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const newPage = (key: string): Promise<Page> => h.newPage({ viewport: { width: 1100, height: 900 }, acceptDownloads: true, token: key, pageErrors, consoleErrors: pageErrors });

  /** The return-to-run athletes, rehab-onset's four screens and threshold, and the running screen's first two reps. */
  const seed = async (store: LocalStore): Promise<void> => {
    await seedStore(store);
    // Ona's rehab: a screen every other week from 2026-W06, the weak right hip's sets weak, fading, then clean.
    const controls = [undefined, 'fading', 'fading', 'clean'] as const;
    for (const [k, control] of controls.entries()) {
      const startUs = FIRST_MONDAY_US + 2 * k * WEEK_US + 2 * 86_400e6 + 3 * 3600e6;
      screens.push(analyseScreen({ athleteId: 'rehab-onset', sessionId: `screen-w${k * 2 + 1}`, startUs, seed: 40 + k, protocol: stepDown('right', control), levelMaxDeg: LEVEL_MAX_DEG }));
    }
    const onset = ATHLETES.find((a) => a.athleteId === 'rehab-onset')!;
    // Her own screen threshold (the analysis above used it too).
    await store.putAthlete({ ...onset, settings: { ...onset.settings, screenPelvicDropLevelMaxDeg: LEVEL_MAX_DEG }, updatedUs: onset.updatedUs + 1 });
    // A screen under way (no end yet), two reps already stored before the runner opens the view.
    const running: SessionRecord = { ...live, endUs: null, summary: { state: 'running', activity: 'screen' } };
    const stored = [liveRep(1, 1, 2.1), liveRep(1, 2, 2.4)];
    await store.write({ sessions: [...screens.map((s) => s.session), running], reps: [...screens.flatMap((s) => s.reps), ...stored.map(({ kind: _k, ...r }) => r as RepRecord)] });
    await store.flush();
  };

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    hub = new LiveHub();
    h = await openApiHarness({
      tempPrefix: 'gw-screen-browser-',
      seed,
      keys: [
        { key: ADMIN_KEY, id: 'admin-1', role: 'admin' },
        { key: COACH_KEY, id: 'coach-kim', role: 'coach', athleteIds: ['rehab-ok', 'rehab-jump', 'rehab-onset'] },
        { key: RUNNER_KEY, id: 'runner-live', role: 'runner', athleteId: live.athleteId },
      ],
      api: { nowUs: () => AT_US, live: { hub, heartbeatMs: 1_000 } },
    });
  }, 120_000);

  afterAll(() => h?.close());

  /** A rep of the live screen as ingest publishes it on `…/live` (LiveRep: the rep with `kind` and the ids). */
  function liveRep(set: number, rep: number, pelvicDropDeg: number, side: 'left' | 'right' = 'right') {
    const startUs = live.startUs + 10_000_000 + (set * 10 + rep) * 3_000_000;
    return { kind: 'rep' as const, athleteId: live.athleteId, sessionId: live.sessionId, side, set, rep, startUs, bottomUs: startUs + 1_200_000, endUs: startUs + 2_600_000, durationS: 2.6, pelvicDropDeg, shankFrontalDeg: 2, depthDeg: 30, pelvicDropVerdict: pelvicDropDeg > 5 ? ('dropping' as const) : ('level' as const) };
  }

  it('reviews a stored screen: its reps per standing leg and set, the medians and left − right the API gives, the threshold, CSV and NDJSON', async () => {
    const screen = screens[0]!;
    const { athleteId, sessionId } = screen.session;
    const base = `/v1/sessions/${athleteId}/${sessionId}`;
    const record = await get<{ reps: Record<'left' | 'right', { reps: number; droppingReps: number; pelvicDropDegMedian: number | null; shankFrontalDegMedian: number | null; depthDegMedian: number | null }> }>(base);
    const reps = (await get<{ items: RepRecord[] }>(`${base}/reps?limit=1000`)).items;
    expect(reps.length).toBeGreaterThan(12);
    expect(record.reps.right.droppingReps + record.reps.left.droppingReps).toBeGreaterThan(0);

    const page = await newPage(ADMIN_KEY);
    try {
      await page.goto(`${h.url}/#/session/${athleteId}/${sessionId}`);
      await expect.poll(() => page.locator('.view-session').getAttribute('data-loaded'), { timeout: 20_000 }).toBe(String(reps.length));
      expect(await page.locator('.view-session').getAttribute('data-activity')).toBe('screen');
      // No run charts: a screen has reps, not stances.
      expect(await page.locator('#chart-pelvic').count()).toBe(0);

      // Per rep, in order per standing leg: set, rep, and the stored numbers as shown (1 decimal) and the verdict.
      for (const side of ['left', 'right'] as const) {
        const stored = reps.filter((r) => r.side === side);
        const shown = await page.locator(`#rep-table-${side} tr.rep-row`).evaluateAll((rows) =>
          rows.map((tr) => ({ set: tr.getAttribute('data-set'), rep: tr.getAttribute('data-rep'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })),
        );
        expect(shown).toEqual(
          stored.map((r) => ({
            set: String(r.set),
            rep: String(r.rep),
            cells: [String(r.set), String(r.rep), r.pelvicDropDeg === null ? expect.stringMatching(/^– \(/) : r.pelvicDropDeg.toFixed(1), r.pelvicDropVerdict === null ? '–' : r.pelvicDropVerdict === 'level' ? 'pelvis level' : 'hip dropping', r.shankFrontalDeg === null ? expect.stringMatching(/^– \(/) : r.shankFrontalDeg.toFixed(1), r.depthDeg === null ? '–' : r.depthDeg.toFixed(1), r.durationS.toFixed(1)],
          })),
        );
        // The chart: a pelvic-drop dot per measured rep, ringed when dropping.
        expect(await page.locator(`#rep-chart-${side} .rep-point.metric-pelvic`).count()).toBe(stored.filter((r) => r.pelvicDropDeg !== null).length);
        expect(await page.locator(`#rep-chart-${side} .rep-point.metric-pelvic.dropping`).count()).toBe(stored.filter((r) => r.pelvicDropVerdict === 'dropping').length);
        expect(await page.locator(`#rep-chart-${side} .threshold-line`).getAttribute('data-deg')).toBe(String(LEVEL_MAX_DEG));
      }

      // Per leg: the same numbers as the API's session record; then left − right.
      const value = (side: string, metric: string) => page.locator(`#screen-sides td[data-side="${side}"][data-metric="${metric}"]`).getAttribute('data-value');
      for (const side of ['left', 'right'] as const) {
        const api = record.reps[side];
        expect(Number(await value(side, 'reps'))).toBe(api.reps);
        expect(Number(await value(side, 'droppingReps'))).toBe(api.droppingReps);
        for (const metric of ['pelvicDropDegMedian', 'shankFrontalDegMedian', 'depthDegMedian'] as const) expect(Number(await value(side, metric)), `${side} ${metric}`).toBeCloseTo(api[metric]!, 9);
      }
      for (const metric of ['pelvicDropDegMedian', 'shankFrontalDegMedian', 'depthDegMedian'] as const) {
        expect(Number(await value('difference', metric)), metric).toBeCloseTo(record.reps.left[metric]! - record.reps.right[metric]!, 9);
      }
      expect(await page.locator('#screen-threshold').textContent()).toContain(`above ${LEVEL_MAX_DEG.toFixed(1)}°`);

      // Exports, fetched with the key header as for strides: the whole screen, a line per rep.
      const [csv] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.click('#reps-csv')]);
      expect(csv.suggestedFilename()).toBe(`${athleteId}_${sessionId}_reps.csv`);
      const csvText = await readFile((await csv.path())!, 'utf8');
      expect(csvText.startsWith('# gaitwatch rep export')).toBe(true);
      const rows = csvText.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
      expect(rows[0]).toMatch(/^side,set,rep,startUs,bottomUs,endUs,durationS,pelvicDropDeg/);
      expect(rows.length).toBe(reps.length + 1);
      const [ndjson] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.click('#reps-ndjson')]);
      expect(ndjson.suggestedFilename()).toBe(`${athleteId}_${sessionId}_reps.ndjson`);
      const lines = (await readFile((await ndjson.path())!, 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { pelvicDropDeg?: number });
      expect(lines.filter((l) => 'pelvicDropDeg' in l)).toHaveLength(reps.length);

      await page.screenshot({ path: new URL('screen-review.png', ARTIFACTS).pathname, fullPage: true });
      // The README's picture (services/api/docs/screen-review.png is a copy): the page down to the rep charts.
      const charts = (await page.locator('.screen-charts').boundingBox())!;
      await page.screenshot({ path: new URL('screen-review-top.png', ARTIFACTS).pathname, fullPage: true, clip: { x: 0, y: 0, width: 1100, height: Math.ceil(charts.y + charts.height + 8) } });
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('reviews a run as before: stance charts, no screen tables', async () => {
    const runs = await get<{ items: SessionRecord[] }>('/v1/sessions?athlete=rehab-onset&activity=run&limit=1');
    const run = runs.items[0]!;
    const page = await newPage(ADMIN_KEY);
    try {
      await page.goto(`${h.url}/#/session/${run.athleteId}/${run.sessionId}`);
      await expect.poll(() => page.locator('.view-session').getAttribute('data-loaded'), { timeout: 20_000 }).not.toBeNull();
      expect(Number(await page.locator('#chart-pelvic').getAttribute('data-points'))).toBeGreaterThan(0);
      expect(await page.locator('#screen-sides').count()).toBe(0);
      expect(await page.locator('.view-session').getAttribute('data-activity')).toBeNull();
      expect(await page.evaluate('globalThis.gaitwatchEarly?.size')).toBe(0);
    } finally {
      await page.close();
    }
  }, 30_000);

  it('counts a live screen’s reps per leg in the runner view and says each verdict, spoken and buzzed only with cues on', async () => {
    const page = await newPage(RUNNER_KEY);
    await page.addInitScript(RECORD_CUES);
    await page.setViewportSize({ width: 360, height: 740 });
    const spoken = () => page.evaluate('window.__spoken') as Promise<string[]>;
    const buzzed = () => page.evaluate('window.__buzzed') as Promise<unknown[]>;
    const state = (side: string) => page.locator(`#runner-${side}`);
    try {
      await page.goto(`${h.url}/#/runner`);
      await expect.poll(() => page.locator('#stream-status').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
      // The two reps stored before the view opened are counted, not spoken.
      await expect.poll(() => state('right').getAttribute('data-reps'), { timeout: 15_000 }).toBe('2');
      expect(await state('right').getAttribute('data-state')).toBe('level');
      expect(await state('left').getAttribute('data-state')).toBe('waiting');
      await page.click('.cue-button');
      expect(await spoken()).toEqual(['Cues on']);

      hub.publish('rep', live.athleteId, live.sessionId, JSON.stringify(liveRep(1, 3, 6.8)));
      await expect.poll(() => state('right').getAttribute('data-reps'), { timeout: 10_000 }).toBe('3');
      expect(await state('right').getAttribute('data-state')).toBe('dropping');
      expect(await state('right').textContent()).toBe('hip dropping');
      hub.publish('rep', live.athleteId, live.sessionId, JSON.stringify(liveRep(2, 1, 2.9, 'left')));
      // The same rep again (a stream resume replays what it kept): counted and said once.
      hub.publish('rep', live.athleteId, live.sessionId, JSON.stringify(liveRep(2, 1, 2.9, 'left')));
      await expect.poll(() => state('left').getAttribute('data-reps'), { timeout: 10_000 }).toBe('1');
      expect(await state('left').textContent()).toBe('pelvis level');
      expect(await page.locator('#runner-left-h').textContent()).toBe('Standing on the left leg');
      expect(await page.locator('.runner-detail').first().textContent()).toMatch(/^set 2 · rep 1 · pelvic drop 2\.9° · 1 rep on this leg, 0 dropping$/);
      await expect.poll(spoken, { timeout: 5_000 }).toEqual(['Cues on', 'Hip dropping, rep 3', 'Pelvis level, rep 1']);
      // Cue.js's confirmation, the form alert's double buzz for a dropping hip, one short buzz for a level rep.
      expect(await buzzed()).toEqual([100, [200, 100, 200], 80]);
      await page.screenshot({ path: new URL('screen-runner-phone.png', ARTIFACTS).pathname });

      // Cues off: still counted, nothing said.
      await page.click('.cue-button');
      hub.publish('rep', live.athleteId, live.sessionId, JSON.stringify(liveRep(2, 2, 3.1, 'left')));
      await expect.poll(() => state('left').getAttribute('data-reps'), { timeout: 10_000 }).toBe('2');
      expect(await spoken()).toHaveLength(3);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('shows a live screen on the live page as reps per standing leg, not as a stance chart, and counts a rep from the stream', async () => {
    const page = await newPage(ADMIN_KEY);
    const card = page.locator(`.session-card[data-session="${live.athleteId}/${live.sessionId}"]`);
    const leg = (side: string) => card.locator(`.screen-leg[data-side="${side}"]`);
    try {
      await page.goto(`${h.url}/#/`);
      await expect.poll(() => page.locator('#stream-status').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
      // The two stored reps (right leg, both level): counted, the chart hidden.
      await expect.poll(() => card.getAttribute('data-reps'), { timeout: 15_000 }).toBe('2');
      expect(await card.getAttribute('data-activity')).toBe('screen');
      expect(await card.locator('.chart').isHidden()).toBe(true);
      expect(await leg('right').getAttribute('data-state')).toBe('level');
      expect(await leg('right').textContent()).toBe('Standing on the right leg: 2 reps, 0 hip dropping · last: set 1 rep 2, pelvic drop 2.4° — pelvis level');
      expect(await leg('left').getAttribute('data-state')).toBe('waiting');

      hub.publish('rep', live.athleteId, live.sessionId, JSON.stringify(liveRep(3, 1, 7.2, 'left')));
      await expect.poll(() => leg('left').getAttribute('data-reps'), { timeout: 10_000 }).toBe('1');
      expect(await leg('left').getAttribute('data-state')).toBe('dropping');
      expect(await leg('left').getAttribute('data-dropping')).toBe('1');
      expect(await card.getAttribute('data-reps')).toBe('3');
      expect(await card.locator('.chart-title').first().textContent()).toBe('Movement screen · 3 reps so far');
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('opened while a screen runs, its review lists a rep the stream brought before the store had it', async () => {
    // Ingest publishes a rep live before its store write lands: a review opened in between finds it neither in
    // REST nor on the stream after it, unless the page kept it (a CI run caught the review one rep short).
    const page = await newPage(ADMIN_KEY);
    const card = page.locator(`.session-card[data-session="${live.athleteId}/${live.sessionId}"]`);
    const shown = () => page.locator('tr.rep-row').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-side')} ${tr.getAttribute('data-set')} ${tr.getAttribute('data-rep')}`).sort());
    try {
      await page.goto(`${h.url}/#/`);
      await expect.poll(() => page.locator('#stream-status').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
      await expect.poll(() => card.getAttribute('data-reps'), { timeout: 15_000 }).toBe('2');
      hub.publish('rep', live.athleteId, live.sessionId, JSON.stringify(liveRep(4, 1, 3.3)));
      await expect.poll(() => card.getAttribute('data-reps'), { timeout: 10_000 }).toBe('3');
      // The same page (the same stream) moves to the review: the stored two and the streamed one.
      await page.goto(`${h.url}/#/session/${live.athleteId}/${live.sessionId}`);
      await expect.poll(() => page.locator('.view-session').getAttribute('data-loaded'), { timeout: 15_000 }).toBe('3');
      expect(await shown()).toEqual(['right 1 1', 'right 1 2', 'right 4 1']);
      // And a rep after it came in as before.
      hub.publish('rep', live.athleteId, live.sessionId, JSON.stringify(liveRep(4, 2, 3.4)));
      await expect.poll(shown, { timeout: 10_000 }).toEqual(['right 1 1', 'right 1 2', 'right 4 1', 'right 4 2']);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('shows each screen’s pelvic drop per leg beside the running one on the athlete page, with the threshold in use and its source', async () => {
    const history = await get<{ screens: { sessionId: string; sides: Record<'left' | 'right', { pelvicDropDegMedian: number | null }> }[]; weeks: { week: string; pelvicDropDegMedian: Record<'left' | 'right', number | null> }[] }>('/v1/athletes/rehab-onset/screens');
    expect(history.screens.map((s) => s.sessionId)).toEqual(screens.map((s) => s.session.sessionId));
    const page = await newPage(COACH_KEY);
    try {
      await page.goto(`${h.url}/#/rtr/rehab-onset`);
      await expect.poll(() => page.locator('.view-rtr-athlete').getAttribute('data-loaded'), { timeout: 20_000 }).toBe('true');
      const points = (cls: string) =>
        page.locator(`#screen-run-chart .${cls}`).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-side')} ${e.getAttribute('data-session') ?? e.getAttribute('data-week')} ${Number(e.getAttribute('data-value')).toFixed(6)}`).sort());
      const expectedScreens = history.screens.flatMap((s) => (['left', 'right'] as const).flatMap((side) => (s.sides[side].pelvicDropDegMedian === null ? [] : [`${side} ${s.sessionId} ${s.sides[side].pelvicDropDegMedian.toFixed(6)}`]))).sort();
      const expectedRuns = history.weeks.flatMap((w) => (['left', 'right'] as const).flatMap((side) => (w.pelvicDropDegMedian[side] === null ? [] : [`${side} ${w.week} ${w.pelvicDropDegMedian[side]!.toFixed(6)}`]))).sort();
      expect(expectedScreens).toHaveLength(8);
      expect(expectedRuns.length).toBeGreaterThan(4);
      expect(await points('screen-point')).toEqual(expectedScreens);
      expect(await points('run-point')).toEqual(expectedRuns);
      // One chart, one scale: the screens and the running weeks on the same axes, the athlete's threshold drawn and named.
      expect(await page.locator('#screen-run-chart .threshold-line').getAttribute('data-deg')).toBe(String(LEVEL_MAX_DEG));
      expect(await page.locator('#screen-figure').getAttribute('data-threshold-source')).toBe('athlete');
      expect(await page.locator('#screen-figure figcaption').textContent()).toContain("6.0°, this athlete's setting");
      expect(await page.locator('#screen-figure .screen-list a').count()).toBe(4);
      await page.locator('#screen-figure').screenshot({ path: new URL('screen-athlete.png', ARTIFACTS).pathname });

      // An athlete without the setting: the default and where it comes from.
      await page.goto(`${h.url}/#/rtr/rehab-ok`);
      await expect.poll(() => page.locator('#screen-figure').getAttribute('data-threshold-source'), { timeout: 20_000 }).toBe('default');
      expect(await page.locator('#screen-run-chart .threshold-line').getAttribute('data-deg')).toBe('5');
      expect(await page.locator('#screen-figure figcaption').textContent()).toMatch(/5°, the default \(step-down rating scales/);
      expect(await page.locator('#screen-figure').textContent()).toContain('No movement screens in these weeks.');
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
