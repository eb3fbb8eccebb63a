import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultAnalysisThreads, loadConfig } from './config.ts';

const BASE = { MQTT_URL: 'mqtt://127.0.0.1:1883', DATA_DIR: '/var/lib/gaitwatch' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives documented defaults with only MQTT_URL and DATA_DIR: the local store', () => {
    const config = loadConfig(BASE);
    expect(config).toEqual({
      mqtt: { url: BASE.MQTT_URL, clientId: 'gaitwatch-ingest', reconnectMinMs: 500, reconnectMaxMs: 30_000 },
      store: { dataDir: BASE.DATA_DIR },
      logLevel: 'info',
      idleTimeoutS: 120,
      jitterMs: 250,
      jitterMaxFrames: 64,
      httpPort: 9464,
      httpHost: '127.0.0.1',
      checkpointEveryS: 5,
      ackMode: 'receipt',
      analysisThreads: defaultAnalysisThreads(),
      analysisMaxQueue: 20_000,
    });
  });

  it('spreads the analysis over every core but one by default; 0 keeps it in the main thread', () => {
    expect(defaultAnalysisThreads()).toBeGreaterThanOrEqual(1);
    expect(loadConfig({ ...BASE, INGEST_ANALYSIS_THREADS: '0' }).analysisThreads).toBe(0);
    expect(loadConfig({ ...BASE, INGEST_ANALYSIS_THREADS: '3', INGEST_ANALYSIS_MAX_QUEUE: '500' })).toMatchObject({ analysisThreads: 3, analysisMaxQueue: 500 });
    expect(problems({ ...BASE, INGEST_ANALYSIS_THREADS: '-1' })).toEqual([expect.stringMatching(/^INGEST_ANALYSIS_THREADS: must be at least 0/)]);
    expect(problems({ ...BASE, INGEST_ANALYSIS_THREADS: 'many' })).toEqual([expect.stringMatching(/^INGEST_ANALYSIS_THREADS: must be an integer/)]);
    expect(problems({ ...BASE, INGEST_ANALYSIS_MAX_QUEUE: '10' })).toEqual([expect.stringMatching(/^INGEST_ANALYSIS_MAX_QUEUE: must be at least 100/)]);
  });

  it('acknowledges at checkpoints only when asked, and only with checkpoints on', () => {
    expect(loadConfig({ ...BASE, INGEST_ACK: 'checkpoint' }).ackMode).toBe('checkpoint');
    expect(problems({ ...BASE, INGEST_ACK: 'checkpoint', INGEST_CHECKPOINT_S: '0' })).toEqual([expect.stringMatching(/^INGEST_ACK: checkpoint needs checkpoints/)]);
    expect(problems({ ...BASE, INGEST_ACK: 'later' })).toEqual([expect.stringMatching(/^INGEST_ACK: must be receipt or checkpoint/)]);
  });

  it('reads InfluxDB 2.x settings (v2) and 1.x settings (v1) from the variables given', () => {
    const v2 = loadConfig({ ...BASE, INFLUX_URL: 'http://db:8086', INFLUX_TOKEN: 't', INFLUX_ORG: 'club', INFLUX_BUCKET: 'runs' });
    expect(v2.store.influx).toEqual({ url: 'http://db:8086', api: 'v2', token: 't', org: 'club', bucket: 'runs' });
    const v1 = loadConfig({ ...BASE, INFLUX_URL: 'http://db:8086', INFLUX_DB: 'gaitwatch', INFLUX_USERNAME: 'u', INFLUX_PASSWORD: 'p' });
    expect(v1.store.influx).toEqual({ url: 'http://db:8086', api: 'v1', database: 'gaitwatch', username: 'u', password: 'p' });
  });

  it('takes credentials, client id, levels and numbers; blank values count as unset', () => {
    const config = loadConfig({ ...BASE, MQTT_USERNAME: 'ingest', MQTT_PASSWORD: 'pw', MQTT_CLIENT_ID: 'ingest-1', LOG_LEVEL: 'debug', INGEST_IDLE_TIMEOUT_S: '30', INGEST_HTTP_PORT: '0', INGEST_JITTER_MS: ' ' });
    expect(config.mqtt).toMatchObject({ username: 'ingest', password: 'pw', clientId: 'ingest-1' });
    expect(config).toMatchObject({ logLevel: 'debug', idleTimeoutS: 30, httpPort: 0, jitterMs: 250 });
  });

  it('lists every problem by variable, never echoing a secret', () => {
    const found = problems({ MQTT_URL: 'localhost:1883', LOG_LEVEL: 'loud', INGEST_IDLE_TIMEOUT_S: 'soon', INGEST_HTTP_PORT: '70000', MQTT_CLIENT_ID: 'has space' });
    const text = found.join('\n');
    expect(text).toMatch(/^MQTT_URL: must be a URL with scheme mqtt/m);
    expect(text).toMatch(/^LOG_LEVEL: must be one of/m);
    expect(text).toMatch(/^INGEST_IDLE_TIMEOUT_S: must be an integer/m);
    expect(text).toMatch(/^INGEST_HTTP_PORT: must be at most 65535/m);
    expect(text).toMatch(/^MQTT_CLIENT_ID: must be 1–23/m);
  });

  it('reads numbers in decimal digits only: hex, exponents and binary are refused, blanks around digits are fine', () => {
    for (const [name, value] of [['INGEST_CHECKPOINT_S', '0x10'], ['INGEST_IDLE_TIMEOUT_S', '1e3'], ['INGEST_HTTP_PORT', '0b11'], ['INGEST_JITTER_MS', '12.0.0']] as const) {
      expect(problems({ ...BASE, [name]: value }), `${name}=${value}`).toEqual([expect.stringMatching(new RegExp(`^${name}: must be an integer between .* in decimal digits`))]);
    }
    expect(loadConfig({ ...BASE, INGEST_CHECKPOINT_S: ' 16 ', INGEST_IDLE_TIMEOUT_S: '1000' })).toMatchObject({ checkpointEveryS: 16, idleTimeoutS: 1000 });
  });

  it('requires MQTT_URL and DATA_DIR, and a complete InfluxDB target', () => {
    expect(problems({})).toEqual(expect.arrayContaining([expect.stringMatching(/^MQTT_URL: required/), expect.stringMatching(/^DATA_DIR: required/)]));
    const v2 = problems({ ...BASE, INFLUX_URL: 'http://db:8086', INFLUX_BUCKET: 'runs', INFLUX_TOKEN: 'secret-value' });
    expect(v2).toEqual([expect.stringMatching(/^INFLUX_ORG: required/)]);
    expect(v2.join()).not.toContain('secret-value');
    expect(problems({ ...BASE, INFLUX_URL: 'http://db:8086', INFLUX_API: 'v1' })).toEqual([expect.stringMatching(/^INFLUX_DB: required/)]);
    expect(problems({ ...BASE, INFLUX_TOKEN: 'x' })).toEqual([expect.stringMatching(/^INFLUX_TOKEN: set without INFLUX_URL/)]);
    expect(problems({ ...BASE, MQTT_PASSWORD: 'x' })).toEqual([expect.stringMatching(/^MQTT_PASSWORD: set without MQTT_USERNAME/)]);
  });

  it('says so in the error message, one line per problem', () => {
    expect(() => loadConfig({})).toThrow(/invalid ingest configuration:\n {2}- /);
  });
});

describe('loadConfig: TLS to the broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-ingest-config-'));
  const pem = join(dir, 'ca.crt');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const notPem = join(dir, 'ca.der');
  writeFileSync(notPem, 'binary');
  const TLS = { ...BASE, MQTT_URL: 'mqtts://broker.example:8883' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a CA file and a client certificate + key for mqtts:// and wss://, as paths', () => {
    expect(loadConfig({ ...TLS, MQTT_CA_FILE: pem }).mqtt?.tls).toEqual({ ca: pem });
    expect(loadConfig({ ...TLS, MQTT_URL: 'wss://broker.example/mqtt', MQTT_CERT_FILE: pem, MQTT_KEY_FILE: pem }).mqtt?.tls).toEqual({ cert: pem, key: pem });
    // No TLS variable: no tls key, the system's CAs (the broker's certificate is verified all the same).
    expect(loadConfig(TLS).mqtt).not.toHaveProperty('tls');
  });

  it('refuses files that are missing, unreadable as PEM or directories, naming the variable and the path', () => {
    const missing = join(dir, 'nope.crt');
    expect(problems({ ...TLS, MQTT_CA_FILE: missing })).toEqual([`MQTT_CA_FILE: cannot read ${missing} (ENOENT): must be a readable PEM file`]);
    expect(problems({ ...TLS, MQTT_CA_FILE: notPem })).toEqual([`MQTT_CA_FILE: ${notPem} is not PEM (no -----BEGIN line)`]);
    expect(problems({ ...TLS, MQTT_CERT_FILE: dir, MQTT_KEY_FILE: pem })).toEqual([`MQTT_CERT_FILE: ${dir} is not a file`]);
  });

  it('refuses TLS files with a plain URL, half a client certificate, and any way to skip verification', () => {
    expect(problems({ ...BASE, MQTT_CA_FILE: pem })).toEqual([expect.stringMatching(/^MQTT_CA_FILE: set but MQTT_URL is not a TLS URL/)]);
    expect(problems({ ...TLS, MQTT_CERT_FILE: pem })).toEqual([expect.stringMatching(/^MQTT_CERT_FILE and MQTT_KEY_FILE: a client certificate needs both/)]);
    expect(problems({ ...TLS, MQTT_KEY_FILE: pem })).toEqual([expect.stringMatching(/^MQTT_CERT_FILE and MQTT_KEY_FILE: a client certificate needs both/)]);
    expect(problems({ ...TLS, MQTT_TLS_INSECURE: 'true' })).toEqual([expect.stringMatching(/^MQTT_TLS_INSECURE: not supported/)]);
  });

  describe('NATS_* (JetStream intake)', () => {
    const NATS = { DATA_DIR: '/var/lib/gaitwatch', NATS_URL: 'nats://nats:4222' };

    it('NATS_URL alone: 4 partitions, all of them, stream GAITWATCH_IMU, no MQTT (alerts on core NATS)', () => {
      const config = loadConfig(NATS);
      expect(config.nats).toEqual({ url: 'nats://nats:4222', partitions: 4, workerPartitions: [0, 1, 2, 3], stream: 'GAITWATCH_IMU' });
      expect(config).not.toHaveProperty('mqtt');
      expect(loadConfig(BASE)).not.toHaveProperty('nats');
    });

    it('takes partitions, this worker’s share, the stream, credentials, and MQTT_URL beside it for the alerts', () => {
      const config = loadConfig({ ...NATS, MQTT_URL: 'mqtt://nats:1883', NATS_PARTITIONS: '8', NATS_WORKER_PARTITIONS: ' 5, 2 ', NATS_STREAM: 'GW_1', NATS_USER: 'ingest', NATS_PASSWORD: 'pw' });
      expect(config.nats).toEqual({ url: 'nats://nats:4222', user: 'ingest', password: 'pw', partitions: 8, workerPartitions: [2, 5], stream: 'GW_1' });
      expect(config.mqtt?.url).toBe('mqtt://nats:1883');
      expect(loadConfig({ ...NATS, NATS_URL: 'tls://nats.example:4222' }).nats?.url).toBe('tls://nats.example:4222');
    });

    it('refuses bad values naming the variable, never the password', () => {
      expect(problems({ ...NATS, NATS_URL: 'http://nats:4222' })).toEqual([expect.stringMatching(/^NATS_URL: must be a URL with scheme nats \| tls/)]);
      expect(problems({ ...NATS, NATS_PARTITIONS: '0' })).toEqual([expect.stringMatching(/^NATS_PARTITIONS: must be at least 1/)]);
      expect(problems({ ...NATS, NATS_WORKER_PARTITIONS: '0;1' })).toEqual([expect.stringMatching(/^NATS_WORKER_PARTITIONS: must be a comma-separated list/)]);
      expect(problems({ ...NATS, NATS_WORKER_PARTITIONS: '1,4' })).toEqual(['NATS_WORKER_PARTITIONS: 4 outside 0–3 (NATS_PARTITIONS is 4)']);
      expect(problems({ ...NATS, NATS_WORKER_PARTITIONS: '1,1' })).toEqual(['NATS_WORKER_PARTITIONS: a partition is listed twice']);
      expect(problems({ ...NATS, NATS_STREAM: 'gw.imu' })).toEqual([expect.stringMatching(/^NATS_STREAM: must be 1–64 of/)]);
      const secret = problems({ ...NATS, NATS_PASSWORD: 'hunter2' });
      expect(secret).toEqual(['NATS_PASSWORD: set without NATS_USER']);
      expect(secret.join('\n')).not.toContain('hunter2');
      expect(problems({ ...NATS, NATS_USER: 'ingest' })).toEqual(['NATS_USER: set without NATS_PASSWORD']);
    });

    it('NATS_* without NATS_URL is a mistake, and without either URL MQTT_URL is required', () => {
      expect(problems({ ...BASE, NATS_WORKER_PARTITIONS: '0' })).toEqual([expect.stringMatching(/^NATS_WORKER_PARTITIONS: set without NATS_URL/)]);
      expect(problems({ DATA_DIR: '/d' })).toEqual([expect.stringMatching(/^MQTT_URL: required .* unless NATS_URL is set/)]);
    });
  });
});
