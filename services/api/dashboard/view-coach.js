/**
 * Coach view (`#/coach`): the roster at a glance, one row per athlete the
 * key may see (from the sessions list): running or not, alerts raised
 * today, the last session, and a traffic light — red while a form alert is
 * open in a running session, amber for form alerts earlier today or a data
 * problem now, green otherwise. Colour is never the only cue: each light
 * says its state in words.
 */
import { alertId, dataQuality, isForm, openFormAlerts } from './alerts.js';
import { h, replace } from './dom.js';
import { sessionKey, reviewHref, todayStartUs, when } from './format.js';

/** @param {any} row */
function light(row) {
  if (row.openForm > 0) return { level: 'red', words: 'form breaking down now' };
  if (row.formToday > 0) return { level: 'amber', words: 'form alerts today' };
  if (row.dataProblem) return { level: 'amber', words: 'sensor data problem' };
  return { level: 'green', words: row.running ? 'running well' : 'all clear' };
}

/**
 * @param {HTMLElement} root
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, state: import('./live-state.js').LiveState, onError: (e: unknown) => void }} ctx
 */
export function mountCoach(root, { api, state, onError }) {
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading the roster…');
  const list = h('ul', { class: 'roster', id: 'roster' });
  replace(root, h('section', { class: 'view view-coach', 'aria-labelledby': 'coach-heading' }, h('h1', { id: 'coach-heading' }, 'Roster'), status, list));
  /** @type {any[]} */
  let sessions = [];
  /** Alerts raised today, by id, from REST. @type {Map<string, any>} */
  let raisedToday = new Map();
  let gone = false;

  const render = () => {
    const today = todayStartUs();
    /** @type {Map<string, any>} */
    const rows = new Map();
    // Newest first: an athlete's first session in the list is their last one.
    for (const s of sessions) {
      let row = rows.get(s.athleteId);
      if (row === undefined) rows.set(s.athleteId, (row = { athleteId: s.athleteId, last: s, running: false, runningKeys: [], openForm: 0, formToday: 0, alertsToday: 0, dataProblem: false }));
      const live = state.sessions.get(sessionKey(s.athleteId, s.sessionId));
      const running = (live?.status ?? s.status) === 'running';
      if (running) {
        row.running = true;
        row.runningKeys.push(sessionKey(s.athleteId, s.sessionId));
      }
    }
    // Today's raised alerts: the REST count (every page) plus what the stream brought since.
    const todays = new Map(raisedToday);
    for (const alert of state.feed) if (alert.phase !== 'resolved' && alert.tUs >= today) todays.set(alertId(alert), alert);
    for (const alert of todays.values()) {
      const row = rows.get(alert.athleteId);
      if (row === undefined) continue;
      row.alertsToday++;
      if (isForm(alert)) row.formToday++;
    }
    for (const row of rows.values()) {
      for (const key of row.runningKeys) {
        const alerts = state.alertsOf(key);
        row.openForm += openFormAlerts(alerts).length;
        if (dataQuality(alerts).open.length > 0) row.dataProblem = true;
      }
    }
    const sorted = [...rows.values()].sort((a, b) => Number(b.running) - Number(a.running) || a.athleteId.localeCompare(b.athleteId));
    status.textContent = sorted.length === 0 ? 'No athletes with sessions are visible to this key.' : `${sorted.length} athlete${sorted.length > 1 ? 's' : ''} · ${sorted.filter((r) => r.running).length} running`;
    replace(
      list,
      ...sorted.map((row) => {
        const l = light(row);
        return h(
          'li',
          { class: `roster-row light-${l.level}`, 'data-athlete': row.athleteId, 'data-light': l.level },
          h('span', { class: 'light', 'aria-hidden': 'true' }),
          h('div', { class: 'roster-main' }, h('h2', null, row.athleteId), h('p', { class: 'light-words' }, l.words)),
          h(
            'dl',
            { class: 'roster-facts' },
            h('dt', null, 'Now'),
            h('dd', null, row.running ? 'running' : 'not running'),
            h('dt', null, 'Alerts today'),
            h('dd', null, row.alertsToday === 0 ? 'none' : `${row.alertsToday} (${row.formToday} form)`),
            h('dt', null, 'Last session'),
            h('dd', null, h('a', { href: reviewHref(row.last.athleteId, row.last.sessionId) }, when(row.last.startUs))),
          ),
        );
      }),
    );
  };

  const reload = () =>
    Promise.all([api.sessions({ order: 'desc' }, 2), api.alerts({ from: todayStartUs(), phase: 'raised' }, 10)])
      .then(([items, alerts]) => {
        if (gone) return;
        sessions = items;
        raisedToday = new Map(alerts.map((a) => [alertId(a), a]));
        render();
      })
      .catch(onError);
  reload();

  let timer = null;
  let refetch = false;
  /** @param {Event} event */
  const onChange = (event) => {
    const { what } = /** @type {CustomEvent} */ (event).detail;
    if (what === 'strides') return;
    if (what === 'session' || what === 'loaded') refetch = true;
    if (timer !== null) return;
    // Coalesced: a roster needs no per-stance redraw; a new or ended session refetches the list.
    timer = setTimeout(() => {
      timer = null;
      if (refetch) reload();
      else render();
      refetch = false;
    }, 500);
  };
  state.addEventListener('change', onChange);
  return () => {
    gone = true;
    if (timer !== null) clearTimeout(timer);
    state.removeEventListener('change', onChange);
  };
}
