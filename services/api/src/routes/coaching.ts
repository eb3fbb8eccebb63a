import {
  athleteDigest,
  coachingSettings,
  dayStartUs,
  localDay,
  loadReport,
  loadWindowStartUs,
  trendReport,
  weekMonday,
  type AthleteDigest,
  type CoachingSettings,
  type DigestSession,
  type LoadReport,
  type TrendReport,
} from '@gaitwatch/coaching';
import type { AlertRecord, AthleteRecord, GaitStore, SessionRecord } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { canSeeAthlete, seesPseudonyms, type Principal } from '../auth/principal.ts';
import { pelvicDropPeaks, raisedAlertsIn, sessionsIn } from '../coaching-data.ts';
import { digestHtml, DIGEST_CSP } from '../digest-html.ts';
import { ApiError } from '../errors.ts';
import { isScreen } from '../screen-data.ts';
import { countSchema, IdSchema, PrincipalIdSchema, TimeSchema } from './query-schemas.ts';

const WEEK_US = 7 * 86_400e6;
/** Most weeks one request reports: a year; the store reads four more for the ACWR. */
export const MAX_REPORT_WEEKS = 52;
/** Weeks a report covers when the query names none: a typical rehab block and the month before it. */
export const DEFAULT_REPORT_WEEKS = 12;

const Weeks = countSchema(1, MAX_REPORT_WEEKS).meta({ description: `weeks to report, ending with the week that holds \`at\` (1–${MAX_REPORT_WEEKS}, default ${DEFAULT_REPORT_WEEKS})` });
const At = TimeSchema.meta({ description: 'a moment in the last reported week (µs or ISO 8601 with zone); default now' });

export const ReportQuery = z.object({ weeks: Weeks.optional(), at: At.optional() }).strict();
const DigestQuery = z
  .object({ at: At.optional(), format: z.enum(['json', 'html']).optional().meta({ description: 'json (default) or html: a printable page' }) })
  .strict();
const AthletePath = z.object({ athleteId: IdSchema });
// A coach signed in with a token has the principal id jwt:<sub> (GET /v1/me): their own digest must be reachable.
const CoachPath = z.object({ coachId: PrincipalIdSchema });

/** An athlete's coaching data over `weeks` weeks ending with the one holding `atUs`, in their zone. */
interface Coaching {
  readonly record: AthleteRecord | null;
  readonly settings: CoachingSettings;
  readonly load: LoadReport;
  /** Null unless asked for: the trends read alerts and strides, which the load does not need. */
  readonly trends: TrendReport | null;
  /** First µs of the reported weeks and first µs after them. */
  readonly fromUs: number;
  readonly toUs: number;
  /** Every session read (the reported weeks and the ACWR's history before them), running ones included. */
  readonly sessions: readonly SessionRecord[];
}

async function readCoaching(store: GaitStore, athleteId: string, atUs: number, weeks: number, record: AthleteRecord | null, withTrends: boolean): Promise<Coaching> {
  const settings = coachingSettings(record?.settings ?? {});
  const tz = settings.timeZone;
  const lastMonday = weekMonday(localDay(atUs, tz));
  const toUs = dayStartUs(lastMonday + 7, tz);
  const fromUs = dayStartUs(lastMonday - 7 * (weeks - 1), tz);
  const sessions = await sessionsIn(store, athleteId, loadWindowStartUs(fromUs), toUs);
  const load = loadReport(sessions, settings, fromUs, atUs);
  if (!withTrends) return { record, settings, load, trends: null, fromUs, toUs, sessions };
  const reported = sessions.filter((s) => s.startUs >= fromUs);
  const [alerts, peaks] = await Promise.all([raisedAlertsIn(store, athleteId, fromUs, toUs, 'form_breakdown'), pelvicDropPeaks(store, reported)]);
  return { record, settings, load, trends: trendReport(reported, alerts, settings.strideLengthM, peaks), fromUs, toUs, sessions };
}

/** 403 before any lookup (a 404 never tells what exists), then 404 for an athlete with neither a record nor a session. */
export async function athleteOr404(store: GaitStore, principal: Principal, athleteId: string): Promise<AthleteRecord | null> {
  if (!canSeeAthlete(principal, athleteId)) throw new ApiError('GW_API_FORBIDDEN', `this key may not see athlete ${athleteId}`);
  const record = await store.getAthlete(athleteId);
  if (record !== null) return record;
  const { items } = await store.querySessions({ athleteId, limit: 1 });
  if (items.length === 0) throw new ApiError('GW_API_NOT_FOUND', `no athlete ${athleteId}`);
  return null;
}

/** The roster of the coach the digest is for: a coach only their own, an admin any coach this API's key file knows. */
export type CoachRoster = (coachId: string) => readonly string[] | null;

function rosterOf(principal: Principal, coachId: string, roster: CoachRoster): readonly string[] {
  if (principal.role === 'coach') {
    if (principal.id !== coachId) throw new ApiError('GW_API_FORBIDDEN', `a coach may read only their own digest (${principal.id})`);
    return principal.athleteIds;
  }
  if (principal.role !== 'admin') throw new ApiError('GW_API_FORBIDDEN', `role ${principal.role} may not read a coach's digest`);
  const athletes = roster(coachId);
  if (athletes === null) {
    throw new ApiError('GW_API_NOT_FOUND', coachId.startsWith('jwt:') ? `no roster for ${coachId}: a coach known only from their tokens has none this server can look up (their token names it)` : `no coach ${coachId}`);
  }
  return athletes;
}

/** A run of the digest's week that raised alerts; `running: true` while it has not ended. */
export type DigestRun = DigestSession & { readonly running?: true };
/** @gaitwatch/coaching's digest of an athlete, its runs with alerts including those still running. */
export type AthleteDigestView = Omit<AthleteDigest, 'sessionsWithAlerts'> & { readonly sessionsWithAlerts: DigestRun[] };

/** The runs of the week starting at `weekStartUs` that are still running and raised alerts, with their alerts by type. */
function runningWithAlerts(sessions: readonly SessionRecord[], alerts: readonly AlertRecord[], weekStartUs: number, toUs: number): DigestRun[] {
  return sessions.flatMap((s): DigestRun[] => {
    if (s.endUs !== null || isScreen(s) || s.startUs < weekStartUs || s.startUs >= toUs) return [];
    const counts: Record<string, number> = {};
    for (const a of alerts) if (a.sessionId === s.sessionId) counts[a.type] = (counts[a.type] ?? 0) + 1;
    return Object.keys(counts).length === 0 ? [] : [{ sessionId: s.sessionId, startUs: s.startUs, alerts: counts, running: true }];
  });
}

/** One athlete's digest for the week holding `atUs`: their light, load vs plan, warnings, trends, runs with alerts. */
async function digestOf(store: GaitStore, athleteId: string, atUs: number, record: AthleteRecord | null): Promise<AthleteDigestView> {
  const c = await readCoaching(store, athleteId, atUs, DEFAULT_REPORT_WEEKS, record, true);
  // The digest's week is the last reported one; 8 days back covers it even across a 25-hour DST day.
  const alerts = await raisedAlertsIn(store, athleteId, c.toUs - WEEK_US - 86_400e6, c.toUs);
  const last = c.load.weeks.at(-1);
  const digest = athleteDigest({ athleteId, ...(record?.displayName !== undefined ? { displayName: record.displayName } : {}) }, c.load, c.trends!, alerts, last?.week ?? '');
  // The coaching package lists ended runs only (a run still going has no load yet): without the running ones the
  // digest would say no run raised an alert while a runner's form is breaking down right now.
  const running = last === undefined ? [] : runningWithAlerts(c.sessions, alerts, last.startUs, c.toUs);
  if (running.length === 0) return digest;
  return { ...digest, sessionsWithAlerts: [...digest.sessionsWithAlerts, ...running].sort((a, b) => a.startUs - b.startUs) };
}

export interface CoachDigest {
  readonly coachId: string;
  readonly atUs: number;
  readonly athletes: AthleteDigestView[];
}

/**
 * Return-to-run coaching (packages/coaching/README.md):
 * `GET /v1/athletes/:athleteId/load` (weekly load, plan line, ramp warnings),
 * `GET /v1/athletes/:athleteId/trends` (form-breakdown onset and peak pelvic
 * drop per session and side, with their trends), `GET
 * /v1/athletes/:athleteId/digest` (that athlete's part of the digest) —
 * whoever may see the athlete — and `GET /v1/coaches/:coachId/digest` (the coach's own; an
 * admin's for any coach), as JSON or a printable page.
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore; roster: CoachRoster; now?: () => number }> = async (app, { store, roster, now = () => Date.now() * 1000 }) => {
  app.get(
    '/v1/athletes/:athleteId/load',
    { schema: { params: AthletePath, querystring: ReportQuery, tags: ['coaching'], summary: 'Training load per ISO week (athlete’s zone), the return-to-run plan line and ramp warnings' } },
    async (request) => {
      const { athleteId } = request.params;
      const record = await athleteOr404(store, principalOf(request), athleteId);
      const c = await readCoaching(store, athleteId, request.query.at ?? now(), request.query.weeks ?? DEFAULT_REPORT_WEEKS, record, false);
      return { athleteId, fromUs: c.fromUs, toUs: c.toUs, ...c.load };
    },
  );

  app.get(
    '/v1/athletes/:athleteId/trends',
    { schema: { params: AthletePath, querystring: ReportQuery, tags: ['coaching'], summary: 'Form-breakdown onset and peak pelvic drop per session and side, and their trends' } },
    async (request) => {
      const { athleteId } = request.params;
      const record = await athleteOr404(store, principalOf(request), athleteId);
      const c = await readCoaching(store, athleteId, request.query.at ?? now(), request.query.weeks ?? DEFAULT_REPORT_WEEKS, record, true);
      return { athleteId, fromUs: c.fromUs, toUs: c.toUs, ...c.trends! };
    },
  );

  app.get(
    '/v1/athletes/:athleteId/digest',
    {
      schema: { params: AthletePath, querystring: DigestQuery.omit({ format: true }), tags: ['coaching'], summary: 'One athlete’s part of the weekly digest: traffic light and reasons, load vs plan, warnings, trends' },
    },
    async (request) => {
      const { athleteId } = request.params;
      const principal = principalOf(request);
      const record = await athleteOr404(store, principal, athleteId);
      const digest = await digestOf(store, athleteId, request.query.at ?? now(), record);
      // A researcher who sees pseudonyms gets no name (as on GET /v1/athletes/:id).
      if (seesPseudonyms(principal) && digest.displayName !== undefined) {
        const { displayName: _name, ...rest } = digest;
        return rest;
      }
      return digest;
    },
  );

  app.get(
    '/v1/coaches/:coachId/digest',
    {
      config: { roles: ['coach', 'admin'] },
      schema: { params: CoachPath, querystring: DigestQuery, tags: ['coaching'], summary: 'Weekly coach digest: per athlete load vs plan, ramp warnings, onset trend, sessions with alerts' },
    },
    async (request, reply) => {
      const { coachId } = request.params;
      const athleteIds = rosterOf(principalOf(request), coachId, roster);
      const atUs = request.query.at ?? now();
      const athletes: AthleteDigestView[] = [];
      for (const athleteId of [...athleteIds].sort()) athletes.push(await digestOf(store, athleteId, atUs, await store.getAthlete(athleteId)));
      const digest: CoachDigest = { coachId, atUs, athletes };
      if (request.query.format !== 'html') return digest;
      return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', DIGEST_CSP).header('x-content-type-options', 'nosniff').send(digestHtml(digest));
    },
  );
};

export const coachingRoutes = fp(routes, { name: 'gaitwatch-coaching', fastify: '5.x', encapsulate: true });
