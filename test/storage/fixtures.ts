/** Records for the storage tests: deterministic, one athlete/session namespace per test so suites can share a database. */
import type { AlertRecord, CheckpointRecord, RepRecord, SessionRecord, StrideRecord } from '@gaitwatch/storage';

/** 2025-11-24T16:00:00Z in µs: a realistic time with all 16 digits in use. */
export const T0_US = 1_764_000_000_000_000;

let namespace = 0;
/** A fresh id prefix, so that tests sharing one InfluxDB never see each other's points. */
export function freshIds(label: string): { athleteId: string; sessionId: string; other: string } {
  namespace++;
  const tag = `${label}-${process.pid}-${namespace}-${Date.now().toString(36)}`;
  return { athleteId: `ath-${tag}`, sessionId: `ses-${tag}`, other: `ath2-${tag}` };
}

/** Strides of one session alternating left/right every 0.36 s, with an odd µs so precision loss would show. */
export function strides(athleteId: string, sessionId: string, count: number, startUs = T0_US): StrideRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    athleteId,
    sessionId,
    side: i % 2 === 0 ? 'left' : 'right',
    icUs: startUs + i * 360_007 + 1,
    toUs: startUs + i * 360_007 + 230_011,
    strideTimeS: 0.72 + i * 1e-4,
    gctS: 0.23,
    cadenceSpm: 166.66666666666666,
    pelvicDropDeg: 5.123456789 + i,
    shankFrontalDeg: -1.5,
    verticalOscillationCm: 8.25,
    brakingMps: 0.31,
  }));
}

/**
 * Reps of a screen session: `perSet` reps on the right leg then on the left, per set, 3.1 s apart, with an odd µs
 * so precision loss would show; the pelvic drop grows over a set (control fading).
 */
export function reps(athleteId: string, sessionId: string, sets: number, perSet: number, startUs = T0_US): RepRecord[] {
  const out: RepRecord[] = [];
  let i = 0;
  for (let set = 1; set <= sets; set++) {
    for (const side of ['right', 'left'] as const) {
      for (let rep = 1; rep <= perSet; rep++, i++) {
        const t = startUs + i * 3_100_003 + 7;
        out.push({ athleteId, sessionId, side, set, rep, startUs: t, bottomUs: t + 1_250_001, endUs: t + 2_600_011, durationS: 2.600004, pelvicDropDeg: 3.123456789 + rep * 0.5, shankFrontalDeg: side === 'left' ? 6.25 : -1.5, depthDeg: 41.0625, pelvicDropVerdict: rep > 3 ? 'dropping' : 'level' });
      }
    }
  }
  return out;
}

export function alert(athleteId: string, sessionId: string, tUs: number, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    type: 'form_breakdown',
    severity: 'warning',
    athleteId,
    sessionId,
    tUs,
    metric: 'pelvicDropDeg',
    value: 8.5,
    baseline: 5.25,
    message: 'pelvic drop rose 3.3° over your fresh-legs baseline',
    phase: 'raised',
    episodeId: `${sessionId}-e1`,
    ...overrides,
  } as AlertRecord;
}

export function session(athleteId: string, sessionId: string, startUs: number, endUs: number | null = null): SessionRecord {
  return {
    athleteId,
    sessionId,
    startUs,
    endUs,
    summary: endUs === null ? { state: 'active' } : { state: 'stopped', strides: { left: 250, right: 251 }, cadenceSpmMedian: 171.4, asymmetry: { gctPct: null } },
  };
}

export function checkpoint(athleteId: string, sessionId: string, startUs: number, atUs: number, bytes: number, seed = 1): CheckpointRecord {
  const data = new Uint8Array(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    data[i] = x >>> 24;
  }
  return { athleteId, sessionId, startUs, atUs, version: 3, data };
}
