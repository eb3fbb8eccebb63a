/** What a long-running command stops: a service with a logger. */
export interface StoppableService {
  readonly logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  stop(): Promise<void>;
}

/**
 * Runs a started service until SIGTERM or SIGINT, then stops it gracefully
 * and exits 0; a second signal, or a stop that fails, exits 1 at once.
 * (One place for every `gaitwatch` service command: ingest, api.)
 */
export async function runUntilSignal(service: StoppableService): Promise<never> {
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
