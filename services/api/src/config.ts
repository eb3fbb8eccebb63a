import { envInt, envLogLevel, envUrl, INFLUX_ENV, influxFromEnv, optionalText, type InfluxEnvConfig, type LogLevel } from '@gaitwatch/protocol/env';
import { z } from 'zod';
import { pepperProblem } from './auth/keys.ts';

/**
 * The API service's configuration from environment variables (DESIGN.md
 * "Services and configuration"), validated once at start-up. Every variable
 * is documented in services/api/README.md.
 */
export interface ApiConfig {
  readonly port: number;
  readonly host: string;
  readonly store: {
    readonly dataDir: string;
    readonly influx?: InfluxEnvConfig;
  };
  readonly keysFile: string;
  /** Secret mixed into every key hash and export pseudonym (HMAC key); at least MIN_PEPPER_CHARS. */
  readonly keyPepper: string;
  readonly logLevel: LogLevel;
  readonly rateLimit: { readonly max: number; readonly timeWindowMs: number } | false;
  /** Bearer JWTs accepted beside API keys (auth/jwt.ts); absent: keys only. */
  readonly jwt?: { readonly secret?: string; readonly publicKeyFile?: string; readonly issuer?: string; readonly audience?: string };
  /** The broker whose `alerts`, `live` and `status` the live stream follows; absent: /v1/live is off. */
  readonly mqtt?: { readonly url: string; readonly username?: string; readonly password?: string; readonly clientId: string; readonly caFile?: string };
}

/** A configuration the API cannot start with: one line per problem, never a secret value. */
export class ApiConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid api configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ApiConfigError';
  }
}

const EnvSchema = z.object({
  API_PORT: envInt(0, 65_535, 8080),
  API_HOST: optionalText,
  API_KEYS_FILE: optionalText,
  API_KEY_PEPPER: optionalText,
  API_RATE_LIMIT_PER_MIN: envInt(0, 1_000_000, 600),
  DATA_DIR: optionalText,
  // Reads go through InfluxQL /query (DESIGN.md): a v1 database name, or the v2 bucket through its DBRP mapping.
  ...INFLUX_ENV,
  API_JWT_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters (HS256 key)').optional()),
  API_JWT_PUBLIC_KEY_FILE: optionalText,
  API_JWT_ISSUER: optionalText,
  API_JWT_AUDIENCE: optionalText,
  MQTT_URL: optionalText.pipe(envUrl(['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'], 'mqtt://127.0.0.1:1883').optional()),
  MQTT_USERNAME: optionalText,
  MQTT_PASSWORD: optionalText,
  MQTT_CA_FILE: optionalText,
  API_MQTT_CLIENT_ID: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,23}$/, 'must be 1–23 of A–Z a–z 0–9 _ . - (MQTT 3.1.1 guarantees 23)')
      .optional(),
  ),
  LOG_LEVEL: envLogLevel,
});

/** Reads the configuration from `env`; throws ApiConfigError naming every problem by variable. */
export function loadApiConfig(env: Readonly<Record<string, string | undefined>> = process.env): ApiConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new ApiConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  const problems: string[] = [];
  if (e.DATA_DIR === undefined) problems.push('DATA_DIR: required (the local store, or where the InfluxDB store keeps its spool)');
  if (e.API_KEYS_FILE === undefined) problems.push('API_KEYS_FILE: required (the hashed API keys and their roles; see services/api/README.md)');
  const pepper = pepperProblem(e.API_KEY_PEPPER);
  if (pepper !== null) problems.push(`API_KEY_PEPPER: ${pepper}`);
  const influx = influxFromEnv(e, problems);
  if (e.API_JWT_SECRET !== undefined && e.API_JWT_PUBLIC_KEY_FILE !== undefined) problems.push('API_JWT_SECRET and API_JWT_PUBLIC_KEY_FILE: set one (HS256 secret or the issuer\'s RS256/ES256 public key), not both');
  const jwtOn = e.API_JWT_SECRET !== undefined || e.API_JWT_PUBLIC_KEY_FILE !== undefined;
  if (!jwtOn && (e.API_JWT_ISSUER !== undefined || e.API_JWT_AUDIENCE !== undefined)) problems.push('API_JWT_ISSUER / API_JWT_AUDIENCE: set without API_JWT_SECRET or API_JWT_PUBLIC_KEY_FILE');
  if (e.MQTT_URL === undefined) {
    for (const name of ['MQTT_USERNAME', 'MQTT_PASSWORD', 'MQTT_CA_FILE'] as const) if (e[name] !== undefined) problems.push(`${name}: set without MQTT_URL (the live stream's broker)`);
  } else if (e.MQTT_PASSWORD !== undefined && e.MQTT_USERNAME === undefined) problems.push('MQTT_PASSWORD: set without MQTT_USERNAME');
  if (problems.length > 0) throw new ApiConfigError(problems);
  return {
    port: e.API_PORT,
    host: e.API_HOST ?? '127.0.0.1',
    store: { dataDir: e.DATA_DIR!, ...(influx !== undefined ? { influx } : {}) },
    keysFile: e.API_KEYS_FILE!,
    keyPepper: e.API_KEY_PEPPER!,
    logLevel: e.LOG_LEVEL ?? 'info',
    rateLimit: e.API_RATE_LIMIT_PER_MIN === 0 ? false : { max: e.API_RATE_LIMIT_PER_MIN, timeWindowMs: 60_000 },
    ...(jwtOn
      ? {
          jwt: {
            ...(e.API_JWT_SECRET !== undefined ? { secret: e.API_JWT_SECRET } : {}),
            ...(e.API_JWT_PUBLIC_KEY_FILE !== undefined ? { publicKeyFile: e.API_JWT_PUBLIC_KEY_FILE } : {}),
            ...(e.API_JWT_ISSUER !== undefined ? { issuer: e.API_JWT_ISSUER } : {}),
            ...(e.API_JWT_AUDIENCE !== undefined ? { audience: e.API_JWT_AUDIENCE } : {}),
          },
        }
      : {}),
    ...(e.MQTT_URL !== undefined
      ? {
          mqtt: {
            url: e.MQTT_URL,
            ...(e.MQTT_USERNAME !== undefined ? { username: e.MQTT_USERNAME, password: e.MQTT_PASSWORD ?? '' } : {}),
            clientId: e.API_MQTT_CLIENT_ID ?? 'gaitwatch-api',
            ...(e.MQTT_CA_FILE !== undefined ? { caFile: e.MQTT_CA_FILE } : {}),
          },
        }
      : {}),
  };
}
