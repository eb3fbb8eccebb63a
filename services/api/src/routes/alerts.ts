import type { GaitStore } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { athleteFilter } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { AlertTypeList, CursorSchema, IdSchema, LimitSchema, listOf, OrderSchema, RANGE_MESSAGE, rangeInOrder, SeverityList, TimeSchema } from './query-schemas.ts';

const AlertListQuery = z
  .object({
    athlete: listOf(IdSchema).optional(),
    session: IdSchema.optional(),
    type: AlertTypeList.optional(),
    severity: SeverityList.optional(),
    phase: z.enum(['raised', 'resolved']).optional(),
    from: TimeSchema.optional(),
    to: TimeSchema.optional(),
    order: OrderSchema.optional(),
    limit: LimitSchema.optional(),
    cursor: CursorSchema.optional(),
  })
  .strict()
  .refine(rangeInOrder, RANGE_MESSAGE);

/** `GET /v1/alerts`: alerts of the athletes the caller may see, oldest first unless `order=desc`. */
const routes: FastifyPluginAsyncZod<{ store: GaitStore }> = async (app, { store }) => {
  app.get('/v1/alerts', { schema: { querystring: AlertListQuery, tags: ['alerts'], summary: 'Alerts the caller may see' } }, async (request) => {
    const q = request.query;
    const filter = athleteFilter(principalOf(request), q.athlete);
    if (filter === 'forbidden') throw new ApiError('GW_API_FORBIDDEN', 'this key may not see every athlete asked for');
    if (filter.athletes !== undefined && filter.athletes.length === 0) return { items: [], next: null };
    return store.queryAlerts({
      ...(filter.athletes !== undefined ? { athleteId: filter.athletes } : {}),
      ...(q.session !== undefined ? { sessionId: q.session } : {}),
      ...(q.type !== undefined ? { type: q.type } : {}),
      ...(q.severity !== undefined ? { severity: q.severity } : {}),
      ...(q.phase !== undefined ? { phase: q.phase } : {}),
      ...(q.from !== undefined ? { fromUs: q.from } : {}),
      ...(q.to !== undefined ? { toUs: q.to } : {}),
      ...(q.order !== undefined ? { order: q.order } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
    });
  });
};

export const alertRoutes = fp(routes, { name: 'gaitwatch-alerts', fastify: '5.x', encapsulate: true });
