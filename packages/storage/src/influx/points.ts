/**
 * Records → InfluxDB line protocol through the client library's Point
 * (escaping is its job, not ours) — except raw IMU samples, the bulk of the
 * points, whose lines are built here (see `imuLines`). Timestamps are integer µs passed as
 * base-10 strings and written with precision=us: no JS number ever carries a
 * nanosecond time. Numbers are float fields (except µs times, versions and
 * counts, which are integers) so a field never changes type between writes —
 * InfluxDB refuses a batch with a field type conflict.
 */
import { Point } from '@influxdata/influxdb-client';
import { REP_METRICS, STRIDE_METRICS, alertExtras, imuCount, repExtras, strideExtras } from '../records.ts';
import { ATHLETE_POINT_US } from '../athletes.ts';
import type { AlertAckInput, AlertRecord, RepRecord, AthleteRecord, CheckpointRecord, ExtraValue, ImuBlock, SessionRecord, StrideRecord } from '../types.ts';
import type { PreparedBatch } from '../write-batch.ts';

/** Version of the stride point's layout; also its always-present field (a point needs one field, and every metric may be null). */
export const STRIDE_SCHEMA_VERSION = 1;
/** Checkpoint bytes per string field: 45 000 bytes are 60 000 base64 characters, under 1.x's 64 KiB string limit. */
export const CHECKPOINT_CHUNK_BYTES = 45_000;

function line(point: Point): string {
  const text = point.toLineProtocol();
  if (text === undefined) throw new Error('influx: a point without fields (bug)');
  return text;
}

function addExtras(point: Point, extras: Record<string, Exclude<ExtraValue, null>>): void {
  for (const [name, value] of Object.entries(extras)) {
    if (typeof value === 'number') point.floatField(name, value);
    else if (typeof value === 'string') point.stringField(name, value);
    else point.booleanField(name, value);
  }
}

export function stridePoint(s: StrideRecord): string {
  const point = new Point('stride').tag('athlete', s.athleteId).tag('session', s.sessionId).tag('side', s.side).intField('schemaVersion', STRIDE_SCHEMA_VERSION);
  if (s.toUs !== null && s.toUs !== undefined) point.intField('toUs', s.toUs);
  for (const name of STRIDE_METRICS) {
    const value = s[name];
    // A null metric is left out: an absent field reads back as null.
    if (value !== null && value !== undefined) point.floatField(name, value);
  }
  addExtras(point, strideExtras(s));
  return line(point.timestamp(String(s.icUs)));
}

/**
 * A rep at its start time, tagged like a stride (athlete, session, standing
 * side). `set`, `rep` and the µs times are int fields, always there (so the
 * point has fields even when every angle is null); a null angle or verdict
 * is left out and reads back as null.
 */
export function repPoint(r: RepRecord): string {
  const point = new Point('rep')
    .tag('athlete', r.athleteId)
    .tag('session', r.sessionId)
    .tag('side', r.side)
    .intField('set', r.set)
    .intField('rep', r.rep)
    .intField('bottomUs', r.bottomUs)
    .intField('endUs', r.endUs)
    .floatField('durationS', r.durationS);
  for (const name of REP_METRICS) {
    const value = r[name];
    if (value !== null && value !== undefined) point.floatField(name, value);
  }
  if (r.pelvicDropVerdict !== null && r.pelvicDropVerdict !== undefined) point.stringField('pelvicDropVerdict', r.pelvicDropVerdict);
  addExtras(point, repExtras(r));
  return line(point.timestamp(String(r.startUs)));
}

export function alertPoint(a: AlertRecord): string {
  const point = new Point('alert').tag('athlete', a.athleteId).tag('session', a.sessionId).tag('type', a.type).tag('severity', a.severity).tag('metric', a.metric).tag('phase', a.phase);
  if (a.sensor !== undefined) point.tag('sensor', a.sensor);
  if (a.side !== undefined) point.tag('side', a.side);
  point.stringField('message', a.message);
  if (a.value !== null) point.floatField('value', a.value);
  if (a.baseline !== null) point.floatField('baseline', a.baseline);
  if (a.episodeId !== undefined) point.stringField('episodeId', a.episodeId);
  addExtras(point, alertExtras(a));
  return line(point.timestamp(String(a.tUs)));
}

export function sessionPoint(s: SessionRecord): string {
  const point = new Point('session').tag('athlete', s.athleteId).tag('session', s.sessionId).stringField('summary', JSON.stringify(s.summary));
  if (s.endUs !== null) point.intField('endUs', s.endUs);
  return line(point.timestamp(String(s.startUs)));
}

/**
 * One point per session at time = startUs, so a new checkpoint overwrites the
 * last. InfluxDB merges the fields of an overwritten point, so `chunks` says
 * how many `cN` fields belong to this write; older extra chunks are ignored.
 */
export function checkpointPoint(c: CheckpointRecord): string {
  const data = Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength);
  const chunks = Math.ceil(data.length / CHECKPOINT_CHUNK_BYTES);
  const point = new Point('checkpoint')
    .tag('athlete', c.athleteId)
    .tag('session', c.sessionId)
    .intField('atUs', c.atUs)
    .intField('version', c.version)
    .intField('bytes', data.length)
    .intField('chunks', chunks);
  for (let i = 0; i < chunks; i++) point.stringField(`c${i}`, data.subarray(i * CHECKPOINT_CHUNK_BYTES, (i + 1) * CHECKPOINT_CHUNK_BYTES).toString('base64'));
  return line(point.timestamp(String(c.startUs)));
}

/**
 * One point per athlete at the fixed ATHLETE_POINT_US, so a new write
 * overwrites the last. Every field is written every time ('' = no display
 * name; the settings as one JSON string): an overwritten point merges its
 * fields, and a field left out would keep an older value.
 */
export function athletePoint(a: AthleteRecord): string {
  const point = new Point('athlete')
    .tag('athlete', a.athleteId)
    .stringField('displayName', a.displayName ?? '')
    .stringField('settings', JSON.stringify(a.settings))
    .intField('updatedUs', a.updatedUs);
  return line(point.timestamp(String(ATHLETE_POINT_US)));
}

/**
 * An ack at its alert's time, tagged like the alert (without the phase: it is
 * the raised one) and with the acknowledging key: InfluxDB cannot refuse a
 * second write, so acks of two keys are two points and reads keep the
 * earliest `ackedUs`. `note` is always written ('' = none) for the same
 * merge reason as the athlete's fields.
 */
export function ackPoint(a: AlertAckInput): string {
  const point = new Point('alert_ack').tag('athlete', a.athleteId).tag('session', a.sessionId).tag('type', a.type).tag('severity', a.severity).tag('metric', a.metric);
  if (a.sensor !== undefined) point.tag('sensor', a.sensor);
  if (a.side !== undefined) point.tag('side', a.side);
  point.tag('ackedBy', a.ackedBy).intField('ackedUs', a.ackedUs).stringField('note', a.note ?? '');
  return line(point.timestamp(String(a.tUs)));
}

/** Characters a tag key, tag value or field key escapes with a backslash, as the line-protocol spec (and Point) does. */
const TAG_SPECIAL = /[, =\n\r\t]/;
const TAG_ESCAPES: Record<string, string> = { ',': '\\,', ' ': '\\ ', '=': '\\=', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A tag value escaped as Point escapes it (a test checks the two agree byte for byte). */
export function escapeTag(value: string): string {
  return TAG_SPECIAL.test(value) ? value.replace(/[, =\n\r\t]/g, (c) => TAG_ESCAPES[c]!) : value;
}

/** `,name=value` for a tag, or '' for an empty value: Point leaves empty tags out, so do we. */
function tagPair(name: string, value: string): string {
  return value === '' ? '' : `,${name}=${escapeTag(value)}`;
}

function imuFloat(name: string, value: number): string {
  // Point refuses NaN and ±Infinity (InfluxDB has no such float); validation already did, this is the guard.
  if (!Number.isFinite(value)) throw new Error(`invalid float value for field '${name}': ${value}`);
  return String(value);
}

/**
 * A raw IMU block's lines, newline-separated, without Point: the measurement
 * and escaped tags are written once per block and each sample costs six
 * `String(number)` — building a Point per sample was most of the store's CPU
 * (bench/FINDINGS.md, 6b). Byte-identical to Point's output (tags and fields
 * in key order, floats as `String(value)`, time as an integer µs string), which
 * `points.test.ts` checks on random blocks.
 */
export function imuLines(b: ImuBlock): string {
  // Tag keys in byte order, as Point sorts them; the keys themselves need no escaping.
  const head = `imu${tagPair('athlete', b.athleteId)}${tagPair('sensor', b.sensor)}${tagPair('session', b.sessionId)} `;
  const v = b.samples;
  let text = '';
  for (let i = 0, n = imuCount(b); i < n; i++) {
    const o = i * 6;
    if (i > 0) text += '\n';
    text +=
      `${head}ax=${imuFloat('ax', v[o]!)},ay=${imuFloat('ay', v[o + 1]!)},az=${imuFloat('az', v[o + 2]!)},` +
      `gx=${imuFloat('gx', v[o + 3]!)},gy=${imuFloat('gy', v[o + 4]!)},gz=${imuFloat('gz', v[o + 5]!)} ${String(b.t0Us + i * b.periodUs)}`;
  }
  return text;
}

/** Every line of a checked batch, newline-separated. */
export function batchLines(batch: PreparedBatch): string {
  const lines: string[] = [];
  for (const s of batch.strides) lines.push(stridePoint(s));
  for (const r of batch.reps) lines.push(repPoint(r));
  for (const a of batch.alerts) lines.push(alertPoint(a));
  for (const s of batch.sessions) lines.push(sessionPoint(s));
  for (const c of batch.checkpoints) lines.push(checkpointPoint(c));
  for (const b of batch.imu) if (imuCount(b) > 0) lines.push(imuLines(b));
  return lines.join('\n');
}
