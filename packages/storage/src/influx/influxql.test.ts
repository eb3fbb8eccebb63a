import { describe, expect, it } from 'vitest';
import { Conditions, quoteIdent, quoteString, selectAll } from './influxql.ts';

describe('InfluxQL text', () => {
  it('quotes strings and identifiers so no value can end the literal', () => {
    expect(quoteString(`it's a \\ test`)).toBe(`'it\\'s a \\\\ test'`);
    expect(quoteIdent('we"ird')).toBe('"we\\"ird"');
  });

  it('builds a time-bounded, filtered, ordered, limited select with µs time literals', () => {
    const where = new Conditions().eq('athlete', 'a1').oneOf('type', ['form_breakdown', 'pelvic_drop_high']).time(1_764_000_000_000_000, 1_764_000_000_000_500);
    expect(selectAll('alert', where, 'desc', 11)).toBe(
      `SELECT * FROM "alert" WHERE "athlete" = 'a1' AND ("type" = 'form_breakdown' OR "type" = 'pelvic_drop_high') AND time >= 1764000000000000u AND time < 1764000000000500u ORDER BY time DESC LIMIT 11`,
    );
    expect(selectAll('stride', where.atTime(1_764_000_000_000_100), 'asc')).toContain('AND time = 1764000000000100u ORDER BY time ASC');
  });

  it('matches a string field against a literal, escaped so it matches only itself', () => {
    expect(new Conditions().fieldMatches('summary', '"activity":"screen"', true).toString()).toBe(' WHERE "summary" =~ /"activity":"screen"/');
    expect(new Conditions().fieldMatches('summary', 'a.b/c(d)', false).toString()).toBe(' WHERE "summary" !~ /a\\.b\\/c\\(d\\)/');
  });

  it('marks an empty list as a filter nothing passes', () => {
    expect(new Conditions().oneOf('athlete', []).empty).toBe(true);
  });
});
