/** Exit code of a command that exists in the contract but is not built yet. */
export const EXIT_NOT_BUILT = 3;

export function notBuiltYet(command: string, where: string): never {
  console.error(`gaitwatch ${command}: not built yet (arrives with ${where}). Run \`gaitwatch --help\` for what works today.`);
  process.exit(EXIT_NOT_BUILT);
}
