/**
 * Bearer JWTs beside API keys: a token's claims name the principal as a key
 * file entry does, and every way a token can be wrong is a 401 — expired, bad
 * signature, `alg: none`, an HS256 token signed with the issuer's public key
 * (algorithm confusion), the wrong issuer or audience, claims that are not a
 * principal. Tokens are signed here with node:crypto, independently of the
 * library that verifies them.
 */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, KeyRing, loadApiConfig, ApiConfigError, type ApiApp } from '@gaitwatch/api';
import { LocalStore } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ENTRIES, KEYS, PEPPER, SESSIONS } from './helpers.ts';

const SECRET = 'a-club-identity-provider-secret-0123456789';
const b64 = (value: object | Buffer): string => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

function hs256(claims: object, secret: string | Buffer = SECRET, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const body = `${b64(header)}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
function rs256(claims: object, key: KeyObject): string {
  const body = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${sign('sha256', Buffer.from(body), key).toString('base64url')}`;
}
const runner = (athleteId: string, extra: object = {}) => ({ sub: `u-${athleteId}`, role: 'runner', athleteId, exp: now() + 600, iss: 'club-idp', aud: 'gaitwatch', ...extra });

let dir: string;
let store: LocalStore;
let hsApp: ApiApp;
let rsApp: ApiApp;
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-api-jwt-'));
  store = new LocalStore({ dataDir: dir });
  await store.write({ sessions: SESSIONS });
  const keys = new KeyRing(KEY_ENTRIES, PEPPER);
  hsApp = await buildApp({ store, auth: { keys, jwt: { secret: SECRET, issuer: 'club-idp', audience: 'gaitwatch' } }, rateLimit: false, docs: false });
  rsApp = await buildApp({ store, auth: { keys, jwt: { publicKey: publicPem } }, rateLimit: false, docs: false });
});
afterAll(async () => {
  await hsApp.close();
  await rsApp.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (app: ApiApp, url: string, token: string) => app.inject({ url, headers: { authorization: `Bearer ${token}` } });

describe('JWT bearer tokens', () => {
  it('a valid token is the principal its claims name: a runner sees their own athlete, not another', async () => {
    const token = hs256(runner('r1'));
    expect((await get(hsApp, '/v1/sessions/r1/s1', token)).statusCode).toBe(200);
    const other = await get(hsApp, '/v1/sessions/r2/s1', token);
    expect(other.statusCode).toBe(403);
    const coach = hs256({ sub: 'c1', role: 'coach', athleteIds: ['r2'], exp: now() + 600, iss: 'club-idp', aud: 'gaitwatch' });
    expect((await get(hsApp, '/v1/sessions/r2/s1', coach)).statusCode).toBe(200);
    expect((await get(hsApp, '/v1/sessions/r1/s1', coach)).statusCode).toBe(403);
    expect((await get(hsApp, '/metrics', coach)).statusCode).toBe(403);
    // API keys keep working beside tokens.
    expect((await get(hsApp, '/v1/sessions/r1/s1', KEYS.runnerR1)).statusCode).toBe(200);
  });

  it('a coach signed in with a token reads their own digest under the id /v1/me gives them, and nobody else’s', async () => {
    const coach = hs256({ sub: 'c1', role: 'coach', athleteIds: ['r2'], exp: now() + 600, iss: 'club-idp', aud: 'gaitwatch' });
    const me = (await get(hsApp, '/v1/me', coach)).json() as { id: string };
    expect(me.id).toBe('jwt:c1');
    const own = await get(hsApp, `/v1/coaches/${encodeURIComponent(me.id)}/digest`, coach);
    expect(own.statusCode, own.body).toBe(200);
    expect((own.json() as { athletes: { athleteId: string }[] }).athletes.map((a) => a.athleteId)).toEqual(['r2']);
    // Another token coach, and a key coach of the same name: 403.
    expect((await get(hsApp, `/v1/coaches/${encodeURIComponent('jwt:c2')}/digest`, coach)).statusCode).toBe(403);
    expect((await get(hsApp, '/v1/coaches/c1/digest', coach)).statusCode).toBe(403);
    // An admin cannot look up a token coach's roster (only their token carries it): 404 that says so.
    const admin = await get(hsApp, `/v1/coaches/${encodeURIComponent('jwt:c1')}/digest`, KEYS.admin);
    expect(admin.statusCode).toBe(404);
    expect(admin.json().error.message).toMatch(/known only from their tokens/);
    for (const bad of ['jwt:', 'jwt:-x', 'jwt:a b', 'jwtx:c1']) {
      const res = await get(hsApp, `/v1/coaches/${encodeURIComponent(bad)}/digest`, KEYS.admin);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.message).toMatch(/key id .* or jwt: and a token subject/);
    }
  });

  it('refuses every wrong token with 401', async () => {
    const refused: [string, string][] = [
      ['expired', hs256(runner('r1', { exp: now() - 120 }))],
      ['no exp', hs256((({ exp: _e, ...c }) => c)(runner('r1')))],
      ['wrong secret', hs256(runner('r1'), 'another-secret-of-enough-length-000000')],
      ['tampered claims', (() => { const [h, , s] = hs256(runner('r1')).split('.'); return `${h}.${b64(runner('r2'))}.${s}`; })()],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(runner('r1'))}.`],
      ['wrong issuer', hs256(runner('r1', { iss: 'elsewhere' }))],
      ['wrong audience', hs256(runner('r1', { aud: 'other-app' }))],
      ['role outside the contract', hs256(runner('r1', { role: 'superuser' }))],
      ['runner without athlete', hs256((({ athleteId: _a, ...c }) => c)(runner('r1')))],
      ['athlete id with a wildcard', hs256(runner('r1', { athleteId: '+' }))],
    ];
    for (const [what, token] of refused) {
      const res = await get(hsApp, '/v1/sessions/r1/s1', token);
      expect(res.statusCode, what).toBe(401);
      expect(res.json().error.code, what).toBe('GW_API_UNAUTHORIZED');
    }
  });

  it('with the issuer’s public key: RS256 accepted, an HS256 token signed with the public key refused (algorithm confusion)', async () => {
    expect((await get(rsApp, '/v1/sessions/r1/s1', rs256(runner('r1'), privateKey))).statusCode).toBe(200);
    expect((await get(rsApp, '/v1/sessions/r1/s1', hs256(runner('r1'), Buffer.from(publicPem)))).statusCode).toBe(401);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await get(rsApp, '/v1/sessions/r1/s1', rs256(runner('r1'), other))).statusCode).toBe(401);
  });

  it('an API without JWT configured treats a token as an unknown key', async () => {
    const keysOnly = await buildApp({ store, auth: { keys: new KeyRing(KEY_ENTRIES, PEPPER) }, rateLimit: false, docs: false });
    const res = await get(keysOnly, '/v1/sessions/r1/s1', hs256(runner('r1')));
    expect(res.statusCode).toBe(401);
    await keysOnly.close();
  });

  it('configuration: a short secret, both secret and key file, issuer without a verifier are refused', () => {
    const base = { DATA_DIR: dir, API_KEYS_FILE: join(dir, 'k.json'), API_KEY_PEPPER: PEPPER };
    expect(() => loadApiConfig({ ...base, API_JWT_SECRET: 'short' })).toThrow(/API_JWT_SECRET.*32/);
    expect(() => loadApiConfig({ ...base, API_JWT_SECRET: SECRET, API_JWT_PUBLIC_KEY_FILE: '/x.pem' })).toThrow(ApiConfigError);
    expect(() => loadApiConfig({ ...base, API_JWT_ISSUER: 'club-idp' })).toThrow(/without API_JWT_SECRET/);
    expect(loadApiConfig({ ...base, API_JWT_SECRET: SECRET, API_JWT_ISSUER: 'club-idp' }).jwt).toEqual({ secret: SECRET, issuer: 'club-idp' });
  });
});
