import { availableParallelism } from 'node:os';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { envInt, envLogLevel, envUrl, INFLUX_ENV, influxFromEnv, optionalText, type InfluxEnvConfig, type LogLevel } from '@gaitwatch/protocol/env';
import { z } from 'zod';

/**
 * The ingest service's configuration, read from environment variables
 * (DESIGN.md "Services and configuration") and validated once at start-up.
 * Every variable is documented in services/ingest/README.md.
 */
export interface IngestConfig {
  /** The MQTT broker. Unset only with `nats` (NATS_URL): then alerts and live strides go out on core NATS. */
  readonly mqtt?: {
    readonly url: string;
    readonly username?: string;
    readonly password?: string;
    /** Stable client id: the broker keeps the persistent session (clean: false) under it. */
    readonly clientId: string;
    /** Shortest and longest wait between reconnect attempts, ms (doubling in between). */
    readonly reconnectMinMs: number;
    readonly reconnectMaxMs: number;
    /**
     * TLS files (PEM paths) for an `mqtts:`/`wss:` broker: `ca` to trust instead of the system's CAs (a private
     * CA), `cert`+`key` for a client certificate. The broker's certificate is always verified.
     */
    readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  };
  readonly store: {
    readonly dataDir: string;
    readonly influx?: InfluxEnvConfig;
  };
  readonly logLevel: LogLevel;
  /** A session without data or status for this long is closed, s. */
  readonly idleTimeoutS: number;
  /** How long a frame waits in its sensor's jitter buffer for an earlier one, in data time, ms. */
  readonly jitterMs: number;
  /** Frames held per sensor at most; past it the oldest is released (bounded memory). */
  readonly jitterMaxFrames: number;
  /** Port of /metrics, /healthz, /readyz (0: any free port). */
  readonly httpPort: number;
  readonly httpHost: string;
  /** Checkpoint period, s (also at shutdown); 0 turns checkpoints and resuming off (shutdown then finishes sessions). */
  readonly checkpointEveryS: number;
  /**
   * When a message is acknowledged to the broker: `receipt` (once handed to its session) or `checkpoint` (once a
   * durable checkpoint covers it, so a crash loses nothing the broker will not redeliver; needs the broker to allow
   * that many messages in flight, e.g. Mosquitto `max_inflight_messages 0`).
   */
  readonly ackMode: 'receipt' | 'checkpoint';
  /**
   * Analysis threads (worker threads) the sessions are spread over, by a hash of the session key; 0 analyses in
   * the main thread. Absent: defaultAnalysisThreads() (one core left to the main thread: broker, store, HTTP).
   */
  readonly analysisThreads?: number;
  /** Messages one analysis thread may be behind before the intake holds (back-pressure); absent: 20,000. */
  readonly analysisMaxQueue?: number;
  /**
   * NATS JetStream intake (NATS_URL): imu/status are consumed from JetStream partitions instead of MQTT
   * subscriptions (services/ingest/README.md "NATS JetStream intake", deploy/SCALING.md).
   */
  readonly nats?: NatsConfig;
}

/** NATS_* variables: where the partitioned stream is and which of its partitions this worker consumes. */
export interface NatsConfig {
  /** `nats://host:4222` or `tls://host:4222`. */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** N: the server's subject mapping spreads sessions over N partitions (`{{partition(N,1,2)}}`); must equal it. */
  readonly partitions: number;
  /** The partitions this worker consumes, ascending; default all of them (one worker). */
  readonly workerPartitions: readonly number[];
  /** The JetStream stream holding the mapped subjects `gw.<partition>.<athlete>.<session>.<imu|status>`. */
  readonly stream: string;
}

/** INGEST_ANALYSIS_THREADS' default: every core but one (the main thread's), at least one. */
export function defaultAnalysisThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** A configuration the service cannot start with: one line per problem, never the secret values. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid ingest configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** URL schemes mqtt.js speaks TLS on. */
export const TLS_PROTOCOLS: readonly string[] = ['mqtts:', 'wss:', 'ssl:'];

/** A PEM file the service can read: the path itself, or a message naming the problem (never the file's content). */
const pemFile = optionalText.pipe(
  z
    .string()
    .superRefine((path, ctx) => {
      try {
        if (!statSync(path).isFile()) return ctx.addIssue({ code: 'custom', message: `${path} is not a file` });
        accessSync(path, constants.R_OK);
        if (!readFileSync(path, 'utf8').includes('-----BEGIN ')) ctx.addIssue({ code: 'custom', message: `${path} is not PEM (no -----BEGIN line)` });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        ctx.addIssue({ code: 'custom', message: `cannot read ${path}${code !== undefined ? ` (${code})` : ''}: must be a readable PEM file` });
      }
    })
    .optional(),
);

const EnvSchema = z.object({
  MQTT_URL: optionalText.pipe(envUrl(['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'], 'mqtt://127.0.0.1:1883').optional()),
  MQTT_USERNAME: optionalText,
  MQTT_PASSWORD: optionalText,
  MQTT_CLIENT_ID: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,23}$/, 'must be 1–23 of A–Z a–z 0–9 _ . - (MQTT 3.1.1 guarantees 23)')
      .optional(),
  ),
  MQTT_RECONNECT_MIN_MS: envInt(100, 60_000, 500),
  MQTT_RECONNECT_MAX_MS: envInt(100, 300_000, 30_000),
  MQTT_CA_FILE: pemFile,
  MQTT_CERT_FILE: pemFile,
  MQTT_KEY_FILE: pemFile,
  ...INFLUX_ENV,
  DATA_DIR: optionalText,
  LOG_LEVEL: envLogLevel,
  INGEST_IDLE_TIMEOUT_S: envInt(5, 86_400, 120),
  INGEST_JITTER_MS: envInt(0, 5_000, 250),
  INGEST_JITTER_MAX_FRAMES: envInt(1, 10_000, 64),
  INGEST_HTTP_PORT: envInt(0, 65_535, 9464),
  INGEST_HTTP_HOST: optionalText,
  INGEST_CHECKPOINT_S: envInt(0, 3_600, 5),
  INGEST_ACK: optionalText.pipe(z.enum(['receipt', 'checkpoint'], { error: 'must be receipt or checkpoint' }).optional()),
  INGEST_ANALYSIS_THREADS: optionalText.pipe(
    z
      .string()
      .optional()
      .transform((v) => (v === undefined ? undefined : Number(v)))
      .pipe(z.number({ error: 'must be an integer between 0 and 256' }).int('must be an integer between 0 and 256').min(0, 'must be at least 0').max(256, 'must be at most 256').optional()),
  ),
  INGEST_ANALYSIS_MAX_QUEUE: envInt(100, 10_000_000, 20_000),
  NATS_URL: optionalText.pipe(envUrl(['nats:', 'tls:'], 'nats://127.0.0.1:4222').optional()),
  NATS_USER: optionalText,
  NATS_PASSWORD: optionalText,
  NATS_PARTITIONS: envInt(1, 1024, 4),
  NATS_WORKER_PARTITIONS: optionalText.pipe(
    z
      .string()
      .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, 'must be a comma-separated list of partition numbers, e.g. 0,1')
      .transform((list) => list.split(',').map((p) => Number(p.trim())))
      .optional(),
  ),
  NATS_STREAM: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 of A–Z a–z 0–9 _ - (a JetStream stream name)')
      .optional(),
  ),
});

/**
 * Reads the configuration from `env` (default process.env). Throws ConfigError
 * listing every problem by variable name. MQTT_URL is required here: the
 * embedded broker (MQTT_URL unset) belongs to `gaitwatch start`, not to the
 * standalone service.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): IngestConfig {
  const parsed = EnvSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  if (e.MQTT_URL === undefined && e.NATS_URL === undefined) problems.push('MQTT_URL: required (the broker to subscribe to), e.g. mqtt://127.0.0.1:1883, unless NATS_URL is set');
  if (e.MQTT_PASSWORD !== undefined && e.MQTT_USERNAME === undefined) problems.push('MQTT_PASSWORD: set without MQTT_USERNAME');
  if (e.MQTT_RECONNECT_MIN_MS > e.MQTT_RECONNECT_MAX_MS) problems.push('MQTT_RECONNECT_MIN_MS: must not exceed MQTT_RECONNECT_MAX_MS');
  const tlsUrl = e.MQTT_URL !== undefined && TLS_PROTOCOLS.includes(new URL(e.MQTT_URL).protocol);
  for (const name of ['MQTT_CA_FILE', 'MQTT_CERT_FILE', 'MQTT_KEY_FILE'] as const) {
    if (e[name] !== undefined && e.MQTT_URL !== undefined && !tlsUrl) problems.push(`${name}: set but MQTT_URL is not a TLS URL (mqtts:// or wss://)`);
  }
  if ((e.MQTT_CERT_FILE === undefined) !== (e.MQTT_KEY_FILE === undefined)) problems.push('MQTT_CERT_FILE and MQTT_KEY_FILE: a client certificate needs both');
  // Read by name from env: the schema strips unknown keys, and this one must not pass silently.
  if (env['MQTT_TLS_INSECURE'] !== undefined && env['MQTT_TLS_INSECURE'].trim() !== '') {
    problems.push("MQTT_TLS_INSECURE: not supported: the broker's certificate is always verified; give its CA with MQTT_CA_FILE");
  }
  if (e.DATA_DIR === undefined) problems.push('DATA_DIR: required (the local store, or the InfluxDB spool when INFLUX_URL is set)');
  const influx = influxFromEnv(e, problems);
  if (e.INGEST_ACK === 'checkpoint' && e.INGEST_CHECKPOINT_S === 0) problems.push('INGEST_ACK: checkpoint needs checkpoints (INGEST_CHECKPOINT_S above 0)');
  const nats = natsConfig(e, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    // Unset only with NATS_URL (checked above): alerts then go out on core NATS.
    ...(e.MQTT_URL !== undefined
      ? {
          mqtt: {
            url: e.MQTT_URL,
            ...(e.MQTT_USERNAME !== undefined ? { username: e.MQTT_USERNAME, password: e.MQTT_PASSWORD ?? '' } : {}),
            clientId: e.MQTT_CLIENT_ID ?? 'gaitwatch-ingest',
            reconnectMinMs: e.MQTT_RECONNECT_MIN_MS,
            reconnectMaxMs: e.MQTT_RECONNECT_MAX_MS,
            ...(e.MQTT_CA_FILE !== undefined || e.MQTT_CERT_FILE !== undefined
              ? {
                  tls: {
                    ...(e.MQTT_CA_FILE !== undefined ? { ca: e.MQTT_CA_FILE } : {}),
                    ...(e.MQTT_CERT_FILE !== undefined ? { cert: e.MQTT_CERT_FILE } : {}),
                    ...(e.MQTT_KEY_FILE !== undefined ? { key: e.MQTT_KEY_FILE } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
    store: { dataDir: e.DATA_DIR!, ...(influx !== undefined ? { influx } : {}) },
    logLevel: e.LOG_LEVEL ?? 'info',
    idleTimeoutS: e.INGEST_IDLE_TIMEOUT_S,
    jitterMs: e.INGEST_JITTER_MS,
    jitterMaxFrames: e.INGEST_JITTER_MAX_FRAMES,
    httpPort: e.INGEST_HTTP_PORT,
    httpHost: e.INGEST_HTTP_HOST ?? '127.0.0.1',
    checkpointEveryS: e.INGEST_CHECKPOINT_S,
    ackMode: e.INGEST_ACK ?? 'receipt',
    analysisThreads: e.INGEST_ANALYSIS_THREADS ?? defaultAnalysisThreads(),
    analysisMaxQueue: e.INGEST_ANALYSIS_MAX_QUEUE,
    ...(nats !== undefined ? { nats } : {}),
  };
}

/** The NATS_* variables, checked together; problems are appended to `problems`. */
function natsConfig(e: z.infer<typeof EnvSchema>, problems: string[]): NatsConfig | undefined {
  if (e.NATS_URL === undefined) {
    for (const name of ['NATS_USER', 'NATS_PASSWORD', 'NATS_WORKER_PARTITIONS', 'NATS_STREAM'] as const) {
      if (e[name] !== undefined) problems.push(`${name}: set without NATS_URL (unset NATS_URL means MQTT intake)`);
    }
    return undefined;
  }
  if (e.NATS_PASSWORD !== undefined && e.NATS_USER === undefined) problems.push('NATS_PASSWORD: set without NATS_USER');
  if (e.NATS_USER !== undefined && e.NATS_PASSWORD === undefined) problems.push('NATS_USER: set without NATS_PASSWORD');
  const n = e.NATS_PARTITIONS;
  const mine = e.NATS_WORKER_PARTITIONS ?? Array.from({ length: n }, (_, p) => p);
  const outside = mine.filter((p) => p >= n);
  if (outside.length > 0) problems.push(`NATS_WORKER_PARTITIONS: ${outside.join(',')} outside 0–${n - 1} (NATS_PARTITIONS is ${n})`);
  if (new Set(mine).size !== mine.length) problems.push('NATS_WORKER_PARTITIONS: a partition is listed twice');
  return {
    url: e.NATS_URL,
    ...(e.NATS_USER !== undefined ? { user: e.NATS_USER, password: e.NATS_PASSWORD ?? '' } : {}),
    partitions: n,
    workerPartitions: [...new Set(mine)].sort((a, b) => a - b),
    stream: e.NATS_STREAM ?? 'GAITWATCH_IMU',
  };
}
