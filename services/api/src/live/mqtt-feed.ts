import { AlertSchema, LiveRepSchema, LiveStrideSchema, parseTopic, StatusSchema, topicFilter } from '@gaitwatch/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { ApiMetrics } from '../metrics.ts';
import type { LiveHub } from './live-hub.ts';

export interface LiveFeedConfig {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Stable: the broker keeps the alerts published while the API was away under it (clean: false). One per API replica. */
  readonly clientId: string;
  /** PEM CA bundle for mqtts:/wss: (default: Node's trusted CAs). */
  readonly ca?: Buffer;
}

/** Alerts and status changes at QoS 1 (the broker keeps them for us while we are away); strides at QoS 0 like their publisher. */
const SUBSCRIPTIONS = { [topicFilter('alerts')]: { qos: 1 }, [topicFilter('status')]: { qos: 1 }, [topicFilter('live')]: { qos: 0 } } as const;

export interface LiveFeed {
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * The API's subscription to what ingest publishes back (`alerts`, `live`) and
 * to the phones' `status`, fed into the live hub. A payload that is not what
 * the contract says, or names another athlete or session than its topic, is
 * dropped and counted by reason — never passed on, never fatal.
 */
export function connectLiveFeed(hub: LiveHub, config: LiveFeedConfig, deps: { logger: Logger; metrics: ApiMetrics }): LiveFeed {
  const { logger, metrics } = deps;
  const client: MqttClient = mqtt.connect(config.url, {
    clientId: config.clientId,
    clean: false,
    protocolVersion: 4,
    keepalive: 30,
    connectTimeout: 10_000,
    reconnectPeriod: 1_000,
    // Retried after a refused login too: mqtt.js stops for good after a CONNACK refusal unless told
    // (services/ingest mqtt-intake.ts; a wrong or rotated password left the live stream dead until a restart).
    reconnectOnConnackError: true,
    resubscribe: false,
    ...(config.username !== undefined ? { username: config.username, password: config.password ?? '' } : {}),
    ...(config.ca !== undefined ? { ca: config.ca, rejectUnauthorized: true } : {}),
  });
  const reject = (reason: string): void => void metrics.liveRejected.inc({ reason });
  client.on('connect', (connack) => {
    metrics.liveFeedConnected.set(1);
    logger.info({ sessionPresent: connack.sessionPresent }, 'live feed connected to the broker');
    // mqtt.js's resubscribe skips cases (see services/ingest): subscribe whenever the broker did not keep our session.
    if (!connack.sessionPresent) {
      client.subscribe({ ...SUBSCRIPTIONS }, (error) => {
        if (error !== null && error !== undefined) logger.error({ err: { message: error.message } }, 'live feed could not subscribe; the live stream stays empty');
      });
    }
  });
  client.on('close', () => metrics.liveFeedConnected.set(0));
  client.on('error', (error) => logger.warn({ err: { message: error.message, code: (error as NodeJS.ErrnoException).code } }, 'live feed broker error'));
  client.on('message', (topic, payload) => {
    const parsed = parseTopic(topic);
    if (parsed === undefined) return reject('topic');
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return reject('json');
    }
    const { athleteId, sessionId, kind } = parsed;
    if (kind === 'status') {
      const status = StatusSchema.safeParse(json);
      if (!status.success) return reject('status_schema');
      // Only what the dashboard needs: device metadata (firmware, profile) stays out of the stream.
      hub.publish('session', athleteId, sessionId, JSON.stringify({ athleteId, sessionId, state: status.data.state }));
      return;
    }
    // A screen session publishes reps on `live` instead of strides, told apart by `kind: "rep"` (strides have no kind).
    const isRep = kind === 'live' && typeof json === 'object' && json !== null && (json as { kind?: unknown }).kind === 'rep';
    const schema = kind === 'alerts' ? AlertSchema : isRep ? LiveRepSchema : kind === 'live' ? LiveStrideSchema : undefined;
    if (schema === undefined) return reject('topic');
    const event = schema.safeParse(json);
    if (!event.success) return reject(isRep ? 'rep_schema' : `${kind}_schema`);
    // The topic is what the broker's ACL checked: a payload claiming another athlete is not believed.
    if (event.data.athleteId !== athleteId || event.data.sessionId !== sessionId) return reject('ids_mismatch');
    hub.publish(kind === 'alerts' ? 'alert' : isRep ? 'rep' : 'stride', athleteId, sessionId, JSON.stringify(event.data));
  });
  return {
    get connected() {
      return client.connected;
    },
    close: () => client.endAsync().then(() => undefined),
  };
}
