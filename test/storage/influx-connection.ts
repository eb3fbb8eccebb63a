/**
 * How the tests reach the harness's InfluxDB: Debian's 1.6.7 binary speaks
 * the v1 API without auth; the testcontainers fallback is InfluxDB 2.7 with a
 * token and a bucket (writes on /api/v2/write, InfluxQL through its DBRP mapping).
 */
import type { InfluxConnectionOptions } from '@gaitwatch/storage';
import type { RunningService } from '../harness/index.ts';

export type Connection = Omit<InfluxConnectionOptions, 'url' | 'requestTimeoutMs' | 'gzipThresholdBytes'>;

export function connectionFor(influx: RunningService): Connection {
  return influx.token === undefined
    ? { api: 'v1', database: influx.database! }
    : { api: 'v2', token: influx.token, org: influx.org!, bucket: influx.database! };
}

/** Runs InfluxQL straight against the server (not through the store under test) and returns the first series' values. */
export async function influxValues(influx: RunningService, influxql: string): Promise<unknown[][]> {
  const params = new URLSearchParams({ db: influx.database!, q: influxql, epoch: 'u' });
  const headers: Record<string, string> = influx.token === undefined ? {} : { authorization: `Token ${influx.token}` };
  const body = (await (await fetch(`${influx.url}/query?${params}`, { headers })).json()) as { results: { series?: { values: unknown[][] }[] }[] };
  return body.results[0]?.series?.[0]?.values ?? [];
}
