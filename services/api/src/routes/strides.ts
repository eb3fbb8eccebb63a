import { Readable } from 'node:stream';
import type { GaitStore, StrideRecord } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { seesPseudonyms } from '../auth/principal.ts';
import { exportManifest, STRIDE_COLUMNS } from '../export-manifest.ts';
import { csvLines, ndjsonLines, pickColumns } from './export-lines.ts';
import { CursorSchema, LimitSchema, RANGE_MESSAGE, rangeInOrder, SessionPathSchema, TimeSchema } from './query-schemas.ts';
import { assertCanSee, sessionOr404 } from './sessions.ts';

const StridePageQuery = z
  .object({ from: TimeSchema.optional(), to: TimeSchema.optional(), side: z.enum(['left', 'right']).optional(), limit: LimitSchema.optional(), cursor: CursorSchema.optional() })
  .strict()
  .refine(rangeInOrder, RANGE_MESSAGE);

const ExportQuery = z.object({ side: z.enum(['left', 'right']).optional() }).strict();

function strideRow(stride: StrideRecord): Record<string, unknown> {
  return pickColumns(stride, STRIDE_COLUMNS);
}

/**
 * Strides of one session: `GET …/strides` (JSON pages: cursor + time range),
 * `GET …/strides.csv` and `…/strides.ndjson` (the whole session streamed
 * through store.streamStrides, one store page in memory at a time).
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore; pseudonym: (athleteId: string) => string }> = async (app, { store, pseudonym }) => {
  app.get(
    '/v1/sessions/:athleteId/:sessionId/strides',
    { schema: { params: SessionPathSchema, querystring: StridePageQuery, tags: ['strides'], summary: 'One page of a session’s strides, in time order' } },
    async (request) => {
      const { athleteId, sessionId } = request.params;
      assertCanSee(principalOf(request), athleteId);
      await sessionOr404(store, athleteId, sessionId);
      const q = request.query;
      const page = await store.queryStrides({
        athleteId,
        sessionId,
        ...(q.from !== undefined ? { fromUs: q.from } : {}),
        ...(q.to !== undefined ? { toUs: q.to } : {}),
        ...(q.side !== undefined ? { side: q.side } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      });
      return { items: page.items.map(strideRow), next: page.next };
    },
  );

  for (const format of ['csv', 'ndjson'] as const) {
    app.get(
      `/v1/sessions/:athleteId/:sessionId/strides.${format}`,
      { schema: { params: SessionPathSchema, querystring: ExportQuery, tags: ['export'], summary: `The whole session’s strides as ${format.toUpperCase()}, with the analysis version and parameters` } },
      async (request, reply) => {
        const { athleteId, sessionId } = request.params;
        const principal = principalOf(request);
        assertCanSee(principal, athleteId);
        const session = await sessionOr404(store, athleteId, sessionId);
        // A researcher's export names the athlete by pseudonym (issue 12), unless an admin granted `identified`.
        const named = seesPseudonyms(principal) ? pseudonym(athleteId) : athleteId;
        const manifest = exportManifest(session, new Date(), named === athleteId ? undefined : named);
        const strides = store.streamStrides({ athleteId, sessionId, ...(request.query.side !== undefined ? { side: request.query.side } : {}) });
        const lines = format === 'csv' ? csvLines('gaitwatch stride export', manifest, strides) : ndjsonLines('stride', manifest, strides);
        request.log.info({ athleteId, sessionId, format, pseudonymised: named !== athleteId }, 'stride export');
        return reply
          .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="${named}_${sessionId}_strides.${format}"`)
          .header('x-gaitwatch-analysis-version', manifest.analysis.version)
          .send(Readable.from(lines));
      },
    );
  }
};

export const strideRoutes = fp(routes, { name: 'gaitwatch-strides', fastify: '5.x', encapsulate: true });
