import { describe, expect, it } from 'vitest';
import { MAX_SESSION_SPEED_MPS, plausibleDistance } from './session-manager.ts';

describe('the phone\'s GPS distance at stop', () => {
  const startUs = 1_767_254_400_000_000;
  it('is taken up to the fastest speed anybody runs over a session, and kept aside (with why) above it', () => {
    // 10 min at 5 m/s, and at the limit itself: taken.
    expect(plausibleDistance(3000, startUs, startUs + 600e6)).toEqual({ accepted: 3000 });
    expect(plausibleDistance(MAX_SESSION_SPEED_MPS * 600, startUs, startUs + 600e6)).toEqual({ accepted: MAX_SESSION_SPEED_MPS * 600 });
    // A 30-minute plan's distance reported for a 10-minute run (11.8 m/s; a user probe found the demo doing it).
    expect(plausibleDistance(7129, startUs, startUs + 606e6)).toEqual({ rejected: { distanceM: 7129, durationS: 606 } });
    // A stop at the start: any distance is too fast.
    expect(plausibleDistance(1, startUs, startUs)).toEqual({ rejected: { distanceM: 1, durationS: 0 } });
    expect(plausibleDistance(undefined, startUs, startUs + 600e6)).toEqual({});
  });
});
