/** A mistake in how the command was called: exit code 2 and the message, no stack. */
export class UsageError extends Error {}

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
