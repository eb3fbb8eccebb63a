/** GET /v1/me: who a key is, as the dashboard needs it — never the key or its hash. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, openTestApi, type TestApi } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(async () => api.close());

describe('GET /v1/me', () => {
  it('says id, role, visible athletes and whether exports are pseudonymised', async () => {
    expect((await api.get('/v1/me', 'runnerR1')).json()).toEqual({ id: 'runner-r1', role: 'runner', athletes: ['r1'], pseudonymisedExports: false });
    expect((await api.get('/v1/me', 'coach')).json()).toEqual({ id: 'coach-anna', role: 'coach', athletes: ['r1', 'r3'], pseudonymisedExports: false });
    expect((await api.get('/v1/me', 'researcher')).json()).toEqual({ id: 'researcher-1', role: 'researcher', athletes: 'all', pseudonymisedExports: true });
    expect((await api.get('/v1/me', 'researcherIdentified')).json()).toMatchObject({ role: 'researcher', pseudonymisedExports: false });
    const admin = await api.get('/v1/me', 'admin');
    expect(admin.json()).toEqual({ id: 'admin-1', role: 'admin', athletes: 'all', pseudonymisedExports: false });
    expect(admin.body).not.toContain(KEYS.admin);
    expect(admin.body).not.toContain('sha256:');
  });

  it('is 401 without a key', async () => {
    expect((await api.get('/v1/me')).statusCode).toBe(401);
  });
});
