import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));

function gaitwatch(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

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

  // Commands of the contract that later issues build; each must refuse clearly until then.
  it.each(['start', 'ingest', 'api'])('%s says it is not built yet and exits non-zero', (command) => {
    const { status, stderr } = gaitwatch(command);
    expect(status).toBe(3);
    expect(stderr).toContain(`gaitwatch ${command}: not built yet`);
  });

  it('fails a usage error with exit code 1 and says what is wrong', () => {
    const { status, stderr } = gaitwatch('replay', 'x.csv');
    expect(status).toBe(1);
    expect(stderr).toMatch(/required option/);
    expect(gaitwatch('no-such-command').status).toBe(1);
  });
});
