/** Whole-session exports: streamed from store.streamStrides, the right rows, and a manifest naming the analysis. */
import { DEFAULT_PARAMS, describeAnalysis, parameterKeys } from '@gaitwatch/dsp';
import { STRIDE_COLUMNS } from '@gaitwatch/api';
import { ANGLE_NULL_REASONS } from '@gaitwatch/protocol';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestApi, stride, STRIDES_PER_SESSION, type TestApi } from './helpers.ts';

// The analysis deployed beside the API: the manifest must name its version, whatever it is.
const DSP_VERSION = (JSON.parse(readFileSync(new URL('../../packages/dsp/package.json', import.meta.url), 'utf8')) as { version: string }).version;

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('CSV export', () => {
  it('starts with the manifest as # lines, then DESIGN.md’s column names, then one row per stance in time order', async () => {
    const res = await api.get('/v1/sessions/r1/s1/strides.csv', 'researcherIdentified');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="r1_s1_strides.csv"');
    expect(res.headers['x-gaitwatch-analysis-version']).toBe(DSP_VERSION);
    const lines = res.body.trimEnd().split('\n');
    const comments = lines.filter((l) => l.startsWith('#'));
    const rows = lines.filter((l) => !l.startsWith('#'));
    expect(comments[0]).toBe('# gaitwatch stride export');
    const analysis = JSON.parse(comments.find((l) => l.startsWith('# analysis: '))!.slice('# analysis: '.length));
    expect(analysis.version).toBe(DSP_VERSION);
    expect(Object.keys(analysis.parameters)).toEqual(parameterKeys(DEFAULT_PARAMS));
    expect(rows[0]).toBe('side,icUs,toUs,strideTimeS,gctS,cadenceSpm,pelvicDropDeg,shankFrontalDeg,verticalOscillationCm,brakingMps,pelvicDropReason,shankFrontalReason');
    expect(rows).toHaveLength(1 + STRIDES_PER_SESSION);
    const expected0 = stride('r1', 's1', 0);
    expect(rows[1]).toBe(`left,${expected0.icUs},${expected0.toUs},0.7,0.22,171.4,5,2.5,,,,`);
    // A stance whose pelvic drop was not measured: an empty field and the reason, never 0.
    const s9 = stride('r1', 's1', 9);
    expect(rows[10]).toBe(`right,${s9.icUs},${s9.toUs},0.7,0.22,171.4,,2.5,,,data_gap,`);
    const ics = rows.slice(1).map((r) => Number(r.split(',')[1]));
    expect(ics).toEqual([...ics].sort((a, b) => a - b));
  });

  it('side=left exports the left stances only', async () => {
    const res = await api.get('/v1/sessions/r1/s1/strides.csv?side=left', 'runnerR1');
    const rows = res.body.trimEnd().split('\n').filter((l) => !l.startsWith('#')).slice(1);
    expect(rows).toHaveLength(STRIDES_PER_SESSION / 2);
    expect(rows.every((r) => r.startsWith('left,'))).toBe(true);
  });
});

describe('NDJSON export', () => {
  it('says in its manifest when the session was still running: a researcher cannot mistake a partial file for a whole one', async () => {
    const ndjson = await api.get('/v1/sessions/r1/s2/strides.ndjson', 'admin');
    expect(ndjson.statusCode).toBe(200);
    const manifest = JSON.parse(ndjson.body.split('\n')[0]!);
    expect(manifest).toMatchObject({ session: { endUs: null }, complete: false });
    expect(manifest.incomplete).toMatch(/^the session was still running at .+: what it analysed later is not in this file/);
    const csv = await api.get('/v1/sessions/r1/s2/strides.csv', 'admin');
    expect(csv.body).toContain('# complete: false\n');
    expect(csv.body).toMatch(/^# incomplete: "the session was still running/m);
  });

  it('is a manifest line then one {"kind":"stride"} object per stance with the contract’s names', async () => {
    const res = await api.get('/v1/sessions/r3/x.y_z-1/strides.ndjson', 'coach');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const [first, ...rest] = res.body.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(first).toMatchObject({ kind: 'manifest', exportFormat: 1, athleteId: 'r3', sessionId: 'x.y_z-1', generator: { package: '@gaitwatch/api' }, columns: [...STRIDE_COLUMNS], complete: true });
    expect(first.incomplete).toBeUndefined();
    expect(first.analysis).toMatchObject({ source: 'deployment', package: '@gaitwatch/dsp', version: DSP_VERSION });
    // Every column is described, the reasons by the values they can hold (the analysis's list).
    expect(Object.keys(first.units).sort()).toEqual(STRIDE_COLUMNS.filter((c) => c !== 'side').sort());
    for (const c of ['pelvicDropReason', 'shankFrontalReason']) for (const reason of ANGLE_NULL_REASONS) expect(first.units[c]).toContain(reason);
    expect(Object.keys(first.analysis.parameters)).toEqual(parameterKeys(DEFAULT_PARAMS));
    expect(first.analysis.parameters['calibration.minStandingS']).toBe(DEFAULT_PARAMS.calibration.minStandingS);
    expect(rest).toHaveLength(STRIDES_PER_SESSION);
    expect(rest[0]).toEqual({ kind: 'stride', ...Object.fromEntries(STRIDE_COLUMNS.map((c) => [c, (stride('r3', 'x.y_z-1', 0) as Record<string, unknown>)[c] ?? null])) });
  });

  it('cites the analysis the session recorded (source "session"), not the one deployed now', async () => {
    const recorded = { ...describeAnalysis(), version: '0.0.9', parameters: { ...describeAnalysis().parameters, 'form.baselineS': 45 }, pelvicDropLimitDeg: 9 };
    await api.store.write({ sessions: [{ athleteId: 'r2', sessionId: 'cited', startUs: 1_780_000_000_000_000, endUs: 1_780_000_600_000_000, summary: { analysis: JSON.parse(JSON.stringify(recorded)) } }] });
    const res = await api.get('/v1/sessions/r2/cited/strides.ndjson', 'admin');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-gaitwatch-analysis-version']).toBe('0.0.9');
    const manifest = JSON.parse(res.body.split('\n')[0]!);
    expect(manifest.analysis).toEqual({ source: 'session', ...recorded });
  });

  it('says a demo-history session (gaitwatch start’s simulated past runs) was not analysed by the DSP, in NDJSON and CSV', async () => {
    // What src/start/demo-history.ts writes: the summary says where the session came from, and no analysis block.
    await api.store.write({
      sessions: [{ athleteId: 'r2', sessionId: 'run-2026-05-20', startUs: 1_779_000_000_000_000, endUs: 1_779_001_800_000_000, summary: { source: 'demo-history', strides: { left: 2, right: 2 } } }],
      strides: [0, 1, 2, 3].map((i) => ({ ...stride('r2', 'run-2026-05-20', i), icUs: 1_779_000_010_000_000 + i * 350_000, toUs: 1_779_000_010_220_000 + i * 350_000 })),
    });
    const expected = { source: 'demo-history', package: '@gaitwatch/runner-sim', version: 'unrecorded', parameters: {}, note: expect.stringMatching(/simulated demo session .*runner simulator’s modelled stances.*not @gaitwatch\/dsp output/) };
    const ndjson = await api.get('/v1/sessions/r2/run-2026-05-20/strides.ndjson', 'researcher');
    expect(ndjson.statusCode).toBe(200);
    expect(ndjson.headers['x-gaitwatch-analysis-version']).toBe('unrecorded');
    const [manifest, ...rows] = ndjson.body.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(manifest.analysis).toEqual(expected);
    // Only `analysis` differs from any other session's manifest: same fields, same strides.
    const analysed = JSON.parse((await api.get('/v1/sessions/r2/s1/strides.ndjson', 'researcher')).body.split('\n')[0]!);
    expect(Object.keys(manifest)).toEqual(Object.keys(analysed));
    expect(rows).toHaveLength(4);
    const csv = await api.get('/v1/sessions/r2/run-2026-05-20/strides.csv', 'admin');
    const line = csv.body.split('\n').find((l) => l.startsWith('# analysis: '))!;
    expect(JSON.parse(line.slice('# analysis: '.length))).toEqual(expected);
    expect(csv.body).not.toContain('@gaitwatch/dsp"');
  });

  it('names the athlete by a stable pseudonym in a researcher’s export, by id for an identified researcher or an admin', async () => {
    const manifestOf = async (url: string, who: 'researcher' | 'researcherIdentified' | 'admin') => {
      const res = await api.get(url, who);
      expect(res.statusCode).toBe(200);
      return { manifest: JSON.parse(res.body.split('\n')[0]!), disposition: String(res.headers['content-disposition']), body: res.body };
    };
    const r1 = await manifestOf('/v1/sessions/r1/s1/strides.ndjson', 'researcher');
    expect(r1.manifest.athleteId).toMatch(/^anon-[0-9a-f]{16}$/);
    expect(r1.manifest.athletePseudonymised).toBe(true);
    expect(r1.disposition).not.toContain('r1_');
    expect(r1.body).not.toMatch(/"r1"/);
    // Stable across sessions of one athlete (a researcher can follow them), different between athletes.
    expect((await manifestOf('/v1/sessions/r1/s2/strides.ndjson', 'researcher')).manifest.athleteId).toBe(r1.manifest.athleteId);
    expect((await manifestOf('/v1/sessions/r2/s1/strides.ndjson', 'researcher')).manifest.athleteId).not.toBe(r1.manifest.athleteId);
    // CSV carries the same manifest.
    const csv = await api.get('/v1/sessions/r1/s1/strides.csv', 'researcher');
    expect(csv.body).toContain(`# athleteId: "${r1.manifest.athleteId}"`);
    expect(csv.body).not.toContain('# athleteId: "r1"');
    for (const who of ['researcherIdentified', 'admin'] as const) {
      const named = await manifestOf('/v1/sessions/r1/s1/strides.ndjson', who);
      expect(named.manifest).toMatchObject({ athleteId: 'r1', athletePseudonymised: false });
      expect(named.disposition).toContain('r1_s1_strides');
    }
  });

  it('reads through streamStrides, never a whole-session query', async () => {
    const stream = vi.spyOn(api.store, 'streamStrides');
    const page = vi.spyOn(api.store, 'queryStrides');
    try {
      const res = await api.get('/v1/sessions/r1/s1/strides.ndjson', 'admin');
      expect(res.statusCode).toBe(200);
      expect(stream).toHaveBeenCalledWith({ athleteId: 'r1', sessionId: 's1' });
      // streamStrides pages through queryStrides itself; the route never asks for more than a store page.
      for (const [query] of page.mock.calls) expect(query.limit ?? 1000).toBeLessThanOrEqual(10_000);
    } finally {
      stream.mockRestore();
      page.mockRestore();
    }
  });
});
