import { join } from 'node:path';
import { InfluxStore, type InfluxStoreOptions } from './influx/influx-store.ts';
import { LocalStore, type LocalStoreOptions } from './local/local-store.ts';
import type { GaitStore, RawImuPolicy } from './types.ts';

export interface OpenStoreOptions {
  /** DATA_DIR: the local store's database, or the InfluxDB store's spool (`<dataDir>/spool`). */
  readonly dataDir: string;
  /** Set (INFLUX_URL given): the InfluxDB store; unset: the embedded local store (DESIGN.md). */
  readonly influx?: Omit<InfluxStoreOptions, 'spoolDir' | 'rawImu'> & { readonly spoolDir?: string };
  readonly local?: Omit<LocalStoreOptions, 'dataDir' | 'rawImu'>;
  readonly rawImu?: RawImuPolicy;
  /**
   * The InfluxDB store's spool folder under dataDir (default `spool`). A spool has one owner process
   * (spool-lock.ts): a second service on the same DATA_DIR (the API beside ingest) needs its own.
   */
  readonly spoolName?: string;
}

/** The store DESIGN.md asks for: InfluxDB when configured, else the local store under DATA_DIR. */
export async function openStore(options: OpenStoreOptions): Promise<GaitStore> {
  const rawImu = options.rawImu ?? 'off';
  if (options.influx !== undefined) {
    return InfluxStore.open({ ...options.influx, spoolDir: options.influx.spoolDir ?? join(options.dataDir, options.spoolName ?? 'spool'), rawImu });
  }
  return new LocalStore({ ...options.local, dataDir: options.dataDir, rawImu });
}
