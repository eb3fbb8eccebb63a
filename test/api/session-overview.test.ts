/** The session detail's overview: completeness, calibration, baselines and the form-breakdown onset, from the stored summary and alerts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, T0_US, type TestApi } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi();
  const sensors = {
    pelvis: { completenessPct: 99.2, calibration: 'standing' },
    shank_left: { completenessPct: 97.5, calibration: 'standing' },
    shank_right: { completenessPct: 98.1, calibration: 'fallback' },
  };
  const baselines = { run: { pelvicDropDeg: { left: 5.1, right: 4.8 }, shankFrontalDeg: { left: 1.5, right: 1.2 }, cadenceSpm: 168 } };
  await api.store.write({
    sessions: [
      // 20 minutes, 4,000 m by GPS; form broke down at 12 minutes (the first raised form alert; a pelvic_drop_high before it is not one).
      { athleteId: 'r1', sessionId: 'ov-1', startUs: T0_US, endUs: T0_US + 1_200_000_000, summary: { strides: { left: 1700, right: 1700 }, sensors, baselines, gpsDistanceM: 4000 } },
      { athleteId: 'r1', sessionId: 'ov-held', startUs: T0_US, endUs: T0_US + 600_000_000, summary: { strides: { left: 800, right: 800 }, sensors: { pelvis: { completenessPct: 100, calibration: 'standing' } } } },
      { athleteId: 'r1', sessionId: 'ov-running', startUs: T0_US, endUs: null, summary: { state: 'running' } },
    ],
    alerts: [
      { athleteId: 'r1', sessionId: 'ov-1', tUs: T0_US + 600_000_000, type: 'pelvic_drop_high', severity: 'critical', metric: 'pelvicDropDeg', value: 8, baseline: 7.5, message: 'high', phase: 'raised', side: 'right' },
      { athleteId: 'r1', sessionId: 'ov-1', tUs: T0_US + 720_000_000, type: 'form_breakdown', severity: 'warning', metric: 'pelvicDropDeg', value: 6.6, baseline: 4.8, message: 'fb', phase: 'raised', side: 'right' },
      { athleteId: 'r1', sessionId: 'ov-1', tUs: T0_US + 900_000_000, type: 'form_breakdown', severity: 'warning', metric: 'shankFrontalDeg', value: 3, baseline: 1.5, message: 'fb2', phase: 'raised', side: 'left' },
    ],
  });
});
afterAll(async () => api.close());

describe('GET /v1/sessions/:athleteId/:sessionId overview', () => {
  it('lifts completeness, calibration, baselines and the onset time and distance out of the summary and alerts', async () => {
    const res = await api.get('/v1/sessions/r1/ov-1', 'coach');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.overview).toEqual({
      strides: 3400,
      durationS: 1200,
      completenessPct: { min: 97.5, sensors: { pelvis: 99.2, shank_left: 97.5, shank_right: 98.1 } },
      calibration: { quality: 'fallback', sensors: { pelvis: 'standing', shank_left: 'standing', shank_right: 'fallback' } },
      baselines: { run: { pelvicDropDeg: { left: 5.1, right: 4.8 }, shankFrontalDeg: { left: 1.5, right: 1.2 }, cadenceSpm: 168 } },
      formBreakdown: { onsetUs: T0_US + 720_000_000, onsetS: 720, metric: 'pelvicDropDeg', side: 'right', distanceM: 2400, distanceEstimated: true },
      heldAllRun: false,
      gpsDistanceM: 4000,
    });
    expect(body.alerts).toEqual({ raised: 3, byType: { pelvic_drop_high: 1, form_breakdown: 2 } });
  });

  it('says a session held all run when it ended without a form breakdown, and not while it runs', async () => {
    const held = (await api.get('/v1/sessions/r1/ov-held', 'runnerR1')).json();
    expect(held.overview).toMatchObject({ formBreakdown: null, heldAllRun: true, calibration: { quality: 'standing' }, completenessPct: { min: 100 }, gpsDistanceM: null, baselines: null });
    const running = (await api.get('/v1/sessions/r1/ov-running', 'runnerR1')).json();
    expect(running.overview).toMatchObject({ formBreakdown: null, heldAllRun: false, durationS: null, strides: null, calibration: { quality: 'unknown' } });
  });
});
