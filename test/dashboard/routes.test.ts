/**
 * The dashboard's routes (services/api/src/routes/dashboard.ts) through
 * app.inject() over the seeded test API: the page and its modules with the
 * right types and security headers, uPlot from the installed package, and
 * nothing else reachable — unknown names and traversal in every spelling
 * are refused.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../services/api/src/routes/dashboard.ts';
import { openTestApi, type TestApi } from '../api/helpers.ts';

const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";
const uplotDist = join(dirname(createRequire(new URL('../../services/api/package.json', import.meta.url)).resolve('uplot/package.json')), 'dist');

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(async () => {
  await api.close();
});

function expectSecurityHeaders(headers: Record<string, unknown>): void {
  expect(String(headers['content-security-policy'])).toContain(CSP);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cache-control']).toBe('no-cache');
}

describe('dashboard routes', () => {
  it('serves the page at / without a key, with the CSP and security headers', async () => {
    const res = await api.get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expectSecurityHeaders(res.headers);
    expect(res.body).toContain('<script type="module" src="/dashboard/main.js">');
    // No inline script or style: the CSP would block them.
    expect(res.body).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=/);
  });

  it.each([
    ['main.js', 'text/javascript; charset=utf-8'],
    ['sse-parser.js', 'text/javascript; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['icon.svg', 'image/svg+xml'],
  ])('serves /dashboard/%s as %s', async (file, type) => {
    const res = await api.get(`/dashboard/${file}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expectSecurityHeaders(res.headers);
    expect(res.body).toBe(readFileSync(new URL(`../../services/api/dashboard/${file}`, import.meta.url), 'utf8'));
  });

  it('serves every module the page imports (no import points at a missing file)', async () => {
    const seen = new Set<string>();
    const queue = ['main.js'];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const res = await api.get(`/dashboard/${file}`);
      expect(res.statusCode, file).toBe(200);
      for (const m of res.body.matchAll(/^import[^'"]*['"]\.\/([^'"]+)['"]/gm)) queue.push(m[1]!);
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('serves uPlot from the installed package', async () => {
    const js = await api.get('/vendor/uplot/uPlot.iife.min.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expectSecurityHeaders(js.headers);
    expect(js.body).toBe(readFileSync(join(uplotDist, 'uPlot.iife.min.js'), 'utf8'));
    const css = await api.get('/vendor/uplot/uPlot.min.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toBe(readFileSync(join(uplotDist, 'uPlot.min.css'), 'utf8'));
  });

  it('answers 404 for an unknown asset, and does not serve the README or type declarations', async () => {
    for (const url of ['/dashboard/nope.js', '/dashboard/README.md', '/dashboard/sse-parser.d.ts', '/vendor/uplot/uPlot.esm.js', '/vendor/uplot/package.json']) {
      const res = await api.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('GW_API_NOT_FOUND');
    }
  });

  it('refuses path traversal in every spelling', async () => {
    const secret = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const attempts = [
      '/dashboard/../../package.json',
      '/dashboard/..%2F..%2Fpackage.json',
      '/dashboard/%2e%2e%2f%2e%2e%2fpackage.json',
      '/dashboard/%2E%2E/%2E%2E/package.json',
      '/dashboard/..%5C..%5Cpackage.json',
      '/dashboard/....//....//package.json',
      '/dashboard/%252e%252e%252fpackage.json',
      '/dashboard/..%00/package.json',
      '/dashboard/.%2e/.%2e/src/routes/dashboard.ts',
      '/vendor/uplot/..%2Fpackage.json',
      '/vendor/uplot/../../package.json',
      '/dashboard//etc/passwd',
      '/dashboard/%2Fetc%2Fpasswd',
    ];
    // Without a key and with one: a key must not open a way to files either.
    for (const who of [null, 'admin'] as const) {
      for (const url of attempts) {
        const res = await api.get(url, who);
        expect([400, 401, 403, 404], url).toContain(res.statusCode);
        expect(res.body, url).not.toContain('"packageManager"');
        expect(res.body, url).not.toContain('root:');
        expect(res.body).not.toBe(secret);
      }
    }
  });

  it('keeps the dashboard out of the OpenAPI document and the data routes behind the key', async () => {
    const doc = (await api.get('/docs/json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p === '/' || p.startsWith('/dashboard') || p.startsWith('/vendor'))).toEqual([]);
    expect((await api.get('/v1/sessions')).statusCode).toBe(401);
  });
});

/** The parts of fastify and its zod type provider used here (loaded from services/api, whose dependencies they are). */
interface BareApp {
  setValidatorCompiler(compiler: unknown): void;
  setSerializerCompiler(compiler: unknown): void;
  register(plugin: typeof dashboardRoutes, options: { dir: string }): Promise<unknown>;
  inject(request: { method: 'GET'; url: string }): Promise<{ statusCode: number; body: string }>;
  close(): Promise<void>;
}
interface ZodProvider {
  validatorCompiler: unknown;
  serializerCompiler: unknown;
}

describe('dashboard file serving', () => {
  it('serves a file from memory, and an edited file fresh without a restart (new size, or same size and a new mtime)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-dashboard-files-'));
    // A bare app with only the dashboard plugin, over a folder of its own (the API's own app serves the real folder).
    const apiRequire = createRequire(new URL('../../services/api/package.json', import.meta.url));
    const { default: Fastify } = (await import(apiRequire.resolve('fastify'))) as { default: () => BareApp };
    const { validatorCompiler, serializerCompiler } = (await import(apiRequire.resolve('fastify-type-provider-zod'))) as ZodProvider;
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    try {
      const page = join(dir, 'index.html');
      const module = join(dir, 'main.js');
      writeFileSync(page, '<p>one</p>');
      writeFileSync(module, 'export const a = 1;');
      await app.register(dashboardRoutes, { dir });
      const get = async (url: string): Promise<string> => {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(200);
        return res.body;
      };
      expect(await get('/')).toBe('<p>one</p>');
      expect(await get('/dashboard/main.js')).toBe('export const a = 1;');
      writeFileSync(page, '<p>three</p>');
      expect(await get('/')).toBe('<p>three</p>');
      // Same size, new content: only the mtime tells (set well apart, whatever the file system's resolution).
      writeFileSync(module, 'export const b = 2;');
      const later = new Date(Date.now() + 60_000);
      utimesSync(module, later, later);
      expect(await get('/dashboard/main.js')).toBe('export const b = 2;');
      expect(await get('/dashboard/main.js')).toBe('export const b = 2;');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
