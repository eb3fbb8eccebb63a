import { topicFilter, type TopicKind } from '@gaitwatch/protocol';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { IngestConfig } from './config.ts';
import type { IngestMetrics } from './metrics.ts';

export interface MqttIntakeOptions {
  readonly config: IngestConfig['mqtt'];
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  readonly onMessage: (topic: string, payload: Uint8Array) => void;
  /** True while intake must wait (the store refuses writes): messages are then left unacknowledged with the broker. */
  readonly hold?: () => boolean;
}

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
      // `live` strides are QoS 0: worthless once late, so not queued while offline.
      queueQoSZero: false,
      ...(config.username !== undefined ? { username: config.username, password: config.password ?? '' } : {}),
    });
    this.client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void): void => this.take(packet, callback);
    this.client.on('connect', (connack) => {
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
    });
    this.client.on('reconnect', () => {
      logger.warn({ inMs: this.reconnectMs }, 'reconnecting to the broker');
      // Backoff: the next wait doubles, up to the maximum (mqtt.js reads reconnectPeriod at each scheduling).
      this.reconnectMs = Math.min(config.reconnectMaxMs, this.reconnectMs * 2);
      this.client.options.reconnectPeriod = this.reconnectMs;
    });
    this.client.on('error', (error) => {
      // Never the URL with credentials or a payload: the message and code only.
      logger.warn({ err: { message: error.message, code: (error as NodeJS.ErrnoException).code } }, 'broker connection error');
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

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
