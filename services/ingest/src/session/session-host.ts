import type { EndReason } from './live-session.ts';
import type { SessionManager } from './session-manager.ts';

/**
 * What the service drives: the live sessions, in this thread (a SessionManager) or spread over analysis
 * threads (AnalysisPool). Everything that may cross a thread is asynchronous.
 */
export interface SessionHost {
  /** One MQTT message (never throws; bad input is counted). */
  handle(topic: string, payload: Uint8Array): void;
  /**
   * The timer: buffers released, clocks moved, idle sessions closed. `held`:
   * the intake is holding messages back (back-pressure), so the data that
   * stopped arriving is ours, not the sensors' silence — clocks and idle
   * timers stand still.
   */
  tick(held?: boolean): void;
  /** Sessions open now. */
  readonly activeSessions: number;
  /** A live session's stride count, or undefined when it is not live. */
  session(athleteId: string, sessionId: string): { readonly strides: number } | undefined;
  /**
   * Checkpoints every session (no-op without checkpoints); resolves once every checkpoint record is handed to
   * the output, with true when they cover every message handed over before the call (no session was opening).
   */
  checkpointAll(drain: boolean): Promise<boolean>;
  /** True while the analysis is too far behind: intake holds (back-pressure). */
  readonly saturated: boolean;
  /** Stops taking messages (shutdown); true when no session was opening, so every message handed over is in a session. */
  stopIntake(): Promise<boolean>;
  /** Resolves when no checkpoint is being read. */
  settled(): Promise<void>;
  /** Shutdown with checkpoints: every session drained and checkpointed for the next worker. */
  suspendAll(): Promise<void>;
  /** Shutdown without checkpoints: every session finished. */
  closeAll(reason: EndReason): Promise<void>;
  /** Ends the analysis threads (after suspendAll/closeAll). */
  close(): Promise<void>;
}

/** The sessions in this thread (INGEST_ANALYSIS_THREADS=0). */
export function inProcessSessions(manager: SessionManager): SessionHost {
  return {
    handle: (topic, payload) => manager.handle(topic, payload),
    tick: (held) => manager.tick(held),
    get activeSessions() {
      return manager.activeSessions;
    },
    session: (athleteId, sessionId) => manager.session(athleteId, sessionId),
    checkpointAll: async (drain) => {
      const covered = manager.openingSessions === 0;
      manager.checkpointAll(drain);
      return covered;
    },
    saturated: false,
    stopIntake: async () => {
      const covered = manager.openingSessions === 0;
      manager.stopIntake();
      return covered;
    },
    settled: () => manager.settled(),
    suspendAll: async () => manager.suspendAll(),
    closeAll: async (reason) => manager.closeAll(reason),
    close: async () => undefined,
  };
}
