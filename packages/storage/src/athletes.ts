/**
 * Athlete records and alert acknowledgements: validation shared by both
 * stores (so they accept and refuse the same input), the identity of an
 * acknowledged alert, and the id-keyed paging of `listAthletes`.
 */
import { ALERT_TYPES, AlertSeveritySchema } from '@gaitwatch/protocol';
import { assertId, assertTimeUs } from './records.ts';
import { validateCoachingSettings } from './coaching-settings.ts';
import { assertNumberIn, isObject, onlyKeys } from './validate.ts';
import type { AlertAckInput, AlertKey, AlertPreferences, AthleteRecord, AthleteSettings } from './types.ts';

/** Alert cues of an athlete with no preferences stored: every alert, voice and vibration on. */
export const DEFAULT_ALERT_PREFERENCES: AlertPreferences = Object.freeze({ formBreakdown: true, pelvicDropHigh: true, dataQuality: true, voice: true, vibrate: true });

/** Longest acknowledgement note, characters. */
export const MAX_ACK_NOTE_CHARS = 500;
/** Longest display name, characters. */
export const MAX_DISPLAY_NAME_CHARS = 100;
/** Range of an athlete's absolute pelvic-drop limit, degrees (Bramah 2018: healthy ≈ 5°, injured ≈ 7.5°). */
export const PELVIC_DROP_LIMIT_RANGE_DEG = { min: 1, max: 20 } as const;
/**
 * Range of an athlete's movement-screen threshold (`screenPelvicDropLevelMaxDeg`), degrees: a rep's pelvic drop
 * above it is `dropping`. The default (null/absent) is the screen analysis's 5° (dsp's screen-params.ts, from
 * step-down rating scales: minimal drop ≤ 5°, mild 6–10°, significant > 10°); under 1° is sensor noise, over 15°
 * past any rating scale's "significant".
 */
export const SCREEN_PELVIC_DROP_LEVEL_MAX_RANGE_DEG = { min: 1, max: 15 } as const;
/** Range of a baseline override, degrees: far wider than any real running value, narrow enough to catch unit mistakes. */
export const BASELINE_OVERRIDE_RANGE_DEG = { min: -30, max: 30 } as const;

/**
 * The InfluxDB time of every `athlete` point (2020-01-01T00:00:00Z, µs): fixed,
 * so a new write of the athlete overwrites the last (as checkpoints do with
 * the session's start). The database's retention policy must keep it (the
 * default, infinite `autogen` does).
 */
export const ATHLETE_POINT_US = 1_577_836_800_000_000;

const ALERT_KEYS = ['formBreakdown', 'pelvicDropHigh', 'dataQuality', 'voice', 'vibrate'] as const;
const SETTINGS_KEYS = new Set(['pelvicDropLimitDeg', 'screenPelvicDropLevelMaxDeg', 'injuredSide', 'baselineOverride', 'alerts', 'timeZone', 'rampLimitPct', 'acwrBand', 'strideLengthM', 'returnToRun']);
const RECORD_KEYS = new Set(['athleteId', 'displayName', 'settings', 'updatedUs']);
const BASELINE_KEYS = new Set(['pelvicDropDeg', 'shankFrontalDeg']);
const TYPES = new Set<string>(ALERT_TYPES);
const SEVERITIES = new Set<string>(AlertSeveritySchema.options);
const TAG_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;
// C0/C1 control characters (newlines, NUL, escapes) have no place in a name shown in a UI.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function validateSettings(settings: unknown): asserts settings is AthleteSettings {
  if (!isObject(settings)) throw new TypeError('athlete settings must be an object');
  onlyKeys('athlete settings', settings, SETTINGS_KEYS);
  const { pelvicDropLimitDeg, screenPelvicDropLevelMaxDeg, injuredSide, baselineOverride, alerts } = settings;
  if (pelvicDropLimitDeg !== undefined) assertNumberIn('pelvicDropLimitDeg', pelvicDropLimitDeg, PELVIC_DROP_LIMIT_RANGE_DEG);
  if (screenPelvicDropLevelMaxDeg !== undefined) assertNumberIn('screenPelvicDropLevelMaxDeg', screenPelvicDropLevelMaxDeg, SCREEN_PELVIC_DROP_LEVEL_MAX_RANGE_DEG);
  if (injuredSide !== undefined && injuredSide !== null && injuredSide !== 'left' && injuredSide !== 'right') throw new TypeError(`injuredSide ${JSON.stringify(injuredSide)} is not left, right or null`);
  if (baselineOverride !== undefined && baselineOverride !== null) {
    if (!isObject(baselineOverride)) throw new TypeError('baselineOverride must be an object or null');
    onlyKeys('baselineOverride', baselineOverride, BASELINE_KEYS);
    for (const key of BASELINE_KEYS) if (baselineOverride[key] !== undefined) assertNumberIn(`baselineOverride.${key}`, baselineOverride[key], BASELINE_OVERRIDE_RANGE_DEG);
  }
  if (alerts !== undefined) {
    if (!isObject(alerts)) throw new TypeError('alerts must be an object');
    onlyKeys('alerts', alerts, new Set(ALERT_KEYS));
    for (const key of ALERT_KEYS) if (typeof alerts[key] !== 'boolean') throw new TypeError(`alerts.${key} must be a boolean`);
  }
  validateCoachingSettings(settings);
}

/** Throws TypeError/RangeError unless the record is one both stores keep exactly. */
export function validateAthlete(record: AthleteRecord): void {
  if (!isObject(record)) throw new TypeError('athlete record must be an object');
  onlyKeys('athlete record', record, RECORD_KEYS);
  assertId('athlete athleteId', record.athleteId);
  assertTimeUs('athlete updatedUs', record.updatedUs);
  const name: unknown = record.displayName;
  if (name !== undefined) {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_DISPLAY_NAME_CHARS || CONTROL.test(name)) {
      throw new TypeError(`displayName must be 1–${MAX_DISPLAY_NAME_CHARS} characters without control characters`);
    }
  }
  validateSettings(record.settings);
}

export function validateAckInput(ack: AlertAckInput): void {
  if (!isObject(ack)) throw new TypeError('alert ack must be an object');
  assertId('ack athleteId', ack.athleteId);
  assertId('ack sessionId', ack.sessionId);
  assertTimeUs('ack tUs', ack.tUs);
  if (!TYPES.has(ack.type)) throw new TypeError(`ack type ${JSON.stringify(ack.type)} is not an alert type`);
  if (!SEVERITIES.has(ack.severity)) throw new TypeError(`ack severity ${JSON.stringify(ack.severity)} is not a severity`);
  if (typeof ack.metric !== 'string' || !TAG_VALUE.test(ack.metric)) throw new TypeError(`ack metric ${JSON.stringify(ack.metric)} is not allowed`);
  if (ack.sensor !== undefined && (typeof ack.sensor !== 'string' || !TAG_VALUE.test(ack.sensor))) throw new TypeError(`ack sensor ${JSON.stringify(ack.sensor)} is not allowed`);
  if (ack.side !== undefined && ack.side !== 'left' && ack.side !== 'right') throw new TypeError(`ack side ${JSON.stringify(ack.side)} is not left or right`);
  assertId('ack ackedBy', ack.ackedBy);
  assertTimeUs('ack ackedUs', ack.ackedUs);
  if (ack.note !== undefined && (typeof ack.note !== 'string' || ack.note.length > MAX_ACK_NOTE_CHARS)) throw new RangeError(`ack note must be a string of at most ${MAX_ACK_NOTE_CHARS} characters`);
}

/** One string per raised alert identity, for joining acks onto alerts in memory (fields cannot contain a space). */
export function alertKeyId(a: AlertKey): string {
  return [a.athleteId, a.sessionId, a.tUs, a.type, a.severity, a.metric, a.sensor ?? '', a.side ?? ''].join(' ');
}

/** Athlete pages are keyed by id: the cursor is the last id served (opaque to callers). */
export function encodeAthleteCursor(athleteId: string): string {
  return `a${athleteId}`;
}

export function decodeAthleteCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = cursor.startsWith('a') ? cursor.slice(1) : '';
  assertId('athlete cursor', id);
  return id;
}
