/** A mistake in how the command was called: exit code 2 and the message, no stack. */
export class UsageError extends Error {}

/**
 * An input the command cannot use: missing, a directory, unreadable, not a
 * recording, or without one valid row. Exit code 2 like a usage error (the
 * command could not do what was asked; a rerun as is fails the same way).
 */
export class InputError extends UsageError {}

/** Runs a command's action; usage and range errors exit 2 with their message, anything else is a bug and keeps its stack. */
export async function runOrExit(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError) {
      console.error(`gaitwatch: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
