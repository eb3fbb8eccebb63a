/**
 * The live view (default): one card per running session with its
 * pelvic-drop chart, baseline and data quality in words, beside the alerts
 * feed. Stance updates are coalesced to one redraw per animation frame.
 */
import { alertsFeed } from './alerts-feed.js';
import { dataQuality } from './alerts.js';
import { h, replace } from './dom.js';
import { clock, num, reviewHref } from './format.js';
import { pelvicChart } from './pelvic-chart.js';

/** @param {any} entry @param {import('./live-state.js').LiveState} state */
function sessionCard(entry, state) {
  const status = h('span', { class: 'badge' });
  const quality = h('div', { class: 'quality' });
  const chartBox = h('div', { class: 'chart', role: 'img', 'aria-label': `Pelvic drop per stance of ${entry.athleteId}, left and right, with the baseline band and alert markers` });
  const baselineNote = h('p', { class: 'note' });
  const latest = h('p', { class: 'latest' });
  const el = h(
    'article',
    { class: 'session-card', 'data-session': entry.key, 'data-stances': '0' },
    h('header', { class: 'card-head' }, h('h2', null, entry.athleteId, h('span', { class: 'muted' }, ` · ${entry.sessionId}`)), status, h('a', { href: reviewHref(entry.athleteId, entry.sessionId) }, 'Review')),
    quality,
    h('h3', { class: 'chart-title' }, 'Pelvic drop per stance (°)'),
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
  const flush = () => {
    frame = 0;
    for (const key of dirty) {
      const entry = state.sessions.get(key);
      if (entry === undefined) continue;
      let card = cards.get(key);
      if (card === undefined) {
        card = sessionCard(entry, state);
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
  state.addEventListener('change', onChange);
  return () => {
    state.removeEventListener('change', onChange);
    if (frame !== 0) cancelAnimationFrame(frame);
    for (const card of cards.values()) card.destroy();
  };
}
