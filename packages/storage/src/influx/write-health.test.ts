/** The store's write health: set by a persistent failure, logged once per change, cleared only by a success. */
import { describe, expect, it } from 'vitest';
import type { StoreLogger } from '../types.ts';
import { WriteFailure } from './http.ts';
import { WriteHealth } from './write-health.ts';

function recordingLogger(): StoreLogger & { lines: { level: string; fields: object; message: string }[] } {
  const lines: { level: string; fields: object; message: string }[] = [];
  return {
    lines,
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };
}

const missing = new WriteFailure(true, 404, '{"error":"database not found: \\"gw\\""}', 0);
const refused = new WriteFailure(true, 401, '{"error":"authorization failed"}', 0);
const down = new WriteFailure(true, undefined, 'connect ECONNREFUSED', 0);

describe('WriteHealth', () => {
  it('a missing database: one error line however many retries fail, with what to do and the points waiting', () => {
    const log = recordingLogger();
    let waiting = 40;
    const health = new WriteHealth({ url: 'http://db:8086', api: 'v1', database: 'gw' }, log, () => waiting, () => 1000);
    health.observe(missing);
    waiting = 80;
    for (let i = 0; i < 20; i++) health.observe(missing);
    expect(health.problem).toEqual({ reason: 'database_missing', status: 404, sinceMs: 1000, message: expect.stringContaining(`CREATE DATABASE gw`) as string });
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: 'error', fields: { reason: 'database_missing', status: 404, pointsWaiting: 40 } });
    expect(log.lines[0]!.message).toBe(`InfluxDB at http://db:8086 has no database "gw": create it (influx -execute 'CREATE DATABASE gw') or fix INFLUX_DB; points are kept in the spool (40 waiting) and sent once it is fixed`);
  });

  it('an outage in between neither clears nor repeats it; a success clears it (info), a new condition is a new line', () => {
    const log = recordingLogger();
    const health = new WriteHealth({ url: 'http://db:8086', api: 'v1', database: 'gw' }, log, () => 7);
    health.observe(missing);
    health.observe(down);
    expect(health.problem?.reason).toBe('database_missing');
    health.observe(missing);
    expect(log.lines.map((l) => l.level)).toEqual(['error']);
    health.observe(undefined);
    expect(health.problem).toBeUndefined();
    expect(log.lines[1]).toMatchObject({ level: 'info', fields: { reason: 'database_missing', pointsWaiting: 7 } });
    expect(log.lines[1]!.message).toContain('takes writes again');
    health.observe(undefined);
    health.observe(down);
    expect(health.problem).toBeUndefined();
    health.observe(refused);
    health.observe(missing);
    expect(log.lines.map((l) => `${l.level}:${(l.fields as { reason?: string }).reason}`)).toEqual(['error:database_missing', 'info:database_missing', 'error:unauthorized', 'error:database_missing']);
  });
});
