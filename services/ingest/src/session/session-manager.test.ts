import { encodeJsonImu, type ImuFrame, type SensorId } from '@gaitwatch/protocol';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { IngestMetrics } from '../metrics.ts';
import type { SessionCheckpoint } from './live-session.ts';
import { LOST_GRACE_S, SessionManager, type SessionOutput } from './session-manager.ts';

const T0_US = 1_767_254_400_000_000;
const PERIOD_US = 5000;
const FRAME = 20;

/** Frame `i` of a sensor lying still: gravity plus a little noise (so it is not flat-lined). */
function still(sensor: SensorId, i: number): ImuFrame {
  const samples = new Float64Array(FRAME * 6);
  for (let k = 0; k < FRAME; k++) {
    const wobble = 0.01 * Math.sin(i * FRAME + k);
    samples.set([wobble, -wobble, 9.81 + wobble, wobble / 10, 0, -wobble / 10], k * 6);
  }
  return { sensor, seq: i, t0Us: T0_US + i * FRAME * PERIOD_US, periodUs: PERIOD_US, count: FRAME, samples };
}

const topic = (kind: string, athlete = 'a1', session = 's1'): string => `gaitwatch/v1/${athlete}/${session}/${kind}`;
const bytes = (text: string): Uint8Array => Buffer.from(text);
const start = (sensors: SensorId[]): Uint8Array => bytes(JSON.stringify({ state: 'start', tUs: T0_US, sensors, sampleRateHz: 200, firmware: 'test/1' }));

interface Recorded {
  sessions: Parameters<SessionOutput['session']>[0][];
  alerts: Parameters<SessionOutput['alert']>[0][];
  published: { kind: 'live' | 'alerts'; payload: string }[];
  strides: number;
}

describe('SessionManager', () => {
  let nowMs: number;
  let rec: Recorded;
  let metrics: IngestMetrics;
  let manager: SessionManager;

  beforeEach(() => {
    nowMs = 1_000_000;
    rec = { sessions: [], alerts: [], published: [], strides: 0 };
    metrics = new IngestMetrics();
    manager = new SessionManager({
      logger: pino({ level: 'silent' }),
      metrics,
      idleTimeoutS: 30,
      jitterMs: 100,
      jitterMaxFrames: 16,
      nowMs: () => nowMs,
      output: {
        stride: () => rec.strides++,
        alert: (a) => rec.alerts.push(a),
        session: (s) => rec.sessions.push(s),
        checkpoint: () => undefined,
        rep: () => undefined,
        publishLive: (_a, _s, payload) => rec.published.push({ kind: 'live', payload }),
        publishAlert: (_a, _s, payload) => rec.published.push({ kind: 'alerts', payload }),
      },
    });
  });

  /** Frames 0..n-1 of each sensor, interleaved, each arriving FRAME × period of wall time after the previous. */
  function feed(sensors: SensorId[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      for (const s of sensors) manager.handle(topic('imu'), bytes(encodeJsonImu(still(s, i))));
      nowMs += (FRAME * PERIOD_US) / 1000;
      manager.tick();
    }
  }

  it('opens on start, closes on stop with the summary and input counts; data after the stop is refused, a new start reopens', async () => {
    manager.handle(topic('status'), start(['pelvis']));
    expect(manager.activeSessions).toBe(1);
    expect(rec.sessions[0]).toMatchObject({ athleteId: 'a1', sessionId: 's1', startUs: T0_US, endUs: null, summary: { state: 'running', startedBy: 'status', activity: 'run' } });
    feed(['pelvis'], 0, 50);
    manager.handle(topic('imu'), bytes(encodeJsonImu(still('pelvis', 10))));
    manager.handle(topic('status'), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 5e6 })));
    expect(manager.activeSessions).toBe(0);
    const closed = rec.sessions[1]!;
    expect(closed.endUs).toBe(T0_US + (50 * FRAME - 1) * PERIOD_US);
    expect(closed.summary).toMatchObject({ state: 'closed', endReason: 'stop', kind: 'summary', ingest: { pelvis: { frames: 51, duplicateFrames: 1, samples: 50 * FRAME, gaps: 0, completenessPct: 100 } } });
    expect(await metrics.duplicateFrames.get()).toMatchObject({ values: [{ value: 1 }] });
    expect((await metrics.samples.get()).values[0]!.value).toBe(50 * FRAME);
    manager.handle(topic('imu'), bytes(encodeJsonImu(still('pelvis', 60))));
    expect(manager.activeSessions).toBe(0);
    expect((await metrics.rejected.get()).values).toEqual([expect.objectContaining({ labels: { kind: 'imu', reason: 'after_stop' }, value: 1 })]);
    manager.handle(topic('status'), start(['pelvis']));
    expect(manager.activeSessions).toBe(1);
  });

  it('one frame with a clock an hour ahead is dropped and counted; the session keeps its data, its clock and its end', async () => {
    manager.handle(topic('status'), start(['pelvis', 'shank_left', 'shank_right']));
    feed(['pelvis', 'shank_left', 'shank_right'], 0, 30);
    manager.handle(topic('imu'), bytes(encodeJsonImu({ ...still('pelvis', 30), seq: 9999, t0Us: still('pelvis', 30).t0Us + 3600e6 })));
    feed(['pelvis', 'shank_left', 'shank_right'], 30, 60);
    manager.handle(topic('status'), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 6e6 })));
    const closed = rec.sessions.at(-1)!;
    expect(closed.endUs).toBe(T0_US + (60 * FRAME - 1) * PERIOD_US);
    expect(closed.summary).toMatchObject({ ingest: { pelvis: { samples: 60 * FRAME, staleSamples: 0, jumpedFrames: 1, jumpedSamples: FRAME } } });
    expect((await metrics.rejected.get()).values).toEqual([expect.objectContaining({ labels: { kind: 'imu', reason: 'clock_jump' }, value: 1 })]);
    // The shanks never looked silent behind a clock pulled ahead.
    expect(rec.alerts.filter((a) => a.metric === 'sensor_silent')).toEqual([]);
  });

  it('counts frames whose period disagrees with the rate the start announced, per sensor, and analyses them at their own rate', () => {
    manager.handle(topic('status'), start(['pelvis', 'shank_left']));
    // The start says 200 Hz; the shank's frames say 100 Hz (10 ms), the pelvis's agree.
    feed(['pelvis'], 0, 10);
    for (let i = 0; i < 10; i++) manager.handle(topic('imu'), bytes(encodeJsonImu({ ...still('shank_left', i), t0Us: T0_US + i * FRAME * 10_000, periodUs: 10_000 })));
    manager.handle(topic('status'), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 3e6 })));
    expect(rec.sessions.at(-1)!.summary).toMatchObject({ ingest: { pelvis: { periodMismatchFrames: 0 }, shank_left: { periodMismatchFrames: 10, periodUs: 10_000, samples: 10 * FRAME } } });
  });

  it('remembers topics up to its bound, and sessions keep their own data when it forgets them', () => {
    const small = new SessionManager({ logger: pino({ level: 'silent' }), metrics, idleTimeoutS: 30, jitterMs: 100, jitterMaxFrames: 16, nowMs: () => nowMs, topicMemory: 2, output: { stride: () => undefined, alert: () => undefined, session: (s) => rec.sessions.push(s), checkpoint: () => undefined, rep: () => undefined, publishLive: () => undefined, publishAlert: () => undefined } });
    const ids = [['a1', 's1'], ['a2', 's2'], ['a3', 's3']] as const;
    let most = 0;
    // Three sessions under 2 remembered topics: every message looks its topic up afresh after a forget.
    for (let i = 0; i < 30; i++) {
      ids.forEach(([a, s], n) => {
        if (i < 10 * (n + 1)) small.handle(topic('imu', a, s), bytes(encodeJsonImu(still('pelvis', i))));
        most = Math.max(most, small.rememberedTopics);
      });
      nowMs += (FRAME * PERIOD_US) / 1000;
      small.tick();
    }
    expect(most).toBe(2);
    for (const [a, s] of ids) small.handle(topic('status', a, s), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 5e6 })));
    const samples = Object.fromEntries(rec.sessions.filter((r) => r.endUs !== null).map((r) => [r.athleteId, (r.summary as { ingest: { pelvis: { samples: number } } }).ingest.pelvis.samples]));
    expect(samples).toEqual({ a1: 10 * FRAME, a2: 20 * FRAME, a3: 30 * FRAME });
  });

  it('opens on first data without a start, and closes a session silent for the idle timeout', () => {
    feed(['pelvis', 'shank_left'], 0, 10);
    expect(manager.session('a1', 's1')?.startedBy).toBe('data');
    nowMs += 29_000;
    manager.tick();
    expect(manager.activeSessions).toBe(1);
    nowMs += 1_000;
    manager.tick();
    expect(manager.activeSessions).toBe(0);
    expect(rec.sessions.at(-1)!.summary).toMatchObject({ endReason: 'idle', startedBy: 'data', activity: 'run' });
  });

  it('keeps the activity a start names (a movement screen) in the summaries and across a checkpoint', () => {
    manager.handle(topic('status'), bytes(JSON.stringify({ state: 'start', tUs: T0_US, sensors: ['pelvis'], sampleRateHz: 200, firmware: 'test/1', activity: 'screen' })));
    expect(rec.sessions[0]!.summary).toMatchObject({ state: 'running', activity: 'screen' });
    const session = manager.session('a1', 's1')!;
    expect(session.checkpoint(false)).toMatchObject({ activity: 'screen' });
    manager.handle(topic('status'), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 1e6 })));
    expect(rec.sessions.at(-1)!.summary).toMatchObject({ state: 'closed', activity: 'screen' });
  });

  it('closes on the last will (lost) when no data comes back within the grace', () => {
    manager.handle(topic('status'), start(['pelvis']));
    feed(['pelvis'], 0, 5);
    manager.handle(topic('status'), bytes('{"state":"lost"}'));
    expect(manager.activeSessions).toBe(1);
    nowMs += (LOST_GRACE_S - 1) * 1000;
    manager.tick();
    expect(manager.activeSessions).toBe(1);
    nowMs += 1000;
    manager.tick();
    expect(manager.activeSessions).toBe(0);
    expect(rec.sessions.at(-1)!.summary).toMatchObject({ endReason: 'lost' });
  });

  it('a last will followed by data (a broker restart, a phone back on the network) is one session, not two', () => {
    // Mosquitto publishes every connected client's will when it shuts down: ended at once, a 4 s restart split a run.
    manager.handle(topic('status'), start(['pelvis']));
    feed(['pelvis'], 0, 50);
    manager.handle(topic('status'), bytes('{"state":"lost"}'));
    nowMs += 4000;
    manager.tick();
    feed(['pelvis'], 50, 100);
    // Well past the grace since the will: the data that came back keeps it open.
    nowMs += LOST_GRACE_S * 1000 - 5000;
    manager.tick();
    expect(manager.activeSessions).toBe(1);
    expect(rec.sessions).toHaveLength(1);
    manager.handle(topic('status'), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 30e6 })));
    expect(rec.sessions).toHaveLength(2);
    expect(rec.sessions[1]).toMatchObject({ startUs: T0_US, endUs: T0_US + (100 * FRAME - 1) * PERIOD_US, summary: { endReason: 'stop' } });
  });

  it("moves the analyzer's clock when data stops: the silence alert is raised and published before any stop", () => {
    manager.handle(topic('status'), start(['pelvis']));
    feed(['pelvis'], 0, 50);
    expect(rec.alerts.filter((a) => a.metric === 'sensor_silent')).toHaveLength(0);
    for (let k = 0; k < 60; k++) {
      nowMs += 250;
      manager.tick();
    }
    const silent = rec.alerts.filter((a) => a.metric === 'sensor_silent');
    expect(silent).toHaveLength(1);
    expect(silent[0]).toMatchObject({ type: 'data_quality', athleteId: 'a1', sessionId: 's1', sensor: 'pelvis' });
    const published = rec.published.filter((p) => p.kind === 'alerts').map((p) => JSON.parse(p.payload) as Record<string, unknown>);
    expect(published).toContainEqual(expect.objectContaining({ metric: 'sensor_silent', sensor: 'pelvis' }));
    expect(published.every((p) => !('kind' in p))).toBe(true);
  });

  it('while the intake is held (back-pressure) the clock and the idle timer stand still: no silence, no idle close', () => {
    manager.handle(topic('status'), start(['pelvis']));
    feed(['pelvis'], 0, 50);
    // 40 s held: longer than the silence limit and the idle timeout.
    for (let k = 0; k < 160; k++) {
      nowMs += 250;
      manager.tick(true);
    }
    expect(manager.activeSessions).toBe(1);
    expect(rec.alerts.filter((a) => a.metric === 'sensor_silent')).toHaveLength(0);
    // Data flows again: the clock runs from where it stood, not from before the hold.
    feed(['pelvis'], 50, 60);
    expect(rec.alerts.filter((a) => a.metric === 'sensor_silent')).toHaveLength(0);
    // And a real silence after it is still found.
    for (let k = 0; k < 60; k++) {
      nowMs += 250;
      manager.tick();
    }
    expect(rec.alerts.filter((a) => a.metric === 'sensor_silent')).toHaveLength(1);
  });

  it('a stage that throws is counted as internal_error and does not reach the caller', async () => {
    manager.handle(topic('status'), start(['pelvis']));
    const session = manager.session('a1', 's1')!;
    session.onFrame = () => {
      throw new Error('boom');
    };
    expect(() => manager.handle(topic('imu'), bytes(encodeJsonImu(still('pelvis', 0))))).not.toThrow();
    expect((await metrics.rejected.get()).values).toEqual([expect.objectContaining({ labels: { kind: 'imu', reason: 'internal_error' }, value: 1 })]);
  });

  it('never throws on garbage; counts it by kind and reason', async () => {
    const garbage: [string, Uint8Array][] = [
      [topic('imu'), new Uint8Array([0xa7, 1, 2])],
      [topic('imu'), bytes('null')],
      [topic('imu'), new Uint8Array(0)],
      [topic('status'), bytes('{"state":"start"}')],
      ['gaitwatch/v1/a b/s/imu', bytes('{}')],
      ['gaitwatch/v1/a1/s1/imu/extra', bytes('{}')],
    ];
    for (const [t, p] of garbage) expect(() => manager.handle(t, p)).not.toThrow();
    const values = (await metrics.rejected.get()).values.map((v) => [v.labels.kind, v.labels.reason, v.value]);
    expect(values).toEqual(
      expect.arrayContaining([
        ['imu', 'bad_frame', 1],
        ['imu', 'schema', 1],
        ['imu', 'empty', 1],
        ['status', 'schema', 1],
        ['unknown', 'bad_topic', 2],
      ]),
    );
    expect(manager.activeSessions).toBe(0);
  });
});

/**
 * Managers sharing one store of checkpoints and session records (a restart: the next process reads what the
 * last wrote), and the first process's run: a pelvis session started, 10 s of data — past the standing
 * calibration (a snapshot taken during it does not restore yet: reported to dsp) — then suspended.
 */
function checkpointing(nowMs: () => number, advance: (ms: number) => void, metrics = new IngestMetrics()) {
  const saved = new Map<string, SessionCheckpoint>();
  const sessions: Parameters<SessionOutput['session']>[0][] = [];
  const make = (load: (key: string) => Promise<SessionCheckpoint | undefined>): SessionManager =>
    new SessionManager({
      logger: pino({ level: 'silent' }),
      metrics,
      idleTimeoutS: 30,
      jitterMs: 100,
      jitterMaxFrames: 16,
      nowMs,
      checkpoints: { load: (a, s) => load(`${a}/${s}`) },
      output: {
        stride: () => undefined,
        alert: () => undefined,
        session: (r) => sessions.push(r),
        checkpoint: (r) => saved.set(`${r.athleteId}/${r.sessionId}`, JSON.parse(Buffer.from(r.data).toString('utf8')) as SessionCheckpoint),
        rep: () => undefined,
        publishLive: () => undefined,
        publishAlert: () => undefined,
      },
    });
  const suspendAfterTenSeconds = async (): Promise<SessionManager> => {
    const first = make(async () => undefined);
    first.handle(topic('status'), start(['pelvis']));
    await first.settled();
    for (let i = 0; i < 100; i++) {
      first.handle(topic('imu'), bytes(encodeJsonImu(still('pelvis', i))));
      advance(100);
      first.tick();
    }
    first.suspendAll();
    return first;
  };
  return { saved, sessions, make, suspendAfterTenSeconds };
}

describe('SessionManager with checkpoints', () => {
  it('a start that opens a session (after its checkpoint read) is not handed over again: no "already running" line', async () => {
    // An operator probe: every normal session logged "start for a session already running; kept as is" after "session opened".
    const lines: { msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    const manager = new SessionManager({
      logger,
      metrics: new IngestMetrics(),
      idleTimeoutS: 30,
      jitterMs: 100,
      jitterMaxFrames: 16,
      nowMs: () => 1_000_000,
      checkpoints: { load: async () => undefined },
      output: { stride: () => undefined, alert: () => undefined, session: () => undefined, checkpoint: () => undefined, rep: () => undefined, publishLive: () => undefined, publishAlert: () => undefined },
    });
    manager.handle(topic('status'), start(['pelvis']));
    await manager.settled();
    expect(manager.activeSessions).toBe(1);
    expect(lines.map((l) => l.msg)).not.toContain('start for a session already running; kept as is');
    // A start sent again for the running session still is one.
    manager.handle(topic('status'), start(['pelvis']));
    expect(lines.map((l) => l.msg)).toContain('start for a session already running; kept as is');
  });

  it('suspends sessions into checkpoints at shutdown; the next manager holds messages while it loads one, then continues the session', async () => {
    let nowMs = 1_000_000;
    const { saved, sessions, make, suspendAfterTenSeconds } = checkpointing(() => nowMs, (ms) => (nowMs += ms));
    const first = await suspendAfterTenSeconds();
    expect(first.activeSessions).toBe(0);
    const checkpoint = saved.get('a1/s1')!;
    // Drained at shutdown: every acknowledged sample is in the checkpoint.
    expect(checkpoint.inputs['pelvis']!.stats.samples).toBe(100 * FRAME);
    expect(checkpoint.dataUs).toBe(T0_US + (100 * FRAME - 1) * PERIOD_US);

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const second = make(async (key) => {
      await gate;
      return saved.get(key);
    });
    // A frame re-sent from before the cut, then new frames: held while the checkpoint loads.
    for (const i of [99, 100, 101, 102]) second.handle(topic('imu'), bytes(encodeJsonImu(still('pelvis', i))));
    expect(second.activeSessions).toBe(0);
    release();
    await second.settled();
    const session = second.session('a1', 's1')!;
    expect(session.resumed).toBe(true);
    expect(session.startedBy).toBe('status');
    expect(session.startUs).toBe(T0_US);
    second.handle(topic('status'), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 10e6 })));
    const closed = sessions.at(-1)!;
    expect(closed.summary).toMatchObject({ endReason: 'stop', resumed: true, ingest: { pelvis: { samples: 103 * FRAME, staleSamples: FRAME, gaps: 0 } } });
    // The resumed session writes no second start record.
    expect(sessions.filter((r) => r.endUs === null)).toHaveLength(1);
  });

  it('a stop whose distance is faster than anybody runs: the session ends, the distance is kept aside and counted, not used', async () => {
    let nowMs = 1_000_000;
    const metrics = new IngestMetrics();
    const { saved, sessions, make, suspendAfterTenSeconds } = checkpointing(() => nowMs, (ms) => (nowMs += ms), metrics);
    await suspendAfterTenSeconds();
    const second = make(async (key) => saved.get(key));
    // 5 km in the 10 s the session ran.
    second.handle(topic('status'), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 10e6, distanceM: 5000 })));
    await second.settled();
    const closed = sessions.at(-1)!;
    expect(closed.summary).toMatchObject({ endReason: 'stop', gpsDistanceRejected: { distanceM: 5000 } });
    expect(closed.summary['gpsDistanceM']).toBeUndefined();
    expect((await metrics.rejected.get()).values).toEqual([expect.objectContaining({ labels: { kind: 'status', reason: 'implausible_distance' }, value: 1 })]);
  });

  it('a stop for a session suspended into a checkpoint resumes and ends it with the phone’s distance; a stop for nothing is counted, a repeated one ignored', async () => {
    let nowMs = 1_000_000;
    const metrics = new IngestMetrics();
    const { saved, sessions, make, suspendAfterTenSeconds } = checkpointing(() => nowMs, (ms) => (nowMs += ms), metrics);
    await suspendAfterTenSeconds();
    // The next process hears only the phone's stop (its run ended while ingest restarted).
    const second = make(async (key) => saved.get(key));
    const stop = bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 10e6, distanceM: 38 }));
    second.handle(topic('status'), stop);
    await second.settled();
    const closed = sessions.at(-1)!;
    expect(closed).toMatchObject({ athleteId: 'a1', sessionId: 's1', startUs: T0_US });
    expect(closed.endUs).not.toBeNull();
    expect(closed.summary).toMatchObject({ endReason: 'stop', resumed: true, gpsDistanceM: 38, ingest: { pelvis: { samples: 100 * FRAME } } });
    expect(second.activeSessions).toBe(0);
    // The same stop again (QoS 1 redelivery): nothing written, nothing counted.
    const written = sessions.length;
    second.handle(topic('status'), stop);
    await second.settled();
    expect(sessions).toHaveLength(written);
    expect((await metrics.rejected.get()).values).toEqual([]);
    // A stop for a session that never ran here nor was checkpointed: no session is made up to end it; counted.
    second.handle(topic('status', 'a1', 'ghost'), stop);
    await second.settled();
    expect(sessions).toHaveLength(written);
    expect(second.activeSessions).toBe(0);
    expect((await metrics.rejected.get()).values).toEqual([expect.objectContaining({ labels: { kind: 'status', reason: 'unknown_session' }, value: 1 })]);
  });

  it('checkpoints a round a few sessions per step: a session takes messages between steps, one closed meanwhile is skipped', async () => {
    const saved: { key: string; samples: number }[] = [];
    const manager = new SessionManager({
      logger: pino({ level: 'silent' }),
      metrics: new IngestMetrics(),
      idleTimeoutS: 30,
      jitterMs: 0,
      jitterMaxFrames: 16,
      checkpoints: { load: async () => undefined },
      output: {
        stride: () => undefined,
        alert: () => undefined,
        session: () => undefined,
        checkpoint: (r) => saved.push({ key: `${r.athleteId}/${r.sessionId}`, samples: (JSON.parse(Buffer.from(r.data).toString('utf8')) as SessionCheckpoint).inputs['pelvis']!.stats.samples }),
        rep: () => undefined,
        publishLive: () => undefined,
        publishAlert: () => undefined,
      },
    });
    const athletes = ['a1', 'a2', 'a3', 'a4', 'a5'];
    for (const a of athletes) manager.handle(topic('status', a), start(['pelvis']));
    await manager.settled();
    for (const a of athletes) for (let i = 0; i < 3; i++) manager.handle(topic('imu', a), bytes(encodeJsonImu(still('pelvis', i))));
    const round = manager.checkpointRound();
    expect(round.step(2)).toBe(false);
    expect(saved.map((c) => c.key)).toEqual(['a1/s1', 'a2/s1']);
    // Between steps: a5 takes a frame (its checkpoint holds it), a3 stops (closed: nothing left to checkpoint).
    manager.handle(topic('imu', 'a5'), bytes(encodeJsonImu(still('pelvis', 3))));
    manager.handle(topic('status', 'a3'), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 1e6 })));
    expect(round.step(2)).toBe(false);
    expect(round.step(2)).toBe(true);
    expect(saved).toEqual([
      { key: 'a1/s1', samples: 3 * FRAME },
      { key: 'a2/s1', samples: 3 * FRAME },
      { key: 'a4/s1', samples: 3 * FRAME },
      { key: 'a5/s1', samples: 4 * FRAME },
    ]);
    // checkpointAll is a round done in one step.
    manager.checkpointAll();
    expect(saved.slice(4).map((c) => c.key)).toEqual(['a1/s1', 'a2/s1', 'a4/s1', 'a5/s1']);
  });

  it('a start of another run under the same id begins afresh', async () => {
    const checkpoint = { startUs: T0_US - 3_600e6 } as SessionCheckpoint;
    const manager = new SessionManager({
      logger: pino({ level: 'silent' }),
      metrics: new IngestMetrics(),
      idleTimeoutS: 30,
      jitterMs: 100,
      jitterMaxFrames: 16,
      checkpoints: { load: async () => checkpoint },
      output: { stride: () => undefined, alert: () => undefined, session: () => undefined, checkpoint: () => undefined, rep: () => undefined, publishLive: () => undefined, publishAlert: () => undefined },
    });
    manager.handle(topic('status'), start(['pelvis']));
    await manager.settled();
    expect(manager.session('a1', 's1')).toMatchObject({ resumed: false, startUs: T0_US });
  });

  describe('athlete settings at open', () => {
    const quiet = { stride: () => undefined, alert: () => undefined, checkpoint: () => undefined, rep: () => undefined, publishLive: () => undefined, publishAlert: () => undefined };
    const startWith = (limitDeg?: number): Uint8Array =>
      bytes(JSON.stringify({ state: 'start', tUs: T0_US, sensors: ['pelvis'], sampleRateHz: 200, firmware: 'test/1', runnerProfile: limitDeg === undefined ? {} : { pelvicDropLimitDeg: limitDeg } }));
    function managerWith(load: (athleteId: string) => Promise<{ pelvicDropLimitDeg?: number } | undefined>, sessions: Parameters<SessionOutput['session']>[0][]): SessionManager {
      return new SessionManager({ logger: pino({ level: 'silent' }), metrics: new IngestMetrics(), idleTimeoutS: 30, jitterMs: 100, jitterMaxFrames: 16, athleteSettings: { load }, output: { ...quiet, session: (r) => sessions.push(r) } });
    }
    const limitOf = (record: Parameters<SessionOutput['session']>[0] | undefined): unknown => (record?.summary['analysis'] as Record<string, unknown> | undefined)?.['pelvicDropLimitDeg'];

    it('holds the first messages while the settings load, then opens with the athlete’s limit over the profile’s', async () => {
      const sessions: Parameters<SessionOutput['session']>[0][] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const m = managerWith(async () => {
        await gate;
        return { pelvicDropLimitDeg: 4 };
      }, sessions);
      m.handle(topic('status'), startWith(9));
      m.handle(topic('imu'), bytes(encodeJsonImu(still('pelvis', 0))));
      expect(m.activeSessions).toBe(0);
      expect(m.openingSessions).toBe(1);
      release();
      await m.settled();
      expect(m.session('a1', 's1')?.startedBy).toBe('status');
      // The held frame reached the session (in its jitter buffer until due).
      expect(m.session('a1', 's1')?.bufferedFrames()).toBe(1);
      expect(limitOf(sessions[0])).toBe(4);
    });

    it('opens with the profile’s limit when the athlete has none, and with the defaults when the settings cannot be read', async () => {
      const sessions: Parameters<SessionOutput['session']>[0][] = [];
      const m = managerWith(async (athleteId) => {
        if (athleteId === 'broken') throw new Error('store away');
        return athleteId === 'a1' ? {} : undefined;
      }, sessions);
      m.handle(topic('status'), startWith(9));
      m.handle(topic('status', 'a2'), startWith());
      m.handle(topic('status', 'broken'), startWith(8));
      await m.settled();
      expect(m.activeSessions).toBe(3);
      expect(sessions.map((r) => [r.athleteId, limitOf(r)])).toEqual([
        ['a1', 9],
        ['a2', undefined],
        ['broken', 8],
      ]);
    });
  });

  it('opens a session whose checkpoint read never answers once the load limit passes, afresh, with every message it held', async () => {
    const sessions: Parameters<SessionOutput['session']>[0][] = [];
    const logged: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) });
    const m = new SessionManager({
      logger,
      metrics: new IngestMetrics(),
      idleTimeoutS: 30,
      jitterMs: 100,
      jitterMaxFrames: 16,
      loadTimeoutMs: 200,
      checkpoints: { load: () => new Promise<undefined>(() => undefined) },
      output: { stride: () => undefined, alert: () => undefined, checkpoint: () => undefined, rep: () => undefined, publishLive: () => undefined, publishAlert: () => undefined, session: (r) => sessions.push(r) },
    });
    m.handle(topic('status'), start(['pelvis']));
    for (let i = 0; i < 5; i++) m.handle(topic('imu'), bytes(encodeJsonImu(still('pelvis', i))));
    await new Promise((r) => setTimeout(r, 50));
    expect(m.openingSessions).toBe(1);
    expect(m.activeSessions).toBe(0);
    await m.settled();
    expect(m.openingSessions).toBe(0);
    expect(m.session('a1', 's1')?.startedBy).toBe('status');
    expect(m.session('a1', 's1')?.resumed).toBe(false);
    m.handle(topic('status'), bytes(JSON.stringify({ state: 'stop', tUs: T0_US + 5e6 })));
    expect((sessions.at(-1)!.summary as { ingest: { pelvis: { frames: number; samples: number } } }).ingest.pelvis).toMatchObject({ frames: 5, samples: 5 * FRAME });
    expect(logged.join('')).toContain('checkpoint read not answered within 0.2 s');
  });
});
