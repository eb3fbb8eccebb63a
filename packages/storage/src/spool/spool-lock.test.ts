import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Spool } from './spool.ts';
import { SpoolLockedError } from './spool-lock.ts';

const root = mkdtempSync(join(tmpdir(), 'gw-spool-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `s${n++}`);
const holderFile = (dir: string, pid: number, host = hostname()): void => writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid, host, since: '2026-12-04T00:00:00.000Z' }));

// An operator probe: an API started on ingest's DATA_DIR opened ingest's spool, replayed it and deleted
// segments ingest still wrote to — 237 of 431 strides of one run lost, every stride of another.
describe('one process per spool', () => {
  it('a second open while the first holds it fails, naming the holder; after close it opens', async () => {
    const dir = freshDir();
    const first = await Spool.open(dir);
    await first.append(Buffer.from('a record'), 1);
    const second = await Spool.open(dir).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(second).toBeInstanceOf(SpoolLockedError);
    expect((second as Error).message).toContain(`spool ${dir} is in use by process ${process.pid} on ${hostname()}`);
    expect(first.depthRecords).toBe(1);
    await first.close();
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
    const again = await Spool.open(dir);
    expect(again.depthRecords).toBe(1);
    await again.close();
  });

  it('another live process holding it keeps it; once that process is killed (SIGKILL: no clean-up) the lock is taken over', async () => {
    const dir = freshDir();
    await (await Spool.open(dir)).close();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      holderFile(dir, other.pid!);
      await expect(Spool.open(dir)).rejects.toThrow(`is in use by process ${other.pid}`);
    } finally {
      const gone = new Promise((r) => other.once('exit', r));
      other.kill('SIGKILL');
      await gone;
    }
    const spool = await Spool.open(dir);
    expect(spool.tookOverFrom).toBe(other.pid);
    expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8'))).toMatchObject({ pid: process.pid });
    await spool.close();
  });

  it('a lock from another host is not taken over (its pid cannot be checked from here); a torn lock file is', async () => {
    const dir = freshDir();
    await (await Spool.open(dir)).close();
    holderFile(dir, 1, 'other-host.example');
    await expect(Spool.open(dir)).rejects.toThrow('in use by process 1 on other-host.example');
    writeFileSync(join(dir, 'LOCK'), '{"pid":');
    const spool = await Spool.open(dir);
    await spool.close();
  });
});
