import type { Server } from 'node:http';
import { buildTopic } from '@gaitwatch/protocol';
import { openStore, type GaitStore } from '@gaitwatch/storage';
import { pino, type Logger } from 'pino';
import { ConfigError, defaultAnalysisThreads, type IngestConfig } from './config.ts';
import { buildHealthServer, listen } from './http-server.ts';
import { IngestMetrics } from './metrics.ts';
import { MqttIntake } from './mqtt-intake.ts';
import { MqttPublisher, NatsIntake } from './nats-intake.ts';
import { LoadRampCheck } from './output/load-ramp.ts';
import { StoreWriter } from './output/store-writer.ts';
import { endAbandonedSessions } from './session/abandoned-sessions.ts';
import { CHECKPOINT_VERSION, type SessionCheckpoint } from './session/live-session.ts';
import { AnalysisPool } from './session/analysis-pool.ts';
import { SessionManager, type AthleteSettingsSource, type CheckpointSource, type SessionOutput } from './session/session-manager.ts';
import { inProcessSessions, type SessionHost } from './session/session-host.ts';

/** How often sessions are ticked (buffers released, clocks moved, idle checked), ms. */
const TICK_MS = 250;
/** A session open in the store whose newest checkpoint is this old (at least) was abandoned by a crashed worker, s. */
const ABANDONED_AFTER_S = 600;
/** How often, and how far back, the store is searched for abandoned sessions, s. */
const ABANDONED_SWEEP_S = 60;
const ABANDONED_LOOK_BACK_S = 7 * 86_400;
/** Records waiting for the store past which intake holds (the broker keeps the rest). */
const MAX_PENDING_RECORDS = 50_000;

export interface IngestDeps {
  /** Default: a pino logger at config.logLevel on stdout. */
  readonly logger?: Logger;
  /** Default: openStore from config.store (the service then closes it). */
  readonly store?: GaitStore;
}

export interface IngestService {
  readonly metrics: IngestMetrics;
  /** The live sessions: in the main thread, or spread over analysis threads (INGEST_ANALYSIS_THREADS). */
  readonly sessions: SessionHost;
  readonly store: GaitStore;
  /** Where imu/status come from: MQTT subscriptions, or JetStream partitions when NATS_URL is set. */
  readonly intake: MqttIntake | NatsIntake;
  readonly logger: Logger;
  /** Port of /metrics, /healthz, /readyz. */
  readonly httpPort: number;
  /** Why not ready, or undefined. */
  notReady(): string | undefined;
  /** Writes what is queued for the store now and waits for it (tests). */
  flush(): Promise<void>;
  /**
   * Graceful stop: intake paused (messages arriving now stay with the broker),
   * every session finished (strides, alerts, summary) and written, the
   * broker and store closed. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * A pino logger that never prints the configured secrets (they are not logged anyway; this guards mistakes).
 * `destination`: where the JSON lines go (default stdout), e.g. a test collecting them.
 */
export function createLogger(level: IngestConfig['logLevel'], destination?: { write(line: string): void }): Logger {
  const options = {
    level,
    base: { service: 'ingest' },
    redact: { paths: ['password', '*.password', 'token', '*.token', 'config.mqtt.password', 'config.store.influx.token', 'config.store.influx.password'], censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * Checkpoints from the store: the latest one of a session still open there
 * (endUs null) and of the same run (same startUs), in this build's format.
 */
export function storeCheckpoints(store: GaitStore, logger: Logger): CheckpointSource {
  return {
    async load(athleteId, sessionId) {
      const [record, session] = await Promise.all([store.latestCheckpoint(athleteId, sessionId), store.getSession(athleteId, sessionId)]);
      if (record === null || session === null || session.endUs !== null || session.startUs !== record.startUs) return undefined;
      if (record.version !== CHECKPOINT_VERSION) {
        logger.warn({ athleteId, sessionId, version: record.version }, 'checkpoint of another format; starting the session afresh');
        return undefined;
      }
      return JSON.parse(Buffer.from(record.data).toString('utf8')) as SessionCheckpoint;
    },
  };
}

/** Athlete settings from the store's athlete records (written through the API's PATCH /v1/athletes/:athleteId). */
export function storeAthleteSettings(store: GaitStore): AthleteSettingsSource {
  return {
    async load(athleteId) {
      return (await store.getAthlete(athleteId))?.settings;
    },
  };
}

/** Starts the ingest service: store, metrics server, broker connection, session timer. */
export async function startIngest(config: IngestConfig, deps: IngestDeps = {}): Promise<IngestService> {
  if (config.nats === undefined && config.mqtt === undefined) throw new ConfigError(['MQTT_URL: required unless NATS_URL is set']);
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = new IngestMetrics();
  const ownStore = deps.store === undefined;
  const store =
    deps.store ??
    (await openStore({
      dataDir: config.store.dataDir,
      ...(config.store.influx !== undefined ? { influx: { ...config.store.influx, logger: logger.child({ part: 'store' }) } } : {}),
    }).catch((error: unknown) => {
      throw dataDirProblem(config.store.dataDir, error);
    }));
  metrics.watchStore(store);
  const writer = new StoreWriter(store, logger.child({ part: 'store-writer' }), metrics);
  const publishAlert = (athleteId: string, sessionId: string, payload: string): void => publisher.publish('alerts', buildTopic(athleteId, sessionId, 'alerts'), payload);
  // Training load across sessions: a closed session may push its week past the athlete's ramp limit.
  const loadRamp = new LoadRampCheck({ store, logger: logger.child({ part: 'load-ramp' }), metrics, write: (alert) => writer.alert(alert), publish: publishAlert, written: () => writer.written() });
  // Required<…>: the service takes every kind of output, reps included (the interface leaves `rep` optional for tests).
  const output: Required<SessionOutput> = {
    stride: ({ kind: _kind, ...record }) => writer.stride(record),
    rep: ({ kind: _kind, ...record }) => writer.rep(record),
    alert: ({ kind: _kind, ...record }) => writer.alert(record),
    session: (record) => {
      writer.session(record);
      loadRamp.atClose(record);
    },
    checkpoint: (record) => writer.checkpoint(record),
    publishLive: (athleteId, sessionId, payload) => publisher.publish('live', buildTopic(athleteId, sessionId, 'live'), payload),
    publishAlert,
  };
  const sessionOptions = {
    logger,
    metrics,
    output,
    idleTimeoutS: config.idleTimeoutS,
    jitterMs: config.jitterMs,
    jitterMaxFrames: config.jitterMaxFrames,
    ...(config.checkpointEveryS > 0 ? { checkpoints: storeCheckpoints(store, logger) } : {}),
    athleteSettings: storeAthleteSettings(store),
  };
  const analysisThreads = config.analysisThreads ?? defaultAnalysisThreads();
  // Threads: the main thread keeps the broker, the store and HTTP; decode and analysis scale with the cores.
  const sessions: SessionHost =
    analysisThreads === 0
      ? inProcessSessions(new SessionManager(sessionOptions))
      : new AnalysisPool({
          ...sessionOptions,
          threads: analysisThreads,
          ...(config.analysisMaxQueue !== undefined ? { maxQueuedMessages: config.analysisMaxQueue } : {}),
          durable: () => writer.written(),
        });
  const intakeOptions = {
    metrics,
    onMessage: (topic: string, payload: Uint8Array) => sessions.handle(topic, payload),
    hold: () => writer.blocked || writer.pending > MAX_PENDING_RECORDS || sessions.saturated,
    ackMode: config.ackMode,
  };
  // NATS_URL: JetStream partitions in; alerts/live out on MQTT when MQTT_URL is set too (QoS 1), else on core NATS (QoS 0 to MQTT subscribers).
  const intake =
    config.nats !== undefined
      ? new NatsIntake({ ...intakeOptions, config: config.nats, logger: logger.child({ part: 'nats' }), ackWaitS: Math.max(30, 4 * config.checkpointEveryS) })
      : new MqttIntake({ ...intakeOptions, config: config.mqtt!, logger: logger.child({ part: 'mqtt' }) }); // checked at the top
  const mqttPublisher = intake instanceof NatsIntake && config.mqtt !== undefined ? new MqttPublisher(config.mqtt, logger.child({ part: 'mqtt-out' }), metrics) : undefined;
  const publisher = mqttPublisher ?? intake;
  const notReady = (): string | undefined => {
    if (intake instanceof NatsIntake && !intake.ready) return intake.connected ? 'binding the NATS partitions' : 'not connected to NATS';
    if (mqttPublisher !== undefined && !mqttPublisher.connected) return 'not connected to the MQTT broker (alerts)';
    if (!intake.connected) {
      const refused = intake instanceof MqttIntake ? intake.refusedBecause : undefined;
      return refused === undefined ? 'not connected to the broker' : `not connected to the broker: it refuses the login (${refused}; check MQTT_USERNAME / MQTT_PASSWORD)`;
    }
    // Named before a full spool: a missing database is what fills it, and what the operator must fix.
    const writeProblem = store.writeProblem;
    if (writeProblem !== undefined) return `the store cannot write: ${writeProblem.message}; ${store.metrics.spoolPoints} points wait in the spool${store.accepting ? '' : ', which is full'}`;
    if (!store.accepting || writer.blocked) return 'the store refuses writes (spool full)';
    return undefined;
  };
  let server: Server | undefined = buildHealthServer({ registry: metrics.registry, notReady });
  let httpPort: number;
  try {
    httpPort = await listen(server, config.httpPort, config.httpHost);
  } catch (error) {
    // Nothing has connected yet: undo what started (the analysis threads, the store) so the process can exit.
    await sessions.close().catch(() => undefined);
    await intake.close().catch(() => undefined);
    await mqttPublisher?.close().catch(() => undefined);
    if (ownStore) await store.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new ConfigError([`INGEST_HTTP_PORT: ${config.httpPort} on ${config.httpHost} cannot be used (${code === 'EADDRINUSE' ? 'another process listens there' : 'not permitted'}): choose another port (0 picks a free one)`]);
    }
    throw error;
  }

  let expectedTickMs = Date.now() + TICK_MS;
  const ticker = setInterval(() => {
    const now = Date.now();
    metrics.eventLoopTickLag.set(Math.max(0, now - expectedTickMs) / 1000);
    expectedTickMs = now + TICK_MS;
    sessions.tick(intakeOptions.hold());
  }, TICK_MS);
  const ackAtCheckpoint = config.ackMode === 'checkpoint';
  /**
   * The periodic checkpoint. With INGEST_ACK=checkpoint the messages taken so
   * far are acknowledged once it is durable: everything they did (strides,
   * alerts, the session records, the analyzer state) is then in the store,
   * and what a crash loses later the broker redelivers. Skipped while a
   * session's checkpoint is being read: its held messages are in no checkpoint.
   */
  let checkpointing: Promise<void> | undefined;
  let releasing: Promise<void> | undefined;
  const checkpointTick = (): void => {
    // The analysis threads have not answered the previous one yet (they answer in milliseconds unless stuck).
    if (checkpointing !== undefined) return;
    // One mark at a time: it is released before the next is taken (a mark counts from the oldest held ack).
    // A slow store delays the release, not the checkpoints.
    const mark = ackAtCheckpoint && releasing === undefined ? intake.markAcks() : undefined;
    checkpointing = sessions
      .checkpointAll(ackAtCheckpoint)
      .then((covered) => {
        if (mark === undefined || !covered) return;
        releasing = writer
          .written()
          .then(() => intake.releaseAcks(mark))
          .finally(() => (releasing = undefined));
      })
      .catch((error: unknown) => logger.error({ err: error }, 'checkpoint failed; its messages stay unacknowledged'))
      .finally(() => (checkpointing = undefined));
  };
  const checkpoints = config.checkpointEveryS > 0 ? setInterval(checkpointTick, config.checkpointEveryS * 1000) : undefined;
  // Sessions a crashed worker left "running" with no message since to resume them: ended once their newest
  // checkpoint is long past any live worker's period (session/abandoned-sessions.ts). Needs checkpoints to tell.
  let sweeping: Promise<unknown> | undefined;
  const sweep = (): void => {
    if (sweeping !== undefined) return;
    sweeping = endAbandonedSessions({
      store,
      logger,
      isLive: (athleteId, sessionId) => sessions.session(athleteId, sessionId) !== undefined,
      staleAfterUs: Math.max(ABANDONED_AFTER_S, 3 * config.idleTimeoutS, 20 * config.checkpointEveryS) * 1e6,
      lookBackUs: ABANDONED_LOOK_BACK_S * 1e6,
      nowUs: () => Date.now() * 1000,
    })
      .catch((error: unknown) => logger.warn({ err: error }, 'abandoned-session sweep failed; trying again later'))
      .finally(() => (sweeping = undefined));
  };
  const sweeper = config.checkpointEveryS > 0 ? setInterval(sweep, ABANDONED_SWEEP_S * 1000) : undefined;
  const firstSweep = sweeper !== undefined ? setTimeout(sweep, 0) : undefined;
  logger.info(
    { store: store.kind, analysisThreads, mqttClientId: config.mqtt?.clientId, natsPartitions: config.nats?.workerPartitions, httpPort, idleTimeoutS: config.idleTimeoutS, jitterMs: config.jitterMs, ackMode: config.ackMode },
    'ingest started',
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('ingest stopping: intake paused, finishing sessions');
      intake.pause();
      clearInterval(ticker);
      clearInterval(checkpoints);
      clearInterval(sweeper);
      clearTimeout(firstSweep);
      await checkpointing;
      await releasing;
      const finalMark = intake.markAcks();
      // Messages held for a session whose checkpoint is still being read are dropped by the stop: never acknowledge those.
      const covered = await sessions.stopIntake();
      await sweeping;
      await sessions.settled();
      // With checkpoints the sessions are handed on (the next worker resumes them); without, they end here.
      if (config.checkpointEveryS > 0) await sessions.suspendAll();
      else await sessions.closeAll('shutdown');
      await sessions.close();
      await loadRamp.settled();
      await writer.close();
      // Every session is checkpointed and written: what was taken can be acknowledged.
      if (covered) intake.releaseAcks(finalMark);
      await intake.close();
      await mqttPublisher?.close();
      if (ownStore) await store.close();
      const closing = server;
      server = undefined;
      if (closing !== undefined) {
        const closed = new Promise<void>((r) => closing.close(() => r()));
        closing.closeAllConnections();
        await closed;
      }
      logger.info('ingest stopped');
    })());

  return { metrics, sessions, store, intake, logger, httpPort, notReady, flush: () => writer.flush(), stop };
}

/** A store that cannot be opened where DATA_DIR points (a file, no permission, a read-only disk, under /proc): the variable named, what to do. */
export function dataDirProblem(dataDir: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  // Another process owns the spool under this DATA_DIR (storage spool-lock.ts): its message says who and what to do.
  if (code === 'SPOOL_LOCKED') return new ConfigError([`DATA_DIR: ${(error as Error).message}`]);
  if (code === undefined || !['ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'EISDIR'].includes(code)) return error;
  return new ConfigError([`DATA_DIR: ${dataDir} cannot hold the store (${code}: ${(error as Error).message}): point it at a directory this user may write`]);
}
