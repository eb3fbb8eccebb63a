import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Children still running, killed if the test process exits without tearing them down. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Debian puts mosquitto in /usr/sbin, which a non-root PATH often lacks. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...EXTRA_DIRS];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  /** Last output lines, for error messages when the service fails to start. */
  output(): string;
  /** undefined while running; the exit description once it has exited. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

const OUTPUT_TAIL_CHARS = 4000;

export function startProcess(command: string, args: readonly string[]): ManagedProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let tail = '';
  let exit: string | undefined;
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('error', (error) => {
    exit = `spawn failed: ${error.message}`;
  });
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = `exit code ${code ?? '-'} signal ${signal ?? '-'}\n${tail}`;
      live.delete(child);
      resolve();
    });
  });
  return {
    child,
    output: () => tail,
    exited: () => exit,
    async stop() {
      if (exit !== undefined) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exitedPromise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
      if (!killed) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    },
  };
}
