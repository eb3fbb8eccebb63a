import type { GaitStore } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../errors.ts';
import type { ApiMetrics } from '../metrics.ts';

/**
 * Probes and metrics. `/healthz` (the process answers) and `/readyz` (the
 * store answers a query) are public so load balancers need no key;
 * `/metrics` needs an admin key (Prometheus sends it as a bearer token).
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore; metrics: ApiMetrics }> = async (app, { store, metrics }) => {
  app.get('/healthz', { config: { public: true }, schema: { tags: ['ops'], hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true }, schema: { tags: ['ops'], hide: true } }, async () => {
    try {
      // The cheapest read both stores answer: proves the database file / InfluxDB is there and queryable.
      await store.querySessions({ limit: 1 });
    } catch (error) {
      app.log.warn({ err: error }, 'readiness check: store query failed');
      throw new ApiError('GW_API_NOT_READY', 'the store does not answer queries');
    }
    return { status: 'ready', store: store.kind };
  });

  app.get('/metrics', { config: { roles: ['admin'] }, schema: { tags: ['ops'], hide: true } }, async (_request, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};

export const healthRoutes = fp(routes, { name: 'gaitwatch-health', fastify: '5.x', encapsulate: true });
