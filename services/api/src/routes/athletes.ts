import {
  ACWR_RANGE,
  BASELINE_OVERRIDE_RANGE_DEG,
  isCalendarDate,
  isTimeZone,
  RAMP_LIMIT_RANGE_PCT,
  STRIDE_LENGTH_RANGE_M,
  WEEKLY_DISTANCE_RANGE_M,
  WEEKLY_INCREASE_RANGE_PCT,
  DEFAULT_ALERT_PREFERENCES,
  MAX_DISPLAY_NAME_CHARS,
  PELVIC_DROP_LIMIT_RANGE_DEG,
  SCREEN_PELVIC_DROP_LEVEL_MAX_RANGE_DEG,
  type AthleteListItem,
  type AthleteRecord,
  type AthleteSettings,
  type GaitStore,
} from '@gaitwatch/storage';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { athleteFilter, canSeeAthlete, seesPseudonyms, type Principal } from '../auth/principal.ts';
import { ApiError, type ErrorDetail } from '../errors.ts';
import { IdSchema, LimitSchema, listOf } from './query-schemas.ts';

/** Largest JSON body the athlete and ack routes read, bytes: a full settings patch is ~400. */
export const MAX_JSON_BODY_BYTES = 4096;

/**
 * Body errors of this plugin's routes get their own codes: a zod body issue is
 * 400 GW_API_BAD_BODY with details, an unparsable JSON body too, an oversized
 * one 413 GW_API_BODY_TOO_LARGE. Everything else (and these, turned into
 * ApiErrors) goes on to the app's error handler, which writes the response.
 * Registered inside an encapsulated plugin: other routes are not affected.
 */
export function handleBodyErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, _request, _reply) => {
    if (hasZodFastifySchemaValidationErrors(error) && error.validationContext === 'body') {
      const details: ErrorDetail[] = error.validation.map((issue) => {
        const keys = issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params['keys']) ? (issue.params['keys'] as string[]) : undefined;
        const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
        return {
          in: 'body',
          field: keys === undefined ? path : keys.map((k) => (path === '' ? k : `${path}.${k}`)).join(','),
          problem: keys === undefined ? (issue.message ?? issue.keyword) : 'unknown field',
        };
      });
      throw new ApiError('GW_API_BAD_BODY', `invalid body: ${details.map((d) => `${d.field || '(all)'} ${d.problem}`).join('; ')}`, details);
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new ApiError('GW_API_BODY_TOO_LARGE', `the body is larger than ${MAX_JSON_BODY_BYTES} bytes`);
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') throw new ApiError('GW_API_BAD_BODY', `the body is not JSON: ${error.message}`);
    throw error;
  });
}

/**
 * Fastify's JSON parser (secure-json-parse: a `__proto__` key, or a `constructor` holding `prototype`, is refused
 * so it can never poison a prototype) for `mediaType` in this plugin, telling that refusal apart: Fastify reports
 * it as "Body is not valid JSON", which sends the client looking for a syntax error that is not there.
 */
export function parseJsonBodies(app: FastifyInstance, mediaType: string): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  if (app.hasContentTypeParser(mediaType)) app.removeContentTypeParser(mediaType);
  app.addContentTypeParser(mediaType, { parseAs: 'string', bodyLimit: MAX_JSON_BODY_BYTES }, (request, body: string, done) => {
    parse(request, body, (error, value) => {
      if (error !== null && (error as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' && isJson(body)) {
        done(new ApiError('GW_API_BAD_BODY', 'the body has a field named __proto__ (or a constructor with a prototype field), which is not allowed: it could change the prototype of objects; leave it out'));
      } else done(error, value);
    });
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// C0/C1 control characters (newlines, NUL, escapes) have no place in a name shown in a UI.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const inRange = (range: { min: number; max: number }) => z.number().min(range.min).max(range.max);
const degrees = inRange;

const cue = z.boolean().nullable();
const AlertsPatch = z
  .object({ formBreakdown: cue, pelvicDropHigh: cue, dataQuality: cue, voice: cue, vibrate: cue })
  .partial()
  .strict()
  .nullable()
  .meta({ description: 'which alerts reach the runner and how; fields left out keep their value, null puts one (or, for `alerts: null`, all) back to the default (true)' });

const SettingsPatch = z
  .object({
    pelvicDropLimitDeg: degrees(PELVIC_DROP_LIMIT_RANGE_DEG).nullable().meta({ description: 'absolute pelvic-drop limit, degrees (1–20); null: the deployment default' }),
    screenPelvicDropLevelMaxDeg: degrees(SCREEN_PELVIC_DROP_LEVEL_MAX_RANGE_DEG)
      .nullable()
      .meta({
        description:
          'movement screen: a rep whose pelvic drop is above this is `dropping`, at or below `level`, degrees (1–15); null: the analysis default 5° (step-down rating scales: minimal pelvic drop ≤ 5°)',
      }),
    injuredSide: z.enum(['left', 'right']).nullable(),
    baselineOverride: z
      .object({ pelvicDropDeg: degrees(BASELINE_OVERRIDE_RANGE_DEG).nullable(), shankFrontalDeg: degrees(BASELINE_OVERRIDE_RANGE_DEG).nullable() })
      .partial()
      .strict()
      .nullable()
      .meta({ description: 'fresh-legs baseline to use instead of the learned one, degrees, merged field by field; null (a field, or the whole): learn it' }),
    alerts: AlertsPatch,
    timeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Berlin')
      .nullable()
      .meta({ description: 'the athlete’s IANA time zone: training weeks are ISO weeks in it; null: UTC' }),
    rampLimitPct: inRange(RAMP_LIMIT_RANGE_PCT).nullable().meta({ description: 'most a week may grow over the one before before a load_ramp warning, percent (1–100); null: 10' }),
    acwrBand: z
      .object({ low: inRange(ACWR_RANGE), high: inRange(ACWR_RANGE) })
      .strict()
      .refine((b) => b.low < b.high, { message: 'low must be below high', path: ['low'] })
      .nullable()
      .meta({ description: 'acute:chronic workload ratio band (replaced whole); null: 0.8–1.3' }),
    strideLengthM: inRange(STRIDE_LENGTH_RANGE_M).nullable().meta({ description: 'running stride (two steps), metres: estimates distance when the phone sent none; null: no estimate' }),
    returnToRun: z
      .object({
        startDate: z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD'),
        startWeeklyDistanceM: inRange(WEEKLY_DISTANCE_RANGE_M),
        weeklyIncreasePct: inRange(WEEKLY_INCREASE_RANGE_PCT),
        targetWeeklyDistanceM: inRange(WEEKLY_DISTANCE_RANGE_M),
      })
      .strict()
      .refine((p) => p.targetWeeklyDistanceM >= p.startWeeklyDistanceM, { message: 'must be at least startWeeklyDistanceM', path: ['targetWeeklyDistanceM'] })
      .nullable()
      .meta({ description: 'return-to-run plan (replaced whole): from the ISO week of startDate, start metres a week growing by weeklyIncreasePct up to the target; null: none' }),
  })
  .partial()
  .strict();

/** The fields of settings a runner may change on their own profile (their cues, where they live); the rest is the coach's. */
const RUNNER_SETTINGS = new Set(['alerts', 'timeZone']);

/**
 * A JSON merge patch (RFC 7396) of the profile: a field left out keeps its
 * value, `null` removes it (back to the default), nested objects merge.
 */
const AthletePatch = z
  .object({
    displayName: z
      .string()
      .min(1)
      .max(MAX_DISPLAY_NAME_CHARS)
      .refine((s) => !CONTROL.test(s), 'must not contain control characters')
      .nullable(),
    settings: SettingsPatch,
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field');
export type AthletePatch = z.infer<typeof AthletePatch>;

const AthletePath = z.object({ athleteId: IdSchema });
const AthleteListQuery = z
  .object({
    athlete: listOf(IdSchema).optional(),
    limit: LimitSchema.optional(),
    cursor: z.string().regex(/^a[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be the `next` of a previous page').optional(),
  })
  .strict();

/** Throws 403 unless the caller may see this athlete (before any lookup, so a 404 never tells what exists). */
function assertCanSee(principal: Principal, athleteId: string): void {
  if (!canSeeAthlete(principal, athleteId)) throw new ApiError('GW_API_FORBIDDEN', `this key may not see athlete ${athleteId}`);
}

/** Who may change what (services/api/README.md "Athletes"): runner their alerts and name, coach and admin everything. */
function assertMayPatch(principal: Principal, athleteId: string, patch: AthletePatch): void {
  assertCanSee(principal, athleteId);
  if (principal.role === 'researcher') throw new ApiError('GW_API_FORBIDDEN', 'a researcher may not change athletes');
  if (principal.role !== 'runner') return;
  const coachOnly = Object.keys(patch.settings ?? {}).filter((key) => !RUNNER_SETTINGS.has(key));
  if (coachOnly.length > 0) throw new ApiError('GW_API_FORBIDDEN', `only a coach or an admin may change ${coachOnly.map((k) => `settings.${k}`).join(', ')}`);
}

/** A researcher who sees pseudonyms does not see names either: a display name is personal data the study does not need. */
function viewFor(principal: Principal, athlete: AthleteListItem): AthleteListItem {
  if (!seesPseudonyms(principal) || athlete.displayName === undefined) return athlete;
  const { displayName: _name, ...rest } = athlete;
  return rest;
}

/** `current` with `patch`'s fields: a value replaces, null removes, a field left out stays. */
function mergeFields<T extends object>(current: T, patch: { readonly [K in keyof T]?: T[K] | null }): Partial<T> {
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as Partial<T>;
}

/** Applies a merge patch to stored settings; `null` removes a field. */
export function patchSettings(current: AthleteSettings, patch: AthletePatch['settings']): AthleteSettings {
  if (patch === undefined) return current;
  const next: Record<string, unknown> = { ...current };
  const set = (key: keyof AthleteSettings, value: unknown): void => {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  };
  set('pelvicDropLimitDeg', patch.pelvicDropLimitDeg);
  set('screenPelvicDropLevelMaxDeg', patch.screenPelvicDropLevelMaxDeg);
  set('injuredSide', patch.injuredSide);
  // Nested objects merge field by field, and a field's null removes it (RFC 7396); an override left empty is none.
  const override = patch.baselineOverride === null || patch.baselineOverride === undefined ? patch.baselineOverride : mergeFields(current.baselineOverride ?? {}, patch.baselineOverride);
  set('baselineOverride', override !== null && override !== undefined && Object.keys(override).length === 0 ? null : override);
  // The stored cues are whole (every field); a null one is back to its default.
  set('alerts', patch.alerts === null || patch.alerts === undefined ? patch.alerts : { ...DEFAULT_ALERT_PREFERENCES, ...mergeFields(current.alerts ?? DEFAULT_ALERT_PREFERENCES, patch.alerts) });
  // Coaching settings are replaced whole (a band or a plan half from before and half new would be neither).
  set('timeZone', patch.timeZone);
  set('rampLimitPct', patch.rampLimitPct);
  set('acwrBand', patch.acwrBand);
  set('strideLengthM', patch.strideLengthM);
  set('returnToRun', patch.returnToRun);
  return next as AthleteSettings;
}

function patchRecord(athleteId: string, current: AthleteRecord | null, patch: AthletePatch): AthleteRecord {
  const displayName = patch.displayName === undefined ? current?.displayName : (patch.displayName ?? undefined);
  return {
    athleteId,
    ...(displayName === undefined ? {} : { displayName }),
    settings: patchSettings(current?.settings ?? {}, patch.settings),
    // Strictly after the last write even if the clock stepped back, so updatedUs only grows.
    updatedUs: Math.max(Date.now() * 1000, (current?.updatedUs ?? 0) + 1),
  };
}

/**
 * `GET /v1/athletes` (runner: self; coach: roster; researcher/admin: all),
 * `GET /v1/athletes/:athleteId` (profile and settings) and
 * `PATCH /v1/athletes/:athleteId` (merge patch: runner their alerts and
 * name, coach and admin everything, researcher never).
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore }> = async (app, { store }) => {
  handleBodyErrors(app);
  // RFC 7396's media type is parsed like JSON (and held to the same size).
  parseJsonBodies(app, 'application/json');
  parseJsonBodies(app, 'application/merge-patch+json');

  app.get('/v1/athletes', { schema: { querystring: AthleteListQuery, tags: ['athletes'], summary: 'Athletes the caller may see (with a profile or a session), by id' } }, async (request) => {
    const q = request.query;
    const principal = principalOf(request);
    const filter = athleteFilter(principal, q.athlete);
    if (filter === 'forbidden') throw new ApiError('GW_API_FORBIDDEN', 'this key may not see every athlete asked for');
    // A coach with an empty roster sees nothing (an empty filter would mean "everyone" to the store).
    if (filter.athletes !== undefined && filter.athletes.length === 0) return { items: [], next: null };
    const page = await store.listAthletes({
      ...(filter.athletes !== undefined ? { athleteIds: filter.athletes } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
    });
    return { items: page.items.map((a) => viewFor(principal, a)), next: page.next };
  });

  app.get(
    '/v1/athletes/:athleteId',
    { schema: { params: AthletePath, querystring: z.object({}).strict(), tags: ['athletes'], summary: 'One athlete’s profile and settings' } },
    async (request): Promise<AthleteListItem> => {
      const { athleteId } = request.params;
      const principal = principalOf(request);
      assertCanSee(principal, athleteId);
      const record = await store.getAthlete(athleteId);
      if (record !== null) return viewFor(principal, record);
      // Known from sessions only: no settings yet, the defaults apply.
      const { items } = await store.querySessions({ athleteId, limit: 1 });
      if (items.length === 0) throw new ApiError('GW_API_NOT_FOUND', `no athlete ${athleteId}`);
      return { athleteId, settings: {}, updatedUs: null };
    },
  );

  app.patch(
    '/v1/athletes/:athleteId',
    {
      bodyLimit: MAX_JSON_BODY_BYTES,
      config: { roles: ['runner', 'coach', 'admin'] },
      schema: { params: AthletePath, querystring: z.object({}).strict(), body: AthletePatch, tags: ['athletes'], summary: 'Change an athlete’s profile or settings (JSON merge patch)' },
    },
    async (request): Promise<AthleteRecord> => {
      const { athleteId } = request.params;
      assertMayPatch(principalOf(request), athleteId, request.body);
      const next = patchRecord(athleteId, await store.getAthlete(athleteId), request.body);
      await store.putAthlete(next);
      return next;
    },
  );
};

export const athleteRoutes = fp(routes, { name: 'gaitwatch-athletes', fastify: '5.x', encapsulate: true });
