import { readFileSync } from 'node:fs';
import { topicFilter, type TopicKind } from '@gaitwatch/protocol';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { TLS_PROTOCOLS, type IngestConfig } from './config.ts';
import type { IngestMetrics } from './metrics.ts';

export interface MqttIntakeOptions {
  readonly config: NonNullable<IngestConfig['mqtt']>;
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  readonly onMessage: (topic: string, payload: Uint8Array) => void;
  /** True while intake must wait (the store refuses writes): messages are then left unacknowledged with the broker. */
  readonly hold?: () => boolean;
  /**
   * `receipt` (default): a message is acknowledged (PUBACK) once handed to the session manager.
   * `checkpoint`: PUBACKs are held back (the socket is still read) and sent, in order, by `releaseAcks()` once a
   * checkpoint holding their effect is durable — a crash then loses nothing the broker does not redeliver. Needs a
   * broker that lets that many messages be in flight (Mosquitto `max_inflight_messages 0`).
   */
  readonly ackMode?: 'receipt' | 'checkpoint';
}

/** A point in the stream of held-back acknowledgements: everything received before it. */
export interface AckMark {
  readonly connection: number;
  readonly count: number;
}

type PacketSender = (packet: { cmd: string; messageId?: number }, cb?: (error?: Error) => void, ...rest: unknown[]) => void;

/**
 * TLS options for an `mqtts:`/`wss:` URL: the broker's certificate is always
 * verified (`rejectUnauthorized: true`, no way to turn it off), against
 * `tls.ca` when given (a private CA) or else Node's bundled CAs; `tls.cert` +
 * `tls.key` add a client certificate. The files are read once, here.
 */
export function tlsOptions(config: NonNullable<IngestConfig['mqtt']>): Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> {
  if (!TLS_PROTOCOLS.includes(new URL(config.url).protocol)) return {};
  const { ca, cert, key } = config.tls ?? {};
  return {
    rejectUnauthorized: true,
    ...(ca !== undefined ? { ca: readFileSync(ca) } : {}),
    ...(cert !== undefined ? { cert: readFileSync(cert) } : {}),
    ...(key !== undefined ? { key: readFileSync(key) } : {}),
  };
}

/**
 * Node's codes for a broker certificate that failed verification (SELF_SIGNED_CERT_IN_CHAIN,
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, …).
 */
const TLS_VERIFY_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/;

/** The subscriptions: every session's sensor data and status, QoS 1. */
export const SUBSCRIPTIONS: readonly string[] = [topicFilter('imu'), topicFilter('status')];

/**
 * The broker connection. QoS 1 and a persistent session (`clean: false`,
 * a stable client id): the broker queues what is published while ingest is
 * away and delivers it on reconnect. On every connect where the broker did
 * not keep the session (`sessionPresent` false: first start, broker restarted
 * without persistence, session expired) the subscriptions are made again
 * explicitly — mqtt.js's own `resubscribe` is turned off, it skips cases.
 * Reconnects back off from reconnectMinMs doubling to reconnectMaxMs.
 *
 * Messages are taken in mqtt.js's `handleMessage` hook, whose callback sends
 * the PUBACK and lets mqtt.js read the next packet: a message is acknowledged
 * only after it was handed to the session manager, and while `hold()` is true
 * (or after `pause()`) the callback waits — the socket stops being read and
 * the broker keeps the rest.
 */
export class MqttIntake {
  readonly client: MqttClient;
  private paused = false;
  private waiting: (() => void) | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private reconnectMs: number;
  private everConnected = false;
  /** The last CONNACK's sessionPresent: the broker kept our subscriptions and queue. */
  sessionPresent = false;
  /** Subscriptions the broker acknowledged (SUBACK), one per connect without a kept session. */
  subscribes = 0;
  /** `ackMode: 'checkpoint'`: PUBACKs of this connection held until a checkpoint covers their messages, in receive order. */
  private readonly heldAcks: { cmd: string; messageId?: number }[] = [];
  /** Counts connections, so acknowledgements held on a dropped one are never sent on the next (the broker redelivers those messages). */
  private connection = 0;
  private sendPacket: PacketSender | undefined;

  constructor(private readonly options: MqttIntakeOptions) {
    const { config, logger, metrics } = options;
    this.reconnectMs = config.reconnectMinMs;
    this.client = mqtt.connect(config.url, {
      clientId: config.clientId,
      clean: false,
      protocolVersion: 4,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: config.reconnectMinMs,
      resubscribe: false,
      // A refused login (wrong password, passwords rotated, "server unavailable") is retried with the backoff like
      // any lost connection: mqtt.js stops for good after a refusal unless told (an operator probe: ingest sat
      // unconnected after one refusal until restarted).
      reconnectOnConnackError: true,
      // `live` strides are QoS 0: worthless once late, so not queued while offline.
      queueQoSZero: false,
      ...(config.username !== undefined ? { username: config.username, password: config.password ?? '' } : {}),
      ...tlsOptions(config),
    });
    this.client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void): void => this.take(packet, callback);
    if (options.ackMode === 'checkpoint') this.holdBackAcks();
    this.client.on('connect', (connack) => {
      this.refusedBecause = undefined;
      metrics.mqttConnects.inc({ session_present: String(connack.sessionPresent) });
      metrics.mqttConnected.set(1);
      this.reconnectMs = config.reconnectMinMs;
      this.client.options.reconnectPeriod = this.reconnectMs;
      logger.info({ sessionPresent: connack.sessionPresent, reconnect: this.everConnected }, 'connected to the broker');
      this.everConnected = true;
      this.sessionPresent = connack.sessionPresent;
      if (!connack.sessionPresent) this.subscribe();
    });
    this.client.on('close', () => {
      metrics.mqttConnected.set(0);
      // Unacknowledged on this connection: the broker sends them again (DUP) on the next; the duplicate check absorbs them.
      this.connection++;
      this.heldAcks.length = 0;
      metrics.heldAcks.set(0);
    });
    this.client.on('reconnect', () => {
      logger.warn({ inMs: this.reconnectMs }, 'reconnecting to the broker');
      // Backoff: the next wait doubles, up to the maximum (mqtt.js reads reconnectPeriod at each scheduling).
      this.reconnectMs = Math.min(config.reconnectMaxMs, this.reconnectMs * 2);
      this.client.options.reconnectPeriod = this.reconnectMs;
    });
    this.client.on('error', (error) => {
      // Never the URL with credentials or a payload: the message and code only.
      const code = (error as NodeJS.ErrnoException).code;
      // A CONNACK refusal carries its reason code (a number): kept for /readyz until a connection is accepted.
      if (typeof code === 'number') this.refusedBecause = error.message;
      if (typeof code === 'string' && TLS_VERIFY_CODES.test(code)) {
        // Not transient: retrying will not help until the CA (MQTT_CA_FILE) or the broker's certificate is fixed.
        logger.error({ err: { message: error.message, code } }, "broker TLS certificate rejected (check MQTT_CA_FILE and the broker's certificate)");
      } else logger.warn({ err: { message: error.message, code } }, 'broker connection error');
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Why the broker refused the last login ("Connection refused: Not authorized"), until one is accepted; undefined otherwise. */
  refusedBecause: string | undefined;

  private subscribe(): void {
    const { logger } = this.options;
    this.client.subscribe(
      [...SUBSCRIPTIONS],
      { qos: 1 },
      (error, granted) => {
        if (error !== null && error !== undefined) {
          logger.error({ err: { message: error.message } }, 'subscribe failed; retrying on the next connect');
          return;
        }
        const refused = (granted ?? []).filter((g) => g.qos === 128);
        if (refused.length > 0) logger.error({ topics: refused.map((g) => g.topic) }, 'the broker refused subscriptions (ACL?)');
        else {
          this.subscribes++;
          this.options.metrics.mqttSubscribes.inc();
          logger.info({ topics: SUBSCRIPTIONS }, 'subscribed');
        }
      },
    );
  }

  private take(packet: IPublishPacket, callback: (error?: Error) => void): void {
    // Paused for shutdown: never acknowledged, so the broker redelivers it to the next run (persistent session).
    if (this.paused) return;
    if (this.options.hold?.() === true) {
      this.waiting = () => this.take(packet, callback);
      this.holdTimer ??= setInterval(() => this.retryHeld(), 100);
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.options.onMessage(packet.topic, payload);
    callback();
  }

  private retryHeld(): void {
    if (this.options.hold?.() === true && !this.paused) return;
    clearInterval(this.holdTimer);
    this.holdTimer = undefined;
    const next = this.waiting;
    this.waiting = undefined;
    next?.();
  }

  /**
   * mqtt.js sends the PUBACK through its private `_sendPacket` when the
   * handleMessage callback is called, and only then reads the next packet.
   * Holding the callback would stall the socket; instead the callback runs at
   * once and the PUBACK packet itself is kept here (mqtt.js is told it was
   * sent), to go out in order from releaseAcks(). A private API of mqtt.js 5:
   * mqtt-intake.test.ts and the SIGKILL test (test/ingest/kill.test.ts) fail
   * if an upgrade changes it.
   */
  private holdBackAcks(): void {
    const client = this.client as unknown as { _sendPacket: PacketSender };
    const send = client._sendPacket.bind(this.client);
    this.sendPacket = send;
    client._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd !== 'puback') {
        send(packet, cb, ...rest);
        return;
      }
      this.heldAcks.push(packet);
      this.options.metrics.heldAcks.set(this.heldAcks.length);
      cb?.();
    };
  }

  /** Everything received so far (ackMode checkpoint), to pass to releaseAcks() once a checkpoint covering it is durable. */
  markAcks(): AckMark {
    return { connection: this.connection, count: this.heldAcks.length };
  }

  /** Sends the PUBACKs of the messages received before `mark` (nothing when the connection dropped since). */
  releaseAcks(mark: AckMark = this.markAcks()): void {
    if (this.sendPacket === undefined || mark.connection !== this.connection || !this.client.connected) return;
    for (const packet of this.heldAcks.splice(0, mark.count)) this.sendPacket(packet);
    this.options.metrics.heldAcks.set(this.heldAcks.length);
  }

  /** PUBACKs waiting for a checkpoint. */
  get heldAckCount(): number {
    return this.heldAcks.length;
  }

  publish(kind: Extract<TopicKind, 'alerts' | 'live'>, topic: string, payload: string): void {
    const qos = kind === 'alerts' ? 1 : 0;
    this.client.publish(topic, payload, { qos }, (error) => {
      if (error !== undefined && error !== null) this.options.logger.debug({ err: { message: error.message }, kind }, 'publish failed');
    });
    this.options.metrics.published.inc({ kind });
  }

  /** Stops taking messages: the ones arriving now stay unacknowledged with the broker. */
  pause(): void {
    this.paused = true;
  }

  /** Disconnects; `force` drops what is still in flight. */
  async close(timeoutMs = 2000): Promise<void> {
    clearInterval(this.holdTimer);
    const graceful = this.client.endAsync(false);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([graceful.then(() => 'ok' as const), timer])) === 'timeout') await this.client.endAsync(true);
  }
}
