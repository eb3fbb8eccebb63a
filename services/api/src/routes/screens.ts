import { Readable } from 'node:stream';
import { coachingSettings } from '@gaitwatch/coaching';
import type { GaitStore, RepRecord } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { seesPseudonyms } from '../auth/principal.ts';
import { sessionsIn } from '../coaching-data.ts';
import { exportManifest, REP_COLUMNS } from '../export-manifest.ts';
import { isScreen, repsOf, runDrops } from '../screen-data.ts';
import { screenHistory } from '../screen-history.ts';
import { athleteOr404, DEFAULT_REPORT_WEEKS, ReportQuery } from './coaching.ts';
import { csvLines, ndjsonLines, pickColumns } from './export-lines.ts';
import { CursorSchema, IdSchema, LimitSchema, RANGE_MESSAGE, rangeInOrder, SessionPathSchema, TimeSchema } from './query-schemas.ts';
import { assertCanSee, sessionOr404 } from './sessions.ts';

const RepPageQuery = z
  .object({ from: TimeSchema.optional(), to: TimeSchema.optional(), side: z.enum(['left', 'right']).optional().meta({ description: 'the standing leg' }), limit: LimitSchema.optional(), cursor: CursorSchema.optional() })
  .strict()
  .refine(rangeInOrder, RANGE_MESSAGE);

const ExportQuery = z.object({ side: z.enum(['left', 'right']).optional() }).strict();

function repRow(rep: RepRecord): Record<string, unknown> {
  return pickColumns(rep, REP_COLUMNS);
}

/**
 * Movement screens (issue 17), under the same rules as sessions (403 before
 * the store is asked, then 404): `GET …/reps` (JSON pages in time order),
 * `GET …/reps.csv` and `…/reps.ndjson` (the whole screen, streamed, with the
 * manifest), and `GET /v1/athletes/:athleteId/screens` (each screen's
 * per-leg numbers beside the weekly running pelvic drop).
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore; pseudonym: (athleteId: string) => string; now?: () => number }> = async (app, { store, pseudonym, now = () => Date.now() * 1000 }) => {
  app.get(
    '/v1/sessions/:athleteId/:sessionId/reps',
    { schema: { params: SessionPathSchema, querystring: RepPageQuery, tags: ['screens'], summary: 'One page of a movement screen’s reps, in time order' } },
    async (request) => {
      const { athleteId, sessionId } = request.params;
      assertCanSee(principalOf(request), athleteId);
      await sessionOr404(store, athleteId, sessionId);
      const q = request.query;
      const page = await store.queryReps({
        athleteId,
        sessionId,
        ...(q.from !== undefined ? { fromUs: q.from } : {}),
        ...(q.to !== undefined ? { toUs: q.to } : {}),
        ...(q.side !== undefined ? { side: q.side } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      });
      return { items: page.items.map(repRow), next: page.next };
    },
  );

  for (const format of ['csv', 'ndjson'] as const) {
    app.get(
      `/v1/sessions/:athleteId/:sessionId/reps.${format}`,
      { schema: { params: SessionPathSchema, querystring: ExportQuery, tags: ['export'], summary: `The whole screen’s reps as ${format.toUpperCase()}, with the analysis version and parameters` } },
      async (request, reply) => {
        const { athleteId, sessionId } = request.params;
        const principal = principalOf(request);
        assertCanSee(principal, athleteId);
        const session = await sessionOr404(store, athleteId, sessionId);
        const named = seesPseudonyms(principal) ? pseudonym(athleteId) : athleteId;
        const manifest = exportManifest(session, new Date(), named === athleteId ? undefined : named, 'reps');
        const reps = store.streamReps({ athleteId, sessionId, ...(request.query.side !== undefined ? { side: request.query.side } : {}) });
        const lines = format === 'csv' ? csvLines('gaitwatch rep export', manifest, reps) : ndjsonLines('rep', manifest, reps);
        request.log.info({ athleteId, sessionId, format, pseudonymised: named !== athleteId }, 'rep export');
        return reply
          .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="${named}_${sessionId}_reps.${format}"`)
          .header('x-gaitwatch-analysis-version', manifest.analysis.version)
          .send(Readable.from(lines));
      },
    );
  }

  app.get(
    '/v1/athletes/:athleteId/screens',
    {
      schema: {
        params: z.object({ athleteId: IdSchema }),
        querystring: ReportQuery,
        tags: ['screens'],
        summary: 'Each movement screen’s per-leg rep count and median pelvic drop, knee proxy and depth, beside the weekly running pelvic drop per leg',
      },
    },
    async (request) => {
      const { athleteId } = request.params;
      const record = await athleteOr404(store, principalOf(request), athleteId);
      const { timeZone } = coachingSettings(record?.settings ?? {});
      const atUs = request.query.at ?? now();
      const weeks = request.query.weeks ?? DEFAULT_REPORT_WEEKS;
      // The window first (zone-aware weeks), then its sessions: one read, split by activity.
      const window = screenHistory({ timeZone, atUs, weeks, screens: [], runs: [] });
      const sessions = await sessionsIn(store, athleteId, window.fromUs, window.toUs);
      const screenSessions = sessions.filter(isScreen);
      const runSessions = sessions.filter((s) => !isScreen(s));
      const screens = [];
      for (const session of screenSessions) screens.push({ session, reps: await repsOf(store, session) });
      const drops = await runDrops(store, runSessions);
      return { athleteId, ...screenHistory({ timeZone, atUs, weeks, screens, runs: runSessions.map((session, i) => ({ session, drops: drops[i]! })) }) };
    },
  );
};

export const screenRoutes = fp(routes, { name: 'gaitwatch-screens', fastify: '5.x', encapsulate: true });
