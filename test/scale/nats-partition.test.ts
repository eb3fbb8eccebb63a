// Scale-out on NATS JetStream (issue 13): simulated phones publish over MQTT
// to nats-server, whose subject mapping puts every session into one of 4
// partitions; two ingest workers consume partitions 0,1 and 2,3 from
// JetStream into their own stores. Every session must be analysed by exactly
// one worker, and give the stances a single worker gives the same sessions;
// a worker replaced mid-run, or SIGKILLed and restarted, loses nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsIntake, SessionCheckpoint } from '@gaitwatch/ingest';
import { athleteIdFor, runFleetParallel, type FleetOptions, type FleetResult } from '@gaitwatch/runner-sim';
import { LocalStore, type StrideRecord } from '@gaitwatch/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byTime, counterValue, expectResumedStrides, startIngestProcess, startTestIngest, storedStrides, strideKey, waitFor, type IngestProcess, type TestIngest } from '../ingest/helpers.ts';
import { natsServerMissing, startNatsServer, stopAllNatsServers, type RunningNats } from './nats-server.ts';

const missing = natsServerMissing();

const PARTITIONS = 4;
const SESSIONS = 20;
/**
 * 20 runners, 30 s each (standing start, walk-off, steady running) at ×4, 30 samples a message: ~8 s of wall time,
 * 12 000 messages. Kept light on purpose: ingest moves a session's clock on by wall time when its data stops
 * (`advanceTo`), so an event loop lagging behind a burst would cut stances differently in two runs — a load effect,
 * not a partitioning one. (The phones publish from worker threads: the test's own event loop is the workers'.)
 */
const FLEET: Omit<FleetOptions, 'mqttUrl'> = { runners: SESSIONS, session: { scenario: 'steady', durationS: 30, seed: 21 }, format: 'binary', speedup: 4, staggerS: 0.05, samplesPerMessage: 30 };
const runFleet = (mqttUrl: string): Promise<FleetResult> => runFleetParallel({ ...FLEET, mqttUrl }, 2);
const ids = Array.from({ length: SESSIONS }, (_, i) => ({ athleteId: athleteIdFor(21, i), sessionId: `steady-s21-r${i}` }));
const keyOf = (s: { athleteId: string; sessionId: string }): string => `${s.athleteId}/${s.sessionId}`;

/** A worker consuming `partitions` of the server's stream, its alerts back over the server's MQTT listener. */
async function startWorker(nats: RunningNats, partitions: string, env: Record<string, string> = {}, reuse?: { dir: string }): Promise<TestIngest> {
  const t = await startTestIngest(nats.mqttUrl, { NATS_URL: nats.natsUrl, NATS_PARTITIONS: String(PARTITIONS), NATS_WORKER_PARTITIONS: partitions, ...env }, reuse);
  await waitFor(() => (t.service.intake as NatsIntake).ready, 10_000, `worker on partitions ${partitions} bound`);
  return t;
}

/** What each store holds per session: its strides and whether it has the session record. */
async function holdings(workers: readonly TestIngest[]): Promise<Map<string, { strides: StrideRecord[]; hasSession: boolean }[]>> {
  const out = new Map<string, { strides: StrideRecord[]; hasSession: boolean }[]>();
  for (const id of ids) {
    out.set(
      keyOf(id),
      await Promise.all(workers.map(async (w) => ({ strides: await storedStrides(w.store, id.athleteId, id.sessionId), hasSession: (await w.store.getSession(id.athleteId, id.sessionId)) !== null }))),
    );
  }
  return out;
}

/** Waits until every session is closed (its `stop` handled) in one of the stores. */
async function allClosed(workers: readonly TestIngest[], timeoutMs = 45_000): Promise<void> {
  await waitFor(async () => {
    await Promise.all(workers.map((w) => w.service.flush()));
    for (const id of ids) {
      const closed = await Promise.all(workers.map(async (w) => ((await w.store.getSession(id.athleteId, id.sessionId))?.endUs ?? null) !== null));
      if (!closed.includes(true)) return false;
    }
    return true;
  }, timeoutMs, `all ${SESSIONS} sessions closed`);
}

const imuHandled = (workers: readonly TestIngest[]): Promise<number> => Promise.all(workers.map((w) => counterValue(w.service.metrics.messages, { kind: 'imu' }))).then((n) => n.reduce((a, b) => a + b, 0));
const imuSent = (fleet: FleetResult): number => fleet.relays.reduce((n, r) => n + r.stats.sent, 0);

describe.skipIf(missing)('ingest scale-out on NATS JetStream (real nats-server: MQTT in, partitioned subjects, JetStream)', () => {
  /** The reference: one worker owning every partition; per session its stances. */
  let reference: Map<string, object[]>;
  beforeAll(async () => {
    reference = await singleWorkerRun();
  }, 120_000);
  afterAll(stopAllNatsServers, 30_000);

  async function singleWorkerRun(): Promise<Map<string, object[]>> {
    const nats = await startNatsServer({ partitions: PARTITIONS });
    const worker = await startWorker(nats, '0,1,2,3');
    try {
      const fleet = await runFleet(nats.mqttUrl);
      await allClosed([worker]);
      expect(await imuHandled([worker])).toBe(imuSent(fleet));
      const held = await holdings([worker]);
      return new Map([...held].map(([k, [w]]) => [k, byTime(w!.strides).map(strideKey)]));
    } finally {
      await worker.close();
      await nats.stop();
    }
  }

  it('two workers on partitions 0,1 and 2,3: every session in exactly one worker, every stance of a single-worker run', async () => {
    const nats = await startNatsServer({ partitions: PARTITIONS });
    const a = await startWorker(nats, '0,1');
    const b = await startWorker(nats, '2,3');
    try {
      const fleet = await runFleet(nats.mqttUrl);
      expect(fleet.relays.flatMap((r) => r.stats.errors)).toEqual([]);
      await allClosed([a, b]);
      const held = await holdings([a, b]);
      const perWorker = [0, 0];
      const stancesPerWorker = [0, 0];
      for (const [key, [inA, inB]] of held) {
        const owners = [inA!, inB!].map((h) => h.hasSession || h.strides.length > 0);
        // Exactly one worker saw the session: no session record and no stride of it in the other store.
        expect({ key, owners: owners.filter(Boolean).length }).toEqual({ key, owners: 1 });
        const owner = owners[0] ? 0 : 1;
        const strides = [inA!, inB!][owner]!.strides;
        perWorker[owner]!++;
        stancesPerWorker[owner]! += strides.length;
        // No stance lost (nor changed) by spreading the sessions over two workers.
        expect(byTime(strides).map(strideKey)).toEqual(reference.get(key));
      }
      const referenceStances = [...reference.values()].reduce((n, s) => n + s.length, 0);
      process.stdout.write(`[nats scale] ${JSON.stringify({ sessions: SESSIONS, imuMessages: imuSent(fleet), stances: referenceStances, sessionsPerWorker: perWorker, stancesPerWorker })}\n`);
      // Both workers had work (the mapping spreads 20 sessions over both halves), and every message was analysed once.
      expect(perWorker.every((n) => n > 0)).toBe(true);
      expect(stancesPerWorker[0]! + stancesPerWorker[1]!).toBe(referenceStances);
      expect(referenceStances).toBeGreaterThan(SESSIONS * 40);
      expect(await imuHandled([a, b])).toBe(imuSent(fleet));
    } finally {
      await a.close();
      await b.close();
      await nats.stop();
    }
  }, 90_000);

  it('worker B stopped mid-run, a replacement takes partitions 2,3 over: JetStream kept the messages, its sessions resume from their checkpoints', async () => {
    const nats = await startNatsServer({ partitions: PARTITIONS });
    const checkpoints = { INGEST_CHECKPOINT_S: '1' };
    // B and its replacement acknowledge at checkpoints (acks held until a durable checkpoint covers them), A on receipt.
    const atCheckpoints = { ...checkpoints, INGEST_ACK: 'checkpoint' };
    const a = await startWorker(nats, '0,1', checkpoints);
    const b = await startWorker(nats, '2,3', atCheckpoints);
    let b2: TestIngest | undefined;
    try {
      const fleetDone = runFleet(nats.mqttUrl);
      // Well past the standing calibration in B's sessions (they all start within a second): a checkpoint restores.
      const bSessions = (): number[] => ids.map((id) => b.service.sessions.session(id.athleteId, id.sessionId)?.strides ?? -1).filter((n) => n >= 0);
      let maxHeldAcks = 0;
      await waitFor(() => {
        maxHeldAcks = Math.max(maxHeldAcks, b.service.intake.heldAckCount);
        return bSessions().length > 0 && Math.max(...bSessions()) >= 25;
      }, 30_000, 'B mid-run');
      // B really held its acks back (released at each checkpoint and at its stop).
      expect(maxHeldAcks).toBeGreaterThan(0);
      await b.close(true);
      // Counted once B has stopped: its analysis threads report what they handled a tick later, and B goes on
      // taking messages until its intake pauses.
      const bHandled = await imuHandled([b]);
      // Where each of B's sessions was cut: the data time its shutdown checkpoint holds.
      const cuts = new Map<string, number>();
      const bStore = new LocalStore({ dataDir: b.dir });
      for (const id of ids) {
        const saved = await bStore.latestCheckpoint(id.athleteId, id.sessionId);
        if (saved !== null) cuts.set(keyOf(id), (JSON.parse(Buffer.from(saved.data).toString('utf8')) as SessionCheckpoint).dataUs!);
      }
      await bStore.close();
      expect(cuts.size).toBeGreaterThan(0);
      // B's partitions sit unconsumed for a moment while the phones go on: JetStream keeps their messages.
      await new Promise((r) => setTimeout(r, 1000));
      b2 = await startWorker(nats, '2,3', atCheckpoints, { dir: b.dir });
      const fleet = await fleetDone;
      await allClosed([a, b2]);
      // Every published message analysed exactly once across A, B and its replacement: nothing lost, nothing twice.
      expect(bHandled).toBeGreaterThan(0);
      expect((await imuHandled([a, b2])) + bHandled).toBe(imuSent(fleet));
      const held = await holdings([a, b2]);
      let resumed = 0;
      for (const [key, [inA, inB]] of held) {
        const owners = [inA!, inB!].map((h) => h.hasSession || h.strides.length > 0);
        expect({ key, owners: owners.filter(Boolean).length }).toEqual({ key, owners: 1 });
        const ref = reference.get(key)!;
        const strides = byTime((owners[0] ? inA! : inB!).strides).map(strideKey);
        if (owners[0]) expect(strides).toEqual(ref);
        else {
          const [athleteId, sessionId] = key.split('/') as [string, string];
          const summary = (await b2.store.getSession(athleteId, sessionId))?.summary;
          expect(summary).toMatchObject({ state: 'closed', endReason: 'stop' });
          if (summary?.['resumed'] === true) resumed++;
          // Resumed from its checkpoint: strides away from the cut are the single worker's; around it a stance per
          // leg may be missed and a few lack angles (DESIGN.md, dsp README; as test/ingest/resume.test.ts).
          const cutUs = cuts.get(key);
          const away = (icUs: number): boolean => cutUs === undefined || icUs < cutUs - 8e6 || icUs > cutUs + 3e6;
          // Within three of the pelvis metrics' last digit: about twice the worst seen here (test/fixtures/resumed.ts).
          expectResumedStrides(strides.filter((s) => away((s as { icUs: number }).icUs)), ref.filter((s) => away((s as { icUs: number }).icUs)), 3);
          expect(Math.abs(strides.length - ref.length)).toBeLessThanOrEqual(4);
        }
      }
      process.stdout.write(`[nats scale, worker down] ${JSON.stringify({ sessions: SESSIONS, imuMessages: imuSent(fleet), handledByBBeforeStop: bHandled, resumedByReplacement: resumed })}\n`);
      expect(resumed).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b2?.close();
      await nats.stop();
    }
  }, 90_000);

  it('gaitwatch ingest SIGKILLed mid-run with INGEST_ACK=checkpoint, restarted: JetStream replays what no checkpoint covered, no hole', async () => {
    const nats = await startNatsServer({ partitions: PARTITIONS });
    const dataDir = await mkdtemp(join(tmpdir(), 'gw-nats-kill-'));
    const env = { NATS_URL: nats.natsUrl, MQTT_URL: nats.mqttUrl, MQTT_CLIENT_ID: `gw-nats-kill-${process.pid % 10000}`, DATA_DIR: dataDir, INGEST_CHECKPOINT_S: '1', INGEST_ACK: 'checkpoint' };
    const children: IngestProcess[] = [];
    const startProcess = async (): Promise<IngestProcess> => {
      const child = await startIngestProcess(env);
      children.push(child);
      await waitFor(() => child.output().includes('"msg":"consuming partitions"'), 20_000, 'ingest consuming its partitions');
      return child;
    };
    const store = new LocalStore({ dataDir });
    try {
      const first = await startProcess();
      const fleetDone = runFleet(nats.mqttUrl);
      // Every session past its calibration (~20 stances each on average), then the process is killed outright.
      await waitFor(async () => (await first.counter('gaitwatch_ingest_strides_total')) >= SESSIONS * 20, 30_000, 'first process mid-run');
      first.process.kill('SIGKILL');
      await first.exited;
      // The sessions still running at the kill (a partition that ran ahead may have finished some) and their cuts.
      const cuts = new Map<string, number>();
      for (const id of ids) {
        const saved = await store.latestCheckpoint(id.athleteId, id.sessionId);
        const running = (await store.getSession(id.athleteId, id.sessionId))?.endUs === null;
        if (saved !== null && running) cuts.set(keyOf(id), (JSON.parse(Buffer.from(saved.data).toString('utf8')) as SessionCheckpoint).dataUs!);
      }
      expect(cuts.size).toBeGreaterThan(0);
      const second = await startProcess();
      expect(second.output()).toContain('taking over a partition with unacknowledged messages');
      await fleetDone;
      await waitFor(async () => (await Promise.all(ids.map(async (id) => (await store.getSession(id.athleteId, id.sessionId))?.endUs ?? null))).every((e) => e !== null), 45_000, 'all sessions closed');
      let resumed = 0;
      for (const id of ids) {
        const summary = (await store.getSession(id.athleteId, id.sessionId))!.summary;
        expect(summary).toMatchObject({ state: 'closed', endReason: 'stop' });
        if (summary['resumed'] === true) resumed++;
        // Nothing the killed process had acknowledged is missing from the analysis: no hole in any sensor.
        const input = summary['ingest'] as Record<string, { gaps: number; missingSamples: number; completenessPct: number }>;
        for (const sensor of Object.values(input)) expect({ key: keyOf(id), ...sensor }).toMatchObject({ key: keyOf(id), gaps: 0, missingSamples: 0, completenessPct: 100 });
        // Every stance of the uninterrupted run away from the cut, and no other (a stance: side + initial contact, ms).
        // Not its every number: two processes and the phones on 2 cores can delay a session's clock (`advanceTo`
        // by wall time), which may leave an angle null here and there — a load effect the other cases keep out of.
        const stances = (list: object[]): string[] => (list as { side: string; icUs: number }[]).filter((s) => away(s.icUs)).map((s) => `${s.side}@${Math.round(s.icUs / 1000)}`);
        const strides = byTime(await storedStrides(store, id.athleteId, id.sessionId)).map(strideKey);
        const ref = reference.get(keyOf(id))!;
        const cutUs = cuts.get(keyOf(id));
        const away = (icUs: number): boolean => cutUs === undefined || icUs < cutUs - 8e6 || icUs > cutUs + 3e6;
        expect({ key: keyOf(id), stances: stances(strides) }).toEqual({ key: keyOf(id), stances: stances(ref) });
        expect(Math.abs(strides.length - ref.length)).toBeLessThanOrEqual(4);
      }
      process.stdout.write(`[nats scale, SIGKILL] ${JSON.stringify({ sessions: SESSIONS, runningAtKill: cuts.size, resumed })}\n`);
      expect(resumed).toBe(cuts.size);
      second.process.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      for (const child of children) child.process.kill('SIGKILL');
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
      await nats.stop();
    }
  }, 90_000);
});
