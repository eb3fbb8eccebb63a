/**
 * Issue 14 figure 6, InfluxDB half: the storage write path with raw IMU
 * storage on, into a real InfluxDB 1.x (Debian's influxd, a child process on
 * a free loopback port), as points/s. What is written is what ingest writes
 * for a running club: per session, every 250 ms tick a WriteBatch of its raw
 * IMU blocks (3 sensors × 200 Hz) plus the strides and alerts released in that
 * time (from SessionAnalyzer over seeded simulated runners), through
 * InfluxStore.write (line protocol built, batched, sent, spooled on failure).
 *
 * Baseline in the same repetition: the very line protocol the store sent, in
 * the very batches (captured once from a loopback HTTP server that answers
 * 204), POSTed one after the other to the same server's /write with fetch:
 * what the database takes when nothing stands in between.
 *
 * Spool replay: the server is stopped, a fresh store pointed at its port
 * spools the same writes to disk, the server starts again on the same port
 * and data, and the replay rate is points ÷ (server ready → every spooled
 * point acknowledged).
 *
 *   pnpm bench --only influx
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionAnalyzer } from '@gaitwatch/dsp';
import { SENSOR_IDS } from '@gaitwatch/protocol';
import { InfluxStore, type AlertRecord, type InfluxStoreOptions, type StrideRecord, type WriteBatch } from '@gaitwatch/storage';
import { BENCH_SEED, simulatedFrames, type Frame } from '../lib/data.ts';
import { createInfluxd, influxdBinary, type Influxd } from '../lib/influxd.ts';
import { median, type Row, type ScenarioResult } from '../lib/result.ts';
import { profiled, progress, type ScenarioOptions } from '../lib/scenario.ts';

const NAME = 'influx';
/** Ingest's store writer flushes a session's tick every 250 ms of data (INGEST_TICK). */
const TICK_US = 250_000;
/** A pelvic-drop limit below what the simulated runners show, so pelvic_drop_high alerts are part of the load. */
const LOW_LIMIT_DEG = 3;
/** Store batching as ingest configures it by default (InfluxStore defaults: 5,000 points, 1 s). */
const STORE_BATCH = { maxBatchPoints: 5000, maxBatchDelayMs: 1000 } as const;
/** InfluxStore's default bound on points accepted and not yet stored. */
const MAX_PENDING_POINTS = 200_000;

interface Workload {
  readonly batches: WriteBatch[];
  readonly points: number;
  readonly imuPoints: number;
  readonly strides: number;
  readonly alerts: number;
}

/**
 * Every session's writes, tick by tick across sessions (as ingest's sessions
 * flush): `sources` simulated runners analysed once, dealt round-robin to
 * `sessions` sessions under their own ids.
 */
function buildWorkload(sessions: number, sources: readonly Frame[][], durationS: number): Workload {
  const analysed = sources.map((frames, k) => {
    const analyzer = new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: 'src', sessionId: `src-${k}`, pelvicDropLimitDeg: LOW_LIMIT_DEG });
    const strides: StrideRecord[] = [];
    const alerts: AlertRecord[] = [];
    const ticks: { frames: Frame[]; strides: StrideRecord[]; alerts: AlertRecord[] }[] = [];
    const t0 = frames[0]!.t0Us;
    for (const f of frames) {
      const tick = Math.floor((f.t0Us - t0) / TICK_US);
      while (ticks.length <= tick) ticks.push({ frames: [], strides: [], alerts: [] });
      ticks[tick]!.frames.push(f);
      for (const e of analyzer.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count)) {
        if (e.kind === 'stride') ticks[tick]!.strides.push(e as unknown as StrideRecord);
        else ticks[tick]!.alerts.push(e as unknown as AlertRecord);
      }
    }
    return { strides, alerts, ticks: ticks.slice(0, Math.floor((durationS * 1e6) / TICK_US)) };
  });
  const batches: WriteBatch[] = [];
  let imuPoints = 0;
  let strides = 0;
  let alerts = 0;
  const tickCount = Math.min(...analysed.map((a) => a.ticks.length));
  for (let t = 0; t < tickCount; t++) {
    for (let i = 0; i < sessions; i++) {
      const ids = { athleteId: `bench-${BENCH_SEED}-${i}`, sessionId: `run-${i}` };
      const tick = analysed[i % analysed.length]!.ticks[t]!;
      const batch: WriteBatch = {
        imu: tick.frames.map((f) => ({ ...ids, sensor: f.sensor, t0Us: f.t0Us, periodUs: f.periodUs, samples: f.samples.subarray(0, f.count * 6) })),
        strides: tick.strides.map((s) => ({ ...s, ...ids, kind: undefined })),
        alerts: tick.alerts.map((a) => ({ ...a, ...ids, kind: undefined })),
      };
      for (const f of tick.frames) imuPoints += f.count;
      strides += tick.strides.length;
      alerts += tick.alerts.length;
      batches.push(batch);
    }
  }
  return { batches, points: imuPoints + strides + alerts, imuPoints, strides, alerts };
}

/** Writes every batch through the store as a writer would (waiting while the store says it is not accepting), then flushes. */
async function writeAll(store: InfluxStore, batches: readonly WriteBatch[]): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const batch of batches) {
    // `accepting` says there is room for some points; a batch that would cross the bound is refused, so wait for room for all of it.
    const points = (batch.imu ?? []).reduce((n, b) => n + b.samples.length / 6, 0) + (batch.strides?.length ?? 0) + (batch.alerts?.length ?? 0);
    while (!store.accepting || store.metrics.pendingPoints + points > MAX_PENDING_POINTS) await new Promise((r) => setTimeout(r, 1));
    pending.push(store.write(batch));
  }
  // write() resolves once its points are stored: flush the last, partly filled batch now rather than after its delay.
  await Promise.all([...pending, store.flush()]);
}

async function storeOptions(url: string, database: string, spoolDir: string, extra: Partial<InfluxStoreOptions> = {}): Promise<InfluxStoreOptions> {
  return { url, api: 'v1', database, spoolDir, rawImu: 'all', maxPendingPoints: MAX_PENDING_POINTS, ...STORE_BATCH, ...extra };
}

/** A loopback HTTP server that answers every write 204 and keeps the bodies: the store's exact batches. */
async function captureServer(): Promise<{ url: string; bodies: string[]; close: () => Promise<void> }> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (req.url?.startsWith('/write') === true) bodies.push(body);
      res.statusCode = req.url?.startsWith('/ping') === true || req.url?.startsWith('/write') === true ? 204 : 404;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('capture server has no port');
  return { url: `http://127.0.0.1:${address.port}`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function storeRate(url: string, database: string, workload: Workload): Promise<{ rate: number; written: number }> {
  const spoolDir = await mkdtemp(join(tmpdir(), 'gw-bench-spool-'));
  const store = await InfluxStore.open(await storeOptions(url, database, spoolDir));
  try {
    const started = performance.now();
    await writeAll(store, workload.batches);
    const s = (performance.now() - started) / 1000;
    const m = store.metrics;
    if (m.pointsSpooled > 0 || m.pointsRejected > 0) throw new Error(`the store spooled ${m.pointsSpooled} and the database rejected ${m.pointsRejected} points in a live run: the numbers would not be a write rate`);
    return { rate: workload.points / s, written: m.pointsWritten };
  } finally {
    await store.close();
    await rm(spoolDir, { recursive: true, force: true });
  }
}

/** The baseline: the captured bodies POSTed in order, one request at a time. */
async function plainRate(influx: Influxd, database: string, bodies: readonly string[], points: number): Promise<number> {
  const url = `${influx.url}/write?${new URLSearchParams({ db: database, precision: 'u' })}`;
  const started = performance.now();
  for (const body of bodies) {
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    if (res.status !== 204) throw new Error(`plain /write: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  return points / ((performance.now() - started) / 1000);
}

async function countPoints(influx: Influxd, database: string): Promise<number> {
  const result = (await influx.query('SELECT count(ax) FROM imu', database)) as { results: { series?: { values: [string, number][] }[] }[] };
  return result.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function influx(options: ScenarioOptions): Promise<ScenarioResult> {
  const wallStarted = performance.now();
  const { quick, runs } = options;
  const title = 'InfluxDB write path, raw IMU on (real influxd)';
  if (influxdBinary() === undefined) {
    if (process.env['CI'] === 'true') throw new Error('influx scenario: no influxd binary; CI installs it');
    return { name: NAME, title, runs, rows: [], notes: ['skipped: no influxd binary (apt-get install influxdb)'], setupS: 0, wallS: 0 };
  }
  const sessions = quick ? 2 : 20;
  const sourcesN = quick ? 1 : 4;
  const dataS = quick ? 8 : 30;
  const setupStarted = performance.now();
  progress(NAME, `analysing ${sourcesN} simulated runners × ${dataS + 10} s for the strides and alerts`);
  // The first 10 s (standing, walk-off) are analysed but not written: the written seconds carry strides.
  const sources = Array.from({ length: sourcesN }, (_, k) => simulatedFrames(300 + k, dataS + 10));
  const full = buildWorkload(sessions, sources, dataS + 10);
  const skip = sessions * Math.floor(10e6 / TICK_US);
  const batches = full.batches.slice(skip);
  const workload: Workload = {
    batches,
    imuPoints: batches.reduce((n, b) => n + (b.imu ?? []).reduce((m, x) => m + x.samples.length / 6, 0), 0),
    strides: batches.reduce((n, b) => n + (b.strides?.length ?? 0), 0),
    alerts: batches.reduce((n, b) => n + (b.alerts?.length ?? 0), 0),
    points: 0,
  };
  (workload as { points: number }).points = workload.imuPoints + workload.strides + workload.alerts;
  if (workload.strides === 0) throw new Error('no stride in the written seconds: the bench input is broken');

  // The store's exact line protocol and batches, captured from a server that only says 204 (also the JIT's warm-up).
  const capture = await captureServer();
  try {
    await storeRate(capture.url, 'capture', workload);
  } finally {
    await capture.close();
  }
  // Without the store's empty write at open (its check that the database exists: no point in it).
  const bodies = capture.bodies.filter((b) => b !== '');
  const capturedPoints = bodies.reduce((n, b) => n + b.split('\n').length, 0);
  if (capturedPoints !== workload.points) throw new Error(`captured ${capturedPoints} lines for ${workload.points} points`);
  const server = await createInfluxd();
  const setupS = (performance.now() - setupStarted) / 1000;
  const notes: string[] = [];
  const rows: Row[] = [];
  try {
    await server.start();
    progress(NAME, `${workload.points} points a repetition (${workload.imuPoints} IMU samples, ${workload.strides} strides, ${workload.alerts} alerts) in ${bodies.length} batches; ${runs} repetitions`);
    const storeRates: number[] = [];
    const plainRates: number[] = [];
    let counted = '';
    for (let r = 0; r < runs; r++) {
      const dbStore = `bench_store_${r}`;
      const dbPlain = `bench_plain_${r}`;
      await server.query(`CREATE DATABASE ${dbStore}`);
      await server.query(`CREATE DATABASE ${dbPlain}`);
      const s = await profiled(`influx-store-${r}`, () => storeRate(server.url, dbStore, workload));
      if (s.written !== workload.points) throw new Error(`the store acknowledged ${s.written} of ${workload.points} points`);
      storeRates.push(s.rate);
      plainRates.push(await plainRate(server, dbPlain, bodies, workload.points));
      if (r === 0) {
        const [inStore, inPlain] = [await countPoints(server, dbStore), await countPoints(server, dbPlain)];
        if (inStore !== workload.imuPoints || inPlain !== workload.imuPoints) throw new Error(`IMU points in the database: store ${inStore}, plain ${inPlain}, expected ${workload.imuPoints}`);
        counted = `count(ax) FROM imu read back ${inStore} (store) and ${inPlain} (plain) after repetition 1: every IMU point landed.`;
      }
      await server.query(`DROP DATABASE ${dbStore}`);
      await server.query(`DROP DATABASE ${dbPlain}`);
      progress(NAME, `run ${r + 1}/${runs}: InfluxStore ${storeRates.at(-1)!.toFixed(0)} points/s, plain /write ${plainRates.at(-1)!.toFixed(0)} points/s`);
    }
    rows.push(
      { id: 'store-points', figure: `InfluxStore.write, raw IMU on, ${sessions} sessions × ${dataS} s`, unit: 'points/s', values: storeRates, higherIsBetter: true, baseline: 'plain-points', target: '≥ 80 % of the plain rate', met: median(storeRates) >= 0.8 * median(plainRates) },
      { id: 'plain-points', figure: 'baseline: plain batched /write of the same line protocol (fetch)', unit: 'points/s', values: plainRates, higherIsBetter: true },
    );

    // Outage: the server stops; a fresh store spools; the server comes back on the same port and data; the spool replays.
    const replayDb = 'bench_replay';
    await server.query(`CREATE DATABASE ${replayDb}`);
    await server.stop();
    const spoolDir = await mkdtemp(join(tmpdir(), 'gw-bench-spool-'));
    // One live attempt and a short backoff: the replay starts within ~100 ms of the server's return, so the figure is the replay's own rate.
    const store = await InfluxStore.open(await storeOptions(server.url, replayDb, spoolDir, { liveAttempts: 1, backoff: { initialDelayMs: 20, maxDelayMs: 100, factor: 2 }, requestTimeoutMs: 5000 }));
    try {
      const spoolStarted = performance.now();
      await writeAll(store, workload.batches);
      await waitFor('spooling', () => store.metrics.pointsSpooled >= workload.points, 60_000);
      const spoolS = (performance.now() - spoolStarted) / 1000;
      const spooledBytes = store.metrics.spoolBytes;
      await server.start();
      const upAt = performance.now();
      await profiled('influx-replay', () => waitFor('replay', () => store.metrics.pointsReplayed >= workload.points, 120_000));
      const replayRate = workload.points / ((performance.now() - upAt) / 1000);
      progress(NAME, `spool: ${workload.points} points spooled in ${spoolS.toFixed(2)} s (${(spooledBytes / 1e6).toFixed(1)} MB), replayed at ${replayRate.toFixed(0)} points/s`);
      rows.push(
        { id: 'replay-points', figure: 'spool replay after an outage (server back → all replayed)', unit: 'points/s', values: [replayRate], higherIsBetter: true, baseline: 'plain-points', unpaired: true },
        { id: 'spool-points', figure: 'spooling while the server is down (writes → all on disk)', unit: 'points/s', values: [workload.points / spoolS], higherIsBetter: true },
      );
      notes.push(
        `Outage: the server stopped; a fresh InfluxStore (liveAttempts 1, backoff 20–100 ms, spool in ${tmpdir()}) took the same writes: ${workload.points} points spooled in ${spoolS.toFixed(2)} s (${(spooledBytes / 1e6).toFixed(1)} MB on disk); influxd started again on the same port and data; replay = points ÷ (server answering /ping → every spooled point acknowledged), one pass (its ratio is to the plain rate's median).`,
      );
    } finally {
      await store.close();
      await rm(spoolDir, { recursive: true, force: true });
    }
    notes.push(
      `Input: ${sourcesN} simulated runners (steady, seed ${BENCH_SEED}, runners 300–${299 + sourcesN}) analysed by SessionAnalyzer (pelvic-drop limit ${LOW_LIMIT_DEG}° so pelvic_drop_high alerts are part of the load), dealt round-robin to ${sessions} sessions; seconds 10–${10 + dataS} of each written as ingest's store writer does: one WriteBatch per session per 250 ms (its raw IMU frames as ImuBlocks, its strides and alerts), sessions interleaved, ${workload.batches.length} write() calls of ${workload.points} points (${workload.imuPoints} IMU samples, ${workload.strides} strides, ${workload.alerts} alerts) per repetition, each into a fresh database (created and dropped untimed).`,
      `InfluxStore: api v1, rawImu all, batches of ≤ ${STORE_BATCH.maxBatchPoints} points or ${STORE_BATCH.maxBatchDelayMs} ms (its defaults); rate = points ÷ (first write() → flush() resolved, every point acknowledged: the store's pointsWritten is checked). Plain: the store's own ${bodies.length} request bodies (captured once, untimed, from a loopback server answering 204, which also warmed the JIT), POSTed in order to /write?precision=u with fetch, one request at a time. ${counted}`,
      `Server: ${influxdBinary()} (Debian's InfluxDB 1.6), loopback, HTTP and query logs off, data in ${tmpdir()}; it shares the 2 cores with this process.`,
    );
  } finally {
    await server.dispose();
  }
  return { name: NAME, title, runs, rows, notes, setupS, wallS: (performance.now() - wallStarted) / 1000 };
}
