/**
 * Validation and the known/extra split of records, shared by both stores so
 * that they accept and refuse exactly the same input.
 */
import { ALERT_TYPES, AlertSeveritySchema, MAX_T_US, MIN_T_US, SENSOR_IDS, isValidId } from '@gaitwatch/protocol';
import type { AlertRecord, CheckpointRecord, ExtraValue, ImuBlock, RepRecord, SessionRecord, StrideRecord } from './types.ts';

/** Stride metrics stored in their own columns / typed fields, in StrideMetrics order. */
export const STRIDE_METRICS = ['strideTimeS', 'gctS', 'cadenceSpm', 'pelvicDropDeg', 'shankFrontalDeg', 'verticalOscillationCm', 'brakingMps'] as const;
export type StrideMetricName = (typeof STRIDE_METRICS)[number];

/** Rep angles (degrees) stored in their own columns / float fields; null = not measured. */
export const REP_METRICS = ['pelvicDropDeg', 'shankFrontalDeg', 'depthDeg'] as const;
export type RepMetricName = (typeof REP_METRICS)[number];
const VERDICTS = new Set(['level', 'dropping']);

/** Keys that are identity or structure, never stored as extra fields. `kind` is the `analyze` wrapper. */
const STRIDE_RESERVED = new Set<string>(['athleteId', 'sessionId', 'side', 'icUs', 'toUs', 'kind', ...STRIDE_METRICS]);
const REP_RESERVED = new Set<string>(['athleteId', 'sessionId', 'side', 'set', 'rep', 'startUs', 'bottomUs', 'endUs', 'durationS', 'pelvicDropVerdict', 'kind', ...REP_METRICS]);
const ALERT_RESERVED = new Set<string>(['athleteId', 'sessionId', 'type', 'severity', 'tUs', 'metric', 'value', 'baseline', 'message', 'phase', 'episodeId', 'side', 'sensor', 'kind', 'ack']);

/**
 * Names an extra field may not take: InfluxDB columns of the measurements
 * (tags and `time`) and our own bookkeeping fields, which would collide on read.
 */
const COLUMN_NAMES = new Set(['time', 'athlete', 'session', 'side', 'type', 'severity', 'metric', 'phase', 'sensor', 'schemaVersion']);

/** Extra field names: identifier-like, so they are safe InfluxDB field keys and SQLite JSON keys. */
const EXTRA_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Tag values that are not ids (alert metric, sensor): short, no spaces or line-protocol specials. */
const TAG_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

const SEVERITIES = new Set<string>(AlertSeveritySchema.options);
const TYPES = new Set<string>(ALERT_TYPES);
const SIDES = new Set(['left', 'right']);

export function assertId(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !isValidId(value)) throw new TypeError(`${what} ${JSON.stringify(value)} is not a valid id (1–64 of A–Z a–z 0–9 _ . -)`);
}

/** Integer µs inside the protocol's plausible window (2015–2100): a 1970 time is a device bug, not data. */
export function assertTimeUs(what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MIN_T_US || value > MAX_T_US) {
    throw new RangeError(`${what} ${String(value)} is not an integer µs time between 2015 and 2100`);
  }
}

function assertNullableNumber(what: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${what} ${String(value)} is not a finite number or null`);
}

function assertTag(what: string, value: unknown, allowed?: ReadonlySet<string>): void {
  const ok = typeof value === 'string' && (allowed === undefined ? TAG_VALUE.test(value) : allowed.has(value));
  if (!ok) throw new TypeError(`${what} ${JSON.stringify(value)} is not allowed`);
}

/** The extra fields of a record: unknown keys with a non-null scalar value. */
export function extrasOf(record: { readonly [key: string]: unknown }, reserved: ReadonlySet<string>): Record<string, Exclude<ExtraValue, null>> {
  const extras: Record<string, Exclude<ExtraValue, null>> = {};
  // for…in over own keys, not Object.entries: no [key, value] array per field (this runs twice per stored record).
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const value = record[key];
    if (reserved.has(key) || value === null || value === undefined) continue;
    if (!EXTRA_NAME.test(key) || COLUMN_NAMES.has(key)) throw new TypeError(`extra field name ${JSON.stringify(key)} is not allowed`);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`extra field ${key} ${value} is not finite`);
    } else if (typeof value !== 'string' && typeof value !== 'boolean') {
      throw new TypeError(`extra field ${key} must be a number, string, boolean or null, got ${typeof value}`);
    }
    extras[key] = value;
  }
  return extras;
}

export function strideExtras(stride: StrideRecord): Record<string, Exclude<ExtraValue, null>> {
  return extrasOf(stride, STRIDE_RESERVED);
}

export function repExtras(rep: RepRecord): Record<string, Exclude<ExtraValue, null>> {
  return extrasOf(rep, REP_RESERVED);
}

export function alertExtras(alert: AlertRecord): Record<string, Exclude<ExtraValue, null>> {
  return extrasOf(alert, ALERT_RESERVED);
}

export function validateStride(stride: StrideRecord): void {
  assertId('stride athleteId', stride.athleteId);
  assertId('stride sessionId', stride.sessionId);
  assertTag('stride side', stride.side, SIDES);
  assertTimeUs('stride icUs', stride.icUs);
  if (stride.toUs !== null && stride.toUs !== undefined) assertTimeUs('stride toUs', stride.toUs);
  for (const name of STRIDE_METRICS) assertNullableNumber(`stride ${name}`, stride[name]);
  strideExtras(stride);
}

function assertCount(what: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} ${String(value)} is not an integer ≥ 1`);
}

export function validateRep(rep: RepRecord): void {
  assertId('rep athleteId', rep.athleteId);
  assertId('rep sessionId', rep.sessionId);
  assertTag('rep side', rep.side, SIDES);
  assertCount('rep set', rep.set);
  assertCount('rep rep', rep.rep);
  assertTimeUs('rep startUs', rep.startUs);
  assertTimeUs('rep bottomUs', rep.bottomUs);
  assertTimeUs('rep endUs', rep.endUs);
  if (!(rep.startUs <= rep.bottomUs && rep.bottomUs <= rep.endUs && rep.startUs < rep.endUs)) {
    throw new RangeError(`rep times must run forward (startUs ${rep.startUs} ≤ bottomUs ${rep.bottomUs} ≤ endUs ${rep.endUs}, start before end)`);
  }
  if (typeof rep.durationS !== 'number' || !Number.isFinite(rep.durationS) || rep.durationS <= 0) throw new RangeError(`rep durationS ${String(rep.durationS)} is not a positive number`);
  for (const name of REP_METRICS) assertNullableNumber(`rep ${name}`, rep[name]);
  if (rep.pelvicDropVerdict !== null && rep.pelvicDropVerdict !== undefined) assertTag('rep pelvicDropVerdict', rep.pelvicDropVerdict, VERDICTS);
  repExtras(rep);
}

export function validateAlert(alert: AlertRecord): void {
  assertId('alert athleteId', alert.athleteId);
  assertId('alert sessionId', alert.sessionId);
  assertTag('alert type', alert.type, TYPES);
  assertTag('alert severity', alert.severity, SEVERITIES);
  assertTag('alert phase', alert.phase, new Set(['raised', 'resolved']));
  assertTag('alert metric', alert.metric);
  if (alert.sensor !== undefined) assertTag('alert sensor', alert.sensor);
  if (alert.side !== undefined) assertTag('alert side', alert.side, SIDES);
  assertTimeUs('alert tUs', alert.tUs);
  assertNullableNumber('alert value', alert.value);
  assertNullableNumber('alert baseline', alert.baseline);
  if (typeof alert.message !== 'string') throw new TypeError('alert message must be a string');
  if (alert.episodeId !== undefined && typeof alert.episodeId !== 'string') throw new TypeError('alert episodeId must be a string');
  alertExtras(alert);
}

export function validateSession(session: SessionRecord): void {
  assertId('session athleteId', session.athleteId);
  assertId('session sessionId', session.sessionId);
  assertTimeUs('session startUs', session.startUs);
  if (session.endUs !== null) assertTimeUs('session endUs', session.endUs);
  if (typeof session.summary !== 'object' || session.summary === null || Array.isArray(session.summary)) throw new TypeError('session summary must be a JSON object');
  const bytes = Buffer.byteLength(JSON.stringify(session.summary));
  if (bytes > MAX_SUMMARY_JSON_BYTES) throw new RangeError(`session summary is ${bytes} bytes of JSON, more than ${MAX_SUMMARY_JSON_BYTES}`);
}

/** InfluxDB 1.x caps a string field at 64 KiB; the summary is one, so both stores hold it to this. */
export const MAX_SUMMARY_JSON_BYTES = 60_000;

export function validateCheckpoint(checkpoint: CheckpointRecord): void {
  assertId('checkpoint athleteId', checkpoint.athleteId);
  assertId('checkpoint sessionId', checkpoint.sessionId);
  assertTimeUs('checkpoint startUs', checkpoint.startUs);
  assertTimeUs('checkpoint atUs', checkpoint.atUs);
  if (!Number.isSafeInteger(checkpoint.version) || checkpoint.version < 0) throw new RangeError(`checkpoint version ${checkpoint.version} is not an integer ≥ 0`);
  if (!(checkpoint.data instanceof Uint8Array)) throw new TypeError('checkpoint data must be a Uint8Array');
}

export function validateImu(block: ImuBlock): void {
  assertId('imu athleteId', block.athleteId);
  assertId('imu sessionId', block.sessionId);
  assertTag('imu sensor', block.sensor, new Set<string>(SENSOR_IDS));
  assertTimeUs('imu t0Us', block.t0Us);
  if (!Number.isSafeInteger(block.periodUs) || block.periodUs <= 0) throw new RangeError(`imu periodUs ${block.periodUs} is not a positive integer`);
  if (block.samples.length % 6 !== 0) throw new RangeError(`imu samples length ${block.samples.length} is not a multiple of 6`);
  for (let i = 0; i < block.samples.length; i++) assertNullableNumber('imu sample', block.samples[i]);
}

/** Samples in a raw block. */
export function imuCount(block: ImuBlock): number {
  return block.samples.length / 6;
}
