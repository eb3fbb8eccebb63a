/**
 * Starts a session review's first requests while the rest of the page's
 * modules are still loading (it imports nothing and comes before main.js, so
 * module scripts' document order runs it first, as soon as it arrives): on `#/session/<athleteId>/<sessionId>` with a key
 * in sessionStorage, the session and the first stride page are requested at
 * once and their responses parked by path; api.js takes a parked response
 * instead of asking again (each once, and only for the same path and key).
 * Waiting for the module graph before asking cost the review ~0.5 s.
 */
const STORAGE_KEY = 'gaitwatch.token';

/** Paths exactly as api.js builds them (a mismatch only wastes the early request: the browser test checks there is none). */
const sessionPath = (athleteId, sessionId) => `/v1/sessions/${encodeURIComponent(athleteId)}/${encodeURIComponent(sessionId)}`;

function start() {
  const match = /^#\/?session\/([^/]+)\/([^/]+)\/?$/.exec(location.hash);
  if (match === null) return;
  let key;
  let athleteId;
  let sessionId;
  try {
    key = sessionStorage.getItem(STORAGE_KEY);
    athleteId = decodeURIComponent(match[1]);
    sessionId = decodeURIComponent(match[2]);
  } catch {
    return; // no storage, or a malformed route: the view asks (and reports) as usual
  }
  if (key === null || athleteId === '' || sessionId === '') return;
  const base = sessionPath(athleteId, sessionId);
  /** @type {Map<string, { key: string, response: Promise<Response> }>} */
  const parked = new Map();
  for (const path of [base, `${base}/strides?limit=10000`]) {
    const response = fetch(path, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' }, cache: 'no-store' });
    // A failed early request is not reported here: api.js gets the same rejection and reports it.
    response.catch(() => undefined);
    parked.set(path, { key, response });
  }
  /** @type {any} */ (globalThis).gaitwatchEarly = parked;
}

start();
