/**
 * Errors of the store. Codes follow the project's catalogue style so that the
 * ingest service can map them (GW_STORE_*).
 */

/**
 * The store is at a bound (spool bytes on disk, or points waiting in memory):
 * the write was not taken. Slow intake down and retry; nothing already taken is dropped.
 */
export class StoreFullError extends Error {
  readonly code = 'GW_STORE_FULL';
  constructor(readonly what: 'spool' | 'pending', readonly used: number, readonly max: number) {
    super(`store: ${what === 'spool' ? `spool full (${used} of ${max} bytes)` : `too many points waiting (${used} of ${max})`}: write refused, retry later`);
    this.name = 'StoreFullError';
  }
}

export class StoreClosedError extends Error {
  readonly code = 'GW_STORE_CLOSED';
  constructor() {
    super('store: closed');
    this.name = 'StoreClosedError';
  }
}

/** The database refused a batch as invalid (HTTP 400/413/422): retrying cannot help. The batch is kept in the dead-letter file. */
export class InfluxWriteError extends Error {
  readonly code = 'GW_STORE_REJECTED';
  constructor(readonly status: number, readonly body: string) {
    super(`influx: write refused with HTTP ${status}: ${body.slice(0, 300)}`);
    this.name = 'InfluxWriteError';
  }
}

/** A query failed (HTTP error or an InfluxQL error in the response). */
export class InfluxQueryError extends Error {
  readonly code = 'GW_STORE_QUERY';
  constructor(message: string) {
    super(`influx: query failed: ${message}`);
    this.name = 'InfluxQueryError';
  }
}
