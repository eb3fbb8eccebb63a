import { ConfigError, loadConfig, startIngest } from '@gaitwatch/ingest';
import { UsageError } from './errors.ts';
import { runUntilSignal } from './run-until-signal.ts';

/**
 * `gaitwatch ingest`: the ingest service from environment variables
 * (services/ingest/README.md). Runs until SIGTERM or SIGINT, then stops
 * gracefully — intake paused, sessions finished and written — and exits 0.
 * A bad configuration exits 2 with one line per problem.
 */
export async function ingest(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  let service;
  try {
    service = await startIngest(config);
  } catch (error) {
    // What only starting can find out (DATA_DIR not writable, the HTTP port taken): one line, exit 2, as the variables.
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  await runUntilSignal(service);
}
