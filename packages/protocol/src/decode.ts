import type { z } from 'zod';
import { BINARY_MAGIC, decodeBinaryImu } from './frame/binary.ts';
import type { DecodedImu } from './frame/imu-frame.ts';
import { MAX_ABS_SAMPLE_VALUE, MAX_IMU_PAYLOAD_BYTES, MAX_SAMPLES_PER_MESSAGE } from './limits.ts';
import { reject, type Rejection } from './rejection.ts';
import { ImuEnvelopeSchema } from './schemas/imu.ts';
import { StatusSchema, type Status } from './schemas/status.ts';
import { isSensorId } from './sensors.ts';
import { CHANNELS_PER_SAMPLE } from './units.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** First zod issue as `path: message`, for a rejection's detail. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'schema mismatch';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${path}: ${issue.message}`;
}

function parseJsonPayload(payload: Uint8Array | string): { ok: true; value: unknown } | Rejection {
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return reject('not_json', 'payload is neither a binary frame (magic 0xA7) nor UTF-8 text');
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return reject('not_json', `payload is not JSON: ${(error as Error).message.slice(0, 120)}`);
  }
}

function byteLength(payload: Uint8Array | string): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length;
}

/** Flattens JSON sample rows into the frame's interleaved Float64Array, checking every value. */
function copySamples(rows: unknown[]): Float64Array | Rejection {
  const samples = new Float64Array(rows.length * CHANNELS_PER_SAMPLE);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row) || row.length !== CHANNELS_PER_SAMPLE) {
      return reject('schema', `samples.${r}: expected [ax,ay,az,gx,gy,gz], 6 numbers`);
    }
    for (let c = 0; c < CHANNELS_PER_SAMPLE; c++) {
      const v: unknown = row[c];
      if (typeof v !== 'number') return reject('schema', `samples.${r}.${c}: expected a number, got ${typeof v}`);
      if (!Number.isFinite(v) || Math.abs(v) > MAX_ABS_SAMPLE_VALUE) {
        return reject('non_finite', `samples.${r}.${c} is ${v}; values must be finite and within ±${MAX_ABS_SAMPLE_VALUE}`);
      }
      samples[r * CHANNELS_PER_SAMPLE + c] = v;
    }
  }
  return samples;
}

function decodeJsonImu(value: unknown): DecodedImu | Rejection {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('schema', 'IMU message must be a JSON object {sensor, seq, t0Us, periodUs, samples}');
  }
  const record = value as Record<string, unknown>;
  // Checked before the schema so that these get their own reason codes (and metrics).
  if (typeof record['sensor'] === 'string' && !isSensorId(record['sensor'])) {
    return reject('unknown_sensor', `sensor ${JSON.stringify(record['sensor'].slice(0, 40))} is not pelvis, shank_left or shank_right`);
  }
  const rows = record['samples'];
  if (Array.isArray(rows) && (rows.length === 0 || rows.length > MAX_SAMPLES_PER_MESSAGE)) {
    return reject('too_many_samples', `message holds ${rows.length} samples; allowed 1..${MAX_SAMPLES_PER_MESSAGE}`);
  }
  const envelope = ImuEnvelopeSchema.safeParse(value);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    const timeField = issue?.path[0] === 't0Us' || issue?.path[0] === 'periodUs';
    return reject(timeField ? 'bad_time' : 'schema', describeIssue(envelope.error));
  }
  const samples = copySamples(envelope.data.samples);
  if (!(samples instanceof Float64Array)) return samples;
  const { sensor, seq, t0Us, periodUs } = envelope.data;
  return { ok: true, format: 'json', frame: { sensor, seq, t0Us, periodUs, count: envelope.data.samples.length, samples } };
}

/**
 * Decodes an IMU payload of either format: binary when the first byte is the
 * frame magic 0xA7, JSON otherwise. Never throws; a defect comes back as a
 * Rejection with a stable reason code and a loggable detail.
 */
export function decodeImu(payload: Uint8Array | string): DecodedImu | Rejection {
  const size = byteLength(payload);
  if (size === 0) return reject('empty', 'payload is empty');
  if (size > MAX_IMU_PAYLOAD_BYTES) {
    return reject('oversize', `payload is ${size} bytes; the limit is ${MAX_IMU_PAYLOAD_BYTES}`);
  }
  if (typeof payload !== 'string' && payload[0] === BINARY_MAGIC) return decodeBinaryImu(payload);
  const parsed = parseJsonPayload(payload);
  if (!parsed.ok) return parsed;
  return decodeJsonImu(parsed.value);
}

/** Largest accepted status payload, bytes. */
export const MAX_STATUS_PAYLOAD_BYTES = 8 * 1024;

/** Decodes a `status` payload (start / stop / lost). Never throws. */
export function decodeStatus(payload: Uint8Array | string): { ok: true; status: Status } | Rejection {
  const size = byteLength(payload);
  if (size === 0) return reject('empty', 'payload is empty');
  if (size > MAX_STATUS_PAYLOAD_BYTES) {
    return reject('oversize', `status payload is ${size} bytes; the limit is ${MAX_STATUS_PAYLOAD_BYTES}`);
  }
  const parsed = parseJsonPayload(payload);
  if (!parsed.ok) return parsed;
  const status = StatusSchema.safeParse(parsed.value);
  if (!status.success) return reject('schema', describeIssue(status.error));
  return { ok: true, status: status.data };
}
