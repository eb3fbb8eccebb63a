// Ingest applies the athlete's stored settings when a session opens (a real
// Mosquitto, a local store): the coach's pelvic-drop limit from the athlete
// record drives `pelvic_drop_high`, and wins over a runner profile's limit
// in the `start` status; without a record the profile's limit applies.
import { buildTopic, type StatusStart } from '@gaitwatch/protocol';
import { athleteIdFor, runFleet } from '@gaitwatch/runner-sim';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { startTestIngest, storedAlerts, waitClosed, waitFor } from './helpers.ts';

const services = await realServices(['mosquitto']);

const T0_US = 1_780_000_000_000_000;

describe.skipIf(services.skip)('ingest applies athlete settings at session open (real Mosquitto)', () => {
  const running = services.use();

  it('the limit from the athlete record drives pelvic_drop_high and is recorded with the session', async () => {
    const url = running.get('mosquitto').url;
    const t = await startTestIngest(url);
    try {
      const seed = 21;
      const athleteId = athleteIdFor(seed, 0);
      // 2°: far under any running pelvic drop, so the alert must come — and it names this limit.
      await t.store.putAthlete({ athleteId, settings: { pelvicDropLimitDeg: 2 }, updatedUs: T0_US });
      const result = await runFleet({ mqttUrl: url, runners: 1, session: { scenario: 'itb-fatigue', durationS: 60, seed }, format: 'binary', speedup: 30, staggerS: 0 });
      const { sessionId } = result.relays[0]!;
      await waitClosed(t, athleteId, sessionId);
      const high = (await storedAlerts(t.store, athleteId, sessionId)).filter((a) => a.type === 'pelvic_drop_high' && a.phase === 'raised');
      expect(high.length).toBeGreaterThan(0);
      expect(high.every((a) => a.baseline === 2)).toBe(true);
      expect((await t.store.getSession(athleteId, sessionId))?.summary['analysis']).toMatchObject({ pelvicDropLimitDeg: 2 });
    } finally {
      await t.close();
    }
  });

  it('the coach’s limit wins over the runner profile in `start`; without a record the profile’s applies; with neither the default', async () => {
    const url = running.get('mosquitto').url;
    const t = await startTestIngest(url);
    const phone = await mqtt.connectAsync(url, { clientId: `settings-phone-${process.pid}`, reconnectPeriod: 0 });
    try {
      await t.store.putAthlete({ athleteId: 'coached', settings: { pelvicDropLimitDeg: 4, injuredSide: 'left' }, updatedUs: T0_US });
      const start = (withLimit: boolean): StatusStart => ({
        state: 'start',
        tUs: T0_US,
        sensors: ['pelvis', 'shank_left', 'shank_right'],
        sampleRateHz: 200,
        firmware: 'test/1',
        runnerProfile: { heightM: 1.75, ...(withLimit ? { pelvicDropLimitDeg: 9 } : {}) },
      });
      const cases = [
        ['coached', true, 4],
        ['uncoached', true, 9],
        ['plain', false, undefined],
      ] as const;
      for (const [athleteId, withLimit] of cases) await phone.publishAsync(buildTopic(athleteId, 's1', 'status'), JSON.stringify(start(withLimit)), { qos: 1 });
      // The running session's record is written at open, with the analysis it opened with.
      for (const [athleteId, , limit] of cases) {
        await waitFor(async () => {
          await t.service.flush();
          return (await t.store.getSession(athleteId, 's1')) !== null;
        }, 10_000, `session of ${athleteId} opened`);
        const analysis = (await t.store.getSession(athleteId, 's1'))!.summary['analysis'] as Record<string, unknown>;
        expect(analysis['pelvicDropLimitDeg'], athleteId).toBe(limit);
      }
      for (const [athleteId] of cases) await phone.publishAsync(buildTopic(athleteId, 's1', 'status'), JSON.stringify({ state: 'stop', tUs: T0_US + 1_000_000 }), { qos: 1 });
      for (const [athleteId] of cases) await waitClosed(t, athleteId, 's1');
      // The stored settings are read, never written, by ingest.
      expect(await t.store.getAthlete('coached')).toEqual({ athleteId: 'coached', settings: { pelvicDropLimitDeg: 4, injuredSide: 'left' }, updatedUs: T0_US });
    } finally {
      await phone.endAsync();
      await t.close();
    }
  });
});
