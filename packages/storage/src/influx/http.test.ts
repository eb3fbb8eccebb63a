/**
 * The shape of what InfluxHttp sends (path, query, auth headers) and how it
 * reads answers, against a loopback HTTP server that records requests and
 * answers as scripted. Real-server behaviour is in test/storage.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxQueryError } from '../errors.ts';
import { InfluxHttp, WriteFailure } from './http.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let url: string;
const seen: Seen[] = [];
let answer: { status: number; headers?: Record<string, string>; body?: string; hang?: boolean } = { status: 204 };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (answer.hang === true) return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const last = (): Seen => seen.at(-1)!;

describe('InfluxHttp', () => {
  it('v2: POSTs to /api/v2/write with org, bucket, precision=us and the token header', async () => {
    answer = { status: 204 };
    await new InfluxHttp({ url, api: 'v2', token: 'tok', org: 'o', bucket: 'b' }).write('m v=1 1');
    expect(last()).toMatchObject({ method: 'POST', url: '/api/v2/write?org=o&bucket=b&precision=us', body: 'm v=1 1' });
    expect(last().headers['authorization']).toBe('Token tok');
    expect(last().headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('v1: POSTs to /write?db&rp&precision=u with Basic credentials, not in the URL', async () => {
    await new InfluxHttp({ url, api: 'v1', database: 'gw', retentionPolicy: 'autogen', username: 'u', password: 'p' }).write('m v=1 1');
    expect(last().url).toBe('/write?db=gw&precision=u&rp=autogen');
    expect(last().headers['authorization']).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('classifies answers: 400 is permanent, 503 is retriable with its Retry-After in seconds', async () => {
    const http = new InfluxHttp({ url, api: 'v1', database: 'gw' });
    answer = { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"partial write: field type conflict"}' };
    const bad = await http.write('x').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(WriteFailure);
    expect(bad).toMatchObject({ retriable: false, status: 400 });
    answer = { status: 503, headers: { 'retry-after': '3' } };
    expect(await http.write('x').catch((e: unknown) => e)).toMatchObject({ retriable: true, status: 503, retryAfterMs: 3000 });
    answer = { status: 404, body: 'database not found' };
    expect(await http.write('x').catch((e: unknown) => e)).toMatchObject({ retriable: true, status: 404 });
  });

  it('gives up on a request that hangs past its timeout, as retriable', async () => {
    answer = { status: 204, hang: true };
    const failure = await new InfluxHttp({ url, api: 'v1', database: 'gw', requestTimeoutMs: 100 }).write('x').catch((e: unknown) => e);
    expect(failure).toMatchObject({ retriable: true, status: undefined });
  });

  it('queries /query with db, q and epoch=u and reports InfluxQL errors', async () => {
    const http = new InfluxHttp({ url, api: 'v2', token: 't', bucket: 'b' });
    answer = { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ results: [{ statement_id: 0, series: [{ name: 'm', columns: ['time', 'v'], values: [[1, 2]] }] }] }) };
    expect(await http.query('SELECT * FROM "m"')).toEqual([{ name: 'm', columns: ['time', 'v'], values: [[1, 2]] }]);
    expect(last().method).toBe('GET');
    expect(new URL(last().url, url).searchParams.get('epoch')).toBe('u');
    expect(new URL(last().url, url).searchParams.get('db')).toBe('b');
    answer = { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ results: [{ statement_id: 0, error: 'database not found: b' }] }) };
    await expect(http.query('SELECT 1')).rejects.toThrow(InfluxQueryError);
  });
});
