/**
 * Calls to the API from the page: same origin, the key in the
 * Authorization header (never in a URL), JSON in and out. A 401 anywhere
 * throws UnauthorizedError, which main.js turns into the sign-in screen.
 */

export class UnauthorizedError extends Error {
  constructor(message = 'the API refused the key (401)') {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

export class ApiRequestError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
  }
}

/** @param {Record<string, string | number | undefined>} params */
export function queryString(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) q.set(key, String(value));
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * @typedef {{ key: string, response: Promise<Response>, body: Promise<unknown> }} EarlyRequest
 * A request early.js made before the modules loaded: its response, and its JSON body, read as soon as it
 * arrived (an ok response's only; the body of an error is left for the error message).
 */

/**
 * The request early.js already made for this path with this key, if any (each is taken once: a later
 * call, e.g. a refresh, asks again).
 * @param {string} path @param {string} key @returns {EarlyRequest | undefined}
 */
function takeEarly(path, key) {
  /** @type {Map<string, EarlyRequest> | undefined} */
  const parked = /** @type {any} */ (globalThis).gaitwatchEarly;
  const entry = parked?.get(path);
  if (entry === undefined) return undefined;
  parked?.delete(path);
  return entry.key === key ? entry : undefined;
}

/**
 * @param {() => string | null} token
 */
export function createApi(token) {
  /**
   * The response to a GET, refused with the error the API gave; `body` is early.js's reading of an ok JSON body.
   * @param {string} path @returns {Promise<{ response: Response, body: Promise<unknown> | undefined }>}
   */
  async function exchange(path) {
    const key = token();
    if (key === null) throw new UnauthorizedError('not signed in');
    const early = takeEarly(path, key);
    const response = await (early?.response ?? fetch(path, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' }, cache: 'no-store' }));
    if (response.status === 401) throw new UnauthorizedError();
    if (!response.ok) {
      let code = 'HTTP_' + response.status;
      let message = `${path.split('?')[0]} answered ${response.status}`;
      try {
        const body = await response.json();
        code = body?.error?.code ?? code;
        message = body?.error?.message ?? message;
      } catch {
        // not JSON: keep the status line
      }
      throw new ApiRequestError(response.status, code, message);
    }
    return { response, body: early?.body };
  }

  /** @param {string} path @returns {Promise<Response>} */
  async function request(path) {
    return (await exchange(path)).response;
  }

  /** @param {string} path */
  async function json(path) {
    const { response, body } = await exchange(path);
    return body ?? response.json();
  }

  /** A JSON POST, answered with JSON. @param {string} path @param {unknown} body */
  async function post(path, body) {
    const key = token();
    if (key === null) throw new UnauthorizedError('not signed in');
    const response = await fetch(path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), cache: 'no-store' });
    if (response.status === 401) throw new UnauthorizedError();
    const answer = await response.json().catch(() => null);
    if (!response.ok) throw new ApiRequestError(response.status, answer?.error?.code ?? `HTTP_${response.status}`, answer?.error?.message ?? `${path} answered ${response.status}`);
    return answer;
  }

  /**
   * Every page of a paged answer, as the API gave them: follows `next` (passed back as `cursor`) until it is null or
   * `maxPages` pages were read.
   * @param {string} path @param {Record<string, string | number | undefined>} params @param {number} [maxPages]
   */
  async function pages(path, params, maxPages = 100) {
    const bodies = [];
    let cursor;
    for (let page = 0; page < maxPages; page++) {
      const body = await json(path + queryString({ ...params, cursor }));
      bodies.push(body);
      if (body.next === null || body.next === undefined) break;
      cursor = body.next;
    }
    return bodies;
  }

  /**
   * Every item of a paged list (`{items, next}` pages).
   * @param {string} path @param {Record<string, string | number | undefined>} params @param {number} [maxPages]
   */
  async function all(path, params, maxPages = 100) {
    const items = [];
    for (const body of await pages(path, params, maxPages)) items.push(...body.items);
    return items;
  }

  const path = (athleteId, sessionId) => `/v1/sessions/${encodeURIComponent(athleteId)}/${encodeURIComponent(sessionId)}`;

  return {
    request,
    json,
    pages,
    all,
    /** Sessions the key may see (newest first). */
    sessions: (params = {}, maxPages = 10) => all('/v1/sessions', { limit: 1000, ...params }, maxPages),
    session: (athleteId, sessionId) => json(path(athleteId, sessionId)),
    /**
     * A session's stances so far as the API's column pages (`layout=columns`: `{count, columns: {side: […], icUs: […], …},
     * next}`), for StanceSeries.addColumns. Columns, not rows: an hour is one page of 10,000 stances, and as row objects
     * that page was ~3.5 MB of JSON to send, take in and parse, and 10,000 objects the series only read six fields of.
     * The path is the one early.js asks for first (keep the two alike).
     */
    strideColumns: (athleteId, sessionId) => pages(`${path(athleteId, sessionId)}/strides`, { limit: 10000, layout: 'columns' }, 1000),
    alerts: (params = {}, maxPages = 5) => all('/v1/alerts', { limit: 1000, ...params }, maxPages),
    /** Who this key is: `{id, role, athletes, pseudonymisedExports}`. */
    me: () => json('/v1/me'),
    /** Acknowledges a raised alert (coach of the athlete, admin): its identity as /v1/alerts gave it. */
    acknowledge: (alert) =>
      post('/v1/alerts/ack', {
        athleteId: alert.athleteId,
        sessionId: alert.sessionId,
        tUs: alert.tUs,
        type: alert.type,
        severity: alert.severity,
        metric: alert.metric,
        ...(alert.sensor !== undefined ? { sensor: alert.sensor } : {}),
        ...(alert.side !== undefined ? { side: alert.side } : {}),
      }),
    /** The CSV export as a Blob (read with the header; the page then saves it through an object URL). */
    csv: async (athleteId, sessionId) => (await request(`${path(athleteId, sessionId)}/strides.csv`)).blob(),
  };
}
