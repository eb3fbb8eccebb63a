/**
 * HTTP to InfluxDB through the client library's transport
 * (@influxdata/influxdb-client `InfluxDB#transport`): it brings the token
 * header, timeouts, gzip and the HttpError with Retry-After. Its WriteApi is
 * not used — it does not wait for batches in flight on flush/close and drops
 * lines waiting for a retry — so batching, retries and the spool are ours.
 */
import { HttpError, InfluxDB, RequestTimedOutError } from '@influxdata/influxdb-client';
import { InfluxQueryError } from '../errors.ts';
import type { StoreWriteProblemReason } from '../types.ts';
import { persistentCondition } from './write-condition.ts';

export interface InfluxConnectionOptions {
  /** Base URL, e.g. http://127.0.0.1:8086. */
  readonly url: string;
  /**
   * 'v2': `/api/v2/write?org&bucket` (InfluxDB 2.x, 3.x, and 1.8+ which serves it too).
   * 'v1': `/write?db&rp` for InfluxDB 1.x before 1.8.
   */
  readonly api: 'v2' | 'v1';
  /** v2 token (1.8+: `user:password`). Sent as `Authorization: Token …`. */
  readonly token?: string;
  readonly org?: string;
  readonly bucket?: string;
  /** v1 database; also the `db` of InfluxQL reads (default: the bucket, through the DBRP mapping on 2.x). */
  readonly database?: string;
  readonly retentionPolicy?: string;
  /** InfluxDB 1.x credentials, sent as HTTP Basic (kept out of URLs and logs). */
  readonly username?: string;
  readonly password?: string;
  /** One request's timeout, ms (default 5000): a slower database counts as away, and the batch goes to the spool. */
  readonly requestTimeoutMs?: number;
  /** Bodies larger than this are gzipped, bytes (default: never). */
  readonly gzipThresholdBytes?: number;
}

/** Why a write failed, and whether trying again can help. */
export class WriteFailure extends Error {
  constructor(
    readonly retriable: boolean,
    readonly status: number | undefined,
    readonly body: string,
    readonly retryAfterMs: number,
  ) {
    super(status === undefined ? `influx write failed: ${body}` : `influx write failed: HTTP ${status} ${body.slice(0, 300)}`);
    this.name = 'WriteFailure';
  }

  /** A condition waiting cannot heal (no database, bad credentials, wrong URL: write-condition.ts), or undefined. Still retriable. */
  get condition(): StoreWriteProblemReason | undefined {
    return persistentCondition(this.status, this.body);
  }
}

/**
 * Statuses that mean "this data is wrong" (bad line protocol, field type
 * conflict, too large): retrying cannot help. Everything else — 5xx, 429,
 * 401/403 (a token being rotated), 404 (database not created yet), network
 * errors, timeouts — is worth retrying, and the data waits in the spool;
 * of those, the ones an operator must fix (401/403, 404) are named by
 * `WriteFailure#condition` and reported (write-health.ts).
 */
const PERMANENT_STATUSES = new Set([400, 413, 422]);

export function classifyWriteError(error: unknown): WriteFailure {
  if (error instanceof HttpError) {
    // Retry-After is in seconds (RFC 9110); the library's retryAfter() reads it as ms, so read the header.
    const header = error.headers?.['retry-after'];
    const seconds = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : 0;
    const retryAfterMs = seconds * 1000;
    return new WriteFailure(!PERMANENT_STATUSES.has(error.statusCode), error.statusCode, error.body ?? error.message, retryAfterMs);
  }
  if (error instanceof RequestTimedOutError) return new WriteFailure(true, undefined, 'request timed out', 0);
  return new WriteFailure(true, undefined, error instanceof Error ? error.message : String(error), 0);
}

export interface InfluxSeries {
  readonly name: string;
  readonly columns: string[];
  readonly values: unknown[][];
}

interface QueryResponse {
  results?: { series?: InfluxSeries[]; error?: string }[];
  error?: string;
}

export class InfluxHttp {
  private readonly client: InfluxDB;
  private readonly writePath: string;
  private readonly queryDatabase: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: InfluxConnectionOptions) {
    this.client = new InfluxDB({ url: options.url, timeout: options.requestTimeoutMs ?? 5000, ...(options.token === undefined ? {} : { token: options.token }) });
    this.headers = options.username === undefined ? {} : { authorization: `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}` };
    if (options.api === 'v2') {
      if (options.bucket === undefined) throw new TypeError('influx: api v2 needs a bucket (INFLUX_BUCKET)');
      this.writePath = `/api/v2/write?${new URLSearchParams({ org: options.org ?? '', bucket: options.bucket, precision: 'us' })}`;
    } else {
      if (options.database === undefined) throw new TypeError('influx: api v1 needs a database (INFLUX_DB)');
      this.writePath = `/write?${new URLSearchParams({ db: options.database, precision: 'u', ...(options.retentionPolicy === undefined ? {} : { rp: options.retentionPolicy }) })}`;
    }
    this.queryDatabase = options.database ?? options.bucket ?? '';
  }

  /** POSTs line protocol (µs timestamps). Resolves on 2xx only; throws WriteFailure. */
  async write(lines: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.transport.request(this.writePath, lines, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8', ...this.headers },
        ...(this.options.gzipThresholdBytes === undefined ? {} : { gzipThreshold: this.options.gzipThresholdBytes }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      throw classifyWriteError(error);
    }
  }

  /**
   * Runs InfluxQL over `/query` (served by 1.x, 2.x through DBRP, and 3.x) with
   * epoch=u: µs since 1970 stay below 2^53, so JSON numbers hold them exactly
   * (nanoseconds would not).
   */
  async query(influxql: string): Promise<InfluxSeries[]> {
    const params = new URLSearchParams({ db: this.queryDatabase, q: influxql, epoch: 'u' });
    if (this.options.retentionPolicy !== undefined) params.set('rp', this.options.retentionPolicy);
    let body: QueryResponse;
    try {
      body = (await this.client.transport.request(`/query?${params}`, '', { method: 'GET', headers: { accept: 'application/json', ...this.headers } })) as QueryResponse;
    } catch (error) {
      throw new InfluxQueryError(error instanceof HttpError ? `HTTP ${error.statusCode} ${error.body ?? ''}` : String(error));
    }
    const result = body.results?.[0];
    const failure = body.error ?? result?.error;
    if (failure !== undefined) throw new InfluxQueryError(failure);
    return result?.series ?? [];
  }

  /**
   * Asks whether a write would be taken, writing nothing: an empty body to the
   * write endpoint (InfluxDB 1.x answers 404 for a missing database and 204 for
   * an existing one before reading the body). Undefined on 2xx, else the failure.
   */
  async probeWrite(signal?: AbortSignal): Promise<WriteFailure | undefined> {
    try {
      await this.write('', signal);
      return undefined;
    } catch (error) {
      return error instanceof WriteFailure ? error : classifyWriteError(error);
    }
  }

  /** True when the server answers /ping. */
  async ping(): Promise<boolean> {
    try {
      await this.client.transport.request('/ping', '', { method: 'GET', headers: this.headers });
      return true;
    } catch {
      return false;
    }
  }
}
