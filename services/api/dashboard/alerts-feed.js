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

/** What an item shows about acknowledgement: who did, a button for who may, or nothing. @param {any} alert @param {import('./live-state.js').LiveState} state */
function ackPart(alert, state) {
  if (alert.phase !== 'raised') return null;
  if (alert.ack) return h('span', { class: 'alert-ack' }, `Acknowledged by ${alert.ack.by} at ${clock(alert.ack.atUs)}`);
  if (!state.canAcknowledge) return null;
  const button = h('button', { type: 'button', class: 'ack-button' }, 'Acknowledge');
  button.addEventListener('click', () => {
    button.setAttribute('disabled', '');
    state.acknowledge(alert).catch((error) => {
      button.removeAttribute('disabled');
      state.onError(error);
    });
  });
  return button;
}

/** @param {any} alert @param {import('./live-state.js').LiveState} state */
function item(alert, state) {
  const kind = isForm(alert) ? (alert.phase === 'resolved' ? 'resolved' : 'form') : 'quality';
  const text = alert.type === 'data_quality' && alert.phase !== 'resolved' ? qualityWords(alert) : alert.message;
  return h(
    'li',
    { class: `alert alert-${kind}`, 'data-type': alert.type, 'data-phase': alert.phase, 'data-acked': alert.ack ? 'yes' : 'no' },
    h('span', { class: 'alert-time' }, clock(alert.tUs)),
    ' ',
    h('a', { href: reviewHref(alert.athleteId, alert.sessionId), class: 'alert-who' }, alert.athleteId),
    ' ',
    h('strong', null, alertTitle(alert), alert.phase === 'resolved' ? ' — resolved' : ''),
    h('span', { class: 'alert-message' }, text),
    ackPart(alert, state),
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
      // An item whose acknowledgement changed is drawn again (the rest stay as they are: no re-announcement).
      if (node !== undefined && node.dataset.acked !== (wanted[i].ack ? 'yes' : 'no')) {
        node.remove();
        node = undefined;
      }
      if (node === undefined) {
        node = item(wanted[i], state);
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
