import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { buildTopic, decodeImu, encodeBinaryImu } from '@gaitwatch/protocol';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';

const services = await realServices(['mosquitto', 'influxdb', 'victoriametrics']);

describe.skipIf(services.skip)('real services smoke', () => {
  const running = services.use();

  it('publishes a binary IMU frame over the real Mosquitto at QoS 1 and receives it intact', async () => {
    const topic = buildTopic('smoke-athlete', 'smoke-session', 'imu');
    const frame = { sensor: 'pelvis' as const, seq: 42, t0Us: 1_764_000_000_000_000, periodUs: 5000, count: 1, samples: Float64Array.from([0, 0, 9.81, 0, 0, 0]) };
    const subscriber = await mqtt.connectAsync(running.get('mosquitto').url, { clientId: 'smoke-sub', reconnectPeriod: 0 });
    const publisher = await mqtt.connectAsync(running.get('mosquitto').url, { clientId: 'smoke-pub', reconnectPeriod: 0 });
    try {
      await subscriber.subscribeAsync(topic, { qos: 1 });
      const received = new Promise<Buffer>((resolve) => subscriber.on('message', (_t, payload) => resolve(payload)));
      await publisher.publishAsync(topic, Buffer.from(encodeBinaryImu(frame)), { qos: 1 });
      const decoded = decodeImu(await received);
      expect(decoded.ok).toBe(true);
      if (decoded.ok) {
        expect(decoded.frame.seq).toBe(42);
        expect(decoded.frame.samples[2]).toBeCloseTo(9.81, 2);
      }
    } finally {
      await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
    }
  });

  it('writes a point to the real InfluxDB 1.x with /write and reads it back with InfluxQL /query', async () => {
    const influx = running.get('influxdb');
    const tUs = 1_764_000_000_123_456;
    const line = new Point('stride').tag('athlete', 'a1').tag('side', 'left').floatField('pelvicDropDeg', 6.25).timestamp(`${tUs}`).toLineProtocol();
    const write = await fetch(`${influx.url}/write?db=${influx.database}&precision=u`, { method: 'POST', body: line });
    expect(write.status).toBe(204);
    const query = new URLSearchParams({ db: influx.database!, q: `SELECT "pelvicDropDeg" FROM "stride" WHERE "athlete" = 'a1'`, epoch: 'u' });
    const res = await fetch(`${influx.url}/query?${query}`);
    const body = (await res.json()) as { results: { series?: { values: [number, number][] }[] }[] };
    expect(body.results[0]?.series?.[0]?.values).toEqual([[tUs, 6.25]]);
  });

  it('writes through the v2 client write API to VictoriaMetrics and finds the point', async () => {
    const vm = running.get('victoriametrics');
    const writeApi = new InfluxDB({ url: vm.url, token: 'unused' }).getWriteApi('gaitwatch', 'gaitwatch', 'ms');
    writeApi.writePoint(new Point('stride').tag('athlete', 'a2').floatField('cadenceSpm', 172.5).timestamp(new Date(1_764_000_000_000)));
    await writeApi.close();
    await fetch(`${vm.url}/internal/force_flush`);
    const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': '{__name__="stride_cadenceSpm",athlete="a2"}' })}`);
    const rows = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { values: number[]; timestamps: number[] });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ values: [172.5], timestamps: [1_764_000_000_000] });
  });
});
