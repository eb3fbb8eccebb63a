// Sessions spread over analysis threads (INGEST_ANALYSIS_THREADS): the pool is fed the very messages a broker
// would deliver and must give exactly what the in-process analysis gives — per session, in order — also across
// a thread crash (restart, resume from the checkpoint, replay), under back-pressure and at shutdown.
// No broker here: the pool is driven directly (the broker paths are test/ingest/*'s, which run on threads by default).
import { buildTopic, encodeJsonImu, parseTopic } from '@gaitwatch/protocol';
import { AnalysisPool, CHECKPOINT_VERSION, MAX_CRASHES_IN_A_ROW, createLogger, IngestMetrics, inProcessSessions, SessionManager, sessionThread, type SessionCheckpoint, type SessionHost, type SessionOutput } from '@gaitwatch/ingest';
import { MessageSource, SimulatedSession } from '@gaitwatch/runner-sim';
import type { CheckpointRecord } from '@gaitwatch/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { counterValue, waitFor } from './helpers.ts';

interface Message {
  readonly topic: string;
  readonly payload: Uint8Array;
}

const RUNNERS = 4;
const DURATION_S = 150;
const status = (state: object): Uint8Array => Buffer.from(JSON.stringify(state));

/** Athlete ids chosen so that two threads both get sessions (the hash is stable, so this is too). */
function athletes(): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < RUNNERS; i++) {
    const id = `ath-t${i}`;
    if (sessionThread(`${id}/run-1`, 2) === ids.length % 2) ids.push(id);
  }
  return ids;
}

/** The runners' messages interleaved in time order, each session framed by start and stop (as the relays publish them). */
function fleetMessages(opts: { stop: boolean }): Message[] {
  const ids = athletes();
  const sources = ids.map((_, i) => new MessageSource(new SimulatedSession({ scenario: 'itb-fatigue', durationS: DURATION_S, seed: 71, runnerIndex: i, fatigueOnsetS: 60 }), 20));
  const out: Message[] = ids.map((id, i) => ({ topic: buildTopic(id, 'run-1', 'status'), payload: status({ state: 'start', tUs: sources[i]!.session.timestampUs(0), sensors: ['pelvis', 'shank_left', 'shank_right'], sampleRateHz: 200, firmware: 'test' }) }));
  for (;;) {
    let best = -1;
    let bestDue = Infinity;
    sources.forEach((s, i) => {
      const due = s.nextDueS();
      if (due !== undefined && due < bestDue) [best, bestDue] = [i, due];
    });
    if (best < 0) break;
    out.push({ topic: buildTopic(ids[best]!, 'run-1', 'imu'), payload: Buffer.from(encodeJsonImu(sources[best]!.next()!)) });
  }
  if (opts.stop) ids.forEach((id, i) => out.push({ topic: buildTopic(id, 'run-1', 'status'), payload: status({ state: 'stop', tUs: sources[i]!.session.timestampUs(DURATION_S) }) }));
  return out;
}

const ALL = fleetMessages({ stop: true });

/**
 * What the store would hold: strides and alerts keyed as their points (a rewrite of the same point overwrites
 * it), plus every write in order per session (to see order and duplicates), session records and checkpoints.
 */
class MemoryStore {
  readonly strides = new Map<string, object>();
  readonly alerts = new Map<string, object>();
  readonly writes = new Map<string, object[]>();
  readonly sessions = new Map<string, { startUs: number; endUs: number | null; summary: Record<string, unknown> }>();
  readonly checkpoints = new Map<string, CheckpointRecord>();
  readonly output: SessionOutput = {
    stride: (r) => this.write(`${r.athleteId}/${r.sessionId}`, this.strides, `${r.athleteId}/${r.sessionId}/${r.side}/${r.icUs}`, r),
    alert: (r) => this.write(`${r.athleteId}/${r.sessionId}`, this.alerts, `${r.athleteId}/${r.sessionId}/${r.type}/${r.metric}/${r.phase}/${r.tUs}`, r),
    session: (r) => this.sessions.set(`${r.athleteId}/${r.sessionId}`, r as never),
    checkpoint: (r) => this.checkpoints.set(`${r.athleteId}/${r.sessionId}`, r),
    rep: () => undefined,
    publishLive: () => undefined,
    publishAlert: () => undefined,
  };

  private write(session: string, points: Map<string, object>, key: string, record: object): void {
    points.set(key, record);
    const list = this.writes.get(session) ?? [];
    list.push(record);
    this.writes.set(session, list);
  }

  /** As storeCheckpoints: the latest checkpoint of a session still open, of the same run. */
  async load(athleteId: string, sessionId: string): Promise<SessionCheckpoint | undefined> {
    const key = `${athleteId}/${sessionId}`;
    const record = this.checkpoints.get(key);
    const session = this.sessions.get(key);
    if (record === undefined || session === undefined || session.endUs !== null || session.startUs !== record.startUs || record.version !== CHECKPOINT_VERSION) return undefined;
    return JSON.parse(Buffer.from(record.data).toString('utf8')) as SessionCheckpoint;
  }
}

const logger = createLogger(process.env['GW_TEST_LOGS'] === undefined ? 'silent' : 'warn');
const COMMON = { logger, idleTimeoutS: 3600, jitterMs: 250, jitterMaxFrames: 64 };
const pools: SessionHost[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** A pool of two threads (unless `extra` says) writing to `store`; checkpoints in it unless `checkpoints` is false. */
function pool(store: MemoryStore, metrics: IngestMetrics, extra: { threads?: number; maxQueuedMessages?: number; crashOnTopic?: string; crashOnTopicEveryStart?: boolean; checkpoints?: false; checkpointStepSessions?: number } = {}): AnalysisPool {
  const { checkpoints, ...rest } = extra;
  const p = new AnalysisPool({ ...COMMON, metrics, output: store.output, threads: 2, ...(checkpoints === false ? {} : { checkpoints: store }), durable: async () => undefined, ...rest });
  pools.push(p);
  return p;
}

/** Feeds messages the way the intake does: in order, holding while the sessions say they are saturated. */
async function feed(host: SessionHost, messages: readonly Message[], onEach?: (index: number) => void): Promise<void> {
  for (const [i, m] of messages.entries()) {
    while (host.saturated) await new Promise((r) => setTimeout(r, 1));
    host.handle(m.topic, m.payload);
    onEach?.(i);
    // Yield now and then, as a socket does: batches of a few hundred messages.
    if (i % 300 === 299) await new Promise((r) => setImmediate(r));
  }
}

/** Waits until every session of the fleet is closed in the store. */
async function closed(store: MemoryStore): Promise<void> {
  await waitFor(() => athletes().every((id) => (store.sessions.get(`${id}/run-1`)?.endUs ?? null) !== null), 30_000, 'every session closed');
}

/** The reference: the same messages through one in-process SessionManager. */
const referenceMetrics = new IngestMetrics();
const reference = (() => {
  const store = new MemoryStore();
  const host = inProcessSessions(new SessionManager({ ...COMMON, metrics: referenceMetrics, output: store.output }));
  for (const m of ALL) host.handle(m.topic, m.payload);
  return store;
})();

const summaries = (store: MemoryStore): object[] => [...store.sessions].sort().map(([key, s]) => ({ key, summary: s.summary['strides'], alerts: s.summary['alerts'], endUs: s.endUs }));

describe('analysis threads', () => {
  it('the reference run is worth comparing: every session has strides and alerts', () => {
    for (const id of athletes()) expect((reference.writes.get(`${id}/run-1`) ?? []).length).toBeGreaterThan(150);
    expect(reference.alerts.size).toBeGreaterThan(0);
    expect(new Set(athletes().map((id) => sessionThread(`${id}/run-1`, 2)))).toEqual(new Set([0, 1]));
  });

  it('sessions spread over two threads give exactly the in-process strides, alerts and summaries, each session in order', async () => {
    const store = new MemoryStore();
    const metrics = new IngestMetrics();
    const p = pool(store, metrics, { checkpoints: false });
    await feed(p, ALL);
    await closed(store);
    // Per session, every write in order: the same list means same analysis, same order, nothing twice.
    expect(store.writes).toEqual(reference.writes);
    expect(summaries(store)).toEqual(summaries(reference));
    // Metrics made on the threads land in the main thread's registry.
    // (They come after the records of the same batch: polled.)
    await expect.poll(() => counterValue(metrics.messages)).toBe(ALL.length);
    await expect.poll(() => counterValue(metrics.strides)).toBe(reference.strides.size);
    // Counters summed on the threads between sends (MetricBuffer) add up to the in-process counts.
    expect(await counterValue(metrics.samples)).toBe(await counterValue(referenceMetrics.samples));
    expect(await counterValue(metrics.samples)).toBeGreaterThan(ALL.length);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/gaitwatch_ingest_analysis_queue_messages\{thread="1"\} 0/);
    expect(text).toMatch(new RegExp(`gaitwatch_ingest_arrival_to_analysis_seconds_count ${ALL.length}\\b`));
  });

  it('checkpoint rounds stepped a session at a time while messages keep coming: every round answers, each in order, and the run is the uninterrupted one', async () => {
    const store = new MemoryStore();
    const metrics = new IngestMetrics();
    const p = pool(store, metrics, { checkpointStepSessions: 1 });
    const rounds: Promise<boolean>[] = [];
    const answered: number[] = [];
    const cuts = [0.2, 0.35, 0.5, 0.65, 0.8].map((f) => Math.floor(ALL.length * f));
    // The starts first, and their (empty) checkpoint reads answered: a round while a session opens covers nothing.
    await feed(p, ALL.slice(0, RUNNERS));
    await p.settled();
    await feed(p, ALL.slice(RUNNERS), (i) => {
      if (!cuts.includes(i + RUNNERS)) return;
      // Not awaited: batches follow the command while its round is stepped. Two in a row: the second
      // command finishes the first round before its own, and the answers come in order.
      for (let k = 0; k < 2; k++) {
        const n = rounds.length;
        rounds.push(p.checkpointAll(false).then((covered) => (answered.push(n), covered)));
      }
    });
    await Promise.all(rounds);
    expect(answered).toEqual(rounds.map((_, n) => n));
    await closed(store);
    expect(store.checkpoints.size).toBe(RUNNERS);
    expect(store.writes).toEqual(reference.writes);
    expect(summaries(store)).toEqual(summaries(reference));
  });

  it('a thread that dies is restarted and its sessions resume from their checkpoint: no stored stride lost or doubled', async () => {
    const store = new MemoryStore();
    const metrics = new IngestMetrics();
    // The thread of the first athlete dies on the crash message, two checkpoints into the run.
    const thread = sessionThread(`${athletes()[0]}/run-1`, 2);
    let crashSession = 0;
    while (sessionThread(`${athletes()[0]}/crash-${crashSession}`, 2) !== thread) crashSession++;
    const crashTopic = buildTopic(athletes()[0]!, `crash-${crashSession}`, 'status');
    const p = pool(store, metrics, { crashOnTopic: crashTopic });
    const cut = [Math.floor(ALL.length * 0.3), Math.floor(ALL.length * 0.45), Math.floor(ALL.length * 0.6)];
    // A checkpoint while a session is still opening does not cover it (the periodic one then comes again).
    const checkpoint = async (): Promise<void> => {
      while (!(await p.checkpointAll(false)));
    };
    await feed(p, ALL.slice(0, cut[0]));
    await checkpoint();
    await feed(p, ALL.slice(cut[0], cut[1]));
    await checkpoint();
    await feed(p, [...ALL.slice(cut[1], cut[2]), { topic: crashTopic, payload: status({ state: 'lost' }) }, ...ALL.slice(cut[2])]);
    await closed(store);
    expect(await counterValue(metrics.analysisThreadRestarts, { thread: String(thread) })).toBe(1);
    expect(await counterValue(metrics.analysisThreadRestarts)).toBe(1);
    expect(store.checkpoints.size).toBe(RUNNERS);
    for (const id of athletes()) {
      const key = `${id}/run-1`;
      const of = <T extends object>(points: Map<string, T>): [string, T][] => [...points].filter(([k]) => k.startsWith(`${key}/`)).sort();
      if (sessionThread(key, 2) !== thread) {
        // The other thread's sessions: untouched.
        expect(store.writes.get(key)).toEqual(reference.writes.get(key));
        continue;
      }
      // The crashed thread's sessions resumed from the latest checkpoint and were given again what came after it:
      // away from the cut every stored stride and alert is the uninterrupted run's; at the cut dsp's restore may
      // miss a stance per leg (test/ingest/kill.test.ts), never store one twice.
      const cutUs = (JSON.parse(Buffer.from(store.checkpoints.get(key)!.data).toString('utf8')) as SessionCheckpoint).dataUs!;
      const away = ([, r]: [string, { icUs?: number; tUs?: number }]): boolean => (r.icUs ?? r.tUs)! < cutUs - 8e6 || (r.icUs ?? r.tUs)! > cutUs + 3e6;
      expect(of(store.strides).filter(away)).toEqual(of(reference.strides).filter(away));
      // Alerts: the same episodes, each once, within 3 s of the uninterrupted run's (the missed stance shifts the rolling windows).
      const episodes = (points: Map<string, { tUs: number }>): { what: string; tUs: number }[] =>
        of(points).map(([k, r]) => ({ what: k.split('/').slice(2, 5).join('/'), tUs: r.tUs }));
      const got = episodes(store.alerts as Map<string, { tUs: number }>);
      const want = episodes(reference.alerts as Map<string, { tUs: number }>);
      expect(got.map((e) => e.what)).toEqual(want.map((e) => e.what));
      got.forEach((e, i) => expect(Math.abs(e.tUs - want[i]!.tUs)).toBeLessThan(3e6));
      expect(of(store.strides).filter(away).length).toBeGreaterThan(300);
      const atCut = of(store.strides).filter((e) => !away(e)).map(([, r]) => r as { side: string; icUs: number });
      expect(atCut.length).toBeGreaterThanOrEqual(of(reference.strides).filter((e) => !away(e)).length - 2);
      for (const side of ['left', 'right']) {
        const ics = atCut.filter((r) => r.side === side).map((r) => r.icUs);
        for (let i = 1; i < ics.length; i++) expect(ics[i]! - ics[i - 1]!).toBeGreaterThan(0.4e6);
      }
      // Given again, not lost: the session saw every sample (the summary's input counts are the uninterrupted run's).
      const ingest = (s: MemoryStore): unknown => (s.sessions.get(key)!.summary['ingest'] as Record<string, { samples: number }>)['pelvis']!.samples;
      expect(ingest(store)).toBe(ingest(reference));
    }
  });

  it('a message that kills every thread that analyses it is dropped after a few restarts: the other sessions go on, nothing stalls', async () => {
    const store = new MemoryStore();
    const metrics = new IngestMetrics();
    const thread = sessionThread(`${athletes()[0]}/run-1`, 2);
    let crashSession = 0;
    while (sessionThread(`${athletes()[0]}/crash-${crashSession}`, 2) !== thread) crashSession++;
    const poison = { topic: buildTopic(athletes()[0]!, `crash-${crashSession}`, 'status'), payload: status({ state: 'lost' }) };
    const p = pool(store, metrics, { crashOnTopic: poison.topic, crashOnTopicEveryStart: true });
    const cut = Math.floor(ALL.length * 0.4);
    await feed(p, ALL.slice(0, cut));
    while (!(await p.checkpointAll(false)));
    await feed(p, [poison, ...ALL.slice(cut)]);
    await waitFor(async () => (await counterValue(metrics.analysisReplayDropped)) > 0, 20_000, 'the poisoned replay dropped');
    // What was dropped (the poisoned thread's messages since its checkpoint, stops included) is what a broker
    // redelivers to a reconnecting subscriber: given again, each session resumes from its checkpoint and ends.
    await feed(p, ALL.slice(cut).filter((m) => sessionThread(`${parseTopic(m.topic)!.athleteId}/run-1`, 2) === thread));
    await closed(store);
    expect(await counterValue(metrics.analysisThreadRestarts, { thread: String(thread) })).toBe(MAX_CRASHES_IN_A_ROW);
    expect(await counterValue(metrics.analysisReplayDropped)).toBeGreaterThan(0);
    for (const id of athletes()) {
      const key = `${id}/run-1`;
      // The other thread never noticed; the poisoned thread's sessions resumed from their checkpoint and ended.
      if (sessionThread(key, 2) !== thread) expect(store.writes.get(key)).toEqual(reference.writes.get(key));
      else expect(store.sessions.get(key)?.endUs).not.toBeNull();
    }
    expect(p.saturated).toBe(false);
  });

  it('a session that ended before the thread died is not replayed: its stored summary stays', async () => {
    const id = athletes()[0]!;
    const key = `${id}/run-1`;
    const own = ALL.filter((m) => parseTopic(m.topic)!.athleteId === id && !m.payload.toString().includes('"stop"'));
    const cut = [Math.floor(own.length * 0.2), Math.floor(own.length * 0.3), Math.floor(own.length * 0.5)];
    const stop = { topic: buildTopic(id, 'run-1', 'status'), payload: status({ state: 'stop', tUs: 1 + Math.max(...own.slice(0, cut[2]).map((m) => JSON.parse(m.payload.toString()).t0Us ?? 0)) }) };
    const thread = sessionThread(key, 2);
    let crashSession = 0;
    while (sessionThread(`${id}/crash-${crashSession}`, 2) !== thread) crashSession++;
    const crash = { topic: buildTopic(id, `crash-${crashSession}`, 'status'), payload: status({ state: 'lost' }) };

    const refStore = new MemoryStore();
    const ref = new SessionManager({ ...COMMON, metrics: new IngestMetrics(), output: refStore.output });
    for (const m of [...own.slice(0, cut[2]), stop]) ref.handle(m.topic, m.payload);

    const store = new MemoryStore();
    const metrics = new IngestMetrics();
    const p = pool(store, metrics, { crashOnTopic: crash.topic });
    const checkpoint = async (): Promise<void> => {
      while (!(await p.checkpointAll(false)));
    };
    await feed(p, own.slice(0, cut[0]));
    await checkpoint();
    await feed(p, own.slice(cut[0], cut[1]));
    await checkpoint();
    await feed(p, [...own.slice(cut[1], cut[2]), stop, crash]);
    await waitFor(async () => (await counterValue(metrics.analysisThreadRestarts)) === 1, 10_000, 'the thread restarted');
    await p.settled(); // the restarted thread has had its replay, and opened what it reopens
    expect(store.sessions.get(key)).toEqual(refStore.sessions.get(key));
  });

  it('without checkpoints a dead thread comes back empty: commands still complete, the other thread untouched', async () => {
    const store = new MemoryStore();
    const metrics = new IngestMetrics();
    const id = athletes()[0]!;
    const thread = sessionThread(`${id}/run-1`, 2);
    let crashSession = 0;
    while (sessionThread(`${id}/crash-${crashSession}`, 2) !== thread) crashSession++;
    const crash = { topic: buildTopic(id, `crash-${crashSession}`, 'status'), payload: status({ state: 'lost' }) };
    const p = pool(store, metrics, { checkpoints: false, crashOnTopic: crash.topic });
    const half = Math.floor(ALL.length / 2);
    await feed(p, [...ALL.slice(0, half), crash]);
    // Sent while the thread is dead or restarting: answered by the restarted one.
    await p.closeAll('shutdown');
    expect(await counterValue(metrics.analysisThreadRestarts)).toBe(1);
    for (const other of athletes().filter((a) => sessionThread(`${a}/run-1`, 2) !== thread)) {
      const key = `${other}/run-1`;
      expect(store.sessions.get(key)?.summary['endReason']).toBe('shutdown');
      expect((store.writes.get(key) ?? []).length).toBeGreaterThan(100);
    }
  });

  it('bounds a thread’s replay log when no round covers it (a session stuck opening): batches leave it, counted; the analysis goes on', async () => {
    const store = new MemoryStore();
    const metrics = new IngestMetrics();
    const stuck = athletes()[0]!;
    const stuckThread = sessionThread(`${stuck}/run-1`, 2);
    // This session's checkpoint read never answers: it stays opening, so no round covers its thread.
    const checkpoints = { load: (a: string, s: string) => (a === stuck ? new Promise<undefined>(() => undefined) : store.load(a, s)) };
    const maxReplayBytes = 256 * 1024;
    const p = new AnalysisPool({ ...COMMON, metrics, output: store.output, threads: 2, checkpoints, durable: async () => undefined, maxReplayBytes });
    pools.push(p);
    const rounds: Promise<boolean>[] = [];
    await feed(p, ALL, (i) => {
      if (i % 2_000 === 1_999) rounds.push(p.checkpointAll(false));
    });
    // Not p.settled(): it waits for the stuck session's read. The others end with the fleet's stops.
    await waitFor(() => athletes().slice(1).every((id) => (store.sessions.get(`${id}/run-1`)?.endUs ?? null) !== null), 30_000, 'the other sessions closed');
    await waitFor(() => p.queueDepths().every((n) => n === 0), 30_000, 'every batch handled');
    expect(rounds.length).toBeGreaterThan(5);
    expect(await Promise.all(rounds)).toContain(false);
    // Without the bound the stuck thread's log would hold its every batch (~2 MB here).
    const trimmed = await counterValue(metrics.analysisReplayTrimmed);
    expect(trimmed).toBeGreaterThan(1_000);
    const text = await metrics.registry.metrics();
    const bytes = Number(new RegExp(`gaitwatch_ingest_analysis_replay_bytes\\{thread="${stuckThread}"\\} (\\d+)`).exec(text)?.[1]);
    expect(bytes).toBeLessThanOrEqual(maxReplayBytes);
    // The sessions not stuck are analysed exactly as in process.
    for (const id of athletes().slice(1)) expect(store.writes.get(`${id}/run-1`)).toEqual(reference.writes.get(`${id}/run-1`));
  });

  it('holds the intake when a thread falls behind: its queue stays within the bound, nothing is lost', async () => {
    const store = new MemoryStore();
    const metrics = new IngestMetrics();
    const p = pool(store, metrics, { threads: 1, maxQueuedMessages: 200, checkpoints: false });
    let deepest = 0;
    await feed(p, ALL, () => (deepest = Math.max(deepest, ...p.queueDepths())));
    await closed(store);
    expect(deepest).toBeLessThanOrEqual(201);
    expect(await counterValue(metrics.analysisHolds)).toBeGreaterThan(0);
    expect(store.writes).toEqual(reference.writes);
  });

  it('shutdown: every session on every thread is finished (no checkpoints) or checkpointed (with), all written', async () => {
    const open = ALL.filter((m) => parseTopic(m.topic)!.kind === 'imu' || !m.payload.toString().includes('"stop"'));
    const refStore = new MemoryStore();
    const ref = new SessionManager({ ...COMMON, metrics: new IngestMetrics(), output: refStore.output });
    for (const m of open) ref.handle(m.topic, m.payload);
    ref.closeAll('shutdown');

    const finished = new MemoryStore();
    const a = pool(finished, new IngestMetrics(), { checkpoints: false });
    await feed(a, open);
    await a.settled();
    await expect(a.stopIntake()).resolves.toBe(true);
    await a.closeAll('shutdown');
    // Everything the threads wrote arrived before closeAll resolved.
    expect(finished.writes).toEqual(refStore.writes);
    expect(summaries(finished)).toEqual(summaries(refStore));
    expect([...finished.sessions.values()].every((s) => s.summary['endReason'] === 'shutdown')).toBe(true);

    const suspended = new MemoryStore();
    const b = pool(suspended, new IngestMetrics());
    await feed(b, open);
    await b.settled();
    await expect(b.stopIntake()).resolves.toBe(true);
    await b.suspendAll();
    // Suspended, not finished: what was written is the finished run's up to the drained data, nothing else.
    for (const [key, list] of refStore.writes) {
      const written = suspended.writes.get(key) ?? [];
      expect(written.length).toBeGreaterThan(list.length * 0.9);
      expect(written).toEqual(list.slice(0, written.length));
    }
    expect(suspended.checkpoints.size).toBe(RUNNERS);
  });
});
