import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECORDING_HEADER, TRUTH_HEADER } from '@gaitwatch/protocol';
import { REP_TRUTH_HEADER } from '@gaitwatch/runner-sim';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function simulate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
  const child = spawn(process.execPath, [bin, 'simulate', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

describe('gaitwatch simulate --scenario screen-step-down --out DIR', () => {
  it('writes the recording, an empty stride truth, the per-rep truth and screen metadata', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-screen-cli-'));
    dirs.push(dir);
    const { code, stderr } = await simulate(['--scenario', 'screen-step-down', '--out', dir, '--seed', '5']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const name = 'screen-step-down-s5-r0';
    expect((await readdir(dir)).sort()).toEqual([`${name}.csv`, `${name}.meta.json`, `${name}.reps.csv`, `${name}.truth.csv`]);
    const csv = await readFile(join(dir, `${name}.csv`), 'utf8');
    expect(csv.slice(0, csv.indexOf('\n'))).toBe(RECORDING_HEADER);
    expect(await readFile(join(dir, `${name}.truth.csv`), 'utf8')).toBe(`${TRUTH_HEADER}\n`);
    const [header, ...rows] = (await readFile(join(dir, `${name}.reps.csv`), 'utf8')).trim().split('\n');
    expect(header).toBe(REP_TRUTH_HEADER);
    // The default step-down protocol: 4 sets of 6, alternating legs.
    expect(rows).toHaveLength(24);
    const sides = rows.map((r) => r.split(',')[2]);
    expect(new Set(sides.slice(0, 6)).size).toBe(1);
    expect(sides[6]).not.toBe(sides[0]);
    const meta = JSON.parse(await readFile(join(dir, `${name}.meta.json`), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ activity: 'screen', scenario: 'screen-step-down', reps: 24, stances: 0, standingS: 5 });
    // The default protocol's weak side: the leg of the sets not done cleanly.
    expect(meta['weakSide']).toBe(sides[6]);
    // The protocol fixes the length (the CLI's default --duration 10m is only an upper bound).
    const lastUs = Number(csv.trimEnd().slice(csv.trimEnd().lastIndexOf('\n') + 1).split(',')[0]);
    expect((lastUs - (meta['startUs'] as number)) / 1e6).toBeCloseTo(meta['durationS'] as number, 0);
    expect(meta['durationS'] as number).toBeLessThan(600);
  });

  it('says so when --duration is too short for one set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-screen-cli-'));
    dirs.push(dir);
    const { code, stderr } = await simulate(['--scenario', 'screen-squat', '--out', dir, '--duration', '10s']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/too short for one set of the screen/);
  });
});
