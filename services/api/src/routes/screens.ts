import { coachingSettings } from '@gaitwatch/coaching';
import type { GaitStore } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { sessionsIn } from '../coaching-data.ts';
import { REP_COLUMNS } from '../export-manifest.ts';
import { isScreen, repsOf, runDrops } from '../screen-data.ts';
import { screenHistory } from '../screen-history.ts';
import { athleteOr404, DEFAULT_REPORT_WEEKS, ReportQuery } from './coaching.ts';
import { IdSchema } from './query-schemas.ts';
import { sessionRecordRoutes } from './session-records.ts';

/**
 * Movement screens (issue 17), under the same rules as sessions (403 before
 * the store is asked, then 404): `GET …/reps` (JSON pages in time order),
 * `GET …/reps.csv` and `…/reps.ndjson` (the whole screen, streamed, with the
 * manifest), and `GET /v1/athletes/:athleteId/screens` (each screen's
 * per-leg numbers beside the weekly running pelvic drop).
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore; pseudonym: (athleteId: string) => string; now?: () => number }> = async (app, { store, pseudonym, now = () => Date.now() * 1000 }) => {
  sessionRecordRoutes(app, store, pseudonym, {
    plural: 'reps',
    singular: 'rep',
    title: 'gaitwatch rep export',
    tag: 'screens',
    pageSummary: 'One page of a movement screen’s reps, in time order',
    exportNoun: 'screen’s reps',
    sideDescription: 'the standing leg',
    columns: REP_COLUMNS,
    query: (s, q) => s.queryReps(q),
    stream: (s, q) => s.streamReps(q),
  });

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
