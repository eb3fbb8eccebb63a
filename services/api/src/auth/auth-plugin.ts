import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.ts';
import type { KeyRing } from './keys.ts';
import type { Principal, Role } from './principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin on every route that is not `config.public`. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** No key needed (health probes only). */
    public?: boolean;
    /** Roles allowed on the route (default: every role; athlete checks happen in the route). */
    roles?: readonly Role[];
  }
}

/** The key of a request: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

/**
 * Authentication on every route unless the route says `config: { public: true }`:
 * no key or an unknown key → 401, a role the route does not admit → 403.
 * Runs onRequest, before validation, so an anonymous caller learns nothing
 * about a route's parameters.
 */
export const authPlugin = fp<{ keys: KeyRing }>(
  async (app, { keys }) => {
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
      const config = request.routeOptions.config;
      if (config.public === true) return;
      const key = presentedKey(request);
      const principal = key === undefined ? null : keys.authenticate(key);
      if (principal === null) throw new ApiError('GW_API_UNAUTHORIZED', key === undefined ? 'send an API key: Authorization: Bearer <key>' : 'unknown API key');
      request.principal = principal;
      if (config.roles !== undefined && !config.roles.includes(principal.role)) {
        throw new ApiError('GW_API_FORBIDDEN', `role ${principal.role} may not use this route`);
      }
    });
  },
  { name: 'gaitwatch-auth', fastify: '5.x' },
);

/** The caller of an authenticated route (the auth hook guarantees it). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new ApiError('GW_API_UNAUTHORIZED');
  return request.principal;
}
