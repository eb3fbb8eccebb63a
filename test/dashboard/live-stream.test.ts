/**
 * The dashboard's live stream client (services/api/dashboard/live-stream.js)
 * against a fake fetch: the key in the header and never in the URL, events
 * parsed and handed over, resume with Last-Event-ID, backoff on failures,
 * and a 401 that stops it for good.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openLiveStream, type LiveStatus } from '../../services/api/dashboard/live-stream.js';

type Call = { url: string; headers: Record<string, string> };

/** A streamed SSE body: the chunks, then (unless `hold`) the end of the stream. */
function sse(chunks: string[], hold = false): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      if (!hold) controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
}

/** A promise and its resolve (Promise.withResolvers is Node 22+). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('live stream client', () => {
  it('sends the key as a header, hands events over, and resumes with Last-Event-ID after the stream ends', async () => {
    const calls: Call[] = [];
    const events: [string, unknown, string][] = [];
    const responses = [
      () => sse(['retry: 500\n\n: ping\n\nid: ep-1\nevent: stride\ndata: {"athleteId":"r1","side":"le', 'ft"}\n\nid: ep-2\nevent: alert\ndata: {"type":"form_breakdown"}\n\n']),
      () => sse(['id: ep-3\nevent: session\ndata: {"state":"stop"}\n\n'], true),
    ];
    const second = deferred();
    const client = openLiveStream({
      token: () => 'gw_secret-key',
      onEvent: (type, data, id) => {
        events.push([type, data, id]);
        if (type === 'session') second.resolve();
      },
      fetchImpl: async (url, init) => {
        calls.push({ url, headers: init.headers });
        return responses[calls.length - 1]!();
      },
    });
    await second.promise;
    client.close();
    expect(events).toEqual([
      ['stride', { athleteId: 'r1', side: 'left' }, 'ep-1'],
      ['alert', { type: 'form_breakdown' }, 'ep-2'],
      ['session', { state: 'stop' }, 'ep-3'],
    ]);
    expect(calls.map((c) => c.url)).toEqual(['/v1/live', '/v1/live']);
    expect(calls[0]!.headers).toEqual({ authorization: 'Bearer gw_secret-key', accept: 'text/event-stream' });
    expect(calls[1]!.headers['last-event-id']).toBe('ep-2');
    expect(client.lastEventId).toBe('ep-3');
    for (const c of calls) expect(c.url).not.toContain('gw_');
  });

  it('backs off on failures, doubling from the 2 s default up to 30 s, with jitter', async () => {
    vi.useFakeTimers();
    const waits: number[] = [];
    let attempts = 0;
    const client = openLiveStream({
      token: () => 'gw_k',
      onEvent: () => {},
      onStatus: (s: LiveStatus) => {
        if (s.state === 'waiting') waits.push(s.retryInMs!);
      },
      fetchImpl: async () => {
        attempts++;
        if (attempts === 2) return new Response('{"error":{"code":"GW_API_LIVE_OFF"}}', { status: 503, headers: { 'content-type': 'application/json' } });
        throw new TypeError('network down');
      },
    });
    for (let i = 0; i < 7; i++) await vi.advanceTimersByTimeAsync(40_000);
    client.close();
    expect(waits.length).toBeGreaterThanOrEqual(7);
    const bases = [2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000];
    bases.forEach((base, i) => {
      expect(waits[i]).toBeGreaterThanOrEqual(Math.min(base, 30_000) * 0.8);
      expect(waits[i]).toBeLessThanOrEqual(Math.min(base * 1.2, 36_000));
    });
  });

  it('stops for good on a 401 and says so', async () => {
    let attempts = 0;
    const unauthorized = deferred();
    const states: string[] = [];
    openLiveStream({
      token: () => 'gw_revoked',
      onEvent: () => {},
      onStatus: (s) => states.push(s.state),
      onUnauthorized: () => unauthorized.resolve(),
      fetchImpl: async () => {
        attempts++;
        return new Response('{}', { status: 401 });
      },
    });
    await unauthorized.promise;
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts).toBe(1);
    expect(states).toEqual(['connecting', 'stopped']);
  });
});
