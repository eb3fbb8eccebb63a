import type { SensorId } from '@gaitwatch/protocol';
import { SimulatedSession, type SessionOptions } from '../session.ts';
import type { NetworkFaultOptions } from './network-faults.ts';
import { RunnerRelay, type RelayStats } from './relay.ts';

export interface FleetOptions {
  readonly mqttUrl: string;
  readonly runners: number;
  /** Options of runner i's session (the fleet sets runnerIndex). */
  readonly session: Omit<SessionOptions, 'runnerIndex'>;
  readonly format: 'json' | 'binary';
  /** Simulated seconds per wall-clock second. */
  readonly speedup: number;
  /** Wall-clock seconds between runner starts (default: spread over 10 s). */
  readonly staggerS?: number;
  readonly faults?: NetworkFaultOptions;
  readonly samplesPerMessage?: number;
  /** Per-sensor clock offsets, µs, for every runner. */
  readonly clockOffsetUs?: Partial<Record<SensorId, number>>;
  /** Only these runner indices (a worker's share of a fleet). */
  readonly indices?: readonly number[];
  /** Called about once a second with the totals so far. */
  readonly onProgress?: (progress: FleetProgress) => void;
  readonly username?: string;
  readonly password?: string;
  readonly signal?: AbortSignal;
}

export interface FleetProgress {
  readonly runnersActive: number;
  readonly runnersDone: number;
  readonly runnersTotal: number;
  readonly messagesSent: number;
  readonly messagesAcked: number;
  readonly elapsedS: number;
  readonly simulatedS: number;
  /**
   * Longest wall-clock gap between two scheduler ticks, ms: a frame can be
   * published at most this late. Near TICK_MS the machine keeps up; growing
   * gaps mean the fleet is too big for it.
   */
  readonly maxTickGapMs: number;
  readonly meanTickGapMs: number;
}

export interface FleetResult extends FleetProgress {
  readonly relays: readonly { athleteId: string; sessionId: string; stats: RelayStats }[];
}

const TICK_MS = 10;

export function athleteIdFor(seed: number, index: number): string {
  return `sim-${seed}-${index}`;
}

/**
 * Runs N simulated runners live against a broker, one MQTT connection each
 * (as N phones would), staggered starts, paced by the wall clock × speedup.
 * A single timer drives every relay: frames due by now are produced and
 * published; the gaps between scheduler ticks are reported, so a fleet that
 * is too big for the machine shows it instead of silently slowing time down.
 */
export async function runFleet(options: FleetOptions): Promise<FleetResult> {
  const indices = options.indices ?? Array.from({ length: options.runners }, (_, i) => i);
  const staggerS = options.staggerS ?? Math.min(0.5, 10 / Math.max(1, options.runners));
  const relays = indices.map((index) => {
    const session = new SimulatedSession({ ...options.session, runnerIndex: index });
    return new RunnerRelay(session, {
      mqttUrl: options.mqttUrl,
      athleteId: athleteIdFor(options.session.seed, index),
      sessionId: `${options.session.scenario}-s${options.session.seed}-r${index}`,
      format: options.format,
      ...(options.samplesPerMessage !== undefined ? { samplesPerMessage: options.samplesPerMessage } : {}),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      ...(options.clockOffsetUs !== undefined ? { clockOffsetUs: options.clockOffsetUs } : {}),
      ...(options.username !== undefined ? { username: options.username, password: options.password } : {}),
    });
  });
  // Connect in batches: hundreds of simultaneous CONNECTs are a thundering herd.
  for (let i = 0; i < relays.length; i += 50) await Promise.all(relays.slice(i, i + 50).map((r) => r.connect()));
  const started = new Set<RunnerRelay>();
  const finishing: Promise<void>[] = [];
  const t0 = performance.now();
  let lastProgress = t0;
  let maxTickGapMs = 0;
  let tickGapSumMs = 0;
  let ticks = 0;
  let lastTick = t0;
  const progress = (): FleetProgress => {
    const elapsedS = (performance.now() - t0) / 1000;
    return {
      runnersActive: started.size - finishing.length,
      runnersDone: finishing.length,
      runnersTotal: relays.length,
      messagesSent: relays.reduce((s, r) => s + r.stats.sent, 0),
      messagesAcked: relays.reduce((s, r) => s + r.stats.acked, 0),
      elapsedS,
      simulatedS: elapsedS * options.speedup,
      maxTickGapMs,
      meanTickGapMs: ticks > 0 ? tickGapSumMs / ticks : 0,
    };
  };
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const gap = now - lastTick;
      lastTick = now;
      // The first second is connection set-up and JIT warm-up, not steady state.
      if (now - t0 > 1000) {
        maxTickGapMs = Math.max(maxTickGapMs, gap);
        tickGapSumMs += gap;
        ticks++;
      }
      relays.forEach((relay, i) => {
        if (relay.done) return;
        const sinceStartS = (now - t0) / 1000 - indices[i]! * staggerS;
        if (sinceStartS < 0) return;
        if (!started.has(relay)) {
          started.add(relay);
          // A refused `start` must not become an unhandled rejection that kills the fleet.
          relay.start().catch((error: unknown) => {
            relay.stats.errors.push(`status start: ${(error as Error).message}`);
          });
        }
        const dueS = sinceStartS * options.speedup;
        relay.pump(dueS);
        if (relay.done) finishing.push(relay.finish());
      });
      if (now - lastProgress >= 1000) {
        lastProgress = now;
        options.onProgress?.(progress());
      }
      if (options.signal?.aborted === true) {
        // Stop early: every started relay still says `stop` and disconnects cleanly.
        for (const relay of started) {
          if (!relay.done) {
            relay.done = true;
            finishing.push(relay.finish());
          }
        }
        resolve();
      } else if (finishing.length === relays.length) resolve();
      else setTimeout(tick, TICK_MS);
    };
    tick();
  });
  await Promise.all(finishing);
  await Promise.all(relays.filter((r) => !started.has(r)).map((r) => r.close()));
  return {
    ...progress(),
    relays: relays.map((r) => ({ athleteId: r.options.athleteId, sessionId: r.options.sessionId, stats: r.stats })),
  };
}
