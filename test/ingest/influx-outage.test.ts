// Reliability tests 1 and 5 of issue 11, end to end through ingest: the real
// InfluxDB behind a loopback TCP proxy that the test cuts and restores, real
// Mosquitto, two recorded runners replayed live as the load.
//  1. InfluxDB unreachable for ~25 s mid-run, then back: every stride of both
//     sessions is in InfluxDB exactly once — the stances `analyzeRecording`
//     finds in the same files, no more, no fewer.
//  5. The spool full (a tiny spool, the database away): back-pressure — intake
//     stops acknowledging, the broker keeps the messages, nothing is dropped —
//     with its metric and one log line; when the database is back, everything
//     arrives.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, type AnalysisEvent } from '@gaitwatch/dsp';
import { createLogger, loadConfig, startIngest, type IngestService } from '@gaitwatch/ingest';
import { replayRecording, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { InfluxStore, type InfluxStoreOptions } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { connectionFor, influxValues } from '../storage/influx-connection.ts';
import { startTcpProxy, type TcpProxy } from '../storage/tcp-proxy.ts';
import { byTime, counterValue, storedStrides, strideKey, waitFor } from './helpers.ts';

const services = await realServices(['mosquitto', 'influxdb']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Runner {
  readonly athleteId: string;
  readonly sessionId: string;
  readonly csv: string;
  readonly strides: Extract<AnalysisEvent, { kind: 'stride' }>[];
}

describe.skipIf(services.skip)('ingest with InfluxDB away (real InfluxDB behind a proxy)', () => {
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0', 'max_inflight_messages 0'] } });
  let dir: string;
  let proxy: TcpProxy;
  const runners: Runner[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-ingest-outage-'));
    proxy = await startTcpProxy(running.get('influxdb').port);
    // Two runners, 80 s each; the offline analysis of the same files is the reference.
    for (const [i, seed] of [61, 62].entries()) {
      const { csv } = await writeRecording(new SimulatedSession({ scenario: 'steady', durationS: 80, seed, timestampJitterUs: 0 }), dir, `run${i}`);
      const events: AnalysisEvent[] = [];
      const ids = { athleteId: `ath-o${i}-${process.pid % 10000}`, sessionId: `run-o${i}` };
      await analyzeRecording(createReadStream(csv, { encoding: 'utf8' }) as AsyncIterable<string>, (e) => events.push(e), {}, ids);
      runners.push({ ...ids, csv, strides: events.filter((e) => e.kind === 'stride') });
    }
  }, 30_000);
  afterAll(async () => {
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Ingest on the harness's broker, storing into InfluxDB through the proxy; log lines collected. */
  async function start(tag: string, env: Record<string, string>, storeOptions: Partial<InfluxStoreOptions>): Promise<{ service: IngestService; store: InfluxStore; logs: string[]; close(): Promise<void> }> {
    const logs: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
    const spoolDir = await mkdtemp(join(tmpdir(), `gw-outage-spool-${tag}-`));
    const store = await InfluxStore.open({
      url: proxy.url,
      ...connectionFor(running.get('influxdb')),
      spoolDir,
      logger: logger.child({ part: 'store' }),
      // A live batch gives up after one 1 s try and goes to the spool; replay retries within a second of the database's return.
      liveAttempts: 1,
      requestTimeoutMs: 1000,
      backoff: { initialDelayMs: 50, maxDelayMs: 1000, factor: 2 },
      ...storeOptions,
    });
    const config = loadConfig({
      MQTT_URL: running.get('mosquitto').url,
      MQTT_CLIENT_ID: `gw-outage-${tag}-${process.pid % 10000}`,
      DATA_DIR: spoolDir,
      INGEST_HTTP_PORT: '0',
      INGEST_HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    });
    const service = await startIngest(config, { store, logger });
    await waitFor(() => service.intake.subscribes > 0, 10_000, 'ingest subscribed');
    return {
      service,
      store,
      logs,
      async close() {
        await service.stop();
        await store.close();
        await rm(spoolDir, { recursive: true, force: true });
      },
    };
  }

  const replayAll = (sessionSuffix: string, speedup: number): Promise<unknown> =>
    Promise.all(runners.map((r) => replayRecording(r.csv, { mqttUrl: running.get('mosquitto').url, athleteId: r.athleteId, sessionId: r.sessionId + sessionSuffix, format: 'json', speedup })));

  /** Stride points of a session in InfluxDB, counted by the server itself (not through the store under test). */
  async function countInInflux(athleteId: string, sessionId: string): Promise<number> {
    const values = await influxValues(running.get('influxdb'), `SELECT COUNT("schemaVersion") FROM "stride" WHERE "athlete" = '${athleteId}' AND "session" = '${sessionId}'`);
    return (values[0]?.[1] as number | undefined) ?? 0;
  }

  /** Every session's stop summary is in InfluxDB and the spool is empty. */
  async function waitAllStored(t: { service: IngestService; store: InfluxStore }, suffix: string, timeoutMs: number): Promise<void> {
    await waitFor(async () => {
      await t.service.flush();
      await t.store.drain();
      for (const r of runners) if (((await t.store.getSession(r.athleteId, r.sessionId + suffix))?.endUs ?? null) === null) return false;
      return true;
    }, timeoutMs, 'every session closed in InfluxDB');
  }

  /** Stored strides = the offline analysis's, exactly, each once. */
  async function expectEveryStrideOnce(store: InfluxStore, suffix: string): Promise<void> {
    for (const r of runners) {
      const stored = await storedStrides(store, r.athleteId, r.sessionId + suffix);
      expect(stored.length).toBeGreaterThan(150);
      expect(byTime(stored).map(strideKey)).toEqual(byTime(r.strides).map(strideKey));
      expect(await countInInflux(r.athleteId, r.sessionId + suffix)).toBe(r.strides.length);
    }
  }

  it('InfluxDB away for ~25 s mid-run: afterwards every stride of every session is in InfluxDB exactly once', async () => {
    const t = await start('down', {}, {});
    try {
      // 80 s of data at ×2.5 = 32 s of wall time.
      const replay = replayAll('', 2.5);
      await waitFor(() => runners.every((r) => (t.service.sessions.session(r.athleteId, r.sessionId)?.strides ?? 0) >= 10), 15_000, 'both sessions under way');
      await proxy.set('down');
      const downAt = Date.now();
      await waitFor(() => t.store.metrics.spoolDepthBatches > 2, 15_000, 'batches spooled while InfluxDB is away');
      await sleep(25_000 - (Date.now() - downAt));
      const spooled = t.store.metrics.pointsSpooled;
      await proxy.set('up');
      await replay;
      await waitAllStored(t, '', 20_000);
      expect(spooled).toBeGreaterThan(200);
      expect(t.store.metrics.pointsReplayed).toBeGreaterThanOrEqual(spooled);
      expect(t.store.metrics.pointsRejected).toBe(0);
      expect(await counterValue(t.service.metrics.storeErrors)).toBe(0);
      await expectEveryStrideOnce(t.store, '');
      expect(t.logs.some((l) => l.includes('spool replayed') || l.includes('replayed'))).toBe(true);
    } finally {
      await proxy.set('up');
      await t.close();
    }
  }, 55_000);

  it('spool full with InfluxDB away: intake stops acknowledging (the broker keeps the rest), metric and one log line; all arrives when it is back', async () => {
    // Checkpoints off: a checkpoint batch (the analyzer's snapshot) is larger than this whole spool and could never be spooled.
    const t = await start('full', { INGEST_CHECKPOINT_S: '0' }, { maxSpoolBytes: 24 * 1024, spoolSegmentBytes: 4 * 1024, maxBatchDelayMs: 200 });
    const metricsText = async (): Promise<string> => (await fetch(`http://127.0.0.1:${t.service.httpPort}/metrics`)).text();
    try {
      await proxy.set('down');
      const replay = replayAll('-f', 4);
      await waitFor(() => t.store.metrics.spoolFull === 1 && t.service.notReady() !== undefined, 25_000, 'the spool full');
      // Held: while the store refuses, intake takes no more messages — they wait unacknowledged with the broker.
      await sleep(300);
      const messagesAtFull = await counterValue(t.service.metrics.messages);
      await sleep(2500);
      expect(await counterValue(t.service.metrics.messages)).toBeLessThanOrEqual(messagesAtFull + 1);
      const text = await metricsText();
      expect(text).toMatch(/^gaitwatch_store_spool_full 1$/m);
      expect(text).toMatch(/^gaitwatch_ingest_store_errors_total\{error="full"\} [1-9]/m);
      expect((await fetch(`http://127.0.0.1:${t.service.httpPort}/readyz`)).status).toBe(503);
      // One line from ingest and one from the store for the episode, however many retries.
      expect(t.logs.filter((l) => l.includes('store is full')).length).toBe(1);
      expect(t.logs.filter((l) => l.includes('spool full')).length).toBe(1);

      await proxy.set('up');
      await replay;
      await waitAllStored(t, '-f', 30_000);
      expect(t.store.metrics.spoolFull).toBe(0);
      expect(t.store.metrics.writesRefusedFull).toBeGreaterThan(0);
      expect(t.store.metrics.pointsRejected).toBe(0);
      expect(await counterValue(t.service.metrics.rejected)).toBe(0);
      expect(await counterValue(t.service.metrics.storeErrors)).toBe(await counterValue(t.service.metrics.storeErrors, { error: 'full' }));
      expect(t.logs.some((l) => l.includes('store accepts writes again'))).toBe(true);
      await expectEveryStrideOnce(t.store, '-f');
    } finally {
      await proxy.set('up');
      await t.close();
    }
  }, 55_000);
});
