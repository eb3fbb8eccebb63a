// The bench code works: every scenario runs at its tiny --quick size and
// returns well-formed results, and the report renders them. No timing is
// asserted (benchmarks are not tests; bench/RESULTS.md holds the figures).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { markdown, tableLines } from '../../bench/lib/report.ts';
import type { ScenarioResult } from '../../bench/lib/result.ts';
import { parseScenarioArgs } from '../../bench/lib/scenario.ts';
import { SCENARIOS } from '../../bench/scenarios/index.ts';
import { findBinary } from '../harness/process.ts';

const results: ScenarioResult[] = [];

/**
 * Rows each scenario must report at the tiny size where what it needs is installed
 * (a scenario skips with a note only where a binary is missing, and never in CI).
 */
const EXPECTED_ROWS: Record<string, () => string[]> = {
  influx: () => (findBinary('influxd') === undefined ? [] : ['store-points', 'plain-points', 'replay-points', 'spool-points']),
  latency: () => ['stride-p50', 'stride-p99', 'floor-p50', ...(findBinary('mosquitto') === undefined ? [] : ['live-stride-p50', 'live-stride-max'])],
  memory: () => ['raw-second', 'memory-rss-20', 'memory-heap-20', 'memory-rss-100', 'memory-heap-100'],
  dashboard: () => (existsSync('/usr/bin/chromium') ? ['first-render', 'fetch-only'] : []),
};

/** Checks of what a scenario's figures must satisfy whatever the machine's speed (no timing is asserted). */
function checkScenario(result: ScenarioResult): void {
  const row = (id: string): readonly number[] => result.rows.find((r) => r.id === id)?.values ?? [];
  for (const id of EXPECTED_ROWS[result.name]?.() ?? []) expect(row(id).length, `${result.name}: row ${id}`).toBeGreaterThan(0);
  // Data time, deterministic: no stride comes out before its stance has ended; end to end it cannot come sooner than in process.
  if (result.name === 'latency') {
    expect(row('stride-p50')[0]!).toBeGreaterThan(row('floor-p50')[0]!);
    if (row('live-stride-p50').length > 0) expect(row('live-stride-p50')[0]!).toBeGreaterThan(row('floor-p50')[0]!);
  }
}

function checkWellFormed(result: ScenarioResult, name: string): void {
  expect(result.name).toBe(name);
  expect(result.runs).toBe(1);
  expect(result.notes.length).toBeGreaterThan(0);
  const ids = result.rows.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const row of result.rows) {
    expect(row.figure.length, row.id).toBeGreaterThan(0);
    expect(row.unit.length, row.id).toBeGreaterThan(0);
    // At the tiny size a memory delta over a handful of sessions is GC noise and may come out negative.
    const signed = row.id.startsWith('memory');
    for (const value of row.values) expect(Number.isFinite(value) && (signed || value >= 0), `${row.id}: ${value}`).toBe(true);
    if (row.baseline !== undefined) expect(ids, `${row.id}'s baseline`).toContain(row.baseline);
    if (row.target !== undefined) expect([true, false, null]).toContain(row.met);
  }
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
}

describe('pnpm bench --quick', () => {
  it('parses the scenario options', () => {
    expect(parseScenarioArgs(['--quick'])).toEqual({ quick: true, runs: 1, python: true });
    expect(parseScenarioArgs(['--runs', '3', '--no-python', '--out', 'x.json'])).toEqual({ quick: false, runs: 3, python: false, out: 'x.json' });
    expect(() => parseScenarioArgs(['--runs', '0'])).toThrow(RangeError);
  });

  for (const scenario of SCENARIOS) {
    it(`runs the ${scenario.name} scenario at its tiny size`, async () => {
      const result = await scenario.run({ quick: true, runs: 1, python: false });
      checkWellFormed(result, scenario.name);
      // Every scenario measures something here (ingest reports no rows only when Mosquitto is missing, with a note saying so).
      if (result.rows.length === 0) expect(result.notes.join(' ')).toMatch(/skipped/);
      else expect(result.rows.some((r) => r.values.length > 0 && r.baseline !== undefined)).toBe(true);
      checkScenario(result);
      results.push(result);
    }, 60_000);
  }

  it('renders the table and RESULTS.md from the results', () => {
    const lines = tableLines(results);
    expect(lines.length).toBe(results.reduce((n, r) => n + r.rows.length, 0));
    const md = markdown(results, {
      cpu: 'test cpu',
      logicalCpus: 2,
      nproc: '2',
      node: process.version,
      os: 'test',
      memoryGB: '1 GB',
      loadAtStart: '0 / 0 / 0',
      mosquitto: 'mosquitto',
      python: 'none',
      startedAt: new Date(0).toISOString(),
    }, ['--quick']);
    expect(md).toContain('## Machine');
    expect(md).toContain('| scenario | figure | median |');
    for (const r of results) expect(md).toContain(`### ${r.name}`);
  });
});
