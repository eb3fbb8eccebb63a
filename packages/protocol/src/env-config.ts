import { z } from 'zod';

/**
 * The pieces of DESIGN.md's configuration contract (environment variables)
 * that more than one service reads: how an optional variable, an integer and
 * a URL are parsed, and the InfluxDB connection (INFLUX_*), whose rules the
 * ingest service (writes) and the API (reads) must agree on — they were
 * written twice before, with different messages for the same mistake.
 * Each service composes its own schema from these and reports every problem
 * by variable name, never a value.
 */

/** Unset, empty or blank: undefined. */
export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/**
 * An integer in [min, max] written in decimal digits (surrounding blanks allowed); `fallback` when unset.
 * Not Number() alone: it also reads `0x10`, `1e3` and `0b11`, which nobody writes for a port or a timeout
 * on purpose.
 */
export const envInt = (min: number, max: number, fallback: number) =>
  optionalText.pipe(
    z
      .string()
      .optional()
      .transform((v) => (v === undefined ? fallback : /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN))
      .pipe(z.number({ error: `must be an integer between ${min} and ${max}, in decimal digits` }).int(`must be an integer between ${min} and ${max}`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
  );

/** A URL with one of `protocols` (e.g. 'http:'); `example` goes into the message. */
export const envUrl = (protocols: readonly string[], example: string) =>
  z.string().refine((text) => URL.canParse(text) && protocols.includes(new URL(text).protocol), `must be a URL with scheme ${protocols.map((p) => p.replace(':', '')).join(' | ')}, e.g. ${example}`);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL, one of LOG_LEVELS. */
export const envLogLevel = optionalText.pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional());

/** The INFLUX_* variables, to spread into a service's schema. */
export const INFLUX_ENV = {
  INFLUX_URL: optionalText.pipe(envUrl(['http:', 'https:'], 'http://127.0.0.1:8086').optional()),
  INFLUX_API: optionalText.pipe(z.enum(['v1', 'v2'], { error: 'must be v1 or v2' }).optional()),
  INFLUX_TOKEN: optionalText,
  INFLUX_ORG: optionalText,
  INFLUX_BUCKET: optionalText,
  INFLUX_DB: optionalText,
  INFLUX_USERNAME: optionalText,
  INFLUX_PASSWORD: optionalText,
};

/** The InfluxDB connection the INFLUX_* variables describe. */
export interface InfluxEnvConfig {
  readonly url: string;
  readonly api: 'v1' | 'v2';
  readonly token?: string;
  readonly org?: string;
  readonly bucket?: string;
  readonly database?: string;
  readonly username?: string;
  readonly password?: string;
}

type InfluxEnv = { readonly [K in keyof typeof INFLUX_ENV]?: z.output<(typeof INFLUX_ENV)[K]> };

/**
 * The InfluxDB connection from parsed INFLUX_* variables, or undefined when
 * INFLUX_URL is unset (the local store). Problems are pushed onto
 * `problems`. The API follows from what is given unless INFLUX_API says:
 * a bucket means v2 (InfluxDB 2.x/3.x, or 1.8+ with its v2 endpoints), a
 * database alone v1 (1.x /write and /query); v2 needs bucket, org and token.
 */
export function influxFromEnv(e: InfluxEnv, problems: string[]): InfluxEnvConfig | undefined {
  if (e.INFLUX_URL === undefined) {
    for (const name of ['INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_DB'] as const) {
      if (e[name] !== undefined) problems.push(`${name}: set without INFLUX_URL (unset INFLUX_URL means the local store under DATA_DIR)`);
    }
    return undefined;
  }
  const api = e.INFLUX_API ?? (e.INFLUX_BUCKET !== undefined ? 'v2' : e.INFLUX_DB !== undefined ? 'v1' : 'v2');
  if (api === 'v2') {
    if (e.INFLUX_BUCKET === undefined) problems.push('INFLUX_BUCKET: required with INFLUX_URL for the v2 API (or set INFLUX_DB for InfluxDB 1.x)');
    if (e.INFLUX_ORG === undefined) problems.push('INFLUX_ORG: required with INFLUX_BUCKET (v2 API)');
    if (e.INFLUX_TOKEN === undefined) problems.push('INFLUX_TOKEN: required with INFLUX_BUCKET (v2 API)');
  } else if (e.INFLUX_DB === undefined) problems.push('INFLUX_DB: required with INFLUX_URL for InfluxDB 1.x (v1 API)');
  return {
    url: e.INFLUX_URL,
    api,
    ...(e.INFLUX_TOKEN !== undefined ? { token: e.INFLUX_TOKEN } : {}),
    ...(e.INFLUX_ORG !== undefined ? { org: e.INFLUX_ORG } : {}),
    ...(e.INFLUX_BUCKET !== undefined ? { bucket: e.INFLUX_BUCKET } : {}),
    ...(e.INFLUX_DB !== undefined ? { database: e.INFLUX_DB } : {}),
    ...(e.INFLUX_USERNAME !== undefined ? { username: e.INFLUX_USERNAME } : {}),
    ...(e.INFLUX_PASSWORD !== undefined ? { password: e.INFLUX_PASSWORD } : {}),
  };
}
