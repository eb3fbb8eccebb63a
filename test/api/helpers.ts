/**
 * A real LocalStore in a temp DATA_DIR, seeded with a few athletes' sessions,
 * strides and alerts, and the API built over it with one key per kind of
 * caller. Tests talk to it with `app.inject()` and close it after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, hashApiKey, KeyRing, type ApiApp, type InjectResponse, type KeyEntry } from '@gaitwatch/api';
import { LocalStore, type AlertRecord, type SessionRecord, type StrideRecord } from '@gaitwatch/storage';

export const PEPPER = 'test-pepper-of-at-least-32-characters';
export const T0_US = 1_780_000_000_000_000; // 2026-05-28, µs since the epoch
export const STRIDES_PER_SESSION = 120;

/** The keys the tests present, by who holds them. */
export const KEYS = {
  runnerR1: 'gw_runner-r1-key-0000000000000000',
  runnerR2: 'gw_runner-r2-key-0000000000000000',
  coach: 'gw_coach-r1-r3-key-000000000000000',
  coachEmpty: 'gw_coach-empty-key-00000000000000',
  researcher: 'gw_researcher-key-0000000000000000',
  researcherIdentified: 'gw_researcher-named-key-000000000000',
  admin: 'gw_admin-key-00000000000000000000000',
} as const;
export type Who = keyof typeof KEYS;

export const KEY_ENTRIES: KeyEntry[] = [
  { id: 'runner-r1', hash: hashApiKey(KEYS.runnerR1, PEPPER), role: 'runner', athleteId: 'r1' },
  { id: 'runner-r2', hash: hashApiKey(KEYS.runnerR2, PEPPER), role: 'runner', athleteId: 'r2' },
  { id: 'coach-anna', hash: hashApiKey(KEYS.coach, PEPPER), role: 'coach', athleteIds: ['r1', 'r3'] },
  { id: 'coach-new', hash: hashApiKey(KEYS.coachEmpty, PEPPER), role: 'coach', athleteIds: [] },
  { id: 'researcher-1', hash: hashApiKey(KEYS.researcher, PEPPER), role: 'researcher' },
  { id: 'researcher-named', hash: hashApiKey(KEYS.researcherIdentified, PEPPER), role: 'researcher', identified: true },
  { id: 'admin-1', hash: hashApiKey(KEYS.admin, PEPPER), role: 'admin' },
];

/** Sessions seeded: r1 has an ended and a running one, r2 and r3 one each. */
export const SESSIONS: SessionRecord[] = [
  { athleteId: 'r1', sessionId: 's1', startUs: T0_US, endUs: T0_US + 600_000_000, summary: { strides: { left: 60, right: 60 }, mode: 'full' } },
  { athleteId: 'r1', sessionId: 's2', startUs: T0_US + 86_400_000_000, endUs: null, summary: {} },
  { athleteId: 'r2', sessionId: 's1', startUs: T0_US + 1_000_000, endUs: T0_US + 300_000_000, summary: {} },
  { athleteId: 'r3', sessionId: 'x.y_z-1', startUs: T0_US + 2_000_000, endUs: T0_US + 300_000_000, summary: {} },
];

/** Stance i of a session: alternating left/right every 0.35 s from 10 s in; every 10th has no pelvic drop (not measured). */
export function stride(athleteId: string, sessionId: string, i: number): StrideRecord {
  const icUs = T0_US + 10_000_000 + i * 350_000;
  return {
    athleteId,
    sessionId,
    side: i % 2 === 0 ? 'left' : 'right',
    icUs,
    toUs: icUs + 220_000,
    strideTimeS: 0.7,
    gctS: 0.22,
    cadenceSpm: 171.4,
    pelvicDropDeg: i % 10 === 9 ? null : 5 + i / 100,
    shankFrontalDeg: 2.5,
    ...(i % 10 === 9 ? { pelvicDropReason: 'data_gap' as const } : {}),
  };
}

function alert(athleteId: string, sessionId: string, tOffsetS: number, type: AlertRecord['type'], severity: AlertRecord['severity'], phase: 'raised' | 'resolved' = 'raised'): AlertRecord {
  return { athleteId, sessionId, tUs: T0_US + tOffsetS * 1_000_000, type, severity, metric: 'pelvicDropDeg', value: 8.1, baseline: 5, message: `${type} ${phase}`, phase };
}

export const ALERTS: AlertRecord[] = [
  alert('r1', 's1', 100, 'form_breakdown', 'warning'),
  alert('r1', 's1', 160, 'form_breakdown', 'warning', 'resolved'),
  alert('r1', 's1', 200, 'pelvic_drop_high', 'critical'),
  alert('r2', 's1', 50, 'pelvic_drop_high', 'critical'),
  alert('r3', 'x.y_z-1', 70, 'data_quality', 'info'),
];

export interface TestApi {
  readonly app: ApiApp;
  readonly store: LocalStore;
  /** GET with the key of `who` (or none / a raw Authorization header). */
  get(url: string, who?: Who | null | { authorization: string }): Promise<InjectResponse>;
  close(): Promise<void>;
}

export async function openTestApi(options: { rateLimit?: { max: number; timeWindowMs: number } | false } = {}): Promise<TestApi> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gw-api-'));
  const store = new LocalStore({ dataDir, synchronous: 'normal', maxBatchDelayMs: 1 });
  const strides: StrideRecord[] = [];
  for (const s of SESSIONS) for (let i = 0; i < STRIDES_PER_SESSION; i++) strides.push(stride(s.athleteId, s.sessionId, i));
  await store.write({ sessions: SESSIONS, strides, alerts: ALERTS });
  const app = await buildApp({ store, auth: { keys: new KeyRing(KEY_ENTRIES, PEPPER) }, rateLimit: options.rateLimit ?? false });
  await app.ready();
  return {
    app,
    store,
    get(url: string, who: Who | null | { authorization: string } = null) {
      const headers = who === null ? {} : typeof who === 'object' ? who : { authorization: `Bearer ${KEYS[who]}` };
      return app.inject({ method: 'GET', url, headers });
    },
    async close() {
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Who presents what in `send`: a caller of KEYS, nobody, or raw headers. */
export type Caller = Who | null | { authorization: string };

/**
 * Any method with the key of `who` and an optional body: an object is sent as
 * JSON, a string as is (set `content-type` in `headers` for it).
 */
export function send(api: TestApi, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, who: Caller, body?: unknown, headers: Record<string, string> = {}): Promise<InjectResponse> {
  const auth = who === null ? {} : typeof who === 'object' ? who : { authorization: `Bearer ${KEYS[who]}` };
  const json = body !== undefined && typeof body !== 'string';
  return api.app.inject({
    method,
    url,
    headers: { ...auth, ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body === undefined ? {} : { payload: json ? JSON.stringify(body) : (body as string) }),
  });
}
