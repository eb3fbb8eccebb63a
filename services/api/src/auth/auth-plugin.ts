import fastifyJwt from '@fastify/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.ts';
import { looksLikeJwt, principalFromClaims, type JwtOptions } from './jwt.ts';
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
 * A bearer token shaped like a JWT is verified instead when JWTs are
 * configured (auth/jwt.ts); a bad, expired or foreign one is 401 too.
 * Runs onRequest, before validation, so an anonymous caller learns nothing
 * about a route's parameters.
 */
export const authPlugin = fp<{ keys: KeyRing; jwt?: JwtOptions }>(
  async (app, { keys, jwt }) => {
    app.decorateRequest('principal', null);
    if (jwt !== undefined) {
      const asymmetric = jwt.publicKey !== undefined;
      await app.register(fastifyJwt, {
        // Verify only: this API issues no tokens, so it holds no private key.
        secret: asymmetric ? { public: jwt.publicKey!, private: 'unused: this API never signs' } : jwt.secret!,
        verify: {
          // Pinned: a token cannot pick its own algorithm (no `none`, no HS256 signed with a public key).
          algorithms: asymmetric ? ['RS256', 'ES256'] : ['HS256'],
          requiredClaims: ['exp', 'sub', 'role'],
          ...(jwt.issuer !== undefined ? { allowedIss: jwt.issuer } : {}),
          ...(jwt.audience !== undefined ? { allowedAud: jwt.audience } : {}),
          clockTolerance: 30,
        },
      });
    }
    const fromJwt = async (request: FastifyRequest): Promise<ReturnType<KeyRing['authenticate']>> => {
      let claims: unknown;
      try {
        claims = await request.jwtVerify();
      } catch (error) {
        throw new ApiError('GW_API_UNAUTHORIZED', `invalid token: ${(error as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED' ? 'expired' : 'signature, algorithm, issuer, audience or claims not accepted'}`);
      }
      const principal = principalFromClaims(claims);
      if (typeof principal === 'string') throw new ApiError('GW_API_UNAUTHORIZED', principal);
      return principal;
    };
    app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
      const config = request.routeOptions.config;
      if (config.public === true) return;
      const key = presentedKey(request);
      const bearerJwt = jwt !== undefined && key !== undefined && looksLikeJwt(key) && typeof request.headers.authorization === 'string';
      const principal = key === undefined ? null : bearerJwt ? await fromJwt(request) : keys.authenticate(key);
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
