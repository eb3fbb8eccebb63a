/**
 * A minimal server-sent-events reader over fetch for tests: collects every
 * event of one stream so a test can wait for and inspect them.
 */
export interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

export interface SseStream {
  readonly status: number;
  readonly headers: Headers;
  readonly events: SseEvent[];
  /** Events of one type with their data parsed. */
  of<T = Record<string, unknown>>(type: string): T[];
  /** The last `id:` seen (what a reconnecting client sends as Last-Event-ID). */
  lastId(): string | undefined;
  waitFor(test: (events: SseEvent[]) => boolean, timeoutMs: number, what: string): Promise<void>;
  close(): void;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
}

/** Parses SSE text into events (the spec's field rules, enough for our server). */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const blocks = buffer.split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0 || id !== undefined) events.push({ ...(id !== undefined ? { id } : {}), event, data: data.join('\n') });
  }
  return { events, rest };
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  let ended: Promise<void> = Promise.resolve();
  if (response.ok && response.body !== null) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    ended = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          const parsed = parseSse(buffer + value);
          buffer = parsed.rest;
          events.push(...parsed.events);
        }
      } catch {
        // aborted by close()
      }
    })();
  } else {
    await response.text().catch(() => undefined);
  }
  return {
    status: response.status,
    headers: response.headers,
    events,
    of: <T>(type: string) => events.filter((e) => e.event === type).map((e) => JSON.parse(e.data) as T),
    lastId: () => [...events].reverse().find((e) => e.id !== undefined)?.id,
    async waitFor(test, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      while (!test(events)) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${events.map((e) => e.event).join(',')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => abort.abort(),
    ended,
  };
}
