// Ingest raises `load_ramp` at session close (a real Mosquitto, a local
// store, simulated runs published as a phone would, GPS distance in `stop`):
// a session that takes its ISO week more than the athlete's limit past the
// week before gets one alert, stored and sent on its alerts topic; a session
// that keeps the week within the limit gets none, and a later session in a
// week already warned about raises nothing again (one episode, one alert).
import { RunnerRelay, SimulatedSession } from '@gaitwatch/runner-sim';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { startTestIngest, storedAlerts, waitClosed, waitFor, type TestIngest } from './helpers.ts';

const services = await realServices(['mosquitto']);

const DAY_US = 86_400_000_000;
/** Monday 2026-06-01 08:00 UTC (ISO week 2026-W23); the athlete lives in UTC. */
const MONDAY_US = Date.UTC(2026, 5, 1, 8) * 1000;
const WEEK_US = 7 * DAY_US;
const ATHLETE = 'ramping';

/** One 30 s simulated run starting at startUs, published all at once; resolves when ingest has closed it. */
async function run(url: string, t: TestIngest, sessionId: string, startUs: number): Promise<void> {
  const session = new SimulatedSession({ scenario: 'steady', durationS: 30, seed: 5, startUs });
  const relay = new RunnerRelay(session, { mqttUrl: url, athleteId: ATHLETE, sessionId, format: 'binary' });
  await relay.connect();
  await relay.start();
  relay.pump(Number.POSITIVE_INFINITY);
  await relay.finish();
  await waitClosed(t, ATHLETE, sessionId);
}

describe.skipIf(services.skip)('ingest raises load_ramp at session close (real Mosquitto)', () => {
  const running = services.use();

  it('warns once when a session takes the week past the limit, and not for one within it', async () => {
    const url = running.get('mosquitto').url;
    const t = await startTestIngest(url);
    const coach = await mqtt.connectAsync(url, { clientId: `ramp-coach-${process.pid}`, reconnectPeriod: 0 });
    const received: Record<string, unknown>[] = [];
    coach.on('message', (_topic, payload) => {
      const alert = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (alert['type'] === 'load_ramp') received.push(alert);
    });
    await coach.subscribeAsync(`gaitwatch/v1/${ATHLETE}/+/alerts`, { qos: 1 });
    try {
      await t.store.putAthlete({ athleteId: ATHLETE, settings: { timeZone: 'UTC', rampLimitPct: 10 }, updatedUs: MONDAY_US });
      // Week 23: one run. Week 24: the same (0 %: within the limit), then a second (+100 %), then a third.
      await run(url, t, 'w23-mon', MONDAY_US);
      const distanceM = (await t.store.getSession(ATHLETE, 'w23-mon'))!.summary['gpsDistanceM'] as number;
      expect(distanceM).toBeGreaterThan(0);
      await run(url, t, 'w24-mon', MONDAY_US + WEEK_US);
      await run(url, t, 'w24-tue', MONDAY_US + WEEK_US + DAY_US);
      await waitFor(async () => {
        await t.service.flush();
        return (await storedAlerts(t.store, ATHLETE, 'w24-tue')).some((a) => a.type === 'load_ramp');
      }, 10_000, 'load_ramp alert of w24-tue stored');
      await run(url, t, 'w24-wed', MONDAY_US + WEEK_US + 2 * DAY_US);
      await t.service.stop();

      const ramps = async (sessionId: string) => (await storedAlerts(t.store, ATHLETE, sessionId)).filter((a) => a.type === 'load_ramp');
      expect(await ramps('w23-mon')).toEqual([]);
      expect(await ramps('w24-mon')).toEqual([]);
      expect(await ramps('w24-wed')).toEqual([]);
      const raised = await ramps('w24-tue');
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({ severity: 'warning', phase: 'raised', metric: 'weeklyDistanceM', value: 2 * distanceM, baseline: distanceM, episodeId: 'load_ramp:2026-W24:week_over_week' });
      // The coach's subscription heard it on the session's alerts topic, once.
      await waitFor(async () => received.length > 0, 5_000, 'load_ramp on the alerts topic');
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ athleteId: ATHLETE, sessionId: 'w24-tue', value: 2 * distanceM });
    } finally {
      await coach.endAsync();
      await t.close();
    }
  });
});
