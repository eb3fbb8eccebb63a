/**
 * The only place that listens (CONVENTIONS.md "From fastify"): opens the
 * store and the key file from the configuration, builds the app and starts
 * it on API_HOST:API_PORT.
 */
import { readFileSync } from 'node:fs';
import { openStore, type GaitStore } from '@gaitwatch/storage';
import { pino, type Logger } from 'pino';
import { buildApp, type ApiApp } from './app.ts';
import type { JwtOptions } from './auth/jwt.ts';
import { KeyRing } from './auth/keys.ts';
import { ApiConfigError, type ApiConfig } from './config.ts';
import { LiveHub } from './live/live-hub.ts';
import { connectLiveFeed, type LiveFeed } from './live/mqtt-feed.ts';

export interface RunningApi {
  readonly app: ApiApp;
  readonly logger: Logger;
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Stops taking requests, lets the ones in flight finish, closes the store. */
  stop(): Promise<void>;
}

/** A file a variable names, or an ApiConfigError naming the variable and why it cannot be read. */
function readConfiguredFile(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ApiConfigError([`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
}

export async function startApi(config: ApiConfig, deps: { logger?: Logger; store?: GaitStore } = {}): Promise<RunningApi> {
  const logger =
    deps.logger ??
    pino({
      level: config.logLevel,
      // The key is a header; pino's request serializer does not log headers, this guards mistakes.
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'config.store.influx.token', 'config.store.influx.password', 'config.keyPepper', 'config.jwt.secret'], censor: '[redacted]' },
    });
  const keys = KeyRing.fromFile(config.keysFile, config.keyPepper);
  // Files the configuration names are read before anything is opened: a bad path fails fast, with nothing to close.
  const ca = config.mqtt?.caFile !== undefined ? readConfiguredFile('MQTT_CA_FILE', config.mqtt.caFile) : undefined;
  let jwt: JwtOptions | undefined;
  if (config.jwt !== undefined) {
    const { publicKeyFile, ...rest } = config.jwt;
    jwt = { ...rest, ...(publicKeyFile !== undefined ? { publicKey: readConfiguredFile('API_JWT_PUBLIC_KEY_FILE', publicKeyFile).toString('utf8') } : {}) };
  }
  if (keys.size === 0) logger.warn({ keysFile: config.keysFile }, 'the API key file holds no keys: every request will get 401');
  const store =
    deps.store ??
    (await openStore({
      dataDir: config.store.dataDir,
      // The API writes no batches (only athletes and acks, on the store's own connection): no writer thread.
      local: { writerThread: false },
      // Its own spool: ingest may share this DATA_DIR, and a spool has one owner (storage spool-lock.ts).
      spoolName: 'spool-api',
      ...(config.store.influx !== undefined ? { influx: { ...config.store.influx, logger: logger.child({ part: 'store' }) } } : {}),
    }));
  const hub = config.mqtt !== undefined ? new LiveHub() : undefined;
  const app = await buildApp({ store, auth: { keys, ...(jwt !== undefined ? { jwt } : {}) }, logger, rateLimit: config.rateLimit, processMetrics: true, ...(hub !== undefined ? { live: { hub } } : {}) });
  const feed: LiveFeed | undefined =
    hub !== undefined && config.mqtt !== undefined
      ? connectLiveFeed(hub, { ...config.mqtt, ...(ca !== undefined ? { ca } : {}) }, { logger: logger.child({ part: 'live-feed' }), metrics: app.metrics })
      : undefined;
  let url: string;
  try {
    url = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await feed?.close();
    await app.close();
    if (deps.store === undefined) await store.close();
    throw error;
  }
  logger.info({ url, store: store.kind, keys: keys.size, live: feed !== undefined }, 'api listening');
  return {
    app,
    logger,
    url,
    async stop() {
      await feed?.close();
      await app.close();
      if (deps.store === undefined) await store.close();
    },
  };
}
