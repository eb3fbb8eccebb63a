/**
 * A server-sent-events parser (WHATWG HTML "Server-sent events", §9.2.6
 * "Interpreting an event stream"), as a pure function over text chunks:
 * no DOM, no I/O, so it runs the same in the browser and under vitest.
 * Chunks may split anywhere — inside a line, between CR and LF — and the
 * result is the same as for the whole text at once.
 */

/**
 * A fresh parser state: the unfinished line and the event being built.
 * `lastEventId` persists across events (the spec's "last event ID buffer").
 * @returns {import('./sse-parser').SseState}
 */
export function initialSseState() {
  return { partial: '', pendingCr: false, started: false, eventType: '', data: '', hasData: false, lastEventId: '' };
}

/**
 * Applies one line (without its terminator) to the state; pushes what it completes onto `out`.
 * @param {import('./sse-parser').SseState} state
 * @param {string} line
 * @param {import('./sse-parser').SseItem[]} out
 */
function applyLine(state, line, out) {
  if (line === '') {
    // Blank line: dispatch. An event without data is not dispatched (its id still counts).
    if (state.hasData) out.push({ kind: 'event', event: state.eventType || 'message', data: state.data, id: state.lastEventId });
    state.eventType = '';
    state.data = '';
    state.hasData = false;
    return;
  }
  if (line.charCodeAt(0) === 0x3a /* ':' */) {
    out.push({ kind: 'comment', text: line.slice(1).replace(/^ /, '') });
    return;
  }
  const colon = line.indexOf(':');
  const field = colon === -1 ? line : line.slice(0, colon);
  let value = colon === -1 ? '' : line.slice(colon + 1);
  if (value.charCodeAt(0) === 0x20) value = value.slice(1);
  switch (field) {
    case 'event':
      state.eventType = value;
      break;
    case 'data':
      state.data = state.hasData ? `${state.data}\n${value}` : value;
      state.hasData = true;
      break;
    case 'id':
      // An id with NUL is ignored (spec), so a hostile id cannot poison the Last-Event-ID header.
      if (!value.includes('\u0000')) state.lastEventId = value;
      break;
    case 'retry':
      if (/^\d+$/.test(value)) out.push({ kind: 'retry', ms: Number(value) });
      break;
    default:
      // Unknown fields are ignored.
      break;
  }
}

/**
 * Feeds one chunk of decoded text. Returns the new state and the items the
 * chunk completed: `event` (with the id in force when it was dispatched),
 * `retry` and `comment` (e.g. `: ping`, which proves the stream alive).
 * The state passed in is not modified.
 * @param {import('./sse-parser').SseState} previous
 * @param {string} chunk
 * @returns {{ state: import('./sse-parser').SseState, items: import('./sse-parser').SseItem[] }}
 */
export function parseSseChunk(previous, chunk) {
  const state = { ...previous };
  /** @type {import('./sse-parser').SseItem[]} */
  const items = [];
  let text = chunk;
  if (!state.started && text.length > 0) {
    state.started = true;
    // One leading byte-order mark is not part of the stream.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  }
  // A CR at the end of the previous chunk already ended its line: an LF right after it is the same terminator.
  if (state.pendingCr && text.charCodeAt(0) === 0x0a) text = text.slice(1);
  state.pendingCr = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d) continue;
    applyLine(state, state.partial + text.slice(start, i), items);
    state.partial = '';
    if (c === 0x0d) {
      if (i + 1 < text.length) {
        if (text.charCodeAt(i + 1) === 0x0a) i++;
      } else {
        state.pendingCr = true;
      }
    }
    start = i + 1;
  }
  state.partial += text.slice(start);
  return { state, items };
}

/**
 * The whole stream at once (tests, and a reading of what a body held):
 * the items of every chunk in order, and the final state. An unterminated
 * last event is not dispatched — the spec drops it when the stream ends.
 * @param {Iterable<string>} chunks
 */
export function parseSse(chunks) {
  let state = initialSseState();
  /** @type {import('./sse-parser').SseItem[]} */
  const items = [];
  for (const chunk of chunks) {
    const result = parseSseChunk(state, chunk);
    state = result.state;
    items.push(...result.items);
  }
  return { state, items };
}
