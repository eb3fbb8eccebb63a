import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { canConnect } from '../harness/ports.ts';

const services = await realServices(['mosquitto', 'influxdb']);

describe.skipIf(services.skip)('real-service harness', () => {
  it('gives each instance its own port and scratch dir, and stop() frees both', async () => {
    const [a, b] = await Promise.all([services.start('mosquitto'), services.start('mosquitto')]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.dir).not.toBe(b.dir);
      expect(await canConnect(a.port)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(await canConnect(a.port)).toBe(false);
    if (a.mode === 'binary') expect(existsSync(a.dir)).toBe(false);
  });

  it('stops InfluxDB and removes its data dir', async () => {
    const influx = await services.start('influxdb');
    await influx.stop();
    expect(await canConnect(influx.port)).toBe(false);
    if (influx.mode === 'binary') expect(existsSync(influx.dir)).toBe(false);
  });

  it('reports a service that dies at start with its own output', async () => {
    // An invalid option makes mosquitto exit at once; the harness must say so, not hang.
    await expect(services.start('mosquitto', { configLines: ['no_such_option true'] })).rejects.toThrow(/mosquitto/);
  });
});

describe('real-service policy when a service is missing', () => {
  const nothing = { findBinary: () => undefined, dockerAvailable: async () => false };

  it('fails the run under CI instead of skipping', async () => {
    await expect(realServices(['mosquitto'], { ...nothing, ci: () => true })).rejects.toThrow(/CI=true but real services are missing: mosquitto/);
  });

  it('skips loudly outside CI', async () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      const set = await realServices(['influxdb'], { ...nothing, ci: () => false });
      expect(set.skip).toBe(true);
      expect(set.modes.influxdb).toBe('missing');
    } finally {
      console.warn = original;
    }
    expect(warnings.join('\n')).toMatch(/SKIPPING real-service tests: influxdb/);
  });

  it('uses testcontainers when only Docker is there', async () => {
    const set = await realServices(['mosquitto'], { findBinary: () => undefined, dockerAvailable: async () => true, ci: () => true });
    expect(set.skip).toBe(false);
    expect(set.modes.mosquitto).toBe('container');
  });
});
