import type { GaitStore } from '@gaitwatch/storage';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { STRIDE_COLUMNS } from '../export-manifest.ts';
import { sessionRecordRoutes } from './session-records.ts';

/**
 * Strides of one session: `GET …/strides` (JSON pages: cursor + time range),
 * `GET …/strides.csv` and `…/strides.ndjson` (the whole session streamed
 * through store.streamStrides, one store page in memory at a time).
 */
const routes: FastifyPluginAsyncZod<{ store: GaitStore; pseudonym: (athleteId: string) => string }> = async (app, { store, pseudonym }) => {
  sessionRecordRoutes(app, store, pseudonym, {
    plural: 'strides',
    singular: 'stride',
    title: 'gaitwatch stride export',
    tag: 'strides',
    pageSummary: 'One page of a session’s strides, in time order',
    exportNoun: 'session’s strides',
    sideDescription: 'the leg',
    columns: STRIDE_COLUMNS,
    query: (s, q) => s.queryStrides(q),
    stream: (s, q) => s.streamStrides(q),
  });
};

export const strideRoutes = fp(routes, { name: 'gaitwatch-strides', fastify: '5.x', encapsulate: true });
