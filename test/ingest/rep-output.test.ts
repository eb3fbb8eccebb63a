/**
 * The rep output path of ingest (issue 17): a screen session's `rep` events go to the store (measurement `rep`)
 * and to `…/live` as LiveRep payloads, and are counted. The analysis is a stand-in that emits synthetic reps as
 * the data passes their end (the screen analyzer plugs in at the same factory); everything after it is real —
 * SessionManager, LiveSession, the StoreWriter and a LocalStore on disk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionAnalyzer, type SummaryEvent } from '@gaitwatch/dsp';
import { createAnalyzer, DEFAULT_ANALYZERS, IngestMetrics, restoreAnalyzer, SessionManager, StoreWriter, type AnalyzerFactory, type HostedAnalyzer, type HostedEvent, type RepEvent, type SessionOutput } from '@gaitwatch/ingest';
import { buildTopic, LiveRepSchema, LiveStrideSchema, type SensorId } from '@gaitwatch/protocol';
import { LocalStore, type SessionRecord } from '@gaitwatch/storage';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { counterValue } from './helpers.ts';

const T0_US = 1_780_000_000_000_000;
const PERIOD_US = 5_000;
const SAMPLES_PER_FRAME = 20;

/** Reps every 3 s after 1 s, right leg then left, 3 per side; the pelvic drop grows over a side's reps. */
function syntheticReps(): RepEvent[] {
  const reps: RepEvent[] = [];
  for (let i = 0; i < 6; i++) {
    const startUs = T0_US + 1_000_000 + i * 3_000_000;
    const rep = (i % 3) + 1;
    reps.push({ kind: 'rep', side: i < 3 ? 'right' : 'left', set: 1, rep, startUs, bottomUs: startUs + 1_100_000, endUs: startUs + 2_400_000, durationS: 2.4, pelvicDropDeg: 2 + rep, shankFrontalDeg: 1.5 * rep, depthDeg: 40 + rep, pelvicDropVerdict: rep === 3 ? 'dropping' : 'level' });
  }
  return reps;
}

/** Stands in for a screen analyzer: emits each scripted rep once the data has passed its end, in any chunking. */
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
    return [...this.due(), { kind: 'summary', reps: this.emitted } as unknown as SummaryEvent];
  }
  snapshot(): unknown {
    return { emitted: this.emitted };
  }
  describe() {
    return new SessionAnalyzer().describe();
  }
}

describe('ingest: the rep output path (store, live topic, metrics)', () => {
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
  function manager(script: readonly RepEvent[]): SessionManager {
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
    const analyzers: AnalyzerFactory = {
      create: (activity, params, options) => (activity === 'screen' ? new ScriptedScreenAnalyzer(script) : DEFAULT_ANALYZERS.create(activity, params, options)),
      restore: DEFAULT_ANALYZERS.restore,
    };
    return new SessionManager({ logger: pino({ level: 'silent' }), metrics, output, idleTimeoutS: 60, jitterMs: 0, jitterMaxFrames: 4, analyzers });
  }

  /** A `start` (screen unless said otherwise), `seconds` of quiet-standing pelvis frames, then `stop`. */
  function runSession(m: SessionManager, sessionId: string, seconds: number, activity?: 'run' | 'screen'): void {
    const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
    m.handle(buildTopic('r1', sessionId, 'status'), bytes({ state: 'start', tUs: T0_US, sensors: ['pelvis'], sampleRateHz: 200, firmware: 'test/1', ...(activity === undefined ? { activity: 'screen' } : { activity }) }));
    const frames = (seconds * 1e6) / (PERIOD_US * SAMPLES_PER_FRAME);
    for (let seq = 0; seq < frames; seq++) {
      const samples = Array.from({ length: SAMPLES_PER_FRAME }, () => [0.1, 0.05, 9.81, 0.001, -0.002, 0.0005]);
      m.handle(buildTopic('r1', sessionId, 'imu'), bytes({ sensor: 'pelvis', seq, t0Us: T0_US + seq * SAMPLES_PER_FRAME * PERIOD_US, periodUs: PERIOD_US, samples }));
    }
    m.handle(buildTopic('r1', sessionId, 'status'), bytes({ state: 'stop', tUs: T0_US + seconds * 1e6 }));
  }

  it('stores every rep of a screen session, publishes each on `live` as a LiveRep, and counts them per standing leg', async () => {
    const script = syntheticReps();
    const m = manager(script);
    runSession(m, 'screen-1', 20);
    await writer.flush();

    const { items } = await store.queryReps({ athleteId: 'r1', sessionId: 'screen-1' });
    expect(items).toEqual(script.map(({ kind: _kind, ...rep }) => ({ ...rep, athleteId: 'r1', sessionId: 'screen-1' })));
    expect((await store.queryStrides({ athleteId: 'r1', sessionId: 'screen-1' })).items).toEqual([]);

    const reps = live.map((p) => LiveRepSchema.safeParse(JSON.parse(p.payload)));
    expect(reps.every((r) => r.success)).toBe(true);
    expect(live.every((p) => p.topic === 'gaitwatch/v1/r1/screen-1/live')).toBe(true);
    expect(reps.map((r) => r.data)).toEqual(script.map((rep) => ({ ...rep, athleteId: 'r1', sessionId: 'screen-1' })));
    // A stride consumer does not take a rep payload for a stride.
    expect(live.some((p) => LiveStrideSchema.safeParse(JSON.parse(p.payload)).success)).toBe(false);

    expect(await counterValue(metrics.reps, { side: 'right' })).toBe(3);
    expect(await counterValue(metrics.reps, { side: 'left' })).toBe(3);
    const closed = sessions.find((s) => s.endUs !== null);
    expect(closed?.summary).toMatchObject({ activity: 'screen', state: 'closed', endReason: 'stop' });
    expect(await store.getSession('r1', 'screen-1')).toMatchObject({ summary: { activity: 'screen' } });
  });

  it('emits the reps while the session runs, not only at its end (a live cue needs them rep by rep)', async () => {
    const script = syntheticReps();
    const m = manager(script);
    const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
    m.handle(buildTopic('r1', 'screen-live', 'status'), bytes({ state: 'start', tUs: T0_US, sensors: ['pelvis'], sampleRateHz: 200, firmware: 'test/1', activity: 'screen' }));
    // 5 s of data: only the first rep (ends at 3.4 s) is due.
    for (let seq = 0; seq < 50; seq++) {
      m.handle(buildTopic('r1', 'screen-live', 'imu'), bytes({ sensor: 'pelvis', seq, t0Us: T0_US + seq * SAMPLES_PER_FRAME * PERIOD_US, periodUs: PERIOD_US, samples: Array.from({ length: SAMPLES_PER_FRAME }, () => [0, 0, 9.81, 0, 0, 0]) }));
    }
    m.tick();
    expect(live.map((p) => (JSON.parse(p.payload) as { rep: number; side: string }).side)).toEqual(['right']);
    expect(m.session('r1', 'screen-live')).toMatchObject({ reps: 1 });
    expect((m.session('r1', 'screen-live') as unknown as { checkpoint(drain: boolean): { reps: number; activity: string } }).checkpoint(false)).toMatchObject({ reps: 1, activity: 'screen' });
  });

  it('stores and publishes the contract’s fields only: a field the analysis adds beyond it cannot reach the store', async () => {
    const [first] = syntheticReps();
    const m = manager([{ ...first!, debug: { peaks: [1, 2] }, note: 'x' } as unknown as RepEvent]);
    runSession(m, 'screen-extra', 5);
    await writer.flush();
    expect(await counterValue(metrics.storeErrors)).toBe(0);
    const { kind: _kind, ...stored } = first!;
    expect((await store.queryReps({ athleteId: 'r1', sessionId: 'screen-extra' })).items).toEqual([{ ...stored, athleteId: 'r1', sessionId: 'screen-extra' }]);
    expect(JSON.parse(live[0]!.payload)).toEqual({ ...first!, athleteId: 'r1', sessionId: 'screen-extra' });
  });

  it('refuses a rep off the contract (counted, logged, not stored, not published) and keeps the good ones around it', async () => {
    const script = syntheticReps();
    const broken: RepEvent = { ...script[1]!, endUs: script[1]!.startUs - 1 };
    const m = manager([script[0]!, broken, script[2]!]);
    runSession(m, 'screen-bad', 10);
    await writer.flush();
    const { items } = await store.queryReps({ athleteId: 'r1', sessionId: 'screen-bad' });
    expect(items.map((r) => r.rep)).toEqual([1, 3]);
    expect(live.map((p) => (JSON.parse(p.payload) as { rep: number }).rep)).toEqual([1, 3]);
    expect(await counterValue(metrics.rejected, { kind: 'rep', reason: 'invalid_rep' })).toBe(1);
    expect(await counterValue(metrics.reps)).toBe(2);
    expect(await counterValue(metrics.storeErrors)).toBe(0);
  });

  it('a run session is analysed by SessionAnalyzer as before: no reps, and its live payloads are strides', async () => {
    const m = manager(syntheticReps());
    runSession(m, 'run-1', 10, 'run');
    await writer.flush();
    expect((await store.queryReps({ athleteId: 'r1', sessionId: 'run-1' })).items).toEqual([]);
    expect(await counterValue(metrics.reps)).toBe(0);
    expect(live.every((p) => !LiveRepSchema.safeParse(JSON.parse(p.payload)).success)).toBe(true);
    expect(sessions.find((s) => s.endUs !== null)?.summary).toMatchObject({ activity: 'run' });
  });
});

describe('ingest: the analyzer factory', () => {
  it('makes a SessionAnalyzer for both activities today, and restores one from its own snapshot', () => {
    for (const activity of ['run', 'screen'] as const) {
      const analyzer = createAnalyzer(activity, {}, { athleteId: 'r1', sessionId: 's1', sensors: ['pelvis'] });
      expect(analyzer).toBeInstanceOf(SessionAnalyzer);
      const restored = restoreAnalyzer(activity, JSON.parse(JSON.stringify(analyzer.snapshot())));
      expect(restored).toBeInstanceOf(SessionAnalyzer);
      expect(restored.describe()).toEqual(analyzer.describe());
    }
  });
});
