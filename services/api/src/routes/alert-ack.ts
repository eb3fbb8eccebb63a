import { ALERT_TYPES } from '@gaitwatch/protocol';
import { MAX_ACK_NOTE_CHARS, type AlertAckResult, type GaitStore } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { canSeeAthlete } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { handleBodyErrors, MAX_JSON_BODY_BYTES, parseJsonBodies } from './athletes.ts';
import { IdSchema } from './query-schemas.ts';

// 2015-01-01 and 2100-01-01 in µs: the store's accepted range.
const MIN_US = 1_420_070_400_000_000;
const MAX_US = 4_102_444_800_000_000;
const TAG_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The raised alert to acknowledge, named by its identity as `GET /v1/alerts`
 * returns it (DESIGN.md's tags + time: an acknowledgement is of the episode's
 * raised alert), and an optional note. The alert's other fields may come
 * along (the item posted back whole) and are ignored; anything else is a 400.
 */
const AckBody = z
  .object({
    athleteId: IdSchema,
    sessionId: IdSchema,
    tUs: z.number().int().min(MIN_US).max(MAX_US).meta({ description: 'the alert’s time, integer µs since the Unix epoch' }),
    type: z.enum(ALERT_TYPES),
    severity: z.enum(['info', 'warning', 'critical']),
    metric: z.string().regex(TAG_VALUE, 'must be the alert’s metric'),
    sensor: z.string().regex(TAG_VALUE, 'must be the alert’s sensor').optional(),
    side: z.enum(['left', 'right']).optional(),
    note: z.string().max(MAX_ACK_NOTE_CHARS).optional(),
    // The rest of the alert as GET /v1/alerts returns it, so a client may post back what it was given; not used.
    phase: z.literal('raised', { message: 'an acknowledgement is of the episode’s raised alert' }).optional(),
    message: z.string().max(1000).optional(),
    value: z.number().nullable().optional(),
    baseline: z.number().nullable().optional(),
    episodeId: z.string().max(200).optional(),
    reason: z.string().max(64).optional(),
    affectedMetric: z.string().max(64).optional(),
    ack: z.object({}).passthrough().optional(),
  })
  .strict();

/**
 * `POST /v1/alerts/ack`: a coach (of that athlete) or an admin acknowledges a
 * raised alert. 200 with the alert and its ack; acknowledging again keeps the
 * first ack (`created: false`); an alert the store does not have is 404.
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore }> = async (app, { store }) => {
  handleBodyErrors(app);
  parseJsonBodies(app, 'application/json');

  app.post(
    '/v1/alerts/ack',
    {
      bodyLimit: MAX_JSON_BODY_BYTES,
      config: { roles: ['coach', 'admin'] },
      schema: { querystring: z.object({}).strict(), body: AckBody, tags: ['alerts'], summary: 'Acknowledge a raised alert (coach of the athlete, admin)' },
    },
    async (request): Promise<AlertAckResult> => {
      const principal = principalOf(request);
      const { note, phase: _phase, message: _message, value: _value, baseline: _baseline, episodeId: _episode, reason: _reason, affectedMetric: _affected, ack: _ack, ...key } = request.body;
      if (!canSeeAthlete(principal, key.athleteId)) throw new ApiError('GW_API_FORBIDDEN', `this key may not see athlete ${key.athleteId}`);
      const result = await store.ackAlert({ ...key, ackedBy: principal.id, ackedUs: Date.now() * 1000, ...(note === undefined ? {} : { note }) });
      if (result === null) throw new ApiError('GW_API_NOT_FOUND', `no raised ${key.type} alert of athlete ${key.athleteId} in session ${key.sessionId} at ${key.tUs} µs with that metric, severity, sensor and side`);
      return result;
    },
  );
};

export const alertAckRoutes = fp(routes, { name: 'gaitwatch-alert-ack', fastify: '5.x', encapsulate: true });
