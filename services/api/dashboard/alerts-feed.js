/**
 * The alerts feed: today's alerts and every live one, newest first, in an
 * aria-live list so a screen reader announces new ones. Items already shown
 * are kept as they are (only new ones are inserted), so an update announces
 * the new alert, not the whole list again. Form alerts are red, resolved
 * green, data-quality grey; each links to its session's review.
 */
import { alertId, alertTitle, isForm, qualityWords } from './alerts.js';
import { h } from './dom.js';
import { clock, reviewHref } from './format.js';

const SHOWN = 50;

/** @param {any} alert */
function item(alert) {
  const kind = isForm(alert) ? (alert.phase === 'resolved' ? 'resolved' : 'form') : 'quality';
  const text = alert.type === 'data_quality' && alert.phase !== 'resolved' ? qualityWords(alert) : alert.message;
  return h(
    'li',
    { class: `alert alert-${kind}`, 'data-type': alert.type, 'data-phase': alert.phase },
    h('span', { class: 'alert-time' }, clock(alert.tUs)),
    ' ',
    h('a', { href: reviewHref(alert.athleteId, alert.sessionId), class: 'alert-who' }, alert.athleteId),
    ' ',
    h('strong', null, alertTitle(alert), alert.phase === 'resolved' ? ' — resolved' : ''),
    h('span', { class: 'alert-message' }, text),
  );
}

/**
 * @param {import('./live-state.js').LiveState} state
 * @returns {{ el: HTMLElement, render: () => void }}
 */
export function alertsFeed(state) {
  const list = h('ol', { class: 'feed-list', 'aria-live': 'polite', 'aria-relevant': 'additions', id: 'alerts-feed' });
  const empty = h('p', { class: 'muted' }, 'No alerts today.');
  const el = h('aside', { class: 'feed', 'aria-labelledby': 'feed-heading' }, h('h2', { id: 'feed-heading' }, 'Alerts'), empty, list);
  /** Rendered items by alert id. @type {Map<string, HTMLElement>} */
  const shown = new Map();
  const render = () => {
    const wanted = state.feed.slice(0, SHOWN);
    const ids = new Set(wanted.map(alertId));
    for (const [id, node] of shown) {
      if (ids.has(id)) continue;
      node.remove();
      shown.delete(id);
    }
    // Walk newest to oldest, inserting each missing item before the next shown one below it.
    let below = null;
    for (let i = wanted.length - 1; i >= 0; i--) {
      const id = alertId(wanted[i]);
      let node = shown.get(id);
      if (node === undefined) {
        node = item(wanted[i]);
        shown.set(id, node);
        list.insertBefore(node, below);
      }
      below = node;
    }
    empty.hidden = wanted.length > 0;
    list.dataset.count = String(state.feed.length);
  };
  render();
  return { el, render };
}
