/**
 * Starts a session review's requests while the rest of the page is still
 * loading: on `#/session/<athleteId>/<sessionId>` with a key in
 * sessionStorage, the session, the first stride page (as columns, the form
 * the review reads) and the session's alerts are requested at once, their
 * JSON read as it arrives, and parked by path; api.js takes a parked
 * answer instead of asking again (each once, and only for the same path and
 * key). Waiting for the module graph before asking cost the review ~0.5 s.
 *
 * A classic script, first in <head>, neither deferred nor a module: it runs
 * the moment it arrives. As a deferred module it waited for the document, its
 * stylesheets and the deferred scripts before it (0.3–0.8 s on the bench's
 * busy 2-core box). Everything is inside one function, so nothing it declares
 * becomes a global.
 */
(function startEarlyRequests() {
  'use strict';
  const STORAGE_KEY = 'gaitwatch.token';
  /** Paths exactly as api.js builds them (a mismatch only wastes the early request: the browser test checks there is none). */
  function reviewPaths() {
    const match = /^#\/?session\/([^/]+)\/([^/]+)\/?$/.exec(location.hash);
    if (match === null) return undefined;
    let athleteId;
    let sessionId;
    try {
      athleteId = decodeURIComponent(match[1]);
      sessionId = decodeURIComponent(match[2]);
    } catch {
      return undefined; // a malformed route: the view reports it as usual
    }
    if (athleteId === '' || sessionId === '') return undefined;
    const base = `/v1/sessions/${encodeURIComponent(athleteId)}/${encodeURIComponent(sessionId)}`;
    return [base, `${base}/strides?limit=10000&layout=columns`, `/v1/alerts?${new URLSearchParams({ limit: '1000', athlete: athleteId, session: sessionId })}`];
  }

  function requestReviewData() {
    const paths = reviewPaths();
    if (paths === undefined) return;
    let key;
    try {
      key = sessionStorage.getItem(STORAGE_KEY);
    } catch {
      return; // no storage: the view asks (and reports) as usual
    }
    if (key === null) return;
    /** @type {Map<string, { key: string, response: Promise<Response>, body: Promise<unknown> }>} */
    const parked = new Map();
    for (const path of paths) {
      const response = fetch(path, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' }, cache: 'no-store' });
      // The body is read and parsed as soon as it arrives, while the modules may still be loading (an hour's
      // stride page is ~1.2–1.8 MB of JSON as columns); an error's body is left to api.js, which reports it.
      const body = response.then((r) => (r.ok ? r.json() : undefined));
      // A failed early request is not reported here: api.js gets the same rejection and reports it.
      response.catch(() => undefined);
      body.catch(() => undefined);
      parked.set(path, { key, response, body });
    }
    /** @type {any} */ (globalThis).gaitwatchEarly = parked;
  }

  requestReviewData();
})();
