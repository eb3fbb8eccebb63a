import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from '@gaitwatch/runner-sim';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));

function gaitwatch(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, with variables set (a string) or removed (undefined) over this process's environment. */
function gaitwatchEnv(vars: Record<string, string | undefined>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const PEPPER = 'cli-test-pepper-of-32-characters-at-least';

const CONTRACT_COMMANDS = ['start', 'ingest', 'api', 'simulate', 'analyze', 'replay'];

describe('gaitwatch CLI', () => {
  it('lists every contract command in --help', () => {
    const { status, stdout } = gaitwatch('--help');
    expect(status).toBe(0);
    for (const command of CONTRACT_COMMANDS) expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it.each(CONTRACT_COMMANDS)('has --help for %s', (command) => {
    const { status, stdout } = gaitwatch(command, '--help');
    expect(status).toBe(0);
    expect(stdout).toContain(`Usage: gaitwatch ${command}`);
  });

  it('names every scenario in simulate --help (the help is written by hand, the list lives in the simulator)', () => {
    const { stdout } = gaitwatch('simulate', '--help');
    for (const scenario of SCENARIOS) expect(stdout).toContain(scenario);
  });

  it('start refuses a bad port or configuration with the variable named (exit 2), before starting anything', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(API_|INFLUX_|MQTT_|DATA_DIR)/.test(k)));
    const badPort = spawnSync(process.execPath, [BIN, 'start'], { encoding: 'utf8', timeout: 30_000, env: { ...env, API_PORT: 'eighty' } });
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('API_PORT must be a port number');
    const badInflux = spawnSync(process.execPath, [BIN, 'start', '--no-sim'], { encoding: 'utf8', timeout: 30_000, env: { ...env, API_PORT: '0', MQTT_PORT: '0', DATA_DIR: join(tmpdir(), `gw-start-bad-${process.pid}`), INFLUX_URL: 'http://127.0.0.1:1' } });
    expect(badInflux.status).toBe(2);
    expect(badInflux.stderr).toContain('INFLUX_BUCKET');
    expect(badInflux.stdout).not.toContain('gaitwatch ready');
    const badLevel = spawnSync(process.execPath, [BIN, 'start', '--no-sim'], { encoding: 'utf8', timeout: 30_000, env: { ...env, API_PORT: '0', MQTT_PORT: '0', DATA_DIR: join(tmpdir(), `gw-start-bad-${process.pid}`), LOG_LEVEL: 'loud' } });
    expect(badLevel.status).toBe(2);
    expect(badLevel.stderr).toContain('LOG_LEVEL: must be one of');
    rmSync(join(tmpdir(), `gw-start-bad-${process.pid}`), { recursive: true, force: true });
  });

  it('api refuses to start without its environment, naming every missing variable (exit 2)', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(API_|INFLUX_|DATA_DIR)/.test(k)));
    const result = spawnSync(process.execPath, [BIN, 'api'], { encoding: 'utf8', timeout: 30_000, env: { ...env, API_PORT: '99999' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('API_PORT: must be at most 65535');
    const missing = spawnSync(process.execPath, [BIN, 'api'], { encoding: 'utf8', timeout: 30_000, env });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('DATA_DIR: required');
    expect(missing.stderr).toContain('API_KEYS_FILE: required');
  });

  it('api --create-key prints a new key and its hashed entry, never the key in the entry', () => {
    const { status, stdout } = gaitwatchEnv({ API_KEY_PEPPER: PEPPER }, 'api', '--create-key', '--role', 'coach', '--athlete', 'r1,r3', '--id', 'coach-anna');
    expect(status).toBe(0);
    const [key, entryLine] = stdout.trim().split('\n');
    expect(key).toMatch(/^gw_[A-Za-z0-9_-]{43}$/);
    const entry = JSON.parse(entryLine!) as Record<string, unknown>;
    expect(entry).toMatchObject({ id: 'coach-anna', role: 'coach', athleteIds: ['r1', 'r3'] });
    expect(entry['hash']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(entry['pepperCheck']).toMatch(/^[0-9a-f]{8}$/);
    expect(entryLine).not.toContain(key!.slice(3));
    expect(entryLine).not.toContain(PEPPER);
    expect(gaitwatchEnv({ API_KEY_PEPPER: PEPPER }, 'api', '--create-key', '--role', 'runner').status).toBe(2);
  });

  it('api --create-key refuses a missing or short pepper, and a server with another pepper refuses the key (exit 2, naming it)', async () => {
    const none = gaitwatchEnv({ API_KEY_PEPPER: undefined }, 'api', '--create-key', '--role', 'admin');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('API_KEY_PEPPER: required');
    expect(none.stdout).toBe('');
    const short = gaitwatchEnv({ API_KEY_PEPPER: 'short-pepper' }, 'api', '--create-key', '--role', 'admin');
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('API_KEY_PEPPER: must be at least 32 characters');
    expect(short.stderr).not.toContain('short-pepper');

    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const dir = await mkdtemp(join(tmpdir(), 'gw-cli-pepper-'));
    try {
      const made = gaitwatchEnv({ API_KEY_PEPPER: PEPPER }, 'api', '--create-key', '--role', 'admin', '--id', 'admin-1');
      await writeFile(join(dir, 'keys.json'), JSON.stringify({ keys: [JSON.parse(made.stdout.trim().split('\n')[1]!)] }));
      const otherPepper = 'y'.repeat(40);
      const server = gaitwatchEnv({ API_KEY_PEPPER: otherPepper, API_KEYS_FILE: join(dir, 'keys.json'), DATA_DIR: join(dir, 'data'), API_PORT: '0', MQTT_URL: undefined }, 'api');
      expect(server.status).toBe(2);
      expect(server.stderr).toContain('API key "admin-1" was made with another API_KEY_PEPPER');
      expect(server.stderr).not.toContain(otherPepper);
      expect(server.stderr).not.toContain(PEPPER);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ingest refuses to start without its environment, naming every missing variable (exit 2)', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MQTT_|INFLUX_|DATA_DIR|INGEST_)/.test(k)));
    const result = spawnSync(process.execPath, [BIN, 'ingest'], { encoding: 'utf8', timeout: 30_000, env: { ...env, INFLUX_TOKEN: 'secret-token-value' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('MQTT_URL: required');
    expect(result.stderr).toContain('DATA_DIR: required');
    expect(result.stderr).toContain('INFLUX_TOKEN: set without INFLUX_URL');
    expect(result.stderr).not.toContain('secret-token-value');
  });

  it('simulate --out writes a recording, its truth and its meta file in the documented format', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'gw-cli-'));
    try {
      const { status, stdout } = gaitwatch('simulate', '--out', dir, '--scenario', 'itb-fatigue', '--duration', '60s', '--seed', '1');
      expect(status).toBe(0);
      expect(stdout).toContain('itb-fatigue-s1-r0.csv');
      const csv = await readFile(join(dir, 'itb-fatigue-s1-r0.csv'), 'utf8');
      expect(csv.slice(0, csv.indexOf('\n'))).toBe('t_us,sensor,ax,ay,az,gx,gy,gz');
      const truth = await readFile(join(dir, 'itb-fatigue-s1-r0.truth.csv'), 'utf8');
      expect(truth.slice(0, truth.indexOf('\n'))).toBe('side,ic_us,to_us,stride_time_s,gct_s,pelvic_drop_deg,shank_frontal_deg');
      const meta = JSON.parse(await readFile(join(dir, 'itb-fatigue-s1-r0.meta.json'), 'utf8')) as { scenario: string; fatigueOnsetUs: number };
      expect(meta.scenario).toBe('itb-fatigue');
      expect(meta.fatigueOnsetUs).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['simulate', '--out', '/tmp/x', '--scenario', 'marathon'], /--scenario "marathon" is not one of/],
    [['simulate', '--out', '/tmp/x', '--duration', 'ten minutes'], /--duration/],
    [['simulate', '--duration', '60s'], /exactly one of --out DIR .* or --mqtt-url/],
    [['simulate', '--mqtt-url', 'mqtt://127.0.0.1:1', '--loss', '2'], /--loss must be a probability/],
    [['replay', '/nonexistent.csv', '--mqtt-url', 'mqtt://127.0.0.1:1', '--athlete', 'a', '--session', 's'], /cannot read \/nonexistent\.csv/],
    [['replay', 'package.json', '--mqtt-url', 'mqtt://127.0.0.1:1', '--athlete', 'a/b', '--session', 's'], /--athlete "a\/b" is not a valid id/],
  ])('refuses bad flags with exit code 2: %j', (args, message) => {
    const { status, stderr } = gaitwatch(...args);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('demo (the README run command) simulates, analyses and prints both side by side', () => {
    const { status, stdout } = gaitwatch('demo');
    expect(status).toBe(0);
    expect(stdout).toMatch(/minute\s+stances\s+pelvic drop/);
    const rows = stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+[\d.]+\s+[\d.]+\s+\d+\s+\d+\s+[\d.]+\s+[\d.]+\s+\d+/.test(l));
    expect(rows).toHaveLength(8);
    for (const row of rows.slice(1)) {
      const [, truthStances, truthDrop, truthKnee, truthCadence, found, foundDrop, foundKnee, foundCadence] = row.trim().split(/\s+/).map(Number);
      expect(Math.abs(found! - truthStances!)).toBeLessThanOrEqual(3);
      expect(Math.abs(foundCadence! - truthCadence!)).toBeLessThanOrEqual(2);
      expect(Math.abs(foundDrop! - truthDrop!)).toBeLessThanOrEqual(0.7);
      expect(Math.abs(foundKnee! - truthKnee!)).toBeLessThanOrEqual(1);
    }
    // The runner is told: a form_breakdown after the fatigue onset at minute 4, none before.
    const alertLines = stdout.split('\n').filter((l) => /form_breakdown raised/.test(l));
    expect(alertLines.length).toBeGreaterThan(0);
    for (const line of alertLines) expect(Number(line.trim().split(/\s+/)[0])).toBeGreaterThan(4);
    expect(stdout).toContain('← fatigue onset');
  });

  it('fails a usage error with exit code 1 and says what is wrong', () => {
    const { status, stderr } = gaitwatch('replay', 'x.csv');
    expect(status).toBe(1);
    expect(stderr).toMatch(/required option/);
    expect(gaitwatch('no-such-command').status).toBe(1);
  });
});
