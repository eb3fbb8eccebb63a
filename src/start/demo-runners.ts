import { RunnerRelay, SimulatedSession, type ScenarioName } from '@gaitwatch/runner-sim';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

export interface DemoRunner {
  readonly athleteId: string;
  readonly scenario: ScenarioName;
  readonly seed: number;
  /**
   * Seconds of the run already behind it when `start` begins: its phone
   * flushes them at once (as after a reconnect), so a fatigue onset placed
   * there shows within the first minute instead of after the 90 s of warm-up
   * and fresh-legs baseline the analysis needs first.
   */
  readonly headStartS: number;
  readonly fatigueOnsetS?: number;
}

/** The three simulated runners of `gaitwatch start`: one whose hip abductors tire early, one steady, one with a weak side. */
export const DEMO_RUNNERS: readonly DemoRunner[] = [
  { athleteId: 'demo-ana', scenario: 'itb-fatigue', seed: 101, headStartS: 100, fatigueOnsetS: 100 },
  { athleteId: 'demo-ben', scenario: 'steady', seed: 102, headStartS: 0 },
  { athleteId: 'demo-cleo', scenario: 'weak-side', seed: 103, headStartS: 0 },
];

/** One run of each demo runner lasts this long, then the runner rests and starts a new session. */
const RUN_S = 30 * 60;
const REST_MS = 15_000;
const TICK_MS = 20;

export interface DemoFleet {
  /** Sessions started so far, as athleteId/sessionId. */
  readonly sessions: readonly string[];
  /** Each runner says `stop` for its current session and disconnects. */
  stop(): Promise<void>;
}

function sessionIdAt(ms: number): string {
  return `run-${new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * Runs the demo runners live against the broker as their phones would: each
 * an MQTT client with its own device credential, a session at a time, paced
 * by the wall clock, time stamps in real time (µs since the epoch).
 */
export function startDemoRunners(options: {
  mqttUrl: string;
  passwords: Readonly<Record<string, string>>;
  logger: Logger;
  runners?: readonly DemoRunner[];
  /** One username for every runner (an external broker); default: each runner's athlete id, as the embedded broker's device accounts. */
  username?: string;
}): DemoFleet {
  const { logger } = options;
  const sessions: string[] = [];
  let stopping = false;
  const wake = new AbortController();
  const active = new Set<RunnerRelay>();
  const loops = (options.runners ?? DEMO_RUNNERS).map(async (runner) => {
    let runIndex = 0;
    while (!stopping) {
      const wallStartMs = Date.now();
      const sessionId = sessionIdAt(wallStartMs);
      const session = new SimulatedSession({
        scenario: runner.scenario,
        durationS: RUN_S,
        seed: runner.seed + runIndex++,
        startUs: (wallStartMs - runner.headStartS * 1000) * 1000,
        ...(runner.fatigueOnsetS !== undefined ? { fatigueOnsetS: runner.fatigueOnsetS } : {}),
      });
      const relay = new RunnerRelay(session, { mqttUrl: options.mqttUrl, athleteId: runner.athleteId, sessionId, format: 'binary', username: options.username ?? runner.athleteId, password: options.passwords[runner.athleteId] ?? '' });
      try {
        await relay.connect();
        active.add(relay);
        await relay.start();
        sessions.push(`${runner.athleteId}/${sessionId}`);
        logger.info({ athleteId: runner.athleteId, sessionId, scenario: runner.scenario }, 'demo runner started a session');
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            const dueS = runner.headStartS + (Date.now() - wallStartMs) / 1000;
            relay.pump(Math.min(dueS, session.plan.durationS));
            if (relay.done || stopping) {
              clearInterval(timer);
              resolve();
            }
          }, TICK_MS);
        });
        relay.done = true;
        await relay.finish();
      } catch (error) {
        logger.warn({ athleteId: runner.athleteId, err: { message: (error as Error).message } }, 'demo runner failed; retrying');
        await relay.close().catch(() => undefined);
      } finally {
        active.delete(relay);
      }
      if (!stopping) await sleep(REST_MS, undefined, { signal: wake.signal }).catch(() => undefined);
    }
  });
  return {
    sessions,
    async stop() {
      stopping = true;
      wake.abort();
      await Promise.allSettled(loops);
    },
  };
}
