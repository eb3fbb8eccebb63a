/**
 * Return to run:
 * - `#/rtr`: the roster with traffic lights from the coach's weekly digest
 *   (GET /v1/coaches/<me>/digest): red for a load jump or a worsening
 *   trend, amber for under-loading or a week off the plan, green otherwise,
 *   with the reasons in words. Printable (style.css's print rules). Any
 *   other key (admin, researcher, runner) gets the same rows from each
 *   visible athlete's digest (GET /v1/athletes/<id>/digest), at most
 *   MAX_ATHLETES of them.
 * - `#/rtr/<athlete>`: the load chart with the plan line and the warnings,
 *   the form-breakdown onset chart with its trend in words, and the
 *   movement screens' pelvic drop per leg beside the running one (issue 17)
 *   with the threshold in use and where it comes from.
 */
import { loadChart, onsetChart } from './coaching-charts.js';
import { h, replace } from './dom.js';
import { num, reviewHref } from './format.js';
import { screenThreshold } from './reps.js';
import { screenRunChart } from './screen-charts.js';

const LIGHT_WORDS = { green: 'on track', amber: 'look at this', red: 'act on this' };
/** Athletes a non-coach key's roster shows (one digest request each). */
const MAX_ATHLETES = 50;
/** @param {string} id */
export const rtrHref = (id) => `#/rtr/${encodeURIComponent(id)}`;
const km = (m) => (typeof m === 'number' ? `${(m / 1000).toFixed(1)} km` : '–');

/** The screens-beside-running figure, filled in place. @param {HTMLElement} box @param {any} history @param {any} athlete */
function fillScreens(box, history, athlete) {
  const threshold = screenThreshold(athlete);
  box.dataset.threshold = String(threshold.deg);
  box.dataset.thresholdSource = threshold.source;
  const list = history.screens.length === 0 ? h('p', { class: 'muted' }, 'No movement screens in these weeks.') : h('ul', { class: 'screen-list' }, ...history.screens.map((e) => h('li', null, h('a', { href: reviewHref(history.athleteId, e.sessionId) }, `${e.date} screen`), ` · left ${num(e.sides.left.pelvicDropDegMedian, 1, '°')} (${e.sides.left.reps} reps), right ${num(e.sides.right.pelvicDropDegMedian, 1, '°')} (${e.sides.right.reps} reps)`)));
  replace(
    box,
    screenRunChart(history, threshold.deg),
    h('figcaption', null, `Pelvic drop per leg (° the free side sags): movement screens as diamonds (median over a screen's reps, per standing leg, dashed), running as dots (median over the week's stances, per stance leg, solid), left blue, right orange. Dashed red: the screen threshold, ${threshold.words}.`),
    list,
  );
}

/** @param {any} a an AthleteDigest */
function rosterRow(a) {
  const w = a.week;
  return h(
    'li',
    { class: `roster-row rtr-row light-${a.light}`, 'data-athlete': a.athleteId, 'data-light': a.light },
    h('span', { class: 'light', 'aria-hidden': 'true' }),
    h(
      'div',
      { class: 'roster-main' },
      h('h2', null, h('a', { href: rtrHref(a.athleteId) }, a.displayName ?? a.athleteId)),
      h('p', { class: 'light-words' }, LIGHT_WORDS[a.light]),
      a.reasons.length === 0 ? null : h('ul', { class: 'rtr-reasons' }, ...a.reasons.map((r) => h('li', null, r))),
    ),
    h(
      'dl',
      { class: 'roster-facts' },
      h('dt', null, 'This week'),
      h('dd', null, w === null ? 'no sessions' : `${w.sessions} session${w.sessions === 1 ? '' : 's'}, ${km(w.distanceM)}${w.plannedDistanceM === null ? '' : ` of ${km(w.plannedDistanceM)} planned`}`),
      h('dt', null, 'Onset'),
      h('dd', null, `left ${a.onset.direction.left.replace(/_/g, ' ')}, right ${a.onset.direction.right.replace(/_/g, ' ')}`),
      h('dt', null, 'Sessions with alerts'),
      h('dd', null, a.sessionsWithAlerts.length === 0 ? 'none' : a.sessionsWithAlerts.map((s) => s.sessionId).join(', ')),
    ),
  );
}

/**
 * @param {HTMLElement} root
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, onError: (e: unknown) => void }} ctx
 */
export function mountRtrRoster(root, { api, onError }) {
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading the digest…');
  const list = h('ul', { class: 'roster', id: 'rtr-roster' });
  const print = h('button', { type: 'button', class: 'no-print', onclick: () => window.print() }, 'Print the digest');
  const view = h('section', { class: 'view view-rtr', 'aria-labelledby': 'rtr-heading' }, h('h1', { id: 'rtr-heading' }, 'Return to run'), status, print, list);
  replace(root, view);
  let gone = false;
  (async () => {
    const me = await api.me();
    if (me.role === 'coach') {
      const digest = await api.json(`/v1/coaches/${encodeURIComponent(me.id)}/digest`);
      if (gone) return;
      status.textContent = `Weekly digest · ${digest.athletes.length} athlete${digest.athletes.length === 1 ? '' : 's'} · ${digest.athletes.filter((a) => a.light === 'red').length} red`;
      replace(list, ...digest.athletes.map(rosterRow));
    } else {
      const ids = me.athletes === 'all' ? (await api.all('/v1/athletes', { limit: 1000 }, 10)).map((a) => a.athleteId) : me.athletes;
      const shown = ids.slice(0, MAX_ATHLETES);
      const digests = await Promise.all(shown.map((id) => api.json(`/v1/athletes/${encodeURIComponent(id)}/digest`)));
      if (gone) return;
      status.textContent = `${digests.length} athlete${digests.length === 1 ? '' : 's'} · ${digests.filter((a) => a.light === 'red').length} red${ids.length > shown.length ? ` · the first ${shown.length} of ${ids.length}` : ''}`;
      replace(list, ...digests.map(rosterRow));
    }
    view.dataset.loaded = 'true';
  })().catch(onError);
  return () => {
    gone = true;
  };
}

/**
 * @param {HTMLElement} root
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, onError: (e: unknown) => void }} ctx
 * @param {string} athleteId
 */
export function mountRtrAthlete(root, { api, onError }, athleteId) {
  const loadBox = h('figure', { class: 'rtr-figure', id: 'load-figure' }, h('figcaption', null, 'Loading the weekly load…'));
  const onsetBox = h('figure', { class: 'rtr-figure', id: 'onset-figure' }, h('figcaption', null, 'Loading the onset trend…'));
  const screenBox = h('figure', { class: 'rtr-figure', id: 'screen-figure' }, h('figcaption', null, 'Loading the movement screens…'));
  const warnings = h('ul', { class: 'rtr-warnings', id: 'rtr-warnings' });
  const words = h('div', { class: 'rtr-words', id: 'rtr-trend-words' });
  const heading = h('h1', { id: 'rtr-athlete-heading' }, athleteId);
  const view = h('section', { class: 'view view-rtr-athlete', 'aria-labelledby': 'rtr-athlete-heading' }, h('p', { class: 'no-print' }, h('a', { href: '#/rtr' }, '← Return to run')), heading, loadBox, warnings, onsetBox, words, h('h2', null, 'Movement screens beside running'), screenBox);
  replace(root, view);
  let gone = false;
  const id = encodeURIComponent(athleteId);
  Promise.all([api.json(`/v1/athletes/${id}/load`), api.json(`/v1/athletes/${id}/trends`), api.json(`/v1/athletes/${id}/screens`), api.json(`/v1/athletes/${id}`)])
    .then(([load, trends, screens, athlete]) => {
      if (gone) return;
      const planText = load.plan === null ? 'no return-to-run plan set' : `plan: ${km(load.plan.startWeeklyDistanceM)} a week growing ${load.plan.weeklyIncreasePct} % to ${km(load.plan.targetWeeklyDistanceM)}`;
      replace(loadBox, loadChart(load), h('figcaption', null, `Weekly ${load.metric === 'distance' ? 'distance' : 'running time (a session had no distance)'} in ${load.timeZone} weeks; ${planText} (dashed line); red bars: ramp warnings (limit ${load.rampLimitPct} %).`));
      replace(warnings, ...(load.warnings.length === 0 ? [h('li', null, 'No ramp warnings.')] : load.warnings.map((w) => h('li', { class: `warning-${w.severity}`, 'data-kind': w.kind }, w.message))));
      replace(onsetBox, onsetChart(trends), h('figcaption', null, 'Where form broke down in each run (dots; triangles: held all run) and the trend (dashed), left blue, right orange.'));
      replace(
        words,
        ...['left', 'right'].map((side) => h('p', { 'data-side': side, 'data-direction': trends.onset[side].direction }, h('strong', null, `${side[0].toUpperCase()}${side.slice(1)}: `), trends.onset[side].explanation, ' ', trends.pelvicDrop[side].explanation)),
      );
      fillScreens(screenBox, screens, athlete);
      // The name the coach gave (absent for a researcher who sees pseudonyms), with the id the API knows them by.
      if (typeof athlete.displayName === 'string' && athlete.displayName !== '') replace(heading, `${athlete.displayName} · ${athleteId}`);
      view.dataset.loaded = 'true';
    })
    .catch((error) => {
      // The banner says why; the figures must stop promising data that is not coming.
      if (!gone) {
        replace(loadBox, h('figcaption', null, 'Could not load the weekly load.'));
        replace(onsetBox, h('figcaption', null, 'Could not load the onset trend.'));
        replace(screenBox, h('figcaption', null, 'Could not load the movement screens.'));
        view.dataset.failed = 'true';
      }
      onError(error);
    });
  return () => {
    gone = true;
  };
}
