/** Records ⇄ SQLite rows of the local store. */
import type { Side } from '@gaitwatch/protocol';
import { alertExtras, repExtras, strideExtras } from '../records.ts';
import type { AlertAckInput, AlertRecord, RepRecord, AthleteListItem, AthleteRecord, AthleteSettings, CheckpointRecord, ExtraValue, ImuSample, JsonObject, SessionRecord, StrideRecord } from '../types.ts';

export interface StrideRow {
  athlete: string;
  session: string;
  ic_us: number;
  side: string;
  to_us: number | null;
  stride_time_s: number | null;
  gct_s: number | null;
  cadence_spm: number | null;
  pelvic_drop_deg: number | null;
  shank_frontal_deg: number | null;
  vertical_oscillation_cm: number | null;
  braking_mps: number | null;
  extra: string | null;
}

export interface AlertRow {
  athlete: string;
  session: string;
  t_us: number;
  type: string;
  severity: string;
  metric: string;
  phase: string;
  sensor: string;
  side: string;
  value: number | null;
  baseline: number | null;
  message: string;
  episode_id: string | null;
  extra: string | null;
}

export interface SessionRow {
  athlete: string;
  session: string;
  start_us: number;
  end_us: number | null;
  summary: string;
}

export interface CheckpointRow {
  athlete: string;
  session: string;
  start_us: number;
  at_us: number;
  version: number;
  data: Buffer;
}

export interface ImuRow {
  athlete: string;
  session: string;
  t_us: number;
  sensor: string;
  ax: number;
  ay: number;
  az: number;
  gx: number;
  gy: number;
  gz: number;
}

const json = (extras: Record<string, ExtraValue>): string | null => (Object.keys(extras).length === 0 ? null : JSON.stringify(extras));
const parseExtras = (text: string | null): Record<string, ExtraValue> => (text === null ? {} : (JSON.parse(text) as Record<string, ExtraValue>));

/**
 * A stride's values in the strides table's column order, for a statement with
 * positional parameters: binding by name costs a lookup per column per row,
 * a third of the write path's time (bench/scenarios/store.ts).
 */
export type StrideValues = [athlete: string, session: string, icUs: number, side: string, toUs: number | null, strideTimeS: number | null, gctS: number | null, cadenceSpm: number | null, pelvicDropDeg: number | null, shankFrontalDeg: number | null, verticalOscillationCm: number | null, brakingMps: number | null, extra: string | null];

export function strideValues(s: StrideRecord): StrideValues {
  return [s.athleteId, s.sessionId, s.icUs, s.side, s.toUs ?? null, s.strideTimeS ?? null, s.gctS ?? null, s.cadenceSpm ?? null, s.pelvicDropDeg ?? null, s.shankFrontalDeg ?? null, s.verticalOscillationCm ?? null, s.brakingMps ?? null, json(strideExtras(s))];
}

export function rowToStride(r: StrideRow): StrideRecord {
  return {
    athleteId: r.athlete,
    sessionId: r.session,
    side: r.side as Side,
    icUs: r.ic_us,
    toUs: r.to_us,
    strideTimeS: r.stride_time_s,
    gctS: r.gct_s,
    cadenceSpm: r.cadence_spm,
    pelvicDropDeg: r.pelvic_drop_deg,
    shankFrontalDeg: r.shank_frontal_deg,
    verticalOscillationCm: r.vertical_oscillation_cm,
    brakingMps: r.braking_mps,
    ...parseExtras(r.extra),
  };
}

export interface RepRow {
  athlete: string;
  session: string;
  start_us: number;
  side: string;
  set_no: number;
  rep_no: number;
  bottom_us: number;
  end_us: number;
  duration_s: number;
  pelvic_drop_deg: number | null;
  shank_frontal_deg: number | null;
  depth_deg: number | null;
  pelvic_drop_verdict: string | null;
  extra: string | null;
}

/** A rep's values in the reps table's column order (see StrideValues). */
export type RepValues = [athlete: string, session: string, startUs: number, side: string, setNo: number, repNo: number, bottomUs: number, endUs: number, durationS: number, pelvicDropDeg: number | null, shankFrontalDeg: number | null, depthDeg: number | null, pelvicDropVerdict: string | null, extra: string | null];

export function repValues(r: RepRecord): RepValues {
  return [r.athleteId, r.sessionId, r.startUs, r.side, r.set, r.rep, r.bottomUs, r.endUs, r.durationS, r.pelvicDropDeg ?? null, r.shankFrontalDeg ?? null, r.depthDeg ?? null, r.pelvicDropVerdict ?? null, json(repExtras(r))];
}

export function rowToRep(r: RepRow): RepRecord {
  return {
    athleteId: r.athlete,
    sessionId: r.session,
    side: r.side as Side,
    set: r.set_no,
    rep: r.rep_no,
    startUs: r.start_us,
    bottomUs: r.bottom_us,
    endUs: r.end_us,
    durationS: r.duration_s,
    pelvicDropDeg: r.pelvic_drop_deg,
    shankFrontalDeg: r.shank_frontal_deg,
    depthDeg: r.depth_deg,
    pelvicDropVerdict: r.pelvic_drop_verdict as RepRecord['pelvicDropVerdict'],
    ...parseExtras(r.extra),
  } as RepRecord;
}

/** An alert's values in the alerts table's column order (see StrideValues). */
export type AlertValues = [athlete: string, session: string, tUs: number, type: string, severity: string, metric: string, phase: string, sensor: string, side: string, value: number | null, baseline: number | null, message: string, episodeId: string | null, extra: string | null];

export function alertValues(a: AlertRecord): AlertValues {
  // '' stands for "none" in sensor and side: SQLite treats NULLs as distinct in a key, which would let a replay double the row.
  return [a.athleteId, a.sessionId, a.tUs, a.type, a.severity, a.metric, a.phase, a.sensor ?? '', a.side ?? '', a.value, a.baseline, a.message, a.episodeId ?? null, json(alertExtras(a))];
}

export function rowToAlert(r: AlertRow): AlertRecord {
  return {
    type: r.type as AlertRecord['type'],
    severity: r.severity as AlertRecord['severity'],
    athleteId: r.athlete,
    sessionId: r.session,
    tUs: r.t_us,
    metric: r.metric,
    value: r.value,
    baseline: r.baseline,
    message: r.message,
    phase: r.phase as AlertRecord['phase'],
    ...(r.episode_id === null ? {} : { episodeId: r.episode_id }),
    ...(r.side === '' ? {} : { side: r.side as Side }),
    ...(r.sensor === '' ? {} : { sensor: r.sensor }),
    ...parseExtras(r.extra),
  };
}

export function sessionToRow(s: SessionRecord): SessionRow {
  return { athlete: s.athleteId, session: s.sessionId, start_us: s.startUs, end_us: s.endUs, summary: JSON.stringify(s.summary) };
}

export function rowToSession(r: SessionRow): SessionRecord {
  return { athleteId: r.athlete, sessionId: r.session, startUs: r.start_us, endUs: r.end_us, summary: JSON.parse(r.summary) as JsonObject };
}

export function checkpointToRow(c: CheckpointRecord): CheckpointRow {
  return { athlete: c.athleteId, session: c.sessionId, start_us: c.startUs, at_us: c.atUs, version: c.version, data: Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength) };
}

export function rowToCheckpoint(r: CheckpointRow): CheckpointRecord {
  return { athleteId: r.athlete, sessionId: r.session, startUs: r.start_us, atUs: r.at_us, version: r.version, data: new Uint8Array(r.data) };
}

export function rowToImu(r: ImuRow): ImuSample {
  return { athleteId: r.athlete, sessionId: r.session, sensor: r.sensor, tUs: r.t_us, axMps2: r.ax, ayMps2: r.ay, azMps2: r.az, gxRadps: r.gx, gyRadps: r.gy, gzRadps: r.gz };
}

export interface AthleteRow {
  athlete: string;
  display_name: string | null;
  settings: string;
  updated_us: number;
}

export function athleteToRow(a: AthleteRecord): AthleteRow {
  return { athlete: a.athleteId, display_name: a.displayName ?? null, settings: JSON.stringify(a.settings), updated_us: a.updatedUs };
}

export function rowToAthlete(r: AthleteRow): AthleteRecord {
  return { athleteId: r.athlete, ...(r.display_name === null ? {} : { displayName: r.display_name }), settings: JSON.parse(r.settings) as AthleteSettings, updatedUs: r.updated_us };
}

/** A row of the union listing: an athlete known from sessions only has no record columns. */
export type AthleteListRow = Omit<AthleteRow, 'settings' | 'updated_us'> & { settings: string | null; updated_us: number | null };

export function rowToAthleteListItem(r: AthleteListRow): AthleteListItem {
  if (r.settings === null || r.updated_us === null) return { athleteId: r.athlete, settings: {}, updatedUs: null };
  return rowToAthlete({ ...r, settings: r.settings, updated_us: r.updated_us });
}

export interface AckRow {
  athlete: string;
  session: string;
  t_us: number;
  type: string;
  severity: string;
  metric: string;
  sensor: string;
  side: string;
  acked_by: string;
  acked_us: number;
  note: string | null;
}

export function ackToRow(a: AlertAckInput): AckRow {
  return {
    athlete: a.athleteId,
    session: a.sessionId,
    t_us: a.tUs,
    type: a.type,
    severity: a.severity,
    metric: a.metric,
    // '' for "none", as in the alerts table: the key must match the alert's.
    sensor: a.sensor ?? '',
    side: a.side ?? '',
    acked_by: a.ackedBy,
    acked_us: a.ackedUs,
    note: a.note === undefined || a.note === '' ? null : a.note,
  };
}

export function rowToAck(r: AckRow): AlertAckInput {
  return {
    athleteId: r.athlete,
    sessionId: r.session,
    tUs: r.t_us,
    type: r.type as AlertAckInput['type'],
    severity: r.severity as AlertAckInput['severity'],
    metric: r.metric,
    ...(r.sensor === '' ? {} : { sensor: r.sensor }),
    ...(r.side === '' ? {} : { side: r.side as Side }),
    ackedBy: r.acked_by,
    ackedUs: r.acked_us,
    ...(r.note === null ? {} : { note: r.note }),
  };
}
