import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** bin/gaitwatch.mjs: the CLI as a user runs it. */
export const GAITWATCH_BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI in a child process, asynchronously (a broker in this process must
 * keep answering), without the MQTT_* variables of the environment the tests
 * run in: each case sets the login it means in `env`.
 */
export function runGaitwatch(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MQTT_')));
  const child = spawn(process.execPath, [GAITWATCH_BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}
