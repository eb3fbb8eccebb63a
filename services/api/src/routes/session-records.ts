import { Readable } from 'node:stream';
import type { GaitStore, Page, RepQuery, StrideQuery } from '@gaitwatch/storage';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/auth-plugin.ts';
import { seesPseudonyms } from '../auth/principal.ts';
import { exportManifest, type ExportOf } from '../export-manifest.ts';
import { csvLines, ndjsonLines, pickColumns } from './export-lines.ts';
import { CursorSchema, LimitSchema, RANGE_MESSAGE, rangeInOrder, SessionPathSchema, TimeSchema } from './query-schemas.ts';
import { assertCanSee, sessionOr404 } from './sessions.ts';

type RecordQuery = StrideQuery & RepQuery;

/** One kind of per-session record (a run's strides, a screen's reps) and how the store serves it. */
export interface SessionRecordKind<R extends object> {
  /** The path segment and the export's file-name suffix: `…/strides`, `…/reps.csv`. */
  readonly plural: ExportOf;
  /** The NDJSON line's `kind` and the log message's subject. */
  readonly singular: 'stride' | 'rep';
  /** The CSV export's title line. */
  readonly title: string;
  readonly tag: string;
  readonly pageSummary: string;
  readonly exportNoun: string;
  /** What `side` selects (the stride's leg, the rep's standing leg). */
  readonly sideDescription: string;
  readonly columns: readonly string[];
  query(store: GaitStore, query: RecordQuery): Promise<Page<R>>;
  stream(store: GaitStore, query: Omit<RecordQuery, 'cursor' | 'limit'>): AsyncIterable<R>;
}

/**
 * How a page holds its records. `columns` exists for the dashboard's session
 * review: an hour's 10,000 strides as row objects are ~3.5 MB of JSON, the
 * field names repeated per stride; as one array per field the same page is
 * a third to a half of the bytes (a half when every value has 17 digits) and the
 * server's serialisation ~a third cheaper (services/api/README.md).
 */
const LayoutSchema = z
  .enum(['rows', 'columns'], { error: 'must be `rows` (the default: `items`, one object per record) or `columns` (`columns`, one array per field)' })
  .meta({
    description:
      'rows (default): `{items: [record], next}`, one object per record; columns: `{count, columns: {field: [value per record]}, next}`, one array per export column in the rows’ order, null where not measured — a third to a half of the bytes; the same records, cursor and rules',
  });

/** Records as one array per column (the `layout=columns` page): absent values are null, as in the rows. */
export function columnsOf(records: readonly Readonly<Record<string, unknown>>[], columns: readonly string[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const column of columns) {
    const values = new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) values[i] = records[i]![column] ?? null;
    out[column] = values;
  }
  return out;
}

/**
 * The routes every per-session record kind has, under the session rules
 * (403 before the store is asked, then 404): `GET …/<plural>` (JSON pages in
 * time order: cursor + time range + side; `layout=columns` for one array
 * per field) and `GET …/<plural>.csv` /
 * `.ndjson` (the whole session streamed one store page at a time, with the
 * export manifest; a researcher's export names the athlete by pseudonym
 * unless an admin granted `identified`).
 */
export function sessionRecordRoutes<R extends object>(app: FastifyInstance, store: GaitStore, pseudonym: (athleteId: string) => string, kind: SessionRecordKind<R>): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const side = z.enum(['left', 'right']).optional().meta({ description: kind.sideDescription });
  const PageQuery = z
    .object({
      from: TimeSchema.optional(),
      to: TimeSchema.optional(),
      side,
      limit: LimitSchema.optional(),
      cursor: CursorSchema.optional(),
      layout: LayoutSchema.optional(),
    })
    .strict()
    .refine(rangeInOrder, RANGE_MESSAGE);
  const ExportQuery = z.object({ side }).strict();
  const row = (record: R): Record<string, unknown> => pickColumns(record as Record<string, unknown>, kind.columns);

  const pageDescription =
    `Pages in time order: pass \`next\` back as \`cursor\` until it is null. Default answer \`{items: [${kind.singular}], next}\`; ` +
    `with \`layout=columns\` \`{count, columns: {${kind.columns.join(', ')}}, next}\`: each column an array of \`count\` values (the i-th of every column is the i-th ${kind.singular}), null where not measured.`;
  typed.get(`/v1/sessions/:athleteId/:sessionId/${kind.plural}`, { schema: { params: SessionPathSchema, querystring: PageQuery, tags: [kind.tag], summary: kind.pageSummary, description: pageDescription } }, async (request) => {
    const { athleteId, sessionId } = request.params;
    assertCanSee(principalOf(request), athleteId);
    await sessionOr404(store, athleteId, sessionId);
    const q = request.query;
    const page = await kind.query(store, {
      athleteId,
      sessionId,
      ...(q.from !== undefined ? { fromUs: q.from } : {}),
      ...(q.to !== undefined ? { toUs: q.to } : {}),
      ...(q.side !== undefined ? { side: q.side } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
    });
    if (q.layout !== 'columns') return { items: page.items.map(row), next: page.next };
    return { count: page.items.length, columns: columnsOf(page.items as readonly Record<string, unknown>[], kind.columns), next: page.next };
  });

  for (const format of ['csv', 'ndjson'] as const) {
    typed.get(
      `/v1/sessions/:athleteId/:sessionId/${kind.plural}.${format}`,
      { schema: { params: SessionPathSchema, querystring: ExportQuery, tags: ['export'], summary: `The whole ${kind.exportNoun} as ${format.toUpperCase()}, with the analysis version and parameters` } },
      async (request, reply) => {
        const { athleteId, sessionId } = request.params;
        const principal = principalOf(request);
        assertCanSee(principal, athleteId);
        const session = await sessionOr404(store, athleteId, sessionId);
        const named = seesPseudonyms(principal) ? pseudonym(athleteId) : athleteId;
        const manifest = exportManifest(session, new Date(), named === athleteId ? undefined : named, kind.plural);
        const records = kind.stream(store, { athleteId, sessionId, ...(request.query.side !== undefined ? { side: request.query.side } : {}) }) as AsyncIterable<Readonly<Record<string, unknown>>>;
        const lines = format === 'csv' ? csvLines(kind.title, manifest, records) : ndjsonLines(kind.singular, manifest, records);
        request.log.info({ athleteId, sessionId, format, pseudonymised: named !== athleteId }, `${kind.singular} export`);
        return reply
          .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="${named}_${sessionId}_${kind.plural}.${format}"`)
          .header('x-gaitwatch-analysis-version', manifest.analysis.version)
          .send(Readable.from(lines));
      },
    );
  }
}
