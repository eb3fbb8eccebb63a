import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { GaitStore } from '@gaitwatch/storage';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import apiPackage from '../package.json' with { type: 'json' };
import { authPlugin } from './auth/auth-plugin.ts';
import type { JwtOptions } from './auth/jwt.ts';
import type { KeyRing } from './auth/keys.ts';
import { ApiError, API_ERRORS, errorBody, type ApiErrorCode, type ErrorDetail } from './errors.ts';
import { ApiMetrics } from './metrics.ts';
import { alertAckRoutes } from './routes/alert-ack.ts';
import { alertRoutes } from './routes/alerts.ts';
import { athleteRoutes } from './routes/athletes.ts';
import { coachingRoutes } from './routes/coaching.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import type { LiveHub } from './live/live-hub.ts';
import { healthRoutes } from './routes/health.ts';
import { liveRoutes } from './routes/live.ts';
import { meRoutes } from './routes/me.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { screenRoutes } from './routes/screens.ts';
import { strideRoutes } from './routes/strides.ts';
import { cohortExportRoutes } from './routes/cohort-export.ts';

export interface BuildAppOptions {
  /** Where sessions, strides and alerts are read from (LocalStore or InfluxStore). The app does not close it. */
  readonly store: GaitStore;
  /** Who may call: the hashed API keys and their principals, and optionally bearer JWTs (auth/jwt.ts). */
  readonly auth: { readonly keys: KeyRing; readonly jwt?: JwtOptions };
  /** A pino logger (or `false`/absent for none); request logs never carry the key. */
  readonly logger?: FastifyBaseLogger | false;
  /** Requests per client IP per window; `false` turns limiting off. Default 600 per minute. */
  readonly rateLimit?: { readonly max: number; readonly timeWindowMs: number } | false;
  /** Serve the OpenAPI document at /docs/json and its page at /docs (default true). */
  readonly docs?: boolean;
  /** Live events to stream at /v1/live (fed by the broker, see live/mqtt-feed.ts); absent: /v1/live answers 503 GW_API_LIVE_OFF. */
  readonly live?: { readonly hub: LiveHub; readonly maxStreams?: number; readonly maxStreamsPerKey?: number; readonly heartbeatMs?: number; readonly maxBufferedBytes?: number };
  /** The clock the coaching reports default to when a request names no `at`, µs since the epoch (default: the system clock; tests pin it). */
  readonly nowUs?: () => number;
  /** Collect process metrics (CPU, memory, event loop) into /metrics too (default false: tests build many apps). */
  readonly processMetrics?: boolean;
}

export type ApiApp = FastifyInstance & { readonly metrics: ApiMetrics };

/** 400 details from zod's issues: which field of which part of the request, and what is wrong with it. */
function validationDetails(error: { validation: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[]; validationContext?: string }): ErrorDetail[] {
  return error.validation.map((issue) => {
    const keys = issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params['keys']) ? (issue.params['keys'] as string[]) : undefined;
    return {
      in: error.validationContext ?? 'request',
      field: keys !== undefined ? keys.join(',') : issue.instancePath.replace(/^\//, '').replace(/\//g, '.'),
      problem: keys !== undefined ? 'unknown parameter' : (issue.message ?? issue.keyword),
    };
  });
}

/** Longest path parameter the router takes: ids are at most 64 characters, anything longer is a mistake or an attack. */
const MAX_PARAM_CHARS = 100;

/** What the router's own errors answer (Fastify's frameworkErrors: a path it cannot decode, a segment over maxParamLength). */
function routerError(error: FastifyError): { code: ApiErrorCode; message: string } {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return { code: 'GW_API_BAD_REQUEST', message: `the path is not valid URL encoding (${error.message}): a % must start a UTF-8 escape such as %2F; encode each part with encodeURIComponent` };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { code: 'GW_API_BAD_PATH', message: `a path segment is over ${MAX_PARAM_CHARS} characters: ids match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}` };
    default:
      return { code: 'GW_API_INTERNAL', message: API_ERRORS.GW_API_INTERNAL.message };
  }
}

/** A rate-limit window in words: `minute` (API_RATE_LIMIT_PER_MIN's), `5 minutes`, `10 seconds`. */
function windowWords(windowMs: number): string {
  if (windowMs === 60_000) return 'minute';
  return windowMs % 60_000 === 0 ? `${windowMs / 60_000} minutes` : `${windowMs / 1000} seconds`;
}

/**
 * The API, built and not listening (CONVENTIONS.md "From fastify"): tests
 * call `inject()`, server.ts calls `listen()`. Await `app.ready()` (or
 * inject) before use, and `app.close()` after.
 */
export async function buildApp(options: BuildAppOptions): Promise<ApiApp> {
  const app = Fastify({
    // Fastify 5 takes a ready pino instance as `loggerInstance`.
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    routerOptions: { maxParamLength: MAX_PARAM_CHARS },
    // The router answers a path it cannot decode (or an over-long id) itself, before any hook and never through
    // setErrorHandler: without this the client gets Fastify's own body, not the catalogue's envelope.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      const { code, message } = routerError(error);
      if (code === 'GW_API_INTERNAL') request.log.error({ err: error }, 'request failed in the router');
      return reply.status(API_ERRORS[code].status).send(errorBody(code, message, undefined, request.id));
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const metrics = new ApiMetrics({ defaultMetrics: options.processMetrics ?? false });
  metrics.watchStore(options.store);
  app.decorate('metrics', metrics);

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    let code: ApiErrorCode;
    let message: string;
    let details: readonly ErrorDetail[] | undefined;
    let status: number | undefined;
    if (error instanceof ApiError) {
      ({ code, message, details } = error);
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      code = error.validationContext === 'params' ? 'GW_API_BAD_PATH' : 'GW_API_BAD_QUERY';
      details = validationDetails(error as Parameters<typeof validationDetails>[0]);
      message = `invalid ${error.validationContext ?? 'request'}: ${details.map((d) => `${d.field || '(all)'} ${d.problem}`).join('; ')}`;
    } else if (error.statusCode === 429) {
      code = 'GW_API_RATE_LIMITED';
      message = API_ERRORS.GW_API_RATE_LIMITED.message;
    } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own 4xx (unsupported content type, bad headers …): the client's mistake, said in fastify's words.
      code = 'GW_API_BAD_REQUEST';
      message = error.message;
      status = error.statusCode;
    } else {
      request.log.error({ err: error }, 'request failed');
      code = 'GW_API_INTERNAL';
      message = API_ERRORS.GW_API_INTERNAL.message;
    }
    if (code === 'GW_API_UNAUTHORIZED' || code === 'GW_API_FORBIDDEN') metrics.authFailures.inc({ code });
    return reply.status(status ?? API_ERRORS[code].status).send(errorBody(code, message, details, request.id));
  });

  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('GW_API_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, undefined, request.id)));

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
  });

  if (options.rateLimit !== false) {
    const limit = options.rateLimit ?? { max: 600, timeWindowMs: 60_000 };
    // Keyed by client IP, and an app-level onRequest hook added before the auth hook: it runs first, so
    // guessing keys (requests that end in 401) is limited too. (With `global: true` the limit would be a
    // route-level hook, which runs after the auth hook.)
    await app.register(rateLimit, {
      global: false,
      // context.after is the time left until the window resets (what Retry-After says), not the window itself.
      errorResponseBuilder: (_request, context) =>
        new ApiError('GW_API_RATE_LIMITED', `rate limit of ${context.max} request${context.max === 1 ? '' : 's'} per ${windowWords(limit.timeWindowMs)} reached; retry in ${context.after} (Retry-After)`),
    });
    app.addHook('onRequest', app.rateLimit({ max: limit.max, timeWindow: limit.timeWindowMs }));
  }

  if (options.docs ?? true) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'gaitwatch API', version: apiPackage.version, description: 'Sessions, strides and alerts of runners (services/api/README.md).' },
        components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key (gw_…)' } } },
        security: [{ apiKey: [] }],
      },
      transform: jsonSchemaTransform,
    });
    // The docs are about the API, not behind it: the page's routes are public (hook first: it sees routes added after it).
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), public: true };
    });
    // Assets come from the installed package (no CDN): the page works offline.
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false } });
  }

  await app.register(authPlugin, { keys: options.auth.keys, ...(options.auth.jwt !== undefined ? { jwt: options.auth.jwt } : {}) });
  await app.register(healthRoutes, { store: options.store, metrics });
  await app.register(sessionRoutes, { store: options.store });
  await app.register(strideRoutes, { store: options.store, pseudonym: (athleteId: string) => options.auth.keys.pseudonym(athleteId) });
  await app.register(cohortExportRoutes, { store: options.store, pseudonym: (athleteId: string) => options.auth.keys.pseudonym(athleteId) });
  await app.register(screenRoutes, { store: options.store, pseudonym: (athleteId: string) => options.auth.keys.pseudonym(athleteId), ...(options.nowUs !== undefined ? { now: options.nowUs } : {}) });
  await app.register(alertRoutes, { store: options.store });
  await app.register(athleteRoutes, { store: options.store });
  await app.register(coachingRoutes, {
    store: options.store,
    roster: (coachId: string) => {
      const p = options.auth.keys.principalById(coachId);
      return p?.role === 'coach' ? p.athleteIds : null;
    },
    ...(options.nowUs !== undefined ? { now: options.nowUs } : {}),
  });
  await app.register(meRoutes);
  await app.register(alertAckRoutes, { store: options.store });
  await app.register(liveRoutes, { ...options.live, hub: options.live?.hub, metrics });
  await app.register(dashboardRoutes);
  return app as unknown as ApiApp;
}
