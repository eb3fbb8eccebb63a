/**
 * Which write failures waiting cannot heal, and what the operator is told.
 * The bodies are InfluxDB's own (1.6.7 as probed; 2.x and 3.x from their
 * write handlers); the real-server behaviour is in test/storage/influx-missing-database.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { WriteFailure } from './http.ts';
import { loggableUrl, persistentCondition, problemMessage } from './write-condition.ts';

describe('persistentCondition', () => {
  it('names a missing database or bucket (404 naming it), in every version’s words', () => {
    expect(persistentCondition(404, '{"error":"database not found: \\"gw\\""}')).toBe('database_missing'); // 1.x
    expect(persistentCondition(404, '{"code":"not found","message":"bucket \\"gw\\" not found"}')).toBe('database_missing'); // 2.x
    expect(persistentCondition(404, '{"code":"not found","message":"organization name \\"o\\" not found"}')).toBe('database_missing'); // 2.x, wrong org
    expect(persistentCondition(404, 'database not found')).toBe('database_missing'); // 3.x
  });

  it('a 404 naming no database is a path the server does not serve (URL with a path, v2 API on 1.x)', () => {
    expect(persistentCondition(404, '404 page not found\n')).toBe('endpoint_missing');
    expect(persistentCondition(404, '')).toBe('endpoint_missing');
  });

  it('refused credentials (401, 403), a missing retention policy (1.x answers 500)', () => {
    expect(persistentCondition(401, '{"error":"authorization failed"}')).toBe('unauthorized');
    expect(persistentCondition(403, '')).toBe('unauthorized');
    expect(persistentCondition(500, '{"error":"retention policy not found: short"}')).toBe('retention_policy_missing');
  });

  it('what waiting may heal is no condition: down, slow, overloaded, and data refused as invalid is not one either', () => {
    for (const status of [500, 502, 503, 504, 429, 400, 413, 422, undefined]) expect(persistentCondition(status, 'unavailable')).toBeUndefined();
    expect(persistentCondition(undefined, 'connect ECONNREFUSED 127.0.0.1:8086')).toBeUndefined();
    expect(persistentCondition(undefined, 'request timed out')).toBeUndefined();
  });

  it('WriteFailure carries it, and stays retriable: the points wait in the spool', () => {
    const missing = new WriteFailure(true, 404, '{"error":"database not found: \\"gw\\""}', 0);
    expect(missing.condition).toBe('database_missing');
    expect(new WriteFailure(true, 503, 'busy', 0).condition).toBeUndefined();
  });
});

describe('problemMessage', () => {
  const v1 = { url: 'http://admin:s3cret-pw@db.example:8086/', api: 'v1', database: 'gw' } as const;
  const v2 = { url: 'https://db.example:8086?token=tok-123', api: 'v2', bucket: 'gw', org: 'club' } as const;

  it('says what to do, naming the variable to fix', () => {
    expect(problemMessage('database_missing', v1)).toBe(`InfluxDB at http://db.example:8086 has no database "gw": create it (influx -execute 'CREATE DATABASE gw') or fix INFLUX_DB`);
    expect(problemMessage('database_missing', v2)).toContain('has no bucket "gw" in org "club": create it (influx bucket create -n gw -o club) or fix INFLUX_BUCKET / INFLUX_ORG');
    expect(problemMessage('database_missing', { ...v1, retentionPolicy: 'rp1' })).toContain(`CREATE DATABASE gw', and its retention policy "rp1"`);
    expect(problemMessage('retention_policy_missing', { ...v1, retentionPolicy: 'rp1' })).toContain(`CREATE RETENTION POLICY "rp1" ON "gw" DURATION INF REPLICATION 1`);
    expect(problemMessage('endpoint_missing', v2)).toContain('INFLUX_API=v1');
    expect(problemMessage('endpoint_missing', v1)).toContain("INFLUX_URL must be the server's base URL");
    expect(problemMessage('unauthorized', v1)).toContain('check INFLUX_USERNAME / INFLUX_PASSWORD');
    expect(problemMessage('unauthorized', v2)).toContain('check INFLUX_TOKEN');
  });

  it('never carries a credential, not even one written into INFLUX_URL', () => {
    for (const reason of ['database_missing', 'retention_policy_missing', 'endpoint_missing', 'unauthorized'] as const) {
      for (const target of [v1, v2]) {
        const message = problemMessage(reason, target);
        expect(message).not.toMatch(/s3cret-pw|admin|tok-123/);
      }
    }
    expect(loggableUrl('http://u:p@h:1/influx?x=1#f')).toBe('http://h:1/influx');
    expect(loggableUrl('not a url')).toBe('(unparsable INFLUX_URL)');
  });
});
