import { describe, expect, it } from 'vitest';
import { ApiConfigError, loadApiConfig } from './config.ts';

describe('loadApiConfig', () => {
  it('reads the local-store configuration with defaults', () => {
    const config = loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k.json' });
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', store: { dataDir: '/d' }, keysFile: '/k.json', keyPepper: '', logLevel: 'info', rateLimit: { max: 600 } });
    expect(config.store.influx).toBeUndefined();
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
    const v1 = loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_DB: 'gaitwatch', API_RATE_LIMIT_PER_MIN: '0' });
    expect(v1.store.influx).toEqual({ url: 'http://127.0.0.1:8086', api: 'v1', database: 'gaitwatch' });
    expect(v1.rateLimit).toBe(false);
    expect(() => loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', INFLUX_URL: 'http://h:8086', INFLUX_BUCKET: 'b' })).toThrow(/INFLUX_ORG: required[\s\S]*INFLUX_TOKEN: required/);
    // The same rules and words as the ingest service's (@gaitwatch/protocol/env): a URL alone is taken for v2.
    expect(() => loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', INFLUX_URL: 'http://h:8086' })).toThrow(/INFLUX_BUCKET: required with INFLUX_URL[\s\S]*or set INFLUX_DB/);
    expect(() => loadApiConfig({ DATA_DIR: '/d', API_KEYS_FILE: '/k', INFLUX_DB: 'gaitwatch' })).toThrow(/INFLUX_DB: set without INFLUX_URL/);
  });
});
