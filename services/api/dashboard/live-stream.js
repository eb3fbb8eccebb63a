/**
 * The live stream client: `GET /v1/live` read with fetch() so the key goes
 * in the Authorization header (EventSource cannot send headers, and a key
 * never goes in a URL). Parses the body with sse-parser.js, resumes with
 * `Last-Event-ID` after a drop, and backs off: the server's `retry:` (2 s
 * by default), doubled per failed attempt up to 30 s, with jitter so many
 * dashboards do not reconnect in step after a server restart.
 */
import { initialSseState, parseSseChunk } from './sse-parser.js';

const DEFAULT_RETRY_MS = 2_000;
const MAX_RETRY_MS = 30_000;
/** The server pings every ~15 s; silence this long means the connection is dead without saying so, ms. */
const SILENCE_MS = 45_000;

/**
 * @param {{
 *   token: () => string | null,
 *   query?: string,
 *   onEvent: (type: string, data: unknown, id: string) => void,
 *   onStatus?: (status: { state: 'connecting' | 'live' | 'waiting' | 'stopped', retryInMs?: number, detail?: string }) => void,
 *   onUnauthorized?: () => void,
 *   fetchImpl?: typeof fetch,
 * }} options
 * @returns {{ close: () => void, readonly lastEventId: string }}
 */
export function openLiveStream(options) {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const status = options.onStatus ?? (() => {});
  let lastEventId = '';
  let retryMs = DEFAULT_RETRY_MS;
  let failures = 0;
  let stopped = false;
  /** @type {AbortController | null} */
  let controller = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;

  const schedule = (detail) => {
    if (stopped) return;
    const base = Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(failures, 5));
    const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
    failures++;
    status({ state: 'waiting', retryInMs: delay, detail });
    timer = setTimeout(connect, delay);
  };

  async function connect() {
    if (stopped) return;
    const token = options.token();
    if (token === null) return;
    controller = new AbortController();
    const abort = controller;
    let silence = setTimeout(() => abort.abort(), SILENCE_MS);
    const alive = () => {
      clearTimeout(silence);
      silence = setTimeout(() => abort.abort(), SILENCE_MS);
    };
    status({ state: 'connecting' });
    try {
      /** @type {Record<string, string>} */
      const headers = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
      if (lastEventId !== '') headers['last-event-id'] = lastEventId;
      const response = await fetchImpl(`/v1/live${options.query ? `?${options.query}` : ''}`, { headers, cache: 'no-store', signal: abort.signal });
      if (response.status === 401) {
        stopped = true;
        status({ state: 'stopped', detail: 'key refused' });
        options.onUnauthorized?.();
        return;
      }
      if (!response.ok || response.body === null || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        await response.body?.cancel().catch(() => {});
        throw new Error(`live stream answered ${response.status}`);
      }
      status({ state: 'live' });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let state = initialSseState();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        alive();
        const result = parseSseChunk(state, value);
        state = result.state;
        for (const item of result.items) {
          if (item.kind === 'retry') retryMs = Math.max(500, Math.min(item.ms, MAX_RETRY_MS));
          if (item.kind !== 'event') continue;
          // Something arrived: the connection works, so the next drop starts the backoff afresh.
          failures = 0;
          if (item.id !== '') lastEventId = item.id;
          let data;
          try {
            data = JSON.parse(item.data);
          } catch {
            continue;
          }
          options.onEvent(item.event, data, item.id);
        }
        // The id of an event without data still counts for resuming.
        if (state.lastEventId !== '') lastEventId = state.lastEventId;
      }
      schedule('the server closed the stream');
    } catch (error) {
      if (stopped) return;
      schedule(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(silence);
    }
  }

  connect();
  return {
    close() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      controller?.abort();
      status({ state: 'stopped' });
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}
