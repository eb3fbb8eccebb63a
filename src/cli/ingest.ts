import { ConfigError, loadConfig, startIngest } from '@gaitwatch/ingest';
import { UsageError } from './errors.ts';

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
  const service = await startIngest(config);
  await new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        service.logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      signalled = true;
      service.logger.info({ signal }, 'signal received');
      service.stop().then(resolve, (error: unknown) => {
        service.logger.error({ err: error }, 'graceful stop failed');
        process.exit(1);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  process.exit(0);
}
