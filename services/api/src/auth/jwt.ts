import { ID_PATTERN } from '@gaitwatch/protocol';
import { z } from 'zod';
import type { Principal } from './principal.ts';

/**
 * Bearer JWTs beside API keys, for a club's own sign-in (an identity provider
 * that issues tokens): verified by @fastify/jwt with an HMAC secret (HS256)
 * or the provider's public key (RS256 / ES256), `exp` required, issuer and
 * audience checked when configured. The claims name the principal exactly as
 * a key file entry does, and are validated the same way.
 */
export interface JwtOptions {
  /** HS256 shared secret (at least 32 characters). */
  readonly secret?: string;
  /** PEM public key of the issuer (RS256 or ES256). */
  readonly publicKey?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

const Id = z.string().regex(ID_PATTERN);

/** The claims a token must carry: `sub` (who, for logs and stream limits), `role`, and the role's athletes. */
const ClaimsSchema = z.discriminatedUnion('role', [
  z.object({ sub: Id, role: z.literal('runner'), athleteId: Id }),
  z.object({ sub: Id, role: z.literal('coach'), athleteIds: z.array(Id).max(10_000) }),
  z.object({ sub: Id, role: z.literal('researcher'), identified: z.boolean().optional() }),
  z.object({ sub: Id, role: z.literal('admin') }),
]);

/** A verified token's claims as a principal, or a reason it is not one. Ids get a `jwt:` prefix so they never collide with key ids. */
export function principalFromClaims(claims: unknown): Principal | string {
  const parsed = ClaimsSchema.safeParse(claims);
  if (!parsed.success) return `token claims: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'claims'} ${i.message}`).join('; ')}`;
  const c = parsed.data;
  const id = `jwt:${c.sub}`;
  switch (c.role) {
    case 'runner':
      return { id, role: 'runner', athleteId: c.athleteId };
    case 'coach':
      return { id, role: 'coach', athleteIds: c.athleteIds };
    case 'researcher':
      return { id, role: 'researcher', ...(c.identified === true ? { identified: true } : {}) };
    case 'admin':
      return { id, role: 'admin' };
  }
}

/** Three base64url parts: what a JWT looks like (API keys start `gw_` and have no dots). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
