/**
 * Checks a WriteBatch before any of it is taken, so a bad record refuses the
 * whole call (nothing half-written), and applies the raw IMU policy.
 */
import { imuCount, validateAlert, validateCheckpoint, validateImu, validateRep, validateSession, validateStride } from './records.ts';
import type { AlertRecord, ImuBlock, RawImuPolicy, WriteBatch } from './types.ts';

export interface PreparedBatch {
  readonly strides: NonNullable<WriteBatch['strides']>;
  readonly reps: NonNullable<WriteBatch['reps']>;
  readonly alerts: readonly AlertRecord[];
  readonly sessions: NonNullable<WriteBatch['sessions']>;
  readonly checkpoints: NonNullable<WriteBatch['checkpoints']>;
  /** Only the blocks raw storage is on for. */
  readonly imu: readonly ImuBlock[];
  /** Points to store: one per record, one per raw sample. */
  readonly points: number;
  /** Raw samples dropped by the policy. */
  readonly imuSkipped: number;
}

/** True when raw samples of this athlete are stored. */
export function rawImuEnabled(policy: RawImuPolicy, athleteId: string): boolean {
  if (policy === 'off') return false;
  if (policy === 'all') return true;
  return policy.athletes.includes(athleteId);
}

export function prepareBatch(batch: WriteBatch, rawImu: RawImuPolicy): PreparedBatch {
  const strides = batch.strides ?? [];
  const reps = batch.reps ?? [];
  // Alerts parsed by zod carry phase; a hand-built one without it means 'raised', the schema's default.
  const alerts = (batch.alerts ?? []).map((a) => (a.phase === undefined ? { ...a, phase: 'raised' as const } : a));
  const sessions = batch.sessions ?? [];
  const checkpoints = batch.checkpoints ?? [];
  strides.forEach(validateStride);
  reps.forEach(validateRep);
  alerts.forEach(validateAlert);
  sessions.forEach(validateSession);
  checkpoints.forEach(validateCheckpoint);
  let imuSkipped = 0;
  const imu: ImuBlock[] = [];
  for (const block of batch.imu ?? []) {
    validateImu(block);
    if (rawImuEnabled(rawImu, block.athleteId)) imu.push(block);
    else imuSkipped += imuCount(block);
  }
  const points = strides.length + reps.length + alerts.length + sessions.length + checkpoints.length + imu.reduce((n, b) => n + imuCount(b), 0);
  return { strides, reps, alerts, sessions, checkpoints, imu, points, imuSkipped };
}
