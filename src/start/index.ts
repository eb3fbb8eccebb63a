/**
 * `gaitwatch start`: the whole system in one process on the embedded
 * default — an aedes MQTT broker, the local store under DATA_DIR, ingest,
 * the API with the dashboard, and three simulated runners — or pointed at
 * real services by the same environment variables the separate services read
 * (MQTT_URL, INFLUX_*). Each part is the real service, started the way its
 * own command starts it; only their wiring lives here.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { loadApiConfig, startApi, type RunningApi } from '@gaitwatch/api';
import { ConfigError, dataDirProblem, loadConfig, startIngest, type IngestService } from '@gaitwatch/ingest';
import { openStore, type GaitStore } from '@gaitwatch/storage';
import { pino, type Logger } from 'pino';
import { brokerAccount, startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.ts';
import { DEMO_HISTORY_ATHLETE, seedDemoHistory } from './demo-history.ts';
import { DEMO_RUNNERS, startDemoRunners, type DemoFleet, type DemoRunner } from './demo-runners.ts';
import { keyEntries, loadOrCreateSecrets } from './secrets.ts';

export { DEMO_RUNNERS, type DemoRunner } from './demo-runners.ts';
export { DEMO_HISTORY_ATHLETE, seedDemoHistory } from './demo-history.ts';
export { mayPublish, maySubscribe, type BrokerUser } from './broker-acl.ts';
export { startEmbeddedBroker, brokerAccount, type EmbeddedBroker, type BrokerAccount } from './embedded-broker.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface StartOptions {
  /** Where the local store (or the InfluxDB spool), the secrets and the key file live. */
  readonly dataDir: string;
  /** The API and dashboard port (0: any free port). Default 8080. */
  readonly apiPort?: number;
  /** Interface the API and the embedded broker listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** The embedded broker's port (0: any free port). Default 1883. Ignored when env MQTT_URL names a broker. */
  readonly mqttPort?: number;
  /** Run the simulated runners (default true). */
  readonly sim?: boolean;
  readonly runners?: readonly DemoRunner[];
  /** Write the returning runner's six past weeks (demo-history.ts) on the first start. Default: as `sim`. */
  readonly history?: boolean;
  /** The services' variables (MQTT_URL, INFLUX_*, LOG_LEVEL, INGEST_*, API_*); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the JSON logs go (default stderr, so stdout keeps the human lines and the ready line). */
  readonly logDestination?: { write(line: string): void };
}

export interface RunningGaitwatch {
  readonly dashboardUrl: string;
  /** The admin API key: signs in to the dashboard. */
  readonly token: string;
  readonly apiUrl: string;
  readonly mqttUrl: string;
  readonly secretsPath: string;
  readonly ingest: IngestService;
  readonly api: RunningApi;
  readonly broker: EmbeddedBroker | undefined;
  readonly fleet: DemoFleet | undefined;
  readonly logger: Logger;
  /** Runners say stop, ingest finishes and checkpoints its sessions, the API and broker close, the store last. */
  stop(): Promise<void>;
}

/** Starts everything; on a failure part-way, stops what already started and rethrows. */
export async function startGaitwatch(options: StartOptions): Promise<RunningGaitwatch> {
  const env = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const runners = options.runners ?? DEMO_RUNNERS;
  const sim = options.sim ?? true;
  const history = options.history ?? sim;
  const level = env['LOG_LEVEL'] !== undefined && env['LOG_LEVEL'] !== '' ? env['LOG_LEVEL'] : 'warn';
  // Checked before the logger is made from it (pino would throw its own, less helpful error).
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new ConfigError([`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`]);
  const root = pino(
    {
      level,
      // Each part adds its own `service`; pid and hostname say nothing in one process.
      base: null,
      // Nothing here logs a secret; this guards mistakes (the services' own loggers redact the same).
      redact: { paths: ['password', '*.password', 'token', '*.token', 'req.headers.authorization', 'req.headers["x-api-key"]'], censor: '[redacted]' },
    },
    options.logDestination ?? process.stderr,
  );
  const logger = root.child({ service: 'start' });
  // The first thing that writes to DATA_DIR: one that cannot hold the data is a configuration error (exit 2), as for ingest.
  const { secrets, path: secretsPath } = await loadOrCreateSecrets(options.dataDir, [...runners.map((r) => r.athleteId), ...(history ? [DEMO_HISTORY_ATHLETE] : [])]).catch((error: unknown) => {
    throw dataDirProblem(options.dataDir, error);
  });
  const keysFile = join(options.dataDir, 'api-keys.json');
  await writeFile(keysFile, `${JSON.stringify({ keys: keyEntries(secrets) }, null, 2)}\n`, { mode: 0o600 });

  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => logger.error({ err: error }, 'stop step failed'));
  };
  try {
    const external = env['MQTT_URL'] !== undefined && env['MQTT_URL'] !== '';
    let broker: EmbeddedBroker | undefined;
    if (!external) {
      broker = await startEmbeddedBroker({
        host,
        port: options.mqttPort ?? 1883,
        logger: logger.child({ part: 'broker' }),
        accounts: [
          brokerAccount('ingest', { kind: 'ingest' }, secrets.mqtt.ingest),
          brokerAccount('api', { kind: 'api' }, secrets.mqtt.api),
          ...Object.entries(secrets.mqtt.devices).map(([athleteId, pw]) => brokerAccount(athleteId, { kind: 'device', athleteId }, pw)),
        ],
      });
      cleanups.push(() => broker!.close());
    }
    const mqttUrl = broker?.url ?? env['MQTT_URL']!;
    // With the embedded broker each part has its own account; an external broker gets MQTT_USERNAME/MQTT_PASSWORD for all.
    const as = (user: 'ingest' | 'api'): Record<string, string | undefined> =>
      broker !== undefined ? { MQTT_URL: mqttUrl, MQTT_USERNAME: user, MQTT_PASSWORD: secrets.mqtt[user] } : {};
    const ingestConfig = loadConfig({ INGEST_HTTP_PORT: '0', INGEST_HTTP_HOST: host, ...env, DATA_DIR: options.dataDir, LOG_LEVEL: level, ...as('ingest') });
    const apiConfig = loadApiConfig({
      ...env,
      API_PORT: String(options.apiPort ?? env['API_PORT'] ?? 8080),
      API_HOST: host,
      DATA_DIR: options.dataDir,
      API_KEYS_FILE: keysFile,
      API_KEY_PEPPER: secrets.apiKeyPepper,
      LOG_LEVEL: level,
      ...(broker !== undefined ? as('api') : { MQTT_URL: mqttUrl }),
    });
    // The services' client ids are theirs before anything connects: a device login cannot take one over (embedded-broker.ts).
    if (broker !== undefined) {
      if (ingestConfig.mqtt !== undefined) broker.reserveClientId(ingestConfig.mqtt.clientId, 'ingest');
      if (apiConfig.mqtt !== undefined) broker.reserveClientId(apiConfig.mqtt.clientId, 'api');
    }

    // One store for both services: SQLite in WAL mode has one writer (ingest); the API only reads.
    const store: GaitStore = await openStore({
      dataDir: ingestConfig.store.dataDir,
      ...(ingestConfig.store.influx !== undefined ? { influx: { ...ingestConfig.store.influx, logger: logger.child({ part: 'store' }) } } : {}),
    });
    cleanups.push(() => store.close());
    if (history) await seedDemoHistory(store, { nowUs: Date.now() * 1000, logger });
    const api = await startApi(apiConfig, { store, logger: root.child({ service: 'api' }) });
    cleanups.push(() => api.stop());
    const ingest = await startIngest(ingestConfig, { store, logger: root.child({ service: 'ingest' }) });
    cleanups.push(() => ingest.stop());
    if (broker !== undefined) ingest.metrics.watchBroker(() => broker!.refused);
    let fleet: DemoFleet | undefined;
    if (sim) {
      const passwords = broker !== undefined ? secrets.mqtt.devices : Object.fromEntries(runners.map((r) => [r.athleteId, env['MQTT_PASSWORD'] ?? '']));
      fleet = startDemoRunners({ mqttUrl, passwords, logger: logger.child({ part: 'demo-runners' }), runners, ...(broker === undefined && env['MQTT_USERNAME'] !== undefined ? { username: env['MQTT_USERNAME'] } : {}) });
      cleanups.push(async () => {
        await fleet!.stop();
        // Let ingest take the runners' `stop`s and end their sessions before it stops (bounded: a lost `stop` only leaves a checkpoint).
        const deadline = Date.now() + 5_000;
        while (ingest.sessions.activeSessions > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        await ingest.flush();
      });
    }
    return {
      dashboardUrl: `${api.url}/`,
      token: secrets.keys.admin,
      apiUrl: api.url,
      mqttUrl,
      secretsPath,
      ingest,
      api,
      broker,
      fleet,
      logger,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
