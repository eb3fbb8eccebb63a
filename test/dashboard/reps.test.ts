/**
 * The dashboard's reading of a movement screen's reps (services/api/dashboard/reps.js): the words said
 * per rep, each rep kept once whatever order REST and the stream bring it in, the per-leg numbers equal
 * to the API's, and the default threshold equal to the analysis's.
 */
import { DEFAULT_SCREEN_PARAMS } from '@gaitwatch/dsp';
import { describe, expect, it } from 'vitest';
import { screenSides } from '../../services/api/src/screen-history.ts';
import { analysisThresholdDeg, DEFAULT_SCREEN_THRESHOLD_DEG, RepLog, screenThreshold, sideStats, spokenRep, type RepLike } from '../../services/api/dashboard/reps.js';

const rep = (side: 'left' | 'right', set: number, n: number, pelvicDropDeg: number | null, extra: Partial<RepLike> = {}): RepLike => ({
  side,
  set,
  rep: n,
  startUs: 1_780_000_000_000_000 + set * 60_000_000 + n * 3_000_000,
  pelvicDropDeg,
  shankFrontalDeg: pelvicDropDeg === null ? null : pelvicDropDeg / 2,
  depthDeg: 30 + n,
  pelvicDropVerdict: pelvicDropDeg === null ? null : pelvicDropDeg > 5 ? 'dropping' : 'level',
  ...extra,
});

describe('movement-screen reps in the dashboard', () => {
  it('says the verdict and the rep number, and nothing it does not know', () => {
    expect(spokenRep({ rep: 3, pelvicDropVerdict: 'level' })).toBe('Pelvis level, rep 3');
    expect(spokenRep({ rep: 4, pelvicDropVerdict: 'dropping' })).toBe('Hip dropping, rep 4');
    expect(spokenRep({ rep: 1, pelvicDropVerdict: null })).toBe('Rep 1, pelvis not measured');
  });

  it('keeps each rep once, in time order per standing leg, grouped by set', () => {
    const log = new RepLog();
    const live = [rep('right', 1, 2, 3), rep('right', 1, 3, 6)];
    const history = [rep('right', 1, 1, 2), rep('right', 1, 2, 3), rep('left', 2, 1, 4)];
    for (const r of live) expect(log.add(r)).toBe(true);
    expect(history.map((r) => log.add(r))).toEqual([true, false, true]);
    expect(log.add({ ...rep('right', 1, 1, 2), side: 'middle' as 'left' })).toBe(false);
    expect(log.count).toBe(4);
    expect(log.of('right').map((r) => r.rep)).toEqual([1, 2, 3]);
    expect(log.last('right')?.pelvicDropVerdict).toBe('dropping');
    log.add(rep('right', 3, 1, 2.5));
    expect(log.sets('right').map((g) => [g.set, g.reps.length])).toEqual([
      [1, 3],
      [3, 1],
    ]);
  });

  it('sums a leg up as the API does (median over measured reps, null never 0)', () => {
    const reps = [rep('left', 1, 1, 2), rep('left', 1, 2, null), rep('left', 1, 3, 7), rep('left', 1, 4, 4), rep('right', 2, 1, 3)];
    const api = screenSides(reps.map((r) => ({ ...r, athleteId: 'a', sessionId: 's', bottomUs: r.startUs + 1, endUs: r.startUs + 2, durationS: 2 })));
    expect(sideStats(reps.filter((r) => r.side === 'left'))).toEqual(api.left);
    expect(sideStats(reps.filter((r) => r.side === 'right'))).toEqual(api.right);
    expect(sideStats([])).toEqual({ reps: 0, pelvicDropDegMedian: null, shankFrontalDegMedian: null, depthDegMedian: null, droppingReps: 0 });
  });

  it('states the threshold in use: the athlete’s setting, else the analysis default (the same number as packages/dsp’s)', () => {
    expect(DEFAULT_SCREEN_THRESHOLD_DEG).toBe(DEFAULT_SCREEN_PARAMS.pelvicDropLevelMaxDeg);
    expect(screenThreshold({ settings: {} })).toMatchObject({ deg: 5, source: 'default' });
    expect(screenThreshold({ settings: { screenPelvicDropLevelMaxDeg: 6.5 } })).toMatchObject({ deg: 6.5, source: 'athlete', words: expect.stringMatching(/^6\.5°, this athlete/) });
    // What a screen was analysed with: the athlete's own when it differed from the parameter, else the parameter.
    expect(analysisThresholdDeg({ analysis: { parameters: { 'screen.pelvicDropLevelMaxDeg': 5 } } })).toBe(5);
    expect(analysisThresholdDeg({ analysis: { parameters: { 'screen.pelvicDropLevelMaxDeg': 5 }, pelvicDropLevelMaxDeg: 6 } })).toBe(6);
    expect(analysisThresholdDeg({})).toBeNull();
  });
});
