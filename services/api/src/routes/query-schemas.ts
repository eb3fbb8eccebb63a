/**
 * Zod pieces shared by the routes' query and path schemas. They are the
 * validation, the TypeScript types and the OpenAPI document at once (the
 * type provider), so a bad parameter is a 400 GW_API_BAD_QUERY naming it.
 */
import { ALERT_TYPES, ID_PATTERN } from '@gaitwatch/protocol';
import { MAX_PAGE_LIMIT } from '@gaitwatch/storage';
import { z } from 'zod';

export const IdSchema = z.string().regex(ID_PATTERN, 'must be an id: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}');

/** Who a caller is (GET /v1/me's `id`): a key's id, or `jwt:` + a token's `sub` (auth/jwt.ts: never a key id). */
export const PrincipalIdSchema = z
  .string()
  .refine((s) => ID_PATTERN.test(s.startsWith('jwt:') ? s.slice(4) : s), 'must be a key id ([A-Za-z0-9][A-Za-z0-9_.-]{0,63}) or jwt: and a token subject');

// 2015-01-01 and 2100-01-01 in µs: the store's accepted range (DESIGN.md times are integer µs since the epoch).
const MIN_US = 1_420_070_400_000_000;
const MAX_US = 4_102_444_800_000_000;

const ISO_DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)T.*(Z|[+-]\d\d:\d\d)$/;

/** True when the day exists: Date.parse rolls 2026-02-30 over to 2 March instead of refusing it. */
function dayExists(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A point in time: integer µs since the Unix epoch (the contract's unit), or
 * an ISO 8601 date-time with a zone (`2026-05-01T07:00:00Z`), turned into µs.
 */
export const TimeSchema = z
  .string()
  .transform((text, ctx) => {
    const iso = ISO_DATE_TIME.exec(text);
    if (iso !== null && !dayExists(Number(iso[1]), Number(iso[2]), Number(iso[3]))) {
      ctx.addIssue({ code: 'custom', message: `must be a date that exists: the calendar has no ${iso[1]}-${iso[2]}-${iso[3]}` });
      return z.NEVER;
    }
    const us = /^\d{1,16}$/.test(text) ? Number(text) : iso !== null ? Date.parse(text) * 1000 : Number.NaN;
    if (!Number.isSafeInteger(us) || us < MIN_US || us >= MAX_US) {
      ctx.addIssue({ code: 'custom', message: 'must be integer µs since the Unix epoch or an ISO 8601 date-time with a zone, between 2015 and 2100' });
      return z.NEVER;
    }
    return us;
  })
  .meta({ description: 'integer µs since the Unix epoch, or ISO 8601 date-time with zone' });

/** A repeatable or comma-separated list (`?type=a,b` or `?type=a&type=b`) of one enum or id. */
export function listOf<T extends z.ZodType<string, string>>(item: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter((s) => s !== ''))
    .pipe(z.array(item).min(1, 'must name at least one value').max(200, 'at most 200 values'));
}

export const CursorSchema = z.string().regex(/^t\d{1,16}$/, 'must be the `next` of a previous page');

/**
 * A count in [min, max] written in decimal digits. Not z.coerce.number: Number() also takes `0x10`, `1e3` and
 * ` 100`. One message for every way to miss, and no int() check (digits are whole), so a value fails once.
 */
export function countSchema(min: number, max: number) {
  const message = `must be an integer between ${min} and ${max}, in decimal digits`;
  return z
    .string({ error: message })
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

export const LimitSchema = countSchema(1, MAX_PAGE_LIMIT);
export const OrderSchema = z.enum(['asc', 'desc']);
export const AlertTypeList = listOf(z.enum(ALERT_TYPES));
export const SeverityList = listOf(z.enum(['info', 'warning', 'critical']));

export const SessionPathSchema = z.object({ athleteId: IdSchema, sessionId: IdSchema });

/** Checks that a range is not upside down (zod refinements keep the field name in the error). */
export function rangeInOrder(q: { from?: number | undefined; to?: number | undefined }): boolean {
  return q.from === undefined || q.to === undefined || q.from < q.to;
}
// The message follows the field name in `details` and in the error message ("from must be before `to`").
export const RANGE_MESSAGE = { message: 'must be before `to`', path: ['from'] };
