import { describe, expect, it } from 'vitest';
import { SessionAnalyzer } from './analyzer.ts';
import { readFileSync } from 'node:fs';
import { DEFAULT_PARAMS, PARAM_DOCS, parameterKeys, parameterTable, parameterValue } from './params.ts';

describe('analyzer parameters', () => {
  it('documents every parameter, and documents nothing that is not one', () => {
    expect(Object.keys(PARAM_DOCS).sort()).toEqual(parameterKeys(DEFAULT_PARAMS).sort());
    for (const doc of Object.values(PARAM_DOCS)) expect(doc.length).toBeGreaterThan(10);
  });

  it('lists every parameter with its default and meaning in the package README, exactly', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    // On failure: paste parameterTable()'s output under "## Parameters" in packages/dsp/README.md.
    expect(readme).toContain(parameterTable());
  });

  it('gives every parameter a finite default', () => {
    for (const key of parameterKeys()) {
      expect(Number.isFinite(parameterValue(key)), key).toBe(true);
    }
  });

  it('overrides one parameter at any depth and keeps the other defaults', () => {
    const analyzer = new SessionAnalyzer({ segments: { attitude: { kp: 0.5 } }, form: { cooldownS: 60 } });
    expect(analyzer.params.segments.attitude.kp).toBe(0.5);
    expect(analyzer.params.segments.attitude.ki).toBe(DEFAULT_PARAMS.segments.attitude.ki);
    expect(analyzer.params.segments.historyS).toBe(DEFAULT_PARAMS.segments.historyS);
    expect(analyzer.params.form.cooldownS).toBe(60);
  });

  it('refuses an impossible per-athlete pelvic-drop limit, saying which', () => {
    expect(() => new SessionAnalyzer({}, { pelvicDropLimitDeg: Number.NaN })).toThrow(/pelvicDropLimitDeg must be degrees between 0 and 45, got NaN/);
    expect(() => new SessionAnalyzer({}, { pelvicDropLimitDeg: -3 })).toThrow(RangeError);
    expect(() => new SessionAnalyzer({}, { pelvicDropLimitDeg: 8 })).not.toThrow();
  });

  it('refuses an angle history too short for the release delays, and says what it must be', () => {
    expect(() => new SessionAnalyzer({ segments: { historyS: 6 } })).toThrow(/segments\.historyS \(6 s\) must be at least releaseAfterS \+ 2 × silentAfterS/);
    // Shorter delays make a shorter history valid.
    expect(() => new SessionAnalyzer({ segments: { historyS: 6 }, silentAfterS: 2, releaseAfterS: 0.5 })).not.toThrow();
    // A shank's history must hold a stopped leg's stance until it closes (maxStrideS + releaseAfterS later).
    expect(() => new SessionAnalyzer({ segments: { shankHistoryS: 4 } })).toThrow(/segments\.shankHistoryS \(4 s\) must be at least maxStrideS \+ releaseAfterS \+ 0\.5 = 4\.8 s/);
    expect(() => new SessionAnalyzer({ segments: { shankHistoryS: 4 }, maxStrideS: 1.5 })).not.toThrow();
  });
});

describe('parameter validation at construction', () => {
  it.each([
    [{ dataQuality: { windowS: 0 } }, /dataQuality\.windowS must be > 0, got 0/],
    [{ segments: { attitude: { kp: Number.NaN } } }, /segments\.attitude\.kp must be finite, got NaN/],
    [{ form: { resolveFraction: 2 } }, /form\.resolveFraction is a fraction and must be ≤ 1, got 2/],
    [{ form: { confirmStances: 2.5 } }, /form\.confirmStances is a count and must be a whole number/],
    [{ dataQuality: { costResolve: 0.5, costRaise: 0.1 } }, /dataQuality\.costResolve \(0\.5\) must not exceed dataQuality\.costRaise \(0\.1\)/],
    [{ gapPeriods: 1 }, /gapPeriods must be > 1/],
    [{ releaseAfterS: -1 }, /releaseAfterS must be ≥ 0, got -1/],
  ])('refuses %j with a message naming it', (params, message) => {
    expect(() => new SessionAnalyzer(params as never)).toThrow(RangeError);
    expect(() => new SessionAnalyzer(params as never)).toThrow(message);
  });

  it('refuses a parameter that does not exist (a typo) and one that is not a number', () => {
    expect(() => new SessionAnalyzer({ dataQuality: { windowSec: 5 } } as never)).toThrow(/unknown analyzer parameter dataQuality\.windowSec/);
    expect(() => new SessionAnalyzer({ maxStrideS: '2' } as never)).toThrow(/maxStrideS must be a number, got "2"/);
  });

  it('accepts the defaults and zero where zero means "none"', () => {
    expect(() => new SessionAnalyzer({ form: { cooldownS: 0, warmupS: 0 }, bridgeMaxS: 0 })).not.toThrow();
  });
});
