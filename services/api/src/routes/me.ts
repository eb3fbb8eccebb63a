import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { seesPseudonyms, visibleAthletes } from '../auth/principal.ts';

/**
 * `GET /v1/me`: who the key (or token) is — its id, role, the athletes it may
 * see and whether its exports are pseudonymised — so a client (the
 * dashboard) can offer what the caller may do, e.g. acknowledging alerts.
 * Never the key or its hash.
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/v1/me', { schema: { querystring: z.object({}).strict(), tags: ['auth'], summary: 'Who this key is: id, role, visible athletes' } }, async (request) => {
    const principal = principalOf(request);
    return { id: principal.id, role: principal.role, athletes: visibleAthletes(principal), pseudonymisedExports: seesPseudonyms(principal) };
  });
};

export const meRoutes = fp(routes, { name: 'gaitwatch-me', fastify: '5.x', encapsulate: true });
