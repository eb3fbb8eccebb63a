/**
 * Write failures that waiting cannot heal: the database (bucket) does not
 * exist, the URL leads nowhere, the credentials are refused. They are still
 * retried (the operator may fix it while the service runs: `CREATE DATABASE`,
 * a new token) and the points wait in the spool, but they are named, logged
 * at error with what to do, and reported by /readyz — unlike a database that
 * is down or slow, which the spool simply rides out.
 */
import type { StoreWriteProblemReason } from '../types.ts';
import type { InfluxConnectionOptions } from './http.ts';

/**
 * InfluxDB's answers for a missing database or bucket, by version:
 * 1.x `{"error":"database not found: \"gw\""}`, 2.x `bucket "gw" not found` /
 * `organization name "o" not found`, 3.x `database not found`.
 */
const MISSING_DATABASE = /database not found|\b(?:bucket|organization)\b.*\bnot found\b/is;
/** InfluxDB 1.x's answer (HTTP 500, body `retention policy not found: rp`) for a write to a retention policy the database lacks. */
const MISSING_RETENTION_POLICY = /retention policy not found/i;

/** The persistent condition a failed write's HTTP status and body show, or undefined when waiting may heal it (down, slow, 5xx, 429). */
export function persistentCondition(status: number | undefined, body: string): StoreWriteProblemReason | undefined {
  if (status !== undefined && MISSING_RETENTION_POLICY.test(body)) return 'retention_policy_missing';
  switch (status) {
    case 401:
    case 403:
      return 'unauthorized';
    case 404:
      // A 404 that names no database is a path this server does not serve: a URL with a path, or the v2 API on a 1.x before 1.8.
      return MISSING_DATABASE.test(body) ? 'database_missing' : 'endpoint_missing';
    default:
      return undefined;
  }
}

/** The target as the messages name it: the URL without credentials, the API, the database or bucket. */
export type WriteTarget = Pick<InfluxConnectionOptions, 'url' | 'api' | 'database' | 'bucket' | 'org' | 'retentionPolicy'>;

/** The URL as it may be logged: user info (`user:password@`), query and fragment removed. */
export function loggableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparsable INFLUX_URL)';
  }
}

/** What is wrong and what to do about it, without secrets (no token, no password: only variable names). */
export function problemMessage(reason: StoreWriteProblemReason, target: WriteTarget): string {
  const at = `InfluxDB at ${loggableUrl(target.url)}`;
  const v1 = target.api === 'v1';
  const database = target.database ?? target.bucket ?? '';
  switch (reason) {
    case 'database_missing':
      return v1
        ? `${at} has no database "${database}": create it (influx -execute 'CREATE DATABASE ${database}'${target.retentionPolicy === undefined ? '' : `, and its retention policy "${target.retentionPolicy}"`}) or fix INFLUX_DB`
        : `${at} has no bucket "${target.bucket ?? ''}" in org "${target.org ?? ''}": create it (influx bucket create -n ${target.bucket ?? ''} -o ${target.org ?? ''}) or fix INFLUX_BUCKET / INFLUX_ORG`;
    case 'retention_policy_missing':
      return `${at} has no retention policy "${target.retentionPolicy ?? ''}" on database "${database}": create it (influx -execute 'CREATE RETENTION POLICY "${target.retentionPolicy ?? ''}" ON "${database}" DURATION INF REPLICATION 1') or leave the retention policy unset (the database's default)`;
    case 'endpoint_missing':
      return v1
        ? `${at} answers 404 for /write: INFLUX_URL must be the server's base URL (scheme, host and port, no path)`
        : `${at} answers 404 for /api/v2/write: INFLUX_URL must be the server's base URL (no path), and InfluxDB 1.x before 1.8 has no v2 API (set INFLUX_DB, or INFLUX_API=v1)`;
    case 'unauthorized':
      return v1
        ? `${at} refuses the credentials: check INFLUX_USERNAME / INFLUX_PASSWORD and that the user may write to "${database}"`
        : `${at} refuses the token: check INFLUX_TOKEN (it needs write access to bucket "${target.bucket ?? ''}" in org "${target.org ?? ''}")`;
  }
}
