/**
 * The session review's calibration column (services/api/dashboard/sensor-words.js): what each
 * sensor's numbers can be trusted for, from the summary packages/dsp writes. A shank that never
 * stood still gives no knee-collapse proxy (its stances say no_standing; packages/dsp README,
 * Calibration): the words must say so and what to do, and when a later stand brought it back.
 */
import { describe, expect, it } from 'vitest';
import { calibrationWords } from '../../services/api/dashboard/sensor-words.js';

const START_US = 1_780_000_000_000_000;

describe('calibration in words', () => {
  it('a standing calibration is good for every sensor', () => {
    for (const id of ['pelvis', 'shank_left']) expect(calibrationWords(id, { calibration: 'standing' }, START_US)).toBe('standing calibration (good)');
  });

  it('a pelvis without standing still gives its drop, less certain', () => {
    expect(calibrationWords('pelvis', { calibration: 'fallback' }, START_US)).toMatch(/calibrated from the first strides \(pelvic drop less certain\)/);
  });

  it('a shank without standing gives no knee proxy, says what to do, and when a later stand brought it back', () => {
    expect(calibrationWords('shank_left', { calibration: 'fallback' }, START_US)).toBe('never stood still: no knee-collapse proxy — stand still for 2 s at the start (or at a stop)');
    expect(calibrationWords('shank_right', { calibration: 'fallback', standsRejected: 2 }, START_US)).toMatch(/^never stood still \(it was still, but not upright/);
    expect(calibrationWords('shank_left', { calibration: 'fallback', standingLaterUs: START_US + 754e6 }, START_US)).toBe(
      'no quiet standing at the start; stood still 12:34 into the run: knee-collapse proxy from shortly after',
    );
  });

  it('says unknown when the summary has nothing', () => {
    expect(calibrationWords('pelvis', undefined, START_US)).toBe('unknown');
    expect(calibrationWords('pelvis', { calibration: null }, null)).toBe('unknown');
  });
});
