import { Readable } from 'node:stream';
import { allPages, type GaitStore, type SessionRecord } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { athleteFilter, seesPseudonyms } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { exportManifest, STRIDE_COLUMNS } from '../export-manifest.ts';
import { pickColumns } from './export-lines.ts';
import { IdSchema, listOf, RANGE_MESSAGE, rangeInOrder, TimeSchema } from './query-schemas.ts';

const CohortQuery = z
  .object({
    athlete: listOf(IdSchema).optional().meta({ description: 'athletes to export (comma-separated; default every athlete the key may see)' }),
    from: TimeSchema.optional().meta({ description: 'sessions that started at or after this (µs or ISO 8601 with zone)' }),
    to: TimeSchema.optional().meta({ description: 'sessions that started before this' }),
    side: z.enum(['left', 'right']).optional().meta({ description: 'the leg' }),
  })
  .strict()
  .refine(rangeInOrder, RANGE_MESSAGE);

/** Sessions per store read: the export holds one page of sessions and one page of strides at a time. */
const SESSION_PAGE = 500;
/** Hand the stream ~64 KiB at a time (as the per-session exports do). */
const CHUNK_CHARS = 65_536;

/** Ended runs of the cohort in start order (a running session's strides are not all there yet; screens have reps). */
async function* endedRuns(store: GaitStore, query: { athletes: readonly string[] | undefined; fromUs?: number; toUs?: number }): AsyncGenerator<SessionRecord> {
  const sessions = allPages((cursor) =>
    store.querySessions({
      ...(query.athletes !== undefined ? { athleteId: query.athletes } : {}),
      ...(query.fromUs !== undefined ? { fromUs: query.fromUs } : {}),
      ...(query.toUs !== undefined ? { toUs: query.toUs } : {}),
      activity: 'run',
      order: 'asc',
      limit: SESSION_PAGE,
      ...(cursor !== undefined ? { cursor } : {}),
    }),
  );
  for await (const session of sessions) if (session.endUs !== null) yield session;
}

/**
 * The cohort's lines: per session its manifest (what the per-session export
 * starts with), then its strides, each naming athlete and session so a line
 * stands alone; last an `end` line with the counts — a file without it was
 * cut short.
 */
async function* cohortLines(store: GaitStore, sessions: AsyncIterable<SessionRecord>, name: (athleteId: string) => string, side: 'left' | 'right' | undefined): AsyncGenerator<string> {
  const now = new Date();
  let sessionCount = 0;
  let strideCount = 0;
  let buffer = '';
  for await (const session of sessions) {
    const athleteId = name(session.athleteId);
    const manifest = exportManifest(session, now, athleteId === session.athleteId ? undefined : athleteId, 'strides');
    buffer += `${JSON.stringify(manifest)}\n`;
    sessionCount++;
    for await (const stride of store.streamStrides({ athleteId: session.athleteId, sessionId: session.sessionId, ...(side !== undefined ? { side } : {}) })) {
      buffer += `${JSON.stringify({ kind: 'stride', athleteId, sessionId: session.sessionId, ...pickColumns(stride as unknown as Record<string, unknown>, STRIDE_COLUMNS) })}\n`;
      strideCount++;
      if (buffer.length >= CHUNK_CHARS) {
        yield buffer;
        buffer = '';
      }
    }
  }
  yield `${buffer}${JSON.stringify({ kind: 'end', sessions: sessionCount, strides: strideCount })}\n`;
}

/**
 * `GET /v1/strides.ndjson`: every stride of every ended run of the athletes
 * the key may see (narrowed by `athlete`, session start `from`/`to`, `side`),
 * streamed — for a study, one request instead of one per session. A
 * researcher's export names athletes by pseudonym as the per-session one does.
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore; pseudonym: (athleteId: string) => string }> = async (app, { store, pseudonym }) => {
  app.get(
    '/v1/strides.ndjson',
    {
      schema: {
        querystring: CohortQuery,
        tags: ['export'],
        summary: 'Every stride of every ended run the key may see, as NDJSON: per session its manifest, then its strides; an end line with the counts',
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const q = request.query;
      const filter = athleteFilter(principal, q.athlete);
      if (filter === 'forbidden') throw new ApiError('GW_API_FORBIDDEN', 'this key may not see every athlete asked for');
      const pseudonymised = seesPseudonyms(principal);
      const name = pseudonymised ? pseudonym : (athleteId: string) => athleteId;
      // A coach with an empty roster exports nothing (an empty filter would mean "everyone" to the store).
      const sessions = filter.athletes !== undefined && filter.athletes.length === 0 ? (async function* () {})() : endedRuns(store, { athletes: filter.athletes, ...(q.from !== undefined ? { fromUs: q.from } : {}), ...(q.to !== undefined ? { toUs: q.to } : {}) });
      request.log.info({ athletes: filter.athletes ?? 'all', from: q.from ?? null, to: q.to ?? null, pseudonymised }, 'cohort stride export');
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', 'attachment; filename="gaitwatch_strides.ndjson"')
        .send(Readable.from(cohortLines(store, sessions, name, q.side)));
    },
  );
};

export const cohortExportRoutes = fp(routes, { name: 'gaitwatch-cohort-export', fastify: '5.x', encapsulate: true });
