/**
 * The review of a movement screen (issue 17), mounted by view-session.js in
 * place of a run's charts when the session's start said `activity:
 * "screen"`; loaded on first use, so a run's review never fetches it. Per
 * standing leg: the medians (pelvic drop, knee-collapse proxy, depth), the
 * reps called dropping, the left − right difference; per rep a table and a
 * chart by set; the threshold the analysis judged against; CSV and NDJSON
 * export (fetched with the key header, like the strides' CSV). A screen
 * still running grows with the live stream's reps.
 */
import { dataQuality } from './alerts.js';
import { h, replace, saveBlob } from './dom.js';
import { elapsed, num, sessionKey, when } from './format.js';
import { repChart } from './screen-charts.js';
import { RepLog, SIDES, VERDICT_WORDS, analysisThresholdDeg, leftMinusRight, sideStats } from './reps.js';

const METRICS = /** @type {const} */ ([
  ['pelvicDropDegMedian', 'Pelvic drop', 1],
  ['shankFrontalDegMedian', 'Knee-collapse proxy', 1],
  ['depthDegMedian', 'Depth', 1],
]);
const SIDE_NAMES = { left: 'Left', right: 'Right' };

/** Per standing leg: reps, dropping, medians; then left − right of the medians. @param {RepLog} log */
function sidesTable(log) {
  const stats = { left: sideStats(log.of('left')), right: sideStats(log.of('right')) };
  const cell = (side, key, value, digits) => h('td', { 'data-side': side, 'data-metric': key, 'data-value': typeof value === 'number' ? String(value) : '' }, num(value, digits, '°'));
  return h(
    'table',
    { class: 'sensor-table screen-sides', id: 'screen-sides' },
    h('caption', null, 'Per standing leg (medians over measured reps)'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Standing leg'), h('th', { scope: 'col' }, 'Reps'), h('th', { scope: 'col' }, 'Hip dropping'), ...METRICS.map(([, name]) => h('th', { scope: 'col' }, `${name} °`)))),
    h(
      'tbody',
      null,
      ...SIDES.map((side) =>
        h(
          'tr',
          { 'data-side': side },
          h('th', { scope: 'row' }, SIDE_NAMES[side]),
          h('td', { 'data-side': side, 'data-metric': 'reps', 'data-value': String(stats[side].reps) }, String(stats[side].reps)),
          h('td', { 'data-side': side, 'data-metric': 'droppingReps', 'data-value': String(stats[side].droppingReps) }, String(stats[side].droppingReps)),
          ...METRICS.map(([key, , digits]) => cell(side, key, stats[side][key], digits)),
        ),
      ),
      h(
        'tr',
        { 'data-side': 'difference', class: 'difference' },
        h('th', { scope: 'row' }, 'Left − right'),
        h('td', null, ''),
        h('td', null, ''),
        ...METRICS.map(([key, , digits]) => cell('difference', key, leftMinusRight(stats.left[key], stats.right[key]), digits)),
      ),
    ),
  );
}

/** One standing leg's reps, set by set. @param {'left' | 'right'} side @param {RepLog} log */
function repTable(side, log) {
  const rows = log.of(side).map((r) =>
    h(
      'tr',
      { class: `rep-row${r.pelvicDropVerdict === 'dropping' ? ' dropping' : ''}`, 'data-side': side, 'data-set': r.set, 'data-rep': r.rep },
      h('td', null, String(r.set)),
      h('td', null, String(r.rep)),
      h('td', { 'data-metric': 'pelvicDropDeg' }, r.pelvicDropDeg === null ? `– (${r.pelvicDropReason ?? 'not measured'})` : num(r.pelvicDropDeg, 1)),
      h('td', { 'data-metric': 'pelvicDropVerdict' }, VERDICT_WORDS[r.pelvicDropVerdict] ?? '–'),
      h('td', { 'data-metric': 'shankFrontalDeg' }, r.shankFrontalDeg === null ? `– (${r.shankFrontalReason ?? 'not measured'})` : num(r.shankFrontalDeg, 1)),
      h('td', { 'data-metric': 'depthDeg' }, num(r.depthDeg, 1)),
      h('td', { 'data-metric': 'durationS' }, num(r.durationS, 1)),
    ),
  );
  return h(
    'table',
    { class: 'sensor-table rep-table', id: `rep-table-${side}` },
    h('caption', null, `Standing on the ${side} leg: ${rows.length} rep${rows.length === 1 ? '' : 's'}`),
    h('thead', null, h('tr', null, ...['Set', 'Rep', 'Pelvic drop °', 'Verdict', 'Knee proxy °', 'Depth °', 'Time s'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, ...rows),
  );
}

/**
 * @param {{ view: HTMLElement, status: HTMLElement, body: HTMLElement }} els the review's section, status line and body (view-session.js)
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, state: import('./live-state.js').LiveState, onError: (e: unknown) => void }} ctx
 * @param {any} session the session record (GET /v1/sessions/:a/:s) @param {any[]} alerts the session's alerts
 * @returns {() => void} unmount
 */
export function mountScreenReview({ view, status, body }, { api, state, onError }, session, alerts) {
  const { athleteId, sessionId } = session;
  const base = `/v1/sessions/${encodeURIComponent(athleteId)}/${encodeURIComponent(sessionId)}/reps`;
  const thresholdDeg = analysisThresholdDeg(session.summary);
  const log = new RepLog();
  let gone = false;
  const exportButton = (id, ext, text) => {
    const button = h('button', { type: 'button', id }, text);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        saveBlob(await (await api.request(`${base}.${ext}`)).blob(), `${athleteId}_${sessionId}_reps.${ext}`);
      } catch (error) {
        onError(error);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  const quality = dataQuality(alerts, { ended: session.status !== 'running' });
  const summaryBox = h('div', { id: 'screen-summary' });
  const charts = h('div', { class: 'screen-charts' });
  const tables = h('div', { class: 'screen-tables' });
  replace(
    body,
    h(
      'section',
      { class: 'onset', 'aria-labelledby': 'screen-heading' },
      h('h2', { id: 'screen-heading' }, 'Movement screen'),
      h('p', { id: 'screen-threshold' }, thresholdDeg === null ? 'The analysis did not record its pelvic-drop threshold.' : `A rep is "hip dropping" when its pelvic drop is above ${num(thresholdDeg, 1, '°')} (the threshold this screen was analysed with).`),
      h('p', { class: 'note' }, 'Side = the standing leg. Pelvic drop: the free side’s hip below level, peak over the rep. Knee-collapse proxy: the standing shank tilting toward the midline (a shank sensor cannot see the knee itself). Depth: the standing shank’s forward pitch at the bottom.'),
      h('p', null, exportButton('reps-csv', 'csv', 'Download CSV'), ' ', exportButton('reps-ndjson', 'ndjson', 'Download NDJSON')),
    ),
    h('section', { class: 'quality-review', 'aria-labelledby': 'quality-heading' }, h('h2', { id: 'quality-heading' }, 'Data quality'), h('p', { class: `quality-${quality.level}` }, quality.summary)),
    summaryBox,
    h('h2', null, 'Pelvic drop and knee-collapse proxy per rep (°)'),
    h('p', { class: 'note' }, 'Dots: pelvic drop (ringed red: hip dropping); open squares: knee-collapse proxy; dashed red line: the threshold.'),
    charts,
    tables,
  );

  const render = () => {
    const endUs = session.endUs ?? session.startUs;
    status.textContent = `${session.status === 'running' ? 'Running (updating live)' : 'Ended'} · movement screen · started ${when(session.startUs)} · ${elapsed((endUs - session.startUs) / 1e6)} · ${log.count} reps`;
    replace(summaryBox, sidesTable(log));
    replace(charts, ...SIDES.flatMap((side) => (log.of(side).length === 0 ? [] : [h('figure', { class: 'rtr-figure' }, repChart(side, log.sets(side), thresholdDeg), h('figcaption', null, `Standing on the ${side} leg`))])));
    replace(tables, ...SIDES.map((side) => repTable(side, log)));
    view.setAttribute('data-loaded', String(log.count));
    view.setAttribute('data-activity', 'screen');
  };

  // A running screen's new reps come from the stream (a few a minute: the whole page is redrawn, once per frame).
  /** @type {any[]} */
  const early = [];
  let loaded = false;
  let frame = 0;
  const onRep = (/** @type {Event} */ e) => {
    const rep = /** @type {CustomEvent} */ (e).detail;
    if (rep?.athleteId !== athleteId || rep?.sessionId !== sessionId) return;
    if (!loaded) early.push(rep);
    else if (log.add(rep) && frame === 0)
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (!gone) render();
      });
  };
  state.addEventListener('rep', onRep);
  api
    .all(base, { limit: 1000 }, 100)
    .then((reps) => {
      if (gone) return;
      // The stream's reps from before this view too: published live before the store had them, they may be in neither.
      for (const r of [...reps, ...state.repsOf(sessionKey(athleteId, sessionId)), ...early]) log.add(r);
      loaded = true;
      render();
    })
    .catch((error) => {
      status.textContent = 'Could not load this screen’s reps.';
      onError(error);
    });
  return () => {
    gone = true;
    state.removeEventListener('rep', onRep);
    if (frame !== 0) cancelAnimationFrame(frame);
  };
}
