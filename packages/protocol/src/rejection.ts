/**
 * Why a payload was refused. Stable codes: they label the ingest metrics
 * (`gaitwatch_ingest_rejected_total{reason=…}`) and the logs, so renaming
 * one is a breaking change.
 */
export const REJECTION_REASONS = [
  /** Zero-length payload. */
  'empty',
  /** Larger than MAX_IMU_PAYLOAD_BYTES. */
  'oversize',
  /** Not UTF-8 JSON and not a binary frame. */
  'not_json',
  /** Valid JSON, wrong shape (missing field, wrong type, row not 6 values). */
  'schema',
  /** A sample is NaN, ±Infinity or beyond MAX_ABS_SAMPLE_VALUE. */
  'non_finite',
  /** More than MAX_SAMPLES_PER_MESSAGE samples, or zero. */
  'too_many_samples',
  /** Sensor name or code this protocol version does not know. */
  'unknown_sensor',
  /** t0Us outside the plausible window or not an integer; or periodUs out of bounds. */
  'bad_time',
  /** Binary frame with a version this decoder does not speak. */
  'bad_version',
  /** Binary frame whose length does not match its header, or non-zero reserved bits. */
  'bad_frame',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface Rejection {
  readonly ok: false;
  readonly reason: RejectionReason;
  /** Human-readable: what was wrong and where. Safe to log (never echoes the payload). */
  readonly detail: string;
}

export function reject(reason: RejectionReason, detail: string): Rejection {
  return { ok: false, reason, detail };
}
