/**
 * Keyset paging by time, the same for both stores. A cursor is the time of
 * the last item served (exclusive bound for the next page). A page never
 * splits the items that share one time, so no item is skipped or repeated
 * whatever order the database gives to equal times.
 */
import type { Page } from './types.ts';

export const DEFAULT_PAGE_LIMIT = 1000;
export const MAX_PAGE_LIMIT = 10_000;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) throw new RangeError(`limit ${limit} is not an integer in 1..${MAX_PAGE_LIMIT}`);
  return limit;
}

/** Cursors are opaque to callers; inside they are the base-10 µs of the last time served. */
export function encodeCursor(tUs: number): string {
  return `t${tUs}`;
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const tUs = /^t(\d{1,16})$/.exec(cursor)?.[1];
  if (tUs === undefined) throw new TypeError(`cursor ${JSON.stringify(cursor)} is not one this store gave out`);
  return Number(tUs);
}

/**
 * Bounds of the page query: [fromUs, toUs) narrowed by the cursor in the
 * direction of travel. Returns null when the range is empty.
 */
export function pageBounds(
  range: { fromUs?: number | undefined; toUs?: number | undefined; cursor?: string | undefined },
  order: 'asc' | 'desc',
): { fromUs: number | undefined; toUs: number | undefined } {
  const afterUs = decodeCursor(range.cursor);
  let { fromUs, toUs } = range;
  if (afterUs !== undefined) {
    // asc: strictly after the cursor; desc: strictly before it.
    if (order === 'asc') fromUs = Math.max(fromUs ?? -Infinity, afterUs + 1);
    else toUs = Math.min(toUs ?? Infinity, afterUs);
  }
  return { fromUs, toUs };
}

/**
 * Turns `rows` (the first limit+1 rows in order) into a page.
 * `fetchAt` returns every row at one time, for the rare page whose rows all share it.
 */
export async function toPage<T>(rows: T[], limit: number, timeOf: (row: T) => number, fetchAt: (tUs: number) => Promise<T[]>): Promise<Page<T>> {
  if (rows.length <= limit) return { items: rows, next: null };
  const boundaryUs = timeOf(rows[limit]!);
  let end = limit;
  while (end > 0 && timeOf(rows[end - 1]!) === boundaryUs) end--;
  if (end > 0) return { items: rows.slice(0, end), next: encodeCursor(timeOf(rows[end - 1]!)) };
  // More than `limit` items at one time: serve all of them in one (larger) page.
  return { items: await fetchAt(boundaryUs), next: encodeCursor(boundaryUs) };
}

/** Every item of a paged query, page after page, with one page in memory at a time. */
export async function* allPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncIterable<T> {
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    if (page.next === null) return;
    cursor = page.next;
  }
}
