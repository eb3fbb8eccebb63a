import { describe, expect, it } from 'vitest';
import { allPages, decodeCursor, encodeCursor, pageBounds, pageLimit, toPage } from './paging.ts';

const at = (t: number, k = ''): { t: number; k: string } => ({ t, k });
const none = async (): Promise<never[]> => [];

describe('paging', () => {
  it('ends with next = null when the query returned no more than the limit', async () => {
    expect(await toPage([at(1), at(2)], 2, (r) => r.t, none)).toEqual({ items: [at(1), at(2)], next: null });
  });

  it('never splits one time across pages: the boundary time moves to the next page', async () => {
    const rows = [at(1), at(2), at(3, 'a'), at(3, 'b')];
    expect(await toPage(rows, 3, (r) => r.t, none)).toEqual({ items: [at(1), at(2)], next: encodeCursor(2) });
  });

  it('serves every row of one time when they alone overflow the page', async () => {
    const all = [at(5, 'a'), at(5, 'b'), at(5, 'c')];
    expect(await toPage(all.slice(0, 3), 2, (r) => r.t, async () => all)).toEqual({ items: all, next: encodeCursor(5) });
  });

  it('narrows the range by the cursor in the direction of travel', () => {
    expect(pageBounds({ fromUs: 10, toUs: 100, cursor: encodeCursor(50) }, 'asc')).toEqual({ fromUs: 51, toUs: 100 });
    expect(pageBounds({ fromUs: 10, toUs: 100, cursor: encodeCursor(50) }, 'desc')).toEqual({ fromUs: 10, toUs: 50 });
    expect(pageBounds({}, 'asc')).toEqual({ fromUs: undefined, toUs: undefined });
  });

  it('validates cursors and limits', () => {
    expect(decodeCursor(encodeCursor(1_764_000_000_000_001))).toBe(1_764_000_000_000_001);
    expect(() => decodeCursor('t-1')).toThrow(TypeError);
    expect(() => pageLimit(0)).toThrow(RangeError);
    expect(() => pageLimit(10_001)).toThrow(RangeError);
    expect(pageLimit(undefined)).toBe(1000);
  });

  it('walks every page', async () => {
    const pages = [{ items: [1, 2], next: 'x' }, { items: [3], next: null }];
    const seen: number[] = [];
    for await (const n of allPages(async (cursor) => pages[cursor === undefined ? 0 : 1]!)) seen.push(n);
    expect(seen).toEqual([1, 2, 3]);
  });
});
