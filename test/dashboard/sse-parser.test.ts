/**
 * The dashboard's server-sent-events parser (services/api/dashboard/sse-parser.js),
 * a pure function over text chunks: the WHATWG rules it follows, and that the
 * chunking of a stream never changes what comes out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialSseState, parseSse, parseSseChunk, type SseItem } from '../../services/api/dashboard/sse-parser.js';

const events = (items: SseItem[]) => items.filter((i) => i.kind === 'event');

const STREAM = [
  ': ping',
  'retry: 2000',
  '',
  'id: ab12cd34-1',
  'event: stride',
  'data: {"athleteId":"r1","sessionId":"s1","side":"left","icUs":1780000000000000,"pelvicDropDeg":5.2}',
  '',
  'id: ab12cd34-2',
  'event: alert',
  'data: {"type":"form_breakdown","phase":"raised"}',
  '',
  'event: reset',
  'data: {"reason":"unknown_stream"}',
  '',
  '',
].join('\n');

describe('SSE parser', () => {
  it('parses the live stream contract: events with type, data and the id in force, retry, comments', () => {
    const { items, state } = parseSse([STREAM]);
    expect(items[0]).toEqual({ kind: 'comment', text: 'ping' });
    expect(items[1]).toEqual({ kind: 'retry', ms: 2000 });
    const evs = events(items);
    expect(evs.map((e) => e.kind === 'event' && e.event)).toEqual(['stride', 'alert', 'reset']);
    expect(evs.map((e) => e.kind === 'event' && e.id)).toEqual(['ab12cd34-1', 'ab12cd34-2', 'ab12cd34-2']);
    const first = evs[0]!;
    expect(first.kind === 'event' && JSON.parse(first.data)).toMatchObject({ athleteId: 'r1', side: 'left', pelvicDropDeg: 5.2 });
    expect(state.lastEventId).toBe('ab12cd34-2');
  });

  it('gives the same items for any chunking, including a CRLF split between chunks', () => {
    const crlf = STREAM.replace(/\n/g, '\r\n');
    const whole = parseSse([crlf]).items;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: crlf.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let at = 0;
        for (const p of points) {
          chunks.push(crlf.slice(at, p));
          at = p;
        }
        chunks.push(crlf.slice(at));
        expect(parseSse(chunks).items).toEqual(whole);
      }),
    );
    // One character at a time: every CR sits at a chunk end with its LF in the next chunk.
    expect(parseSse([...crlf]).items).toEqual(whole);
  });

  it('treats CR, LF and CRLF alike as line ends', () => {
    const lf = parseSse(['event: a\ndata: 1\n\n']).items;
    expect(parseSse(['event: a\rdata: 1\r\r']).items).toEqual(lf);
    expect(parseSse(['event: a\r\ndata: 1\r\n\r\n']).items).toEqual(lf);
  });

  it('joins multi-line data with newlines, defaults the type to message, strips one leading space only', () => {
    const evs = events(parseSse(['data: a\ndata:  b\ndata\n\n']).items);
    expect(evs).toEqual([{ kind: 'event', event: 'message', data: 'a\n b\n', id: '' }]);
  });

  it('does not dispatch an event without data, but keeps its id for Last-Event-ID', () => {
    const { items, state } = parseSse(['id: x-7\n\n', 'event: alert\n\n']);
    expect(events(items)).toEqual([]);
    expect(state.lastEventId).toBe('x-7');
  });

  it('ignores an id with NUL, a non-numeric retry, unknown fields and a leading BOM', () => {
    const { items, state } = parseSse(['\uFEFFid: good\n', 'id: bad\u0000\nretry: 2s\nfoo: bar\ndata: x\n\n']);
    expect(items).toEqual([{ kind: 'event', event: 'message', data: 'x', id: 'good' }]);
    expect(state.lastEventId).toBe('good');
  });

  it('drops an unterminated last event (the stream ended mid-event) and keeps the partial line in state', () => {
    const { items, state } = parseSse(['event: stride\ndata: {"a":1}']);
    expect(items).toEqual([]);
    expect(state.partial).toBe('data: {"a":1}');
  });

  it('does not modify the state it is given', () => {
    const start = initialSseState();
    const frozen = Object.freeze({ ...start });
    const { state } = parseSseChunk(frozen, 'data: 1\n');
    expect(frozen).toEqual(start);
    expect(state.hasData).toBe(true);
  });
});
