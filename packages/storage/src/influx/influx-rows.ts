/**
 * InfluxQL results → records. `SELECT *` returns tags and fields as columns,
 * with null where a row has no such field: a null known metric is "not
 * measured", a null unknown column is an extra this row does not have.
 */
import type { Side } from '@gaitwatch/protocol';
import { REP_METRICS, STRIDE_METRICS } from '../records.ts';
import type { AlertAckInput, AlertRecord, RepRecord, AthleteRecord, AthleteSettings, CheckpointRecord, ExtraValue, ImuSample, JsonObject, SessionRecord, StrideRecord } from '../types.ts';
import type { InfluxSeries } from './http.ts';

export type Row = Record<string, unknown>;

export function rowsOf(series: readonly InfluxSeries[]): Row[] {
  const rows: Row[] = [];
  for (const s of series) {
    for (const values of s.values) {
      const row: Row = {};
      s.columns.forEach((column, i) => (row[column] = values[i]));
      rows.push(row);
    }
  }
  return rows;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function extras(row: Row, known: ReadonlySet<string>): Record<string, ExtraValue> {
  const out: Record<string, ExtraValue> = {};
  for (const [key, value] of Object.entries(row)) {
    if (known.has(key) || value === null || value === undefined) continue;
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

const STRIDE_COLUMNS = new Set<string>(['time', 'athlete', 'session', 'side', 'schemaVersion', 'toUs', ...STRIDE_METRICS]);

export function rowToStride(r: Row): StrideRecord {
  return {
    athleteId: str(r['athlete']),
    sessionId: str(r['session']),
    side: str(r['side']) as Side,
    icUs: num(r['time'])!,
    toUs: num(r['toUs']),
    strideTimeS: num(r['strideTimeS']),
    gctS: num(r['gctS']),
    cadenceSpm: num(r['cadenceSpm']),
    pelvicDropDeg: num(r['pelvicDropDeg']),
    shankFrontalDeg: num(r['shankFrontalDeg']),
    verticalOscillationCm: num(r['verticalOscillationCm']),
    brakingMps: num(r['brakingMps']),
    ...extras(r, STRIDE_COLUMNS),
  };
}

const REP_COLUMNS = new Set<string>(['time', 'athlete', 'session', 'side', 'set', 'rep', 'bottomUs', 'endUs', 'durationS', 'pelvicDropVerdict', ...REP_METRICS]);

export function rowToRep(r: Row): RepRecord {
  const verdict = r['pelvicDropVerdict'];
  return {
    athleteId: str(r['athlete']),
    sessionId: str(r['session']),
    side: str(r['side']) as Side,
    set: num(r['set'])!,
    rep: num(r['rep'])!,
    startUs: num(r['time'])!,
    bottomUs: num(r['bottomUs'])!,
    endUs: num(r['endUs'])!,
    durationS: num(r['durationS'])!,
    pelvicDropDeg: num(r['pelvicDropDeg']),
    shankFrontalDeg: num(r['shankFrontalDeg']),
    depthDeg: num(r['depthDeg']),
    pelvicDropVerdict: verdict === 'level' || verdict === 'dropping' ? verdict : null,
    ...extras(r, REP_COLUMNS),
  } as RepRecord;
}

const ALERT_COLUMNS = new Set(['time', 'athlete', 'session', 'type', 'severity', 'metric', 'phase', 'sensor', 'side', 'message', 'value', 'baseline', 'episodeId']);

export function rowToAlert(r: Row): AlertRecord {
  const sensor = r['sensor'];
  const side = r['side'];
  const episodeId = r['episodeId'];
  return {
    type: str(r['type']) as AlertRecord['type'],
    severity: str(r['severity']) as AlertRecord['severity'],
    athleteId: str(r['athlete']),
    sessionId: str(r['session']),
    tUs: num(r['time'])!,
    metric: str(r['metric']),
    value: num(r['value']),
    baseline: num(r['baseline']),
    message: str(r['message']),
    phase: str(r['phase']) as AlertRecord['phase'],
    ...(typeof episodeId === 'string' ? { episodeId } : {}),
    ...(typeof side === 'string' && side !== '' ? { side: side as Side } : {}),
    ...(typeof sensor === 'string' && sensor !== '' ? { sensor } : {}),
    ...extras(r, ALERT_COLUMNS),
  };
}

export function rowToSession(r: Row): SessionRecord {
  return { athleteId: str(r['athlete']), sessionId: str(r['session']), startUs: num(r['time'])!, endUs: num(r['endUs']), summary: JSON.parse(str(r['summary']) || '{}') as JsonObject };
}

export function rowToCheckpoint(r: Row): CheckpointRecord {
  const chunks = num(r['chunks']) ?? 0;
  const parts: Buffer[] = [];
  for (let i = 0; i < chunks; i++) parts.push(Buffer.from(str(r[`c${i}`]), 'base64'));
  const data = Buffer.concat(parts);
  const bytes = num(r['bytes']) ?? data.length;
  if (data.length !== bytes) throw new Error(`influx: checkpoint of ${str(r['athlete'])}/${str(r['session'])} has ${data.length} bytes, expected ${bytes}`);
  return { athleteId: str(r['athlete']), sessionId: str(r['session']), startUs: num(r['time'])!, atUs: num(r['atUs'])!, version: num(r['version'])!, data: new Uint8Array(data) };
}

export function rowToAthlete(r: Row): AthleteRecord {
  const displayName = str(r['displayName']);
  return { athleteId: str(r['athlete']), ...(displayName === '' ? {} : { displayName }), settings: JSON.parse(str(r['settings']) || '{}') as AthleteSettings, updatedUs: num(r['updatedUs'])! };
}

export function rowToAck(r: Row): AlertAckInput {
  const sensor = str(r['sensor']);
  const side = str(r['side']);
  const note = str(r['note']);
  return {
    athleteId: str(r['athlete']),
    sessionId: str(r['session']),
    tUs: num(r['time'])!,
    type: str(r['type']) as AlertAckInput['type'],
    severity: str(r['severity']) as AlertAckInput['severity'],
    metric: str(r['metric']),
    ...(sensor === '' ? {} : { sensor }),
    ...(side === '' ? {} : { side: side as Side }),
    ackedBy: str(r['ackedBy']),
    ackedUs: num(r['ackedUs'])!,
    ...(note === '' ? {} : { note }),
  };
}

export function rowToImu(r: Row): ImuSample {
  return {
    athleteId: str(r['athlete']),
    sessionId: str(r['session']),
    sensor: str(r['sensor']),
    tUs: num(r['time'])!,
    axMps2: num(r['ax'])!,
    ayMps2: num(r['ay'])!,
    azMps2: num(r['az'])!,
    gxRadps: num(r['gx'])!,
    gyRadps: num(r['gy'])!,
    gzRadps: num(r['gz'])!,
  };
}

/**
 * Order of a page: time (asc or desc), then the rest of the identity, the
 * same order the local store's SQL gives, so both stores page alike.
 */
export function byTimeThen<T>(timeOf: (item: T) => number, keys: (item: T) => string[], order: 'asc' | 'desc'): (a: T, b: T) => number {
  return (a, b) => {
    const dt = timeOf(a) - timeOf(b);
    if (dt !== 0) return order === 'asc' ? dt : -dt;
    const ka = keys(a);
    const kb = keys(b);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i]! < kb[i]!) return -1;
      if (ka[i]! > kb[i]!) return 1;
    }
    return 0;
  };
}
