/** Runs writer-child.ts in its own Node process and follows its acknowledgements. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildConfig } from './writer-child.ts';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL('./writer-child.ts', import.meta.url));

export interface WriterChild {
  readonly process: ChildProcess;
  /** Highest batch number acknowledged so far (-1: none). */
  lastAck(): number;
  /** Resolves once batch `n` is acknowledged; rejects if the child exits first or after `timeoutMs`. */
  ackOf(n: number, timeoutMs?: number): Promise<void>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
}

export function startWriterChild(config: ChildConfig): WriterChild {
  const child = spawn(process.execPath, [RUN_TS, CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let last = -1;
  let stderr = '';
  let buffered = '';
  const waiters: { n: number; resolve: () => void }[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the test process ends first (a failed assertion before kill()), take the child with it.
  const reap = (): void => void child.kill('SIGKILL');
  process.once('exit', reap);
  void exited.then(() => process.off('exit', reap));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const match = /^ack (\d+)$/.exec(line);
      if (match !== null) last = Number(match[1]);
    }
    for (const w of waiters.filter((w) => w.n <= last)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  return {
    process: child,
    lastAck: () => last,
    ackOf(n, timeoutMs = 30_000) {
      if (n <= last) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`writer child: no ack ${n} after ${timeoutMs} ms (last ${last})\n${stderr}`)), timeoutMs);
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`writer child exited before ack ${n} (last ${last}), code ${child.exitCode}\n${stderr}`));
        });
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
