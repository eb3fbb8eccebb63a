/**
 * The embedded broker of `gaitwatch start` refuses what a deployed Mosquitto
 * refuses (deploy/mosquitto/acl): anonymous and wrong passwords, a device
 * publishing into another athlete's session, a device reading another
 * athlete's alerts, wildcards that widen a device's reach; and a device login
 * cannot take over a service's (or another account's) client id and session.
 */
import { buildTopic } from '@gaitwatch/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestMetrics } from '@gaitwatch/ingest';
import { brokerAccount, mayPublish, maySubscribe, startEmbeddedBroker, type EmbeddedBroker } from '../../src/start/index.ts';

const PASSWORDS = { ingest: 'ingest-pw-0123456789', api: 'api-pw-0123456789', ana: 'ana-pw-0123456789', ben: 'ben-pw-0123456789' };

describe('embedded broker authorization', () => {
  let broker: EmbeddedBroker;
  const clients: MqttClient[] = [];
  const connect = async (username: string | undefined, password?: string): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(broker.url, { clientId: `t-${username ?? 'anon'}-${clients.length}`, reconnectPeriod: 0, ...(username !== undefined ? { username, password: password ?? '' } : {}) });
    clients.push(client);
    return client;
  };
  const received = (client: MqttClient): string[] => {
    const topics: string[] = [];
    client.on('message', (topic) => topics.push(topic));
    return topics;
  };
  const settle = () => new Promise((r) => setTimeout(r, 300));

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      accounts: [
        brokerAccount('ingest', { kind: 'ingest' }, PASSWORDS.ingest),
        brokerAccount('api', { kind: 'api' }, PASSWORDS.api),
        brokerAccount('ana', { kind: 'device', athleteId: 'ana' }, PASSWORDS.ana),
        brokerAccount('ben', { kind: 'device', athleteId: 'ben' }, PASSWORDS.ben),
      ],
    });
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await broker.close();
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: 'anon' })).rejects.toThrow(/Not authorized|Bad username/i);
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: 'wrong', username: 'ana', password: 'ben-pw-0123456789' })).rejects.toThrow(/Not authorized|Bad username/i);
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: 'nobody', username: 'mallory', password: 'x' })).rejects.toThrow(/Not authorized|Bad username/i);
    expect(broker.refused.connect).toBeGreaterThanOrEqual(3);
  });

  it('a device publishes only into its own athlete; ingest reads every session', async () => {
    const ingest = await connect('ingest', PASSWORDS.ingest);
    await ingest.subscribeAsync(['gaitwatch/v1/+/+/imu', 'gaitwatch/v1/+/+/status'], { qos: 1 });
    const got = received(ingest);
    const ana = await connect('ana', PASSWORDS.ana);
    await ana.publishAsync(buildTopic('ana', 's1', 'imu'), 'x', { qos: 0 });
    await ana.publishAsync(buildTopic('ana', 's1', 'status'), 'x', { qos: 0 });
    await settle();
    expect(got).toEqual([buildTopic('ana', 's1', 'imu'), buildTopic('ana', 's1', 'status')]);
    // Into ben's session: refused. As Mosquitto does, acknowledged (MQTT 3.1.1 has no publish NACK) and dropped;
    // the connection stays, so a relay app meets the same broker here as in a deployment.
    const refusedBefore = broker.refused.publish;
    await ana.publishAsync(buildTopic('ben', 's1', 'imu'), 'forged', { qos: 1 });
    await settle();
    expect(got).not.toContain(buildTopic('ben', 's1', 'imu'));
    expect(broker.refused.publish).toBe(refusedBefore + 1);
    expect(ana.connected).toBe(true);
    // A device cannot forge alerts for the phone either, nor leave a retained message anywhere.
    await ana.publishAsync(buildTopic('ana', 's1', 'alerts'), 'fake alert', { qos: 1, retain: true });
    await ana.publishAsync(buildTopic('ana', 's1', 'imu'), 'x', { qos: 0 });
    await settle();
    expect(broker.refused.publish).toBe(refusedBefore + 2);
    expect(got).toEqual([buildTopic('ana', 's1', 'imu'), buildTopic('ana', 's1', 'status'), buildTopic('ana', 's1', 'imu')]);
    const late = await connect('api', PASSWORDS.api);
    const lateGot = received(late);
    await late.subscribeAsync('gaitwatch/v1/+/+/alerts', { qos: 1 });
    await settle();
    expect(lateGot).toEqual([]);
  });

  it('a device reads only its own alerts; wildcards that widen its reach are refused', async () => {
    const ingest = await connect('ingest', PASSWORDS.ingest);
    const ben = await connect('ben', PASSWORDS.ben);
    const benGot = received(ben);
    const ana = await connect('ana', PASSWORDS.ana);
    const anaGot = received(ana);
    // mqtt.js rejects a SUBACK of 0x80 (refused) with "Subscribe error".
    const granted = async (client: MqttClient, filter: string): Promise<number> =>
      client.subscribeAsync(filter, { qos: 1 }).then(
        (grants) => grants[0]!.qos,
        (error: Error) => (/Subscribe error/.test(error.message) ? 128 : Promise.reject(error)),
      );
    expect(await granted(ben, 'gaitwatch/v1/ben/+/alerts')).toBe(1);
    for (const filter of ['gaitwatch/v1/ben/+/alerts', 'gaitwatch/v1/+/+/alerts', 'gaitwatch/#', '#', 'gaitwatch/v1/ana/#', 'gaitwatch/v1/ana/+/imu']) {
      expect(await granted(ana, filter), filter).toBe(128);
    }
    await ingest.publishAsync(buildTopic('ben', 's1', 'alerts'), 'for ben', { qos: 1 });
    await settle();
    expect(benGot).toEqual([buildTopic('ben', 's1', 'alerts')]);
    expect(anaGot).toEqual([]);
  });

  it('a device login cannot take over a service’s client id: ingest stays connected and its session’s messages stay with it', async () => {
    broker.reserveClientId('svc-ingest', 'ingest');
    // Ingest as deployed: a persistent session under its own id, subscribed to every athlete's IMU.
    const ingest = await mqtt.connectAsync(broker.url, { clientId: 'svc-ingest', clean: false, reconnectPeriod: 0, username: 'ingest', password: PASSWORDS.ingest });
    clients.push(ingest);
    await ingest.subscribeAsync('gaitwatch/v1/+/+/imu', { qos: 1 });
    const ingestGot = received(ingest);
    let ingestClosed = false;
    ingest.on('close', () => (ingestClosed = true));
    const before = broker.refused.clientId;
    // ana's device login with ingest's id: refused (CONNACK 2, identifier rejected), while ingest is connected…
    await expect(mqtt.connectAsync(broker.url, { clientId: 'svc-ingest', clean: false, reconnectPeriod: 0, username: 'ana', password: PASSWORDS.ana })).rejects.toThrow(/Identifier rejected/i);
    const ben = await connect('ben', PASSWORDS.ben);
    await ben.publishAsync(buildTopic('ben', 's1', 'imu'), 'ben sample', { qos: 1 });
    await settle();
    expect(ingestClosed).toBe(false);
    expect(ingestGot).toEqual([buildTopic('ben', 's1', 'imu')]);
    // …and while it is away: its queued messages are not handed to the device.
    await ingest.endAsync();
    await ben.publishAsync(buildTopic('ben', 's2', 'imu'), 'queued for ingest', { qos: 1 });
    await expect(mqtt.connectAsync(broker.url, { clientId: 'svc-ingest', clean: false, reconnectPeriod: 0, username: 'ana', password: PASSWORDS.ana })).rejects.toThrow(/Identifier rejected/i);
    expect(broker.refused.clientId).toBe(before + 2);
    // Ingest itself resumes its session and gets what was queued for it.
    const back = await mqtt.connectAsync(broker.url, { clientId: 'svc-ingest', clean: false, reconnectPeriod: 0, username: 'ingest', password: PASSWORDS.ingest });
    clients.push(back);
    const backGot = received(back);
    await settle();
    expect(backGot).toEqual([buildTopic('ben', 's2', 'imu')]);
  });

  it('a device’s clean-session id is bound while it is connected and free once it has gone', async () => {
    const ana = await mqtt.connectAsync(broker.url, { clientId: 'phone-1', reconnectPeriod: 0, username: 'ana', password: PASSWORDS.ana });
    clients.push(ana);
    await expect(mqtt.connectAsync(broker.url, { clientId: 'phone-1', reconnectPeriod: 0, username: 'ben', password: PASSWORDS.ben })).rejects.toThrow(/Identifier rejected/i);
    // The same account taking its own id over (a phone reconnecting) is MQTT's ordinary takeover; the id stays bound to ana.
    const again = await mqtt.connectAsync(broker.url, { clientId: 'phone-1', reconnectPeriod: 0, username: 'ana', password: PASSWORDS.ana });
    clients.push(again);
    await settle();
    await expect(mqtt.connectAsync(broker.url, { clientId: 'phone-1', reconnectPeriod: 0, username: 'ben', password: PASSWORDS.ben })).rejects.toThrow(/Identifier rejected/i);
    await again.endAsync();
    await settle();
    const ben = await mqtt.connectAsync(broker.url, { clientId: 'phone-1', reconnectPeriod: 0, username: 'ben', password: PASSWORDS.ben });
    clients.push(ben);
    expect(ben.connected).toBe(true);
  });

  it('checks every delivery against the receiver’s rights: a persistent session outlives a downgrade of its account, its reach does not', async () => {
    broker.addAccount(brokerAccount('lab-1', { kind: 'ingest' }, 'lab-pw-0123456789'));
    const lab = await mqtt.connectAsync(broker.url, { clientId: 'lab-1', clean: false, reconnectPeriod: 0, username: 'lab-1', password: 'lab-pw-0123456789' });
    await lab.subscribeAsync('gaitwatch/v1/+/+/imu', { qos: 1 });
    await lab.endAsync();
    // Queued for the session while it is away (QoS 1): the messages a takeover of a session would be handed.
    const ben = await connect('ben', PASSWORDS.ben);
    await ben.publishAsync(buildTopic('ben', 's3', 'imu'), 'queued, not for lab-1 any more', { qos: 1 });
    // The account becomes a device of its own athlete (rights rotated while its session is kept).
    broker.addAccount(brokerAccount('lab-1', { kind: 'device', athleteId: 'lab-1' }, 'lab-pw-0123456789'));
    const before = broker.refused.forward;
    const again = await mqtt.connectAsync(broker.url, { clientId: 'lab-1', clean: false, reconnectPeriod: 0, username: 'lab-1', password: 'lab-pw-0123456789' });
    clients.push(again);
    const got = received(again);
    await settle();
    expect(got).toEqual([]);
    expect(broker.refused.forward).toBe(before + 1);
  });

  it('logs a flood of refusals once per 10 s, and counts every one on ingest’s /metrics', async () => {
    const lines: string[] = [];
    const quiet = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }), accounts: [brokerAccount('ana', { kind: 'device', athleteId: 'ana' }, PASSWORDS.ana)] });
    try {
      const metrics = new IngestMetrics();
      metrics.watchBroker(() => quiet.refused);
      for (let i = 0; i < 5; i++) await expect(mqtt.connectAsync(quiet.url, { reconnectPeriod: 0, clientId: `guess-${i}`, username: 'ana', password: `guess-${i}` })).rejects.toThrow(/Not authorized/i);
      expect(lines.filter((l) => l.includes('connection refused'))).toHaveLength(1);
      expect(await metrics.registry.metrics()).toContain('gaitwatch_broker_refused_total{what="connect"} 5');
    } finally {
      await quiet.close();
    }
  });

  it('the rules themselves (pure)', () => {
    const ana = { kind: 'device', athleteId: 'ana' } as const;
    expect(mayPublish(ana, 'gaitwatch/v1/ana/s1/imu')).toBe(true);
    expect(mayPublish(ana, 'gaitwatch/v1/ana/+/imu')).toBe(false);
    expect(mayPublish(ana, 'gaitwatch/v1/ana/s1/imu/extra')).toBe(false);
    expect(mayPublish({ kind: 'api' }, 'gaitwatch/v1/ana/s1/alerts')).toBe(false);
    expect(mayPublish({ kind: 'ingest' }, 'gaitwatch/v1/ana/s1/alerts')).toBe(true);
    expect(maySubscribe({ kind: 'api' }, 'gaitwatch/v1/+/+/status')).toBe(true);
    expect(maySubscribe({ kind: 'api' }, 'gaitwatch/v1/+/+/imu')).toBe(false);
    expect(maySubscribe({ kind: 'ingest' }, 'gaitwatch/v1/+/+/#')).toBe(false);
    expect(maySubscribe(ana, 'gaitwatch/v1/ana/s1/live')).toBe(true);
  });
});
