/** Health, readiness, metrics and the OpenAPI document. */
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('ops routes', () => {
  it('/healthz and /readyz answer without a key', async () => {
    expect((await api.get('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await api.get('/readyz')).json()).toEqual({ status: 'ready', store: 'local' });
  });

  it('/readyz is 503 GW_API_NOT_READY when the store does not answer', async () => {
    const original = api.store.querySessions.bind(api.store);
    api.store.querySessions = () => Promise.reject(new Error('database is locked'));
    try {
      const res = await api.get('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('GW_API_NOT_READY');
    } finally {
      api.store.querySessions = original;
    }
  });

  it('/metrics counts requests by route and auth refusals', async () => {
    await api.get('/v1/sessions/r2/s1', 'runnerR1');
    const res = await api.get('/metrics', 'admin');
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/gaitwatch_api_requests_total\{route="\/v1\/sessions\/:athleteId\/:sessionId",method="GET",status="403"\} \d+/);
    expect(res.body).toMatch(/gaitwatch_api_auth_failures_total\{code="GW_API_FORBIDDEN"\} \d+/);
  });

  it('/docs/json is an OpenAPI 3 document of the v1 routes', async () => {
    const doc = (await api.get('/docs/json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/sessions', '/v1/sessions/{athleteId}/{sessionId}', '/v1/sessions/{athleteId}/{sessionId}/strides.csv', '/v1/strides.ndjson', '/v1/alerts']));
    expect(doc.paths['/v1/alerts'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['athlete', 'type', 'severity', 'from', 'to']));
    expect(doc.paths['/v1/live'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['athlete', 'session']));
    // The stride page's two layouts: the parameter with its values, and both answers' shapes in the route's description.
    const strides = doc.paths['/v1/sessions/{athleteId}/{sessionId}/strides'].get;
    expect(strides.parameters.find((p: { name: string }) => p.name === 'layout')).toMatchObject({ in: 'query', required: false, schema: { enum: ['rows', 'columns'] } });
    expect(strides.description).toContain('`{items: [stride], next}`');
    expect(strides.description).toContain('`layout=columns` `{count, columns: {side, icUs, toUs,');
    // Valid against the OpenAPI 3 schema, by a validator that is not ours (throws with the offending path).
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    // The dashboard's asset routes are not API: hidden from the document.
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/v1/'))).toEqual([]);
  });

  it('/docs serves the interactive page from the installed package (no CDN)', async () => {
    const res = await api.get('/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
  });
});
