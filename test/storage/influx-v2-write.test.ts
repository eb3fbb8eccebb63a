/**
 * The v2 write path (`/api/v2/write`, token/org/bucket) through the client
 * library's transport, against the harness's VictoriaMetrics, which accepts
 * v2 line protocol. VictoriaMetrics keeps millisecond times and ~12
 * significant digits and answers 204 even to malformed lines, so this proves
 * the wire path (URL, precision, auth header, batching, spool replay), not
 * InfluxDB's error handling; points are read back through its export API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxStore } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { T0_US, alert, freshIds, strides } from './fixtures.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const services = await realServices(['victoriametrics']);

interface Exported {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

describe.skipIf(services.skip)('InfluxStore v2 write API against VictoriaMetrics', () => {
  const running = services.use();
  let dir: string;
  let proxy: TcpProxy;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-v2-'));
    proxy = await startTcpProxy(running.get('victoriametrics').port);
  });
  afterAll(async () => {
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function exported(match: string): Promise<Exported[]> {
    const vm = running.get('victoriametrics');
    await fetch(`${vm.url}/internal/force_flush`);
    const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': match })}`);
    const text = (await res.text()).trim();
    return text === '' ? [] : text.split('\n').map((line) => JSON.parse(line) as Exported);
  }

  function open(url: string, spoolDir: string): Promise<InfluxStore> {
    return InfluxStore.open({
      url,
      api: 'v2',
      token: 'test-only-token',
      org: 'gaitwatch',
      bucket: 'gaitwatch',
      spoolDir,
      maxBatchDelayMs: 2,
      liveAttempts: 1,
      requestTimeoutMs: 1000,
      backoff: { initialDelayMs: 20, maxDelayMs: 200, factor: 2 },
    });
  }

  it('writes strides and alerts in one batch; fields, tags, millisecond times and nulls arrive', async () => {
    const store = await open(running.get('victoriametrics').url, join(dir, 'a'));
    const { athleteId, sessionId } = freshIds('v2');
    const batch = strides(athleteId, sessionId, 4);
    batch[1] = { ...batch[1]!, pelvicDropDeg: null };
    await store.write({ strides: batch, alerts: [alert(athleteId, sessionId, T0_US + 7_000)] });
    await store.close();
    expect(store.metrics).toMatchObject({ pointsWritten: 5, batchesWritten: 1, pointsSpooled: 0 });

    const drops = await exported(`{__name__="stride_pelvicDropDeg",athlete="${athleteId}"}`);
    const bySide: Record<string, Exported> = Object.fromEntries(drops.map((d) => [d.metric['side'], d]));
    expect(Object.keys(bySide).sort()).toEqual(['left', 'right']);
    expect(bySide['left']!.metric['session']).toBe(sessionId);
    // The null metric of stride 1 (right) is absent, not 0.
    expect(bySide['right']!.timestamps).toEqual([Math.floor(batch[3]!.icUs / 1000)]);
    expect(bySide['left']!.timestamps).toEqual([batch[0]!.icUs, batch[2]!.icUs].map((t) => Math.floor(t / 1000)));
    bySide['left']!.values.forEach((v: number, i: number) => expect(v).toBeCloseTo(batch[i * 2]!.pelvicDropDeg!, 9));
    const alerts = await exported(`{__name__="alert_value",athlete="${athleteId}"}`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.metric).toMatchObject({ type: 'form_breakdown', severity: 'warning', phase: 'raised', metric: 'pelvicDropDeg' });
    expect(alerts[0]!.values).toEqual([8.5]);
  });

  it('spools while the v2 endpoint is down and replays into it when it is back', async () => {
    await proxy.set('down');
    const store = await open(proxy.url, join(dir, 'b'));
    const { athleteId, sessionId } = freshIds('v2spool');
    for (let i = 0; i < 3; i++) await store.write({ strides: strides(athleteId, sessionId, 10, T0_US + i * 60_000_000) });
    expect(store.metrics).toMatchObject({ pointsSpooled: 30, pointsWritten: 0 });
    await proxy.set('up');
    await store.drain();
    await store.close();
    expect(store.metrics.pointsReplayed).toBe(30);
    const cadence = await exported(`{__name__="stride_cadenceSpm",athlete="${athleteId}"}`);
    expect(cadence.reduce((n, series) => n + series.timestamps.length, 0)).toBe(30);
  });
});
