import type { ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { athleteFilter } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import type { LiveEvent, LiveHub } from '../live/live-hub.ts';
import type { ApiMetrics } from '../metrics.ts';
import { IdSchema, listOf } from './query-schemas.ts';

export interface LiveRouteOptions {
  /** The hub fed by the broker; absent: the API runs without a broker and /v1/live answers 503 GW_API_LIVE_OFF. */
  readonly hub: LiveHub | undefined;
  readonly metrics: ApiMetrics;
  /** Open streams at most, in all (default 1000) and per key (default 20). */
  readonly maxStreams?: number;
  readonly maxStreamsPerKey?: number;
  /** Comment line sent this often so proxies and clients see the stream is alive, ms (default 15 s). */
  readonly heartbeatMs?: number;
  /** A client this many bytes behind is cut off (it resumes with Last-Event-ID), default 1 MiB. */
  readonly maxBufferedBytes?: number;
}

const LiveQuery = z
  .object({
    athlete: listOf(IdSchema).optional(),
    session: IdSchema.optional(),
  })
  .strict();

const RETRY_MS = 2_000;

function frame(event: LiveEvent): string {
  // JSON.stringify never emits a raw newline, so one `data:` line carries the whole event.
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
}

/**
 * `GET /v1/live`: server-sent events of the strides, alerts and session
 * starts/ends of the athletes the caller may see (narrowed by `athlete`,
 * `session`). A client that reconnects with `Last-Event-ID` gets what it
 * missed: every alert, and the strides still kept; when that cannot be told
 * (the API restarted, or the client was away too long) it gets a `reset`
 * event — reload from the REST routes — followed by every alert still kept.
 */
const routes: FastifyPluginAsyncZod<LiveRouteOptions> = async (app, options) => {
  const { hub, metrics } = options;
  const maxStreams = options.maxStreams ?? 1000;
  const maxPerKey = options.maxStreamsPerKey ?? 20;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBuffered = options.maxBufferedBytes ?? 1 << 20;
  const open = new Set<ServerResponse>();
  const perKey = new Map<string, number>();

  // Before the server waits for its connections to end: a stream never ends by itself.
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });

  app.get(
    '/v1/live',
    {
      schema: {
        querystring: LiveQuery,
        tags: ['live'],
        summary: 'Live strides, alerts and session changes (server-sent events)',
        description:
          'text/event-stream. Events `stride`, `rep` (a movement screen’s rep), `alert`, `session` (each with an `id`), `ready` on connect, `reset` when a Last-Event-ID cannot be resumed (reload alerts from /v1/alerts). Send the last id seen as the `Last-Event-ID` header when reconnecting.',
      },
    },
    async (request, reply) => {
      if (hub === undefined) throw new ApiError('GW_API_LIVE_OFF');
      const principal = principalOf(request);
      const filter = athleteFilter(principal, request.query.athlete);
      if (filter === 'forbidden') throw new ApiError('GW_API_FORBIDDEN', 'this key may not see every athlete asked for');
      if (open.size >= maxStreams) throw new ApiError('GW_API_BUSY', `this server already serves ${maxStreams} live streams; retry later`);
      const keyStreams = perKey.get(principal.id) ?? 0;
      if (keyStreams >= maxPerKey) throw new ApiError('GW_API_TOO_MANY_STREAMS', `this key already has ${maxPerKey} live streams open; close one first`);

      const visible = filter.athletes === undefined ? undefined : new Set(filter.athletes);
      const sessionId = request.query.session;
      const wanted = (e: LiveEvent): boolean => (visible === undefined || visible.has(e.athleteId)) && (sessionId === undefined || e.sessionId === sessionId);
      const lastEventId = request.headers['last-event-id'];

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx and friends buffer responses unless told not to.
        'x-accel-buffering': 'no',
      });
      open.add(raw);
      perKey.set(principal.id, keyStreams + 1);
      metrics.liveStreams.set(open.size);

      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        open.delete(raw);
        const left = (perKey.get(principal.id) ?? 1) - 1;
        if (left <= 0) perKey.delete(principal.id);
        else perKey.set(principal.id, left);
        metrics.liveStreams.set(open.size);
        if (!raw.writableEnded) raw.end();
      };
      const send = (event: LiveEvent): void => {
        if (closed || !wanted(event)) return;
        raw.write(frame(event));
        // A client that stopped reading is cut off rather than buffered without bound; it resumes by id.
        if (raw.writableLength > maxBuffered) {
          metrics.liveDropped.inc();
          close();
        }
      };

      // Replay and subscription happen in one synchronous step: no event can fall between them.
      raw.write(`retry: ${RETRY_MS}\n\n`);
      if (typeof lastEventId === 'string' && lastEventId !== '') {
        const missed = hub.replaySince(lastEventId);
        if (Array.isArray(missed)) missed.forEach(send);
        else {
          raw.write(`event: reset\ndata: ${JSON.stringify({ reason: missed.reset })}\n\n`);
          missed.events.forEach(send);
        }
      }
      // The position now, so a client that sees no event before a reconnect still resumes from here.
      raw.write(`id: ${hub.lastId}\nevent: ready\ndata: ${JSON.stringify({ lastEventId: hub.lastId })}\n\n`);
      const unsubscribe = hub.subscribe(send);
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), heartbeatMs);
      raw.on('close', close);
      raw.on('error', close);
    },
  );
};

export const liveRoutes = fp(routes, { name: 'gaitwatch-live', fastify: '5.x', encapsulate: true });
