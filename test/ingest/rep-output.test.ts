/**
 * The screen path of ingest (issue 17), without a broker: a simulated lateral step-down goes as the phone's JSON
 * frames through SessionManager, LiveSession and the real ScreenAnalyzer into a StoreWriter over a LocalStore on
 * disk; its reps must be stored, published on `…/live` as LiveRep payloads and counted — each one field for field
 * the rep of `analyze --activity screen` on the same samples. A run is still SessionAnalyzer's (strides, no reps).
 * A scripted stand-in analyzer remains only for what the real one never emits: a rep off the contract, or with
 * fields beyond it — the sink's guard for the store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScreenAnalyzer, SessionAnalyzer, type ScreenSummaryEvent } from '@gaitwatch/dsp';
import {
  createAnalyzer,
  DEFAULT_ANALYZERS,
  IngestMetrics,
  restoreAnalyzer,
  SessionManager,
  StoreWriter,
  type AnalyzerFactory,
  type HostedAnalyzer,
  type HostedEvent,
  type RepEvent,
  type SessionCheckpoint,
  type SessionOutput,
} from '@gaitwatch/ingest';
import { buildTopic, encodeJsonImu, LiveRepSchema, LiveStrideSchema, type ImuFrame, type SensorId } from '@gaitwatch/protocol';
import { MessageSource, SimulatedSession } from '@gaitwatch/runner-sim';
import { LocalStore, type AthleteSettings, type SessionRecord } from '@gaitwatch/storage';
import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { counterValue } from './helpers.ts';
import { analyzeScreen, asRecord, screenFrames, type OfflineScreen } from './screen-fixture.ts';

const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

let frames: ImuFrame[];
let offline: OfflineScreen;
beforeAll(async () => {
  frames = screenFrames();
  offline = await analyzeScreen(frames, { athleteId: 'r1', sessionId: 'screen-1' });
  // The fixture's point: clean reps on one leg, dropping ones on the other, every angle measured.
  expect(offline.reps.map((r) => `${r.side}:${r.pelvicDropVerdict}`)).toEqual([...Array(4).fill('left:level'), ...Array(4).fill('right:dropping')]);
});

/** Stands in for an analyzer that breaks the contract: emits each scripted rep once the data has passed its end. */
class ScriptedScreenAnalyzer implements HostedAnalyzer {
  private emitted = 0;
  private newestUs = Number.NEGATIVE_INFINITY;
  constructor(private readonly script: readonly RepEvent[]) {}
  private due(): HostedEvent[] {
    const out: HostedEvent[] = [];
    while (this.emitted < this.script.length && this.script[this.emitted]!.endUs <= this.newestUs) out.push(this.script[this.emitted++]!);
    return out;
  }
  pushFrame(_sensor: SensorId, t0Us: number, periodUs: number, _samples: Float64Array, count = 1): readonly HostedEvent[] {
    this.newestUs = Math.max(this.newestUs, t0Us + (count - 1) * periodUs);
    return this.due();
  }
  advanceTo(nowUs: number): readonly HostedEvent[] {
    this.newestUs = Math.max(this.newestUs, nowUs);
    return this.due();
  }
  finish(): readonly HostedEvent[] {
    this.newestUs = Number.POSITIVE_INFINITY;
    return [...this.due(), new ScreenAnalyzer().finish().at(-1) as ScreenSummaryEvent];
  }
  snapshot(): unknown {
    return { emitted: this.emitted };
  }
  describe() {
    return new ScreenAnalyzer().describe();
  }
}

describe('ingest: a screen session through the real ScreenAnalyzer (store, live topic, metrics)', () => {
  let dir: string;
  let store: LocalStore;
  let writer: StoreWriter;
  let metrics: IngestMetrics;
  let live: { topic: string; payload: string }[];
  let sessions: SessionRecord[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-rep-output-'));
    store = new LocalStore({ dataDir: dir, synchronous: 'normal' });
    metrics = new IngestMetrics();
    writer = new StoreWriter(store, pino({ level: 'silent' }), metrics, { flushMs: 5 });
    live = [];
    sessions = [];
  });
  afterEach(async () => {
    await writer.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The service's wiring (service.ts): records to the StoreWriter without the `analyze` kind, publishes captured. */
  function manager(options: { analyzers?: AnalyzerFactory; settings?: AthleteSettings } = {}): SessionManager {
    const output: SessionOutput = {
      stride: ({ kind: _kind, ...record }) => writer.stride(record),
      rep: ({ kind: _kind, ...record }) => writer.rep(record),
      alert: ({ kind: _kind, ...record }) => writer.alert(record),
      session: (record) => {
        sessions.push(record);
        writer.session(record);
      },
      checkpoint: (record) => writer.checkpoint(record),
      publishLive: (athleteId, sessionId, payload) => live.push({ topic: buildTopic(athleteId, sessionId, 'live'), payload }),
      publishAlert: () => undefined,
    };
    return new SessionManager({
      logger: pino({ level: 'silent' }),
      metrics,
      output,
      idleTimeoutS: 600,
      jitterMs: 0,
      jitterMaxFrames: 4,
      ...(options.analyzers !== undefined ? { analyzers: options.analyzers } : {}),
      ...(options.settings !== undefined ? { athleteSettings: { load: async () => options.settings } } : {}),
    });
  }

  function start(m: SessionManager, sessionId: string, activity: 'run' | 'screen' | undefined, tUs: number): void {
    m.handle(buildTopic('r1', sessionId, 'status'), bytes({ state: 'start', tUs, sensors: ['pelvis', 'shank_left', 'shank_right'], sampleRateHz: 200, firmware: 'test/1', ...(activity !== undefined ? { activity } : {}) }));
  }

  /** `start`, the frames as the phone's JSON payloads (doubles exactly), `stop`. */
  function play(m: SessionManager, sessionId: string, data: readonly ImuFrame[], activity: 'run' | 'screen' = 'screen'): void {
    start(m, sessionId, activity, data[0]!.t0Us);
    for (const f of data) m.handle(buildTopic('r1', sessionId, 'imu'), bytes(encodeJsonImu(f)));
    m.handle(buildTopic('r1', sessionId, 'status'), bytes({ state: 'stop', tUs: data.at(-1)!.t0Us }));
  }

  it('stores, publishes and counts exactly the reps the offline analysis finds in the same samples, and no strides', async () => {
    play(manager(), 'screen-1', frames);
    await writer.flush();

    const expected = offline.reps.map((r) => asRecord(r, 'r1', 'screen-1'));
    expect((await store.queryReps({ athleteId: 'r1', sessionId: 'screen-1', limit: 1000 })).items).toEqual(expected);
    expect((await store.queryStrides({ athleteId: 'r1', sessionId: 'screen-1' })).items).toEqual([]);

    expect(live.every((p) => p.topic === 'gaitwatch/v1/r1/screen-1/live')).toBe(true);
    const published = live.map((p) => LiveRepSchema.parse(JSON.parse(p.payload)));
    expect(published).toEqual(expected.map((r) => ({ kind: 'rep', ...r })));
    // A stride consumer does not take a rep payload for a stride.
    expect(live.some((p) => LiveStrideSchema.safeParse(JSON.parse(p.payload)).success)).toBe(false);

    expect(await counterValue(metrics.reps, { side: 'left' })).toBe(4);
    expect(await counterValue(metrics.reps, { side: 'right' })).toBe(4);
    expect(await counterValue(metrics.strides)).toBe(0);
    expect(await counterValue(metrics.rejected)).toBe(0);

    // The screen's own summary is the session's: reps, dropping and per-side stats as offline, the activity kept.
    const closed = await store.getSession('r1', 'screen-1');
    const { parseErrors: _p, ...offlineSummary } = offline.summary;
    const { sensors: _s, ...comparable } = offlineSummary;
    expect(closed?.summary).toMatchObject({ ...comparable, activity: 'screen', state: 'closed', endReason: 'stop', strides: { left: 0, right: 0 } });
    expect(closed?.summary['analysis']).toMatchObject({ activity: 'screen' });
    expect(sessions[0]?.summary).toMatchObject({ state: 'running', activity: 'screen', analysis: { activity: 'screen' } });
  });

  it('emits the reps while the session runs, rep by rep, not only at its end (a live cue needs them)', async () => {
    const m = manager();
    start(m, 'screen-live', 'screen', frames[0]!.t0Us);
    const fifthEndUs = offline.reps[4]!.endUs;
    // Data up to 2.5 s past the fifth rep's end, before the sixth ends: the analysis releases a rep 0.5–2 s after
    // its end (the first of a set waits for the other shank's bump to be judged), so exactly five are out.
    expect(offline.reps[5]!.endUs).toBeGreaterThan(fifthEndUs + 2_500_000);
    for (const f of frames.filter((f) => f.t0Us < fifthEndUs + 2_500_000)) m.handle(buildTopic('r1', 'screen-live', 'imu'), bytes(encodeJsonImu(f)));
    m.tick();
    const soFar = live.map((p) => LiveRepSchema.parse(JSON.parse(p.payload)));
    expect(soFar.map((r) => [r.side, r.set, r.rep])).toEqual(offline.reps.slice(0, 5).map((r) => [r.side, r.set, r.rep]));
    expect(m.session('r1', 'screen-live')).toMatchObject({ reps: 5, strides: 0, activity: 'screen' });
    const checkpoint = (m.session('r1', 'screen-live') as unknown as { checkpoint(drain: boolean): SessionCheckpoint }).checkpoint(false);
    expect(checkpoint).toMatchObject({ reps: 5, activity: 'screen', analyzer: { kind: 'screen' } });
  });

  it('judges the reps against the athlete’s screenPelvicDropLevelMaxDeg from their settings, as offline with that threshold', async () => {
    const at7 = await analyzeScreen(frames, { athleteId: 'r1', sessionId: 'screen-7', pelvicDropLevelMaxDeg: 7 });
    const verdicts = (reps: readonly { pelvicDropVerdict: string | null }[]): (string | null)[] => reps.map((r) => r.pelvicDropVerdict);
    // 7° splits the weak leg's reps: the threshold is what changed them, not the data.
    expect(verdicts(at7.reps)).not.toEqual(verdicts(offline.reps));
    expect(new Set(verdicts(at7.reps.filter((r) => r.side === 'right')))).toEqual(new Set(['level', 'dropping']));

    const m = manager({ settings: { screenPelvicDropLevelMaxDeg: 7, pelvicDropLimitDeg: 3 } });
    play(m, 'screen-7', frames);
    // Settings are read when the session opens (asynchronously): let it open and take the held messages.
    await m.settled();
    await writer.flush();
    expect((await store.queryReps({ athleteId: 'r1', sessionId: 'screen-7', limit: 1000 })).items).toEqual(at7.reps.map((r) => asRecord(r, 'r1', 'screen-7')));
    const summary = (await store.getSession('r1', 'screen-7'))?.summary;
    expect(summary).toMatchObject({ pelvicDropLevelMaxDeg: 7, dropping: at7.summary.dropping, analysis: { activity: 'screen', pelvicDropLevelMaxDeg: 7 } });
  });

  it('a run is SessionAnalyzer’s as before: strides and no reps, and its live payloads are strides', async () => {
    const session = new SimulatedSession({ scenario: 'steady', durationS: 25, seed: 5 });
    const source = new MessageSource(session, 15);
    const run: ImuFrame[] = [];
    for (let f = source.next(); f !== undefined; f = source.next()) run.push(f);
    play(manager(), 'run-1', run, 'run');
    await writer.flush();
    expect((await store.queryReps({ athleteId: 'r1', sessionId: 'run-1' })).items).toEqual([]);
    expect((await store.queryStrides({ athleteId: 'r1', sessionId: 'run-1', limit: 1000 })).items.length).toBeGreaterThan(40);
    expect(await counterValue(metrics.reps)).toBe(0);
    expect(live.length).toBeGreaterThan(40);
    expect(live.every((p) => LiveStrideSchema.safeParse(JSON.parse(p.payload)).success && !LiveRepSchema.safeParse(JSON.parse(p.payload)).success)).toBe(true);
    expect((await store.getSession('r1', 'run-1'))?.summary).toMatchObject({ activity: 'run', state: 'closed' });
    expect((await store.getSession('r1', 'run-1'))?.summary['reps']).toBeUndefined();
  });

  describe('the sink’s guard, with a stand-in analyzer (the real one never breaks the contract)', () => {
    const stand = (script: readonly RepEvent[]): AnalyzerFactory => ({
      create: (activity, params, options) => (activity === 'screen' ? new ScriptedScreenAnalyzer(script) : DEFAULT_ANALYZERS.create(activity, params, options)),
      restore: DEFAULT_ANALYZERS.restore,
    });
    const short = (): ImuFrame[] => frames.slice(0, 400);

    it('stores and publishes the contract’s fields only: a field the analysis adds beyond it cannot reach the store', async () => {
      const first = offline.reps[0]!;
      play(manager({ analyzers: stand([{ ...first, startUs: frames[0]!.t0Us, bottomUs: frames[0]!.t0Us + 1, endUs: frames[0]!.t0Us + 2, debug: { peaks: [1, 2] }, note: 'x' } as unknown as RepEvent]) }), 'screen-extra', short());
      await writer.flush();
      expect(await counterValue(metrics.storeErrors)).toBe(0);
      const stored = (await store.queryReps({ athleteId: 'r1', sessionId: 'screen-extra' })).items;
      expect(stored).toHaveLength(1);
      expect(stored[0]).not.toHaveProperty('debug');
      expect(stored[0]).not.toHaveProperty('note');
      expect(JSON.parse(live[0]!.payload)).toEqual({ ...stored[0], kind: 'rep' });
    });

    it('refuses a rep off the contract (counted, logged, not stored, not published) and keeps the good ones around it', async () => {
      const t0 = frames[0]!.t0Us;
      const at = (i: number): RepEvent => ({ ...offline.reps[i]!, rep: i + 1, startUs: t0 + i * 100_000, bottomUs: t0 + i * 100_000 + 10, endUs: t0 + i * 100_000 + 20 });
      const broken: RepEvent = { ...at(1), endUs: at(1).startUs - 1 };
      play(manager({ analyzers: stand([at(0), broken, at(2)]) }), 'screen-bad', short());
      await writer.flush();
      const { items } = await store.queryReps({ athleteId: 'r1', sessionId: 'screen-bad' });
      expect(items.map((r) => r.rep)).toEqual([1, 3]);
      expect(live.map((p) => (JSON.parse(p.payload) as { rep: number }).rep)).toEqual([1, 3]);
      expect(await counterValue(metrics.rejected, { kind: 'rep', reason: 'invalid_rep' })).toBe(1);
      expect(await counterValue(metrics.reps)).toBe(2);
      expect(await counterValue(metrics.storeErrors)).toBe(0);
    });
  });

  it('a checkpoint whose snapshot is of the other analyzer is not restored: the session starts afresh as what it is', async () => {
    const runSnapshot = new SessionAnalyzer({}, { sensors: ['pelvis'] }).snapshot();
    const checkpoint: SessionCheckpoint = { startUs: frames[0]!.t0Us, startedBy: 'status', activity: 'screen', strides: 0, reps: 0, alerts: 0, dataUs: null, inputs: {}, analyzer: JSON.parse(JSON.stringify(runSnapshot)) };
    const m = new SessionManager({
      logger: pino({ level: 'silent' }),
      metrics,
      output: { stride: () => undefined, rep: () => undefined, alert: () => undefined, session: (r) => sessions.push(r), checkpoint: () => undefined, publishLive: (a, s, p) => live.push({ topic: buildTopic(a, s, 'live'), payload: p }), publishAlert: () => undefined },
      idleTimeoutS: 600,
      jitterMs: 0,
      jitterMaxFrames: 4,
      checkpoints: { load: async () => checkpoint },
    });
    play(m, 'screen-old', frames);
    await m.settled();
    expect(await counterValue(metrics.rejected)).toBe(0);
    expect(live).toHaveLength(offline.reps.length);
    expect(sessions.at(-1)?.summary).toMatchObject({ activity: 'screen', resumed: false, reps: { left: 4, right: 4 } });
  });
});

describe('ingest: the analyzer factory', () => {
  const options = { athleteId: 'r1', sessionId: 's1', sensors: ['pelvis', 'shank_left', 'shank_right'] as SensorId[] };

  it('makes a ScreenAnalyzer for a screen (with the athlete’s threshold) and a SessionAnalyzer for a run (with their limit)', () => {
    const screen = createAnalyzer('screen', {}, { ...options, pelvicDropLimitDeg: 3, pelvicDropLevelMaxDeg: 6.5 });
    expect(screen).toBeInstanceOf(ScreenAnalyzer);
    expect(screen.describe()).toMatchObject({ activity: 'screen', pelvicDropLevelMaxDeg: 6.5 });
    expect((screen.snapshot() as { options: object }).options).toEqual({ ...options, pelvicDropLevelMaxDeg: 6.5 });
    expect(createAnalyzer('screen', {}, options, { repEnterDeg: 10 }).describe().parameters['screen.repEnterDeg']).toBe(10);
    const run = createAnalyzer('run', {}, { ...options, pelvicDropLimitDeg: 3, pelvicDropLevelMaxDeg: 6.5 });
    expect(run).toBeInstanceOf(SessionAnalyzer);
    expect(run.describe()).toMatchObject({ pelvicDropLimitDeg: 3 });
    expect(run.describe()).not.toHaveProperty('activity');
    expect(() => createAnalyzer('screen', {}, { ...options, pelvicDropLevelMaxDeg: 0 })).toThrow(RangeError);
  });

  it('restores each from its own snapshot (through JSON, as a checkpoint), and refuses the other kind’s with a clear TypeError', () => {
    for (const activity of ['run', 'screen'] as const) {
      const analyzer = createAnalyzer(activity, {}, { ...options, pelvicDropLevelMaxDeg: 6.5 });
      const restored = restoreAnalyzer(activity, JSON.parse(JSON.stringify(analyzer.snapshot())));
      expect(restored).toBeInstanceOf(activity === 'screen' ? ScreenAnalyzer : SessionAnalyzer);
      expect(restored.describe()).toEqual(analyzer.describe());
    }
    const screenSnapshot = JSON.parse(JSON.stringify(createAnalyzer('screen', {}, options).snapshot())) as unknown;
    const runSnapshot = JSON.parse(JSON.stringify(createAnalyzer('run', {}, options).snapshot())) as unknown;
    expect(() => restoreAnalyzer('run', screenSnapshot)).toThrow(/run session holds a screen analyzer snapshot.*start the session afresh/);
    expect(() => restoreAnalyzer('screen', runSnapshot)).toThrow(/screen session holds no screen analyzer snapshot.*start the session afresh/);
    expect(() => restoreAnalyzer('screen', runSnapshot)).toThrow(TypeError);
  });
});
