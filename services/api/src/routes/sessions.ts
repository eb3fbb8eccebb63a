import { allPages, type AlertRecord, type GaitStore, type SessionRecord } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { athleteFilter, canSeeAthlete } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { isScreen, repsOf } from '../screen-data.ts';
import { screenSides } from '../screen-history.ts';
import { sessionOverview } from '../session-overview.ts';
import { CursorSchema, IdSchema, LimitSchema, listOf, OrderSchema, RANGE_MESSAGE, rangeInOrder, SessionPathSchema, TimeSchema } from './query-schemas.ts';

/** `running` until the stop record gives the session an end. */
export type SessionStatus = 'running' | 'ended';

export function sessionView(session: SessionRecord): SessionRecord & { status: SessionStatus } {
  return { ...session, status: session.endUs === null ? 'running' : 'ended' };
}

const SessionListQuery = z
  .object({
    athlete: listOf(IdSchema).optional(),
    from: TimeSchema.optional(),
    to: TimeSchema.optional(),
    status: z.enum(['running', 'ended']).optional(),
    activity: z.enum(['run', 'screen']).optional().meta({ description: 'only runs or only movement screens (the session’s `start` said which; none said = a run)' }),
    order: OrderSchema.optional(),
    limit: LimitSchema.optional(),
    cursor: CursorSchema.optional(),
  })
  .strict()
  .refine(rangeInOrder, RANGE_MESSAGE);

/** Throws 403 unless the caller may see this athlete (before any lookup, so a 404 never tells what exists). */
export function assertCanSee(principal: Parameters<typeof canSeeAthlete>[0], athleteId: string): void {
  if (!canSeeAthlete(principal, athleteId)) throw new ApiError('GW_API_FORBIDDEN', `this key may not see athlete ${athleteId}`);
}

/** The session or 404. */
export async function sessionOr404(store: GaitStore, athleteId: string, sessionId: string): Promise<SessionRecord> {
  const session = await store.getSession(athleteId, sessionId);
  if (session === null) throw new ApiError('GW_API_NOT_FOUND', `no session ${sessionId} of athlete ${athleteId}`);
  return session;
}

/** Alerts of one session, counted page by page (a session has a handful to a few hundred), and the first form breakdown. */
async function alertDigest(store: GaitStore, athleteId: string, sessionId: string): Promise<{ counts: { raised: number; byType: Record<string, number> }; firstFormBreakdown: AlertRecord | undefined }> {
  const byType: Record<string, number> = {};
  let raised = 0;
  let firstFormBreakdown: AlertRecord | undefined;
  for await (const alert of allPages((cursor) => store.queryAlerts({ athleteId, sessionId, phase: 'raised', limit: 10_000, ...(cursor !== undefined ? { cursor } : {}) }))) {
    raised++;
    byType[alert.type] = (byType[alert.type] ?? 0) + 1;
    // Pages are in time order: the first one seen is the onset.
    if (alert.type === 'form_breakdown' && firstFormBreakdown === undefined) firstFormBreakdown = alert;
  }
  return { counts: { raised, byType }, firstFormBreakdown };
}

/**
 * `GET /v1/sessions` (runner: own; coach: roster; researcher/admin: all) and
 * `GET /v1/sessions/:athleteId/:sessionId` (detail with summary and alert counts).
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore }> = async (app, { store }) => {
  app.get('/v1/sessions', { schema: { querystring: SessionListQuery, tags: ['sessions'], summary: 'Sessions the caller may see, newest first' } }, async (request) => {
    const q = request.query;
    const filter = athleteFilter(principalOf(request), q.athlete);
    if (filter === 'forbidden') throw new ApiError('GW_API_FORBIDDEN', 'this key may not see every athlete asked for');
    // A coach with an empty roster sees nothing (an empty filter would mean "everyone" to the store).
    if (filter.athletes !== undefined && filter.athletes.length === 0) return { items: [], next: null };
    const page = await store.querySessions({
      ...(filter.athletes !== undefined ? { athleteId: filter.athletes } : {}),
      ...(q.from !== undefined ? { fromUs: q.from } : {}),
      ...(q.to !== undefined ? { toUs: q.to } : {}),
      ...(q.order !== undefined ? { order: q.order } : {}),
      ...(q.activity !== undefined ? { activity: q.activity } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
    });
    // The store pages by start time and knows no status: filtering here may shorten a page, never skips one (follow `next`).
    const items = page.items.map(sessionView).filter((s) => q.status === undefined || s.status === q.status);
    return { items, next: page.next };
  });

  app.get(
    '/v1/sessions/:athleteId/:sessionId',
    { schema: { params: SessionPathSchema, querystring: z.object({}).strict(), tags: ['sessions'], summary: 'One session with its summary, overview (completeness, calibration, baselines, form-breakdown onset), alert counts and, for a movement screen, its reps per standing leg' } },
    async (request) => {
      const { athleteId, sessionId } = request.params;
      assertCanSee(principalOf(request), athleteId);
      const session = await sessionOr404(store, athleteId, sessionId);
      const digest = await alertDigest(store, athleteId, sessionId);
      const view = { ...sessionView(session), alerts: digest.counts, overview: sessionOverview(session, digest.firstFormBreakdown) };
      // A movement screen's review shows its reps per standing leg (a few dozen reps: one read).
      return isScreen(session) ? { ...view, reps: screenSides(await repsOf(store, session)) } : view;
    },
  );
};

export const sessionRoutes = fp(routes, { name: 'gaitwatch-sessions', fastify: '5.x', encapsulate: true });
