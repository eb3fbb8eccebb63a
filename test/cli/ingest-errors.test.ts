/**
 * `gaitwatch ingest` refuses what only starting can find out as it refuses a
 * bad variable: one line naming the variable, exit 2, no stack — DATA_DIR
 * pointing at a file (or under one), under /proc or through a dangling
 * symlink (those hung in Node's recursive mkdir), and an INGEST_HTTP_PORT
 * another process listens on. Found by a user probe (a stack, exit 1).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gw-ingest-errors-'));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'not a directory');

/** Runs `gaitwatch ingest` with these variables (nothing of the caller's service variables). */
function ingest(vars: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return run('ingest', { MQTT_URL: 'mqtt://127.0.0.1:1', INGEST_HTTP_HOST: '127.0.0.1', INGEST_ANALYSIS_THREADS: '1', ...vars });
}

/** Runs `gaitwatch <command>` with these variables (nothing of the caller's service variables); killed after 30 s. */
function run(command: string, vars: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(API_|INFLUX_|MQTT_|INGEST_|NATS_|DATA_DIR|LOG_LEVEL)/.test(k)));
  const child = spawn(process.execPath, [BIN, command], { env: { ...env, ...vars }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gaitwatch ingest: problems found at start-up', () => {
  it('DATA_DIR that is a file, or under one: one line naming DATA_DIR, exit 2', async () => {
    for (const dataDir of [aFile, join(aFile, 'sub')]) {
      const { code, stderr } = await ingest({ DATA_DIR: dataDir, INGEST_HTTP_PORT: '0' });
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(new RegExp(`DATA_DIR: ${dataDir.replace(/[/.]/g, '\\$&')} cannot hold the store \\((ENOTDIR|EEXIST)`));
      expect(stderr).not.toMatch(/^\s+at /m);
    }
  }, 60_000);

  it('DATA_DIR under /proc or through a dangling symlink (a volume not mounted): one line, exit 2, not a hang', async () => {
    // Node's recursive mkdir spins forever on both (packages/storage make-dir.ts); the child would be killed at 30 s.
    const link = join(dir, 'mnt');
    symlinkSync(join(dir, 'not-mounted'), link);
    const cases = [
      [join(link, 'data'), 'something that is not a folder is in the way'],
      ...(existsSync('/proc/self') ? [['/proc/gaitwatch-nope/data', 'its parent cannot hold folders']] : []),
    ];
    for (const [dataDir, why] of cases) {
      const { code, stderr } = await ingest({ DATA_DIR: dataDir!, INGEST_HTTP_PORT: '0' });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(`DATA_DIR: ${dataDir} cannot hold the store`);
      expect(stderr).toContain(why);
      expect(stderr).not.toMatch(/^\s+at /m);
    }
  }, 60_000);

  it('gaitwatch start: a DATA_DIR that cannot hold its data is the same one line, exit 2', async () => {
    const { code, stderr } = await run('start', { DATA_DIR: aFile });
    expect(code, stderr).toBe(2);
    expect(stderr).toContain(`DATA_DIR: ${aFile} cannot hold the store (ENOTDIR`);
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('a second ingest on the DATA_DIR whose InfluxDB spool another ingest owns: one line naming its pid, exit 2', async () => {
    // An operator probe: a second process on one spool replayed and deleted the first's segments (strides lost).
    const shared = join(dir, 'shared');
    const influx = { INFLUX_URL: 'http://127.0.0.1:1', INFLUX_DB: 'gaitwatch' };
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(API_|INFLUX_|MQTT_|INGEST_|NATS_|DATA_DIR|LOG_LEVEL)/.test(k)));
    const first = spawn(process.execPath, [BIN, 'ingest'], {
      env: { ...env, ...influx, DATA_DIR: shared, MQTT_URL: 'mqtt://127.0.0.1:1', INGEST_HTTP_HOST: '127.0.0.1', INGEST_HTTP_PORT: '0', INGEST_ANALYSIS_THREADS: '1' },
      stdio: 'ignore',
    });
    try {
      const lock = join(shared, 'spool', 'LOCK');
      for (let waited = 0; !existsSync(lock); waited += 100) {
        if (waited > 30_000 || first.exitCode !== null) throw new Error('the first ingest never took its spool');
        await new Promise((r) => setTimeout(r, 100));
      }
      const { code, stderr } = await ingest({ ...influx, DATA_DIR: shared, INGEST_HTTP_PORT: '0' });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(`DATA_DIR: spool ${join(shared, 'spool')} is in use by process ${first.pid}`);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(first.exitCode).toBeNull();
    } finally {
      const gone = new Promise((r) => first.once('exit', r));
      first.kill('SIGTERM');
      await gone;
    }
  }, 90_000);

  it('INGEST_HTTP_PORT another process listens on: one line naming it, exit 2', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const { code, stderr } = await ingest({ DATA_DIR: join(dir, 'data'), INGEST_HTTP_PORT: String(port) });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(`INGEST_HTTP_PORT: ${port} on 127.0.0.1 cannot be used (another process listens there)`);
      expect(stderr).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 60_000);
});
