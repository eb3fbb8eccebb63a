// deploy/mosquitto/create-credentials.sh on its own: idempotent, refuses ids
// that could break the ACL (before writing anything), fills the env file from
// the example, keeps its files private. (mosquitto-acl.test.ts proves the
// credentials it makes work on a real broker.)
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEPLOY, deployBinaries, MOSQUITTO_DIR } from './broker.ts';

const exec = promisify(execFile);
const bins = deployBinaries('create-credentials.sh tests', ['mosquitto_passwd']);
const SCRIPT = join(MOSQUITTO_DIR, 'create-credentials.sh');

describe.skipIf(bins.skip)('deploy/mosquitto/create-credentials.sh', () => {
  let dir: string;
  let passwd: string;
  let env: string;
  const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await exec(SCRIPT, ['--passwd', passwd, '--env', env, ...args]);
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const users = async (): Promise<string[]> => (await readFile(passwd, 'utf8')).trim().split('\n').map((l) => l.split(':')[0]!);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-deploy-creds-'));
    passwd = join(dir, 'passwd');
    env = join(dir, '.env');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds devices and services once; a second run changes nothing and prints nothing', async () => {
    const first = await run('runner-1', 'runner.2');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['runner-1', 'runner.2']);
    expect((await users()).sort()).toEqual(['api', 'ingest', 'runner-1', 'runner.2', 'sim']);
    const [passwdBefore, envBefore] = [await readFile(passwd, 'utf8'), await readFile(env, 'utf8')];
    const again = await run('runner-1', 'runner.2');
    expect(again).toMatchObject({ code: 0, stdout: '' });
    expect(await readFile(passwd, 'utf8')).toBe(passwdBefore);
    expect(await readFile(env, 'utf8')).toBe(envBefore);
    // A new id is added beside the others; only its password is printed.
    const more = await run('runner-1', 'runner-3');
    expect(more.stdout.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['runner-3']);
    expect((await users()).sort()).toEqual(['api', 'ingest', 'runner-1', 'runner-3', 'runner.2', 'sim']);
    for (const f of [passwd, env]) expect((await stat(f)).mode & 0o777).toBe(0o600);
  });

  it('rotates a device on request and leaves the other entries as they were', async () => {
    await run('runner-1', 'runner-2');
    const before = (await readFile(passwd, 'utf8')).split('\n');
    const rotated = await run('--rotate', 'runner-1');
    expect(rotated.stdout).toMatch(/^runner-1\t[A-Za-z0-9]{32}\n$/);
    const after = (await readFile(passwd, 'utf8')).split('\n');
    expect(after.find((l) => l.startsWith('runner-1:'))).not.toBe(before.find((l) => l.startsWith('runner-1:')));
    expect(after.filter((l) => !l.startsWith('runner-1:')).sort()).toEqual(before.filter((l) => !l.startsWith('runner-1:')).sort());
  });

  it.each([['a/b'], ['+'], ['#'], ['run+1'], ['x#'], [''], ['-lead'], ['a b'], ['a'.repeat(65)], ['ingest'], ['api'], ['sim'], ['sim-1-0'], ['ok\nbad']])(
    'refuses the athlete id %j and writes nothing',
    async (bad) => {
      const result = await run('good-1', bad);
      expect(result.code).toBe(2);
      // ('-lead' is taken for an option: refused as unknown, the same exit and no file.)
      expect(result.stderr).toMatch(/invalid athlete id|is reserved|unknown option/);
      await expect(stat(passwd)).rejects.toThrow(/ENOENT/);
      await expect(stat(env)).rejects.toThrow(/ENOENT/);
    },
  );

  it('makes the env file from .env.example with every change-me replaced by its own random secret', async () => {
    await copyFile(join(DEPLOY, '.env.example'), `${env}.example`);
    expect((await run()).code).toBe(0);
    const text = await readFile(env, 'utf8');
    expect(text).not.toMatch(/^[A-Z0-9_]+=change-me/m);
    const secrets = [...text.matchAll(/^([A-Z0-9_]*(?:PASSWORD|TOKEN|PEPPER))=(.*)$/gm)].map((m) => m[2]!);
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
    // The rest of the example is kept as it is.
    expect(text).toMatch(/^INFLUX_ORG=gaitwatch$/m);
    expect(text).toMatch(/^LOG_LEVEL=info$/m);
  });
});
