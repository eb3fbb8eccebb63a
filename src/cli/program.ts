import { Command } from 'commander';

/** The `gaitwatch` program without its commands: main.ts adds them all, analyze-main.ts only `analyze`. */
export function newProgram(): Command {
  return new Command()
    .name('gaitwatch')
    .description('Live running-form analysis from clip-on IMUs (pelvis + shanks).')
    .showHelpAfterError()
    .exitOverride((error) => {
      // commander exits 0 for --help/--version and 1 for usage errors; keep those codes.
      process.exit(error.exitCode);
    });
}
