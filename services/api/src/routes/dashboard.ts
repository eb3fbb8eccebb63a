import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../errors.ts';

/** The dashboard's own files: services/api/dashboard (plain browser ES modules, no build step). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));

/** uPlot's browser build and stylesheet, from the installed package (no CDN: the page works offline). */
function uplotFiles(): Record<string, string> {
  const dist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  return { 'uPlot.iife.min.js': join(dist, 'uPlot.iife.min.js'), 'uPlot.min.css': join(dist, 'uPlot.min.css') };
}

/** What the page is made of; anything else in the folder (README.md, the parser's .d.ts) is not served. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The page holds no data and runs no inline code: every script and style
 * comes from this origin, and data calls go to this origin only (carrying
 * the key in a header). uPlot sets element styles through the CSSOM, which
 * `style-src` does not govern.
 */
export const DASHBOARD_CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The served files by URL name → absolute path. Built once from a directory listing: a name not in it is a 404. */
function assetTable(dir: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.d.ts')) continue;
    if (CONTENT_TYPES[extname(entry.name)] !== undefined) table.set(entry.name, join(dir, entry.name));
  }
  return table;
}

/**
 * The files' bytes, kept in memory and read again only when a file's mtime or
 * size changed (an edited module is served fresh without a restart). A page
 * load is ~25 of these requests over the browser's six connections; reading
 * each from disk took four thread-pool round trips (open, stat, read, close)
 * that, on a busy 2-core box, queued behind everything else the process did
 * (bench `dashboard`: 20–50 ms per module file). A stat and a memory copy are
 * synchronous and take microseconds; the files are small (uPlot, the largest,
 * is 50 KB).
 */
class FileCache {
  private readonly files = new Map<string, { mtimeMs: number; size: number; body: Buffer }>();

  read(path: string): Buffer {
    const { mtimeMs, size } = statSync(path);
    const cached = this.files.get(path);
    if (cached !== undefined && cached.mtimeMs === mtimeMs && cached.size === size) return cached.body;
    const body = readFileSync(path);
    this.files.set(path, { mtimeMs, size, body });
    return body;
  }
}

function sendFile(reply: FastifyReply, files: FileCache, path: string): FastifyReply {
  return reply
    .header('content-type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream')
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .send(files.read(path));
}

const FileParams = z.object({ file: z.string() });

/**
 * The web dashboard: `/` (the page), `/dashboard/<file>` (its modules and
 * stylesheet) and `/vendor/uplot/<file>` (the chart library). Public: the
 * page carries no data, every data call it makes carries the key.
 * Files are served from an allow-list made at start-up (a flat directory
 * listing), never by joining a request path onto a folder, so `..` and its
 * encodings have nothing to reach: an unknown name is a 404.
 */
const routes: FastifyPluginAsyncZod<{ dir?: string }> = async (app, options) => {
  const dir = options.dir ?? DASHBOARD_DIR;
  const assets = assetTable(dir);
  const vendor = new Map(Object.entries(uplotFiles()));
  const index = assets.get('index.html');
  if (index === undefined) throw new Error(`dashboard: no index.html in ${dir}`);
  const route = { config: { public: true }, schema: { hide: true } } as const;
  const files = new FileCache();

  app.get('/', route, async (_request, reply) => sendFile(reply, files, index));
  app.get('/dashboard/:file', { ...route, schema: { hide: true, params: FileParams } }, async (request, reply) => {
    const path = assets.get(request.params.file);
    if (path === undefined) throw new ApiError('GW_API_NOT_FOUND', 'no such dashboard file');
    return sendFile(reply, files, path);
  });
  app.get('/vendor/uplot/:file', { ...route, schema: { hide: true, params: FileParams } }, async (request, reply) => {
    const path = vendor.get(request.params.file);
    if (path === undefined) throw new ApiError('GW_API_NOT_FOUND', 'no such vendor file');
    return sendFile(reply, files, path);
  });
};

export const dashboardRoutes = fp(routes, { name: 'gaitwatch-dashboard', fastify: '5.x', encapsulate: true });
