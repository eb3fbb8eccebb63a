import type { CheckpointRecord, AthleteSettings, JsonObject } from '@gaitwatch/storage';
import type { EndReason, SessionCheckpoint } from './live-session.ts';

/**
 * Messages between the main thread and an analysis thread (analysis-pool.ts ⇄ analysis-worker.ts).
 * One port, in order both ways: a command's results (store records, publishes) arrive before its `done`.
 */

/** What a thread is started with (workerData). */
export interface AnalysisThreadData {
  readonly thread: number;
  readonly logLevel: string;
  readonly idleTimeoutS: number;
  readonly jitterMs: number;
  readonly jitterMaxFrames: number;
  readonly checkpoints: boolean;
  /** Whether the main thread has athlete settings to read when a session opens. */
  readonly athleteSettings: boolean;
  /** Sessions checkpointed per step of a checkpoint round, between batches (default 10). */
  readonly checkpointStepSessions?: number;
  /** Test hook: the thread throws (dies) when it handles a message on this topic. */
  readonly crashOnTopic?: string;
}

/**
 * A batch of MQTT messages: the payloads end to end in one buffer (one copy, no per-message objects across the
 * port), `ends[i]` the end of message i's payload, `arrivedMs[i]` its arrival (performance.timeOrigin-based, ms).
 */
export interface MessageBatch {
  readonly topics: readonly string[];
  readonly bytes: Uint8Array;
  readonly ends: Uint32Array;
  readonly arrivedMs: Float64Array;
}

export type ToThread =
  | { readonly type: 'batch'; readonly batch: MessageBatch }
  | { readonly type: 'tick'; readonly held: boolean }
  | { readonly type: 'checkpoint'; readonly id: number; readonly drain: boolean }
  | { readonly type: 'suspend'; readonly id: number }
  | { readonly type: 'close'; readonly id: number; readonly reason: EndReason }
  | { readonly type: 'stopIntake'; readonly id: number }
  | { readonly type: 'settled'; readonly id: number }
  | { readonly type: 'loaded'; readonly id: number; readonly value: SessionCheckpoint | AthleteSettings | undefined; readonly error?: string };

/** A metric update from a thread, applied to the main thread's IngestMetrics: a counter's sum since the last ops, a histogram's observations, a gauge's last value. */
export type MetricOp =
  | readonly [name: string, op: 'inc', value: number, labels?: Record<string, string>]
  | readonly [name: string, op: 'observe', values: readonly number[]]
  | readonly [name: string, op: 'set', value: number];

export type FromThread =
  | { readonly type: 'output'; readonly method: 'stride' | 'rep' | 'alert' | 'session' | 'checkpoint'; readonly record: JsonObject | CheckpointRecord }
  | { readonly type: 'publish'; readonly kind: 'live' | 'alerts'; readonly athleteId: string; readonly sessionId: string; readonly payload: string }
  | { readonly type: 'load'; readonly id: number; readonly what: 'checkpoint' | 'settings'; readonly athleteId: string; readonly sessionId: string }
  | { readonly type: 'metrics'; readonly ops: readonly MetricOp[] }
  | { readonly type: 'log'; readonly line: string }
  /** After each tick: the thread's live sessions with their stride counts, and how many are opening. */
  | { readonly type: 'sessions'; readonly live: readonly (readonly [key: string, strides: number])[]; readonly opening: number }
  /** A command finished; `covered` (checkpoint): no session was opening, so the checkpoint holds every message sent before it. */
  | { readonly type: 'done'; readonly id: number; readonly covered?: boolean }
  /** A batch was handled: the main thread's queue count for this thread goes down by `messages`. */
  | { readonly type: 'handled'; readonly messages: number };
