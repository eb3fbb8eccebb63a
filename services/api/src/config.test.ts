import { describe, expect, it } from 'vitest';
import { ApiConfigError, loadApiConfig } from './config.ts';

const PEPPER = 'p'.repeat(32);

describe('loadApiConfig', () => {
  it('reads the local-store configuration with defaults', () => {
    const config = loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k.json', API_KEY_PEPPER: PEPPER });
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', store: { dataDir: '/d' }, keysFile: '/k.json', keyPepper: PEPPER, logLevel: 'info', rateLimit: { max: 600 } });
    expect(config.store.influx).toBeUndefined();
  });

  it('wants a pepper of at least 32 characters, and never prints it', () => {
    expect(() => loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k' })).toThrow(/API_KEY_PEPPER: required: a random secret of at least 32 characters/);
    expect(() => loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', API_KEY_PEPPER: '' })).toThrow(/API_KEY_PEPPER: required/);
    try {
      loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', API_KEY_PEPPER: 'hunter2-is-not-a-pepper-31-char' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('API_KEY_PEPPER: must be at least 32 characters (it is 31)');
      expect((error as Error).message).not.toContain('hunter2');
    }
    expect(loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', API_KEY_PEPPER: 'x'.repeat(32) }).keyPepper).toBe('x'.repeat(32));
  });

  it('names every problem and never prints a secret', () => {
    try {
      loadApiConfig({ API_PORT: 'x', INFLUX_TOKEN: 'secret-token', API_KEY_PEPPER: 'secret-pepper' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiConfigError);
      const message = (error as Error).message;
      expect(message).toContain('API_PORT');
      expect(message).not.toContain('secret');
    }
    expect(() => loadApiConfig({ INFLUX_TOKEN: 'secret-token' })).toThrow(/DATA_DIR: required[\s\S]*API_KEYS_FILE: required[\s\S]*INFLUX_TOKEN: set without INFLUX_URL/);
  });

  it('takes InfluxDB 1.x or 2.x for reads, and 0 turns rate limiting off', () => {
    const v1 = loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', API_KEY_PEPPER: PEPPER, INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_DB: 'gaitwatch', API_RATE_LIMIT_PER_MIN: '0' });
    expect(v1.store.influx).toEqual({ url: 'http://127.0.0.1:8086', api: 'v1', database: 'gaitwatch' });
    expect(v1.rateLimit).toBe(false);
    expect(() => loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', INFLUX_URL: 'http://h:8086', INFLUX_BUCKET: 'b' })).toThrow(/INFLUX_ORG: required[\s\S]*INFLUX_TOKEN: required/);
    // The same rules and words as the ingest service's (@gaitwatch/protocol/env): a URL alone is taken for v2.
    expect(() => loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', INFLUX_URL: 'http://h:8086' })).toThrow(/INFLUX_BUCKET: required with INFLUX_URL[\s\S]*or set INFLUX_DB/);
    expect(() => loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', INFLUX_DB: 'gaitwatch' })).toThrow(/INFLUX_DB: set without INFLUX_URL/);
  });
});
