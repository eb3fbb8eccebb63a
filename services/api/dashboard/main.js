/**
 * Start-up: takes a `#token=` once, shows sign-in or the app, opens the
 * one live stream the page uses, and routes between the views. Any 401
 * ends the session and returns to sign-in with the reason.
 */
import { ApiRequestError, UnauthorizedError, createApi } from './api.js';
import { clearToken, currentToken, looksLikeToken, storeToken, takeTokenFromFragment } from './auth.js';
import { h, replace } from './dom.js';
import { openLiveStream } from './live-stream.js';
import { LiveState } from './live-state.js';
import { parseRoute } from './router.js';
import { mountLive } from './view-live.js';
import { mountSession } from './view-session.js';

/**
 * Views loaded when first opened, not at start: every file the start-up graph
 * holds is one more request over the browser's six connections to this
 * origin, ahead of or beside the session review's data (bench `dashboard`).
 * The live page (the default) and the session review (opened from links,
 * often as the first page) stay in the start-up graph.
 * @type {Record<string, () => Promise<(root: HTMLElement, ctx: any, athleteId: string) => () => void>>}
 */
const LAZY_VIEWS = {
  runner: () => import('./view-runner.js').then((m) => m.mountRunner),
  coach: () => import('./view-coach.js').then((m) => m.mountCoach),
  rtr: () => import('./view-rtr.js').then((m) => m.mountRtrRoster),
  'rtr-athlete': () => import('./view-rtr.js').then((m) => m.mountRtrAthlete),
};

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const streamStatus = /** @type {HTMLElement} */ (document.getElementById('stream-status'));
const banner = /** @type {HTMLElement} */ (document.getElementById('banner'));
const signOutButton = /** @type {HTMLButtonElement} */ (document.getElementById('sign-out'));

/** @type {{ stream: { close(): void }, unmount: () => void, state: LiveState } | null} */
let app = null;

/** A problem the user should see (not a 401: that goes to sign-in), until dismissed or replaced. @param {string} text */
function showBanner(text) {
  replace(banner, text, text === '' ? null : h('button', { type: 'button', class: 'dismiss', onclick: () => showBanner('') }, 'Dismiss'));
  banner.hidden = text === '';
}

/** @param {unknown} error */
function onError(error) {
  if (error instanceof UnauthorizedError) {
    signOut('The API refused this key or token (401). It may have expired, been revoked or mistyped: sign in again.');
    return;
  }
  const text = error instanceof ApiRequestError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
  showBanner(`Something went wrong: ${text}`);
}

/** @param {string} [message] */
function signOut(message = '') {
  clearToken();
  if (app !== null) {
    app.stream.close();
    app.unmount();
    app = null;
  }
  showSignIn(message);
}

/** @param {string} message */
function showSignIn(message) {
  nav.hidden = true;
  signOutButton.hidden = true;
  streamStatus.textContent = '';
  showBanner('');
  // No `name`: should the form ever submit natively, the key is not part of it (never in a URL).
  const input = h('input', { id: 'token-input', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-help' });
  const error = h('p', { id: 'sign-in-error', class: 'error', role: 'alert' }, message);
  const form = h(
    'form',
    { id: 'sign-in', class: 'sign-in', method: 'post', action: '#' },
    h('h1', null, 'Sign in'),
    h('label', { for: 'token-input' }, 'API key or sign-in token'),
    input,
    h('p', { id: 'token-help', class: 'muted' }, 'The key (gw_…) from your coach or admin, or the token your club’s sign-in gave you. It stays in this tab only and is sent in a header, never in a link.'),
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = /** @type {HTMLInputElement} */ (input).value.trim();
    if (!looksLikeToken(token)) {
      error.textContent = 'That does not look like a key or a token: keys start with gw_, tokens are three parts joined by dots.';
      return;
    }
    error.textContent = 'Checking the key…';
    try {
      await createApi(() => token).json('/v1/sessions?limit=1');
    } catch (e) {
      error.textContent = e instanceof UnauthorizedError ? 'The API does not accept this key or token (401): check it, or whether it has expired, and try again.' : `Could not check the key: ${e instanceof Error ? e.message : String(e)}`;
      return;
    }
    storeToken(token);
    startApp();
  });
  replace(main, form);
  /** @type {HTMLInputElement} */ (input).focus();
}

function renderStreamStatus(s) {
  const words = { connecting: 'connecting…', live: 'live', waiting: `reconnecting in ${Math.round((s.retryInMs ?? 0) / 1000)} s`, stopped: 'offline' };
  streamStatus.textContent = `Stream: ${words[s.state] ?? s.state}`;
  streamStatus.dataset.state = s.state;
  streamStatus.title = s.detail ?? '';
}

function startApp() {
  const api = createApi(currentToken);
  const state = new LiveState(api, onError);
  const stream = openLiveStream({
    token: currentToken,
    onEvent: (type, data) => state.handle(type, data),
    onStatus: renderStreamStatus,
    onUnauthorized: () => onError(new UnauthorizedError()),
  });
  nav.hidden = false;
  signOutButton.hidden = false;
  showBanner('');
  let unmountView = () => {};
  /** Bumped on every route change: a lazy view that finishes loading after the user moved on is not mounted. */
  let routeSeq = 0;
  const route = () => {
    unmountView();
    unmountView = () => {};
    const seq = ++routeSeq;
    const r = parseRoute(location.hash);
    for (const link of nav.querySelectorAll('a')) {
      if (link.dataset.view === (r.view === 'rtr-athlete' ? 'rtr' : r.view) && r.view !== 'session') link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const ctx = { api, state, onError };
    const lazy = LAZY_VIEWS[r.view];
    if (r.view === 'session') unmountView = mountSession(main, ctx, r.athleteId ?? '', r.sessionId ?? '');
    else if (lazy === undefined) unmountView = mountLive(main, ctx);
    else {
      replace(main, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
      lazy()
        .then((mount) => {
          if (seq === routeSeq) unmountView = mount(main, ctx, r.athleteId ?? '');
        })
        .catch(onError);
    }
    main.focus({ preventScroll: true });
  };
  window.addEventListener('hashchange', route);
  route();
  state.load().catch(onError);
  app = {
    stream,
    state,
    unmount: () => {
      window.removeEventListener('hashchange', route);
      routeSeq++; // a view still loading is not mounted after sign-out
      unmountView();
    },
  };
}

signOutButton.addEventListener('click', () => signOut('Signed out.'));
window.addEventListener('hashchange', () => {
  // A `#token=` link opened while the page is already up: take it (and wipe it from the address bar).
  if (location.hash.startsWith('#token=') && takeTokenFromFragment()) {
    if (app !== null) signOut();
    startApp();
  }
});

takeTokenFromFragment();
if (currentToken() === null) showSignIn('');
else startApp();
