/**
 * The live view (default): one card per running session with its
 * pelvic-drop chart, baseline and data quality in words, beside the alerts
 * feed. A movement screen's card (issue 17) shows per standing leg its reps
 * so far and the last one's verdict instead of a stance chart; the rep code
 * (runner-screen.js) loads only once a screen is on the page. Updates are
 * coalesced to one redraw per animation frame.
 */
import { alertsFeed } from './alerts-feed.js';
import { dataQuality } from './alerts.js';
import { h, replace } from './dom.js';
import { clock, num, reviewHref, sessionKey } from './format.js';
import { pelvicChart } from './pelvic-chart.js';

/** @typedef {ReturnType<typeof import('./runner-screen.js').screenReps>} ScreenReps */

/**
 * A screen's line for one standing leg: its reps so far and the last one's verdict.
 * @param {'left' | 'right'} side @param {any} log a RepLog (reps.js)
 */
function screenLeg(side, log) {
  const reps = log.of(side);
  const last = log.last(side);
  const dropping = reps.filter((r) => r.pelvicDropVerdict === 'dropping').length;
  const verdict = last?.pelvicDropVerdict;
  const state = last === undefined ? 'waiting' : verdict === 'dropping' || verdict === 'level' ? verdict : 'unmeasured';
  const words = { waiting: 'no reps yet', dropping: 'hip dropping', level: 'pelvis level', unmeasured: 'pelvis not measured' }[state];
  return h(
    'li',
    { class: `screen-leg state-${state}`, 'data-side': side, 'data-reps': String(reps.length), 'data-dropping': String(dropping), 'data-state': state },
    h('strong', null, `Standing on the ${side} leg: `),
    last === undefined ? words : `${reps.length} rep${reps.length === 1 ? '' : 's'}, ${dropping} hip dropping · last: set ${last.set} rep ${last.rep}, pelvic drop ${num(last.pelvicDropDeg, 1, '°')} — ${words}`,
  );
}

/**
 * @param {any} entry @param {import('./live-state.js').LiveState} state
 * @param {() => ScreenReps | null} screens the rep logs, once loaded (null: not yet)
 */
function sessionCard(entry, state, screens) {
  const status = h('span', { class: 'badge' });
  const quality = h('div', { class: 'quality' });
  const chartBox = h('div', { class: 'chart', role: 'img', 'aria-label': `Pelvic drop per stance of ${entry.athleteId}, left and right, with the baseline band and alert markers` });
  const baselineNote = h('p', { class: 'note' });
  const latest = h('p', { class: 'latest' });
  const chartTitle = h('h3', { class: 'chart-title' }, 'Pelvic drop per stance (°)');
  const screenBox = h('div', { class: 'screen-live', hidden: true });
  const el = h(
    'article',
    { class: 'session-card', 'data-session': entry.key, 'data-stances': '0' },
    h('header', { class: 'card-head' }, h('h2', null, entry.athleteId, h('span', { class: 'muted' }, ` · ${entry.sessionId}`)), status, h('a', { href: reviewHref(entry.athleteId, entry.sessionId) }, 'Review')),
    quality,
    screenBox,
    chartTitle,
    chartBox,
    baselineNote,
    latest,
  );
  let pelvic = null;

  const render = () => {
    status.textContent = entry.status === 'running' ? (entry.loading ? 'loading…' : 'running') : entry.status === 'lost' ? 'connection lost' : 'ended';
    status.className = `badge badge-${entry.status}`;
    const q = dataQuality(state.alertsOf(entry.key));
    quality.className = `quality quality-${q.level}`;
    replace(
      quality,
      h('p', null, h('strong', null, 'Data: '), q.summary),
      q.open.length + q.earlier.length > 0 ? h('ul', null, ...q.open.map((t) => h('li', null, t)), ...q.earlier.map((t) => h('li', { class: 'muted' }, `Earlier: ${t}`))) : null,
    );
    const reps = screens();
    if (reps !== null && reps.isScreen(entry)) {
      // A movement screen: reps per standing leg, no stances to chart.
      const log = reps.logOf(entry);
      el.dataset.activity = 'screen';
      el.dataset.reps = String(log.count);
      chartTitle.hidden = chartBox.hidden = baselineNote.hidden = latest.hidden = true;
      screenBox.hidden = false;
      replace(screenBox, h('h3', { class: 'chart-title' }, `Movement screen · ${log.count} rep${log.count === 1 ? '' : 's'} so far`), h('ul', { class: 'screen-legs' }, screenLeg('left', log), screenLeg('right', log)));
      return;
    }
    if (entry.series === null) return;
    pelvic ??= pelvicChart(chartBox, { series: () => entry.series, summary: () => entry.summary, alerts: () => state.alertsOf(entry.key), startUs: () => entry.startUs });
    pelvic.update();
    el.dataset.stances = String(entry.series.count);
    baselineNote.textContent = pelvic.baseline.label;
    const last = (side) => entry.series.latest(side, 1)[0];
    const l = last('left');
    const r = last('right');
    latest.textContent = `Latest: left ${num(l?.pelvicDropDeg, 1, '°')}, right ${num(r?.pelvicDropDeg, 1, '°')} · cadence ${num((l ?? r)?.cadenceSpm, 0, ' spm')} · ${entry.series.count} stances${l || r ? ` · at ${clock(Math.max(l?.icUs ?? 0, r?.icUs ?? 0))}` : ''}`;
  };
  return { el, render, destroy: () => pelvic?.destroy() };
}

/**
 * @param {HTMLElement} root
 * @param {{ state: import('./live-state.js').LiveState }} ctx
 */
export function mountLive(root, { state }) {
  const cards = new Map();
  const list = h('div', { class: 'sessions', id: 'live-sessions' });
  const empty = h('p', { class: 'muted' }, 'Loading running sessions…');
  const feed = alertsFeed(state);
  replace(root, h('section', { class: 'view view-live', 'aria-labelledby': 'live-heading' }, h('h1', { id: 'live-heading' }, 'Live'), h('div', { class: 'live-grid' }, h('div', null, empty, list), feed.el)));

  const dirty = new Set();
  let frame = 0;
  /** The screens' rep logs, loaded with runner-screen.js when the first screen shows up. @type {ScreenReps | null} */
  let screens = null;
  let loadingScreens = false;
  /** Reps that came before the rep code did. @type {any[]} */
  const waitingReps = [];
  const isScreenEntry = (entry) => entry?.summary?.activity === 'screen';
  const markScreens = () => {
    for (const [key, entry] of state.sessions) if (screens?.isScreen(entry)) mark(key);
  };
  /** Loads the rep code once; reps that arrive meanwhile wait in waitingReps, then join the session's stored ones. */
  const needScreens = () => {
    if (screens !== null || loadingScreens) return;
    loadingScreens = true;
    import('./runner-screen.js')
      .then((m) => {
        screens = m.screenReps({ api: state.api, onError: state.onError, changed: markScreens });
        for (const entry of state.sessions.values()) if (isScreenEntry(entry)) screens.logOf(entry);
        for (const rep of waitingReps.splice(0)) {
          const entry = state.sessions.get(sessionKey(rep.athleteId, rep.sessionId));
          if (entry !== undefined) screens.logOf(entry).add(rep);
        }
        markScreens();
      })
      .catch((error) => {
        loadingScreens = false;
        state.onError(error);
      });
  };
  const flush = () => {
    frame = 0;
    for (const key of dirty) {
      const entry = state.sessions.get(key);
      if (entry === undefined) continue;
      let card = cards.get(key);
      if (isScreenEntry(entry)) needScreens();
      if (card === undefined) {
        card = sessionCard(entry, state, () => screens);
        cards.set(key, card);
        list.prepend(card.el);
      }
      card.render();
    }
    dirty.clear();
    empty.textContent = state.loaded ? 'No runs in progress. A card appears here when a session starts.' : 'Loading running sessions…';
    empty.hidden = cards.size > 0;
  };
  const mark = (key) => {
    if (key !== undefined) dirty.add(key);
    if (frame === 0) frame = requestAnimationFrame(flush);
  };
  for (const key of state.sessions.keys()) mark(key);
  mark();

  /** @param {Event} event */
  const onChange = (event) => {
    const { what, key } = /** @type {CustomEvent} */ (event).detail;
    if (what === 'loaded') for (const k of state.sessions.keys()) mark(k);
    else mark(key);
    if (what === 'alert' || what === 'form-alert' || what === 'loaded') feed.render();
  };
  /** A rep from the stream: its session is a screen (even before its record says so); counted, never spoken here. @param {Event} event */
  const onRep = (event) => {
    const rep = /** @type {CustomEvent} */ (event).detail;
    const entry = state.sessions.get(sessionKey(rep.athleteId, rep.sessionId));
    if (entry === undefined) return;
    if (screens === null) {
      // Kept until the code is here (the store may not have it yet when the session's reps are fetched).
      entry.summary = { ...entry.summary, activity: 'screen' };
      if (waitingReps.length < 1000) waitingReps.push(rep);
      needScreens();
      return;
    }
    if (screens.logOf(entry).add(rep)) mark(entry.key);
  };
  state.addEventListener('change', onChange);
  state.addEventListener('rep', onRep);
  return () => {
    state.removeEventListener('change', onChange);
    state.removeEventListener('rep', onRep);
    if (frame !== 0) cancelAnimationFrame(frame);
    for (const card of cards.values()) card.destroy();
  };
}
