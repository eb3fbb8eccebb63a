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
