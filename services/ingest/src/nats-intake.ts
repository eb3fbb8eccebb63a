import type { TopicKind } from '@gaitwatch/protocol';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type Consumer, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { IngestConfig, NatsConfig } from './config.ts';
import type { IngestMetrics } from './metrics.ts';
import { tlsOptions, type AckMark } from './mqtt-intake.ts';

/**
 * Subjects of the partitioned stream. nats-server maps the devices' MQTT
 * publishes (`gaitwatch/v1/A/S/imu` is the NATS subject
 * `gaitwatch.v1.A.S.imu`) to `gw.<p>.A.S.imu` / `gw.<p>.A.S.status`, p =
 * `{{partition(N,1,2)}}`: a hash of athlete and session only, so a session's
 * imu and status land in the same partition, in publish order, and one
 * consumer filter `gw.<p>.>` takes both in that order (a consumer with
 * several filter subjects would need nats-server 2.10).
 */
export const SUBJECT_ROOT = 'gw';

/** The account `mappings` block nats-server needs for N partitions (deploy/SCALING.md, the scale test's config). */
export function serverMappings(partitions: number): Record<string, string> {
  const to = (kind: string): string => `${SUBJECT_ROOT}.{{partition(${partitions},1,2)}}.{{wildcard(1)}}.{{wildcard(2)}}.${kind}`;
  return { 'gaitwatch.v1.*.*.imu': to('imu'), 'gaitwatch.v1.*.*.status': to('status') };
}

/** Consumer filter of one partition: its imu and status, in stream order. */
export const partitionFilter = (partition: number): string => `${SUBJECT_ROOT}.${partition}.>`;

/** Durable consumer name of one partition: whoever owns the partition binds to it. */
export const consumerName = (partition: number): string => `gw-ingest-p${partition}`;

/**
 * `gw.<p>.A.S.imu` → `gaitwatch/v1/A/S/imu`, the topic the session manager
 * knows; anything else is returned unchanged (the manager rejects it as
 * `bad_topic`). Ids never hold `.` here: nats-server 2.9 refuses MQTT topics
 * containing one (README "NATS JetStream intake").
 */
export function subjectToTopic(subject: string): string {
  const parts = subject.split('.');
  if (parts.length !== 5 || parts[0] !== SUBJECT_ROOT) return subject;
  return `gaitwatch/v1/${parts[2]}/${parts[3]}/${parts[4]}`;
}

/** Messages pulled ahead per partition (consume()); also about the most a stop leaves unacknowledged per partition. */
const PULL_BATCH = 512;
/**
 * Unacknowledged messages per partition before the server stops delivering:
 * with INGEST_ACK=checkpoint a whole checkpoint period is outstanding
 * (runners of the partition × ~20 msg/s × INGEST_CHECKPOINT_S): 50 000 is 500
 * runners per partition at 5 s.
 */
const MAX_ACK_PENDING = 50_000;
const RETRY_MS = 1000;
/**
 * Messages handled per partition between two turns of the event loop. Pulled
 * messages are already buffered, so `for await` alone would only yield to
 * microtasks: a backlog would starve the session timer, the store writer's
 * batches and /metrics until it is gone.
 */
const YIELD_EVERY = 200;

export interface NatsIntakeOptions {
  readonly config: NatsConfig;
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  readonly onMessage: (topic: string, payload: Uint8Array) => void;
  /** True while intake must wait (the store refuses writes): the rest stays in JetStream. */
  readonly hold?: () => boolean;
  /** As MqttIntake: `receipt` acks once handed over; `checkpoint` holds acks until releaseAcks(). */
  readonly ackMode?: 'receipt' | 'checkpoint';
  /** How long the server waits for an ack before redelivering, s (must exceed a checkpoint period with `checkpoint`). */
  readonly ackWaitS: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Ingest's input from NATS JetStream: one durable pull consumer per partition
 * this worker owns (`NATS_WORKER_PARTITIONS`), on a work-queue stream (a
 * message leaves the stream once acknowledged, and the server refuses two
 * consumers with overlapping filters). Each partition is a sequential loop:
 * a message is handed to the session manager, then acknowledged (`receipt`),
 * so the messages of a partition — and so of a session — are handled in
 * stream order.
 *
 * Taking a partition over: when its consumer has unacknowledged messages (the
 * previous owner crashed, or stopped with part of a batch fetched), the
 * consumer is recreated before the first pull, so those messages come first
 * and in order instead of after the ack wait, behind newer ones (which would
 * make them stale for the session's jitter buffer). Partition ownership must
 * be exclusive: two workers on one partition split its sessions.
 */
export class NatsIntake {
  private nc: NatsConnection | undefined;
  private paused = false;
  private closed = false;
  private readonly loops: Promise<void>[] = [];
  /** The partitions' open pulls, stopped by pause(). */
  private readonly streams = new Set<ConsumerMessages>();
  /** `ackMode: 'checkpoint'`: messages handed over and not yet acknowledged, in hand-over order (all partitions). */
  private readonly held: JsMsg[] = [];
  /** Connected to the NATS server. */
  connected = false;
  /** Partitions bound to their consumer (counted once per bind; the MQTT intake's `subscribes`). */
  subscribes = 0;
  /** Every owned partition's consumer existed already: JetStream kept our position (the MQTT intake's `sessionPresent`). */
  sessionPresent = false;
  private readonly bound = new Set<number>();

  constructor(private readonly options: NatsIntakeOptions) {
    this.loops.push(this.run());
  }

  /** Every owned partition's consumer is bound and the connection is up. */
  get ready(): boolean {
    return this.connected && this.bound.size === this.options.config.workerPartitions.length;
  }

  private async run(): Promise<void> {
    const { config, logger } = this.options;
    try {
      this.nc = await connect({
        servers: config.url,
        name: `gaitwatch-ingest-p${config.workerPartitions.join('-')}`,
        waitOnFirstConnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: RETRY_MS,
        ...(config.user !== undefined ? { user: config.user, pass: config.password ?? '' } : {}),
      });
    } catch (error) {
      logger.error({ err: { message: (error as Error).message } }, 'cannot connect to NATS');
      return;
    }
    if (this.closed) return void (await this.nc.close());
    this.connected = true;
    logger.info({ partitions: config.workerPartitions, of: config.partitions, stream: config.stream }, 'connected to NATS');
    void this.watchStatus(this.nc);
    const jsm = await this.retry('stream', async () => {
      const manager = await jetstreamManager(this.nc!);
      await this.ensureStream(manager);
      return manager;
    });
    if (jsm === undefined) return;
    const existed = await Promise.all(config.workerPartitions.map((p) => this.retry(`partition ${p}`, () => this.ensureConsumer(jsm, p))));
    this.sessionPresent = existed.every((e) => e === true);
    const js = jetstream(this.nc);
    for (const p of config.workerPartitions) {
      const consumer = await this.retry(`partition ${p}`, () => js.consumers.get(config.stream, consumerName(p)));
      if (consumer === undefined) return;
      this.bound.add(p);
      this.subscribes++;
      this.loops.push(this.consume(p, consumer));
    }
    logger.info({ partitions: config.workerPartitions, consumersExisted: this.sessionPresent }, 'consuming partitions');
  }

  /** Runs `work` until it succeeds or the intake closes (undefined then), logging each failure. */
  private async retry<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      if (this.closed || this.paused) return undefined;
      try {
        return await work();
      } catch (error) {
        this.options.logger.error({ what, err: { message: (error as Error).message } }, 'JetStream set-up failed; retrying');
        await sleep(RETRY_MS);
      }
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.options.logger.warn('disconnected from NATS');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.options.logger.info('reconnected to NATS');
      }
    }
  }

  /**
   * Creates the stream when missing: file storage, work-queue retention, on
   * `gw.>`. An existing stream is used as it is (operators size it, replicate
   * it: deploy/SCALING.md) but must capture the mapped subjects.
   */
  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    const { stream } = this.options.config;
    const info = await jsm.streams.info(stream).catch(() => undefined);
    if (info === undefined) {
      try {
        await jsm.streams.add({ name: stream, subjects: [`${SUBJECT_ROOT}.>`], storage: StorageType.File, retention: RetentionPolicy.Workqueue });
        this.options.logger.info({ stream }, 'created the JetStream stream');
        return;
      } catch (error) {
        // Another worker created it meanwhile: use theirs.
        if ((await jsm.streams.info(stream).catch(() => undefined)) === undefined) throw error;
        return;
      }
    }
    if (!info.config.subjects?.some((s) => s === `${SUBJECT_ROOT}.>` || s === `${SUBJECT_ROOT}.*.>`)) {
      throw new Error(`stream ${stream} does not capture ${SUBJECT_ROOT}.> (its subjects: ${(info.config.subjects ?? []).join(', ')})`);
    }
  }

  /** Makes the partition's durable consumer, recreating it when unacknowledged messages wait (see the class). True when it existed. */
  private async ensureConsumer(jsm: JetStreamManager, partition: number): Promise<boolean> {
    const { stream } = this.options.config;
    const name = consumerName(partition);
    const info = await jsm.consumers.info(stream, name).catch(() => undefined);
    if (info !== undefined && info.num_ack_pending === 0) return true;
    if (info !== undefined) {
      // Work queue: acknowledged messages are gone, so a new consumer starts at the oldest unacknowledged one.
      this.options.logger.warn({ partition, unacknowledged: info.num_ack_pending }, 'taking over a partition with unacknowledged messages: consumer recreated so they come first');
      await jsm.consumers.delete(stream, name);
    }
    await jsm.consumers.add(stream, {
      durable_name: name,
      filter_subject: partitionFilter(partition),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: this.options.ackWaitS * 1_000_000_000,
      max_ack_pending: MAX_ACK_PENDING,
      max_deliver: -1,
    });
    return info !== undefined;
  }

  /**
   * One partition, in order: the client keeps up to PULL_BATCH messages
   * pulled ahead (consume()); each is handed over, then acknowledged (or its
   * ack held). consume() itself rides out disconnects (heartbeats, re-pulls).
   */
  private async consume(partition: number, consumer: Consumer): Promise<void> {
    const { logger, onMessage, hold } = this.options;
    let handled = 0;
    while (!this.closed && !this.paused) {
      try {
        const messages = await consumer.consume({ max_messages: PULL_BATCH });
        this.streams.add(messages);
        for await (const message of messages) {
          if (++handled % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
          while (hold?.() === true && !this.paused) await sleep(100);
          // Paused (shutdown): the rest stays unacknowledged; the next owner gets it first (ensureConsumer).
          if (this.paused) break;
          onMessage(subjectToTopic(message.subject), message.data);
          if (this.options.ackMode !== 'checkpoint') message.ack();
          else {
            this.held.push(message);
            this.options.metrics.heldAcks.set(this.held.length);
          }
        }
        this.streams.delete(messages);
        await messages.close();
      } catch (error) {
        logger.warn({ partition, err: { message: (error as Error).message } }, 'pulling failed; retrying');
        await sleep(RETRY_MS);
      }
    }
  }

  /** Everything handed over so far (ackMode checkpoint), to pass to releaseAcks() once a checkpoint covering it is durable. */
  markAcks(): AckMark {
    return { connection: 0, count: this.held.length };
  }

  /**
   * Acknowledges the messages handed over before `mark`, in order. Unlike a
   * PUBACK, a JetStream ack stays valid across reconnects while the consumer
   * lives, so nothing is dropped on a new connection.
   */
  releaseAcks(mark: AckMark = this.markAcks()): void {
    for (const message of this.held.splice(0, mark.count)) message.ack();
    this.options.metrics.heldAcks.set(this.held.length);
  }

  /** Acknowledgements waiting for a checkpoint. */
  get heldAckCount(): number {
    return this.held.length;
  }

  /** Core NATS publish of an alert or live stride on `gaitwatch.v1.A.S.<kind>`: MQTT subscribers get it at QoS 0. */
  publish(kind: Extract<TopicKind, 'alerts' | 'live'>, topic: string, payload: string): void {
    if (this.nc === undefined || this.nc.isClosed()) return;
    try {
      this.nc.publish(topic.replaceAll('/', '.'), payload);
      this.options.metrics.published.inc({ kind });
    } catch (error) {
      this.options.logger.debug({ err: { message: (error as Error).message }, kind }, 'publish failed');
    }
  }

  /** Stops pulling: what is not handed over stays in JetStream, unacknowledged. */
  pause(): void {
    this.paused = true;
    for (const messages of this.streams) messages.stop();
  }

  /** Waits for the partition loops to end, then drains the connection (sending pending acks). */
  async close(): Promise<void> {
    this.pause();
    this.closed = true;
    await Promise.race([Promise.all(this.loops), sleep(3000)]);
    // Drain sends the acks still queued; bounded, as a server that is gone never answers it.
    const nc = this.nc;
    if (nc !== undefined && !nc.isClosed()) {
      const drained = nc.drain().then(() => 'ok' as const, () => 'failed' as const);
      if ((await Promise.race([drained, sleep(2000).then(() => 'timeout' as const)])) !== 'ok') await nc.close();
    }
    this.connected = false;
  }
}

/**
 * Alerts and live strides back on MQTT when NATS_URL and MQTT_URL are both
 * set: a publish-only client (no subscription: data comes from JetStream),
 * so alerts reach the phone at QoS 1. Give each worker its own MQTT_CLIENT_ID.
 */
export class MqttPublisher {
  readonly client: MqttClient;

  constructor(
    config: NonNullable<IngestConfig['mqtt']>,
    private readonly logger: Logger,
    private readonly metrics: IngestMetrics,
  ) {
    this.client = mqtt.connect(config.url, {
      clientId: config.clientId,
      clean: true,
      protocolVersion: 4,
      keepalive: 30,
      reconnectPeriod: config.reconnectMinMs,
      // Retried after a refused login too (mqtt-intake.ts says why).
      reconnectOnConnackError: true,
      queueQoSZero: false,
      ...(config.username !== undefined ? { username: config.username, password: config.password ?? '' } : {}),
      ...tlsOptions(config),
    });
    this.client.on('error', (error) => logger.warn({ err: { message: error.message } }, 'MQTT publisher error'));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  publish(kind: Extract<TopicKind, 'alerts' | 'live'>, topic: string, payload: string): void {
    this.client.publish(topic, payload, { qos: kind === 'alerts' ? 1 : 0 }, (error) => {
      if (error !== undefined && error !== null) this.logger.debug({ err: { message: error.message }, kind }, 'publish failed');
    });
    this.metrics.published.inc({ kind });
  }

  async close(timeoutMs = 2000): Promise<void> {
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([this.client.endAsync(false).then(() => 'ok' as const), timer])) === 'timeout') await this.client.endAsync(true);
  }
}
