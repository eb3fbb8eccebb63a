// `gaitwatch analyze` loads only what analysis needs: src/cli/main.ts imports
// each command's module inside its action, so the API (fastify), the broker
// (aedes), MQTT, InfluxDB and SQLite stay unloaded — about half of a short
// run's wall time when they were imported up front (bench/FINDINGS.md).
// Checked by recording every module Node resolves in a real CLI process, on
// tsx (GAITWATCH_CLI_BUNDLE=0): the path analyze takes when its bundle cannot be
// built; the bundle's own contents are checked in test/cli/cli-bundle.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RECORDING_HEADER } from '@gaitwatch/protocol';

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gw-cli-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI with a module-resolution hook that appends every resolved URL to a file; returns them. */
function modulesLoadedBy(...args: string[]): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  const log = join(dir, `modules-${args[0]}.txt`);
  const hook = join(dir, 'record-resolve.mjs');
  writeFileSync(
    hook,
    `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  appendFileSync(process.env.GW_MODULE_LOG, result.url + '\\n');\n  return result;\n}\n`,
  );
  writeFileSync(log, '');
  const register = `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hook).href)});`;
  const run = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, BIN, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, GW_MODULE_LOG: log, GAITWATCH_CLI_BUNDLE: '0', API_KEY_PEPPER: 'cli-startup-pepper-of-at-least-32-chars' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, modules: readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') };
}

/** Packages `analyze` has no use for: the services' servers and clients. */
const SERVICE_ONLY = /\/(fastify|@fastify|aedes|mqtt|@influxdata|better-sqlite3|pino|prom-client)[@/]|\/services\/(api|ingest)\//;

describe('gaitwatch CLI start-up', () => {
  it('analyze loads the analysis and not the services, brokers or database clients', () => {
    const csv = join(dir, 'tiny.csv');
    writeFileSync(csv, `${RECORDING_HEADER}\n1767254400000000,pelvis,0,0,9.81,0,0,0\n1767254400005000,pelvis,0,0,9.81,0,0,0\n`);
    const { status, stdout, stderr, modules } = modulesLoadedBy('analyze', csv);
    expect(status, stderr).toBe(0);
    expect(stdout).toContain('"kind":"summary"');
    // The hook saw the modules analyze does need (so an empty list cannot pass).
    expect(modules.some((url) => url.includes('/packages/dsp/src/'))).toBe(true);
    expect(modules.some((url) => url.endsWith('/src/cli/analyze.ts'))).toBe(true);
    expect(modules.filter((url) => SERVICE_ONLY.test(url))).toEqual([]);
    expect(modules.filter((url) => /\/src\/cli\/(api|ingest|start|simulate|replay|demo)\.ts$/.test(url))).toEqual([]);
  }, 60_000);

  it('still loads a command module when its command runs (api --create-key)', () => {
    const { status, stdout, modules } = modulesLoadedBy('api', '--create-key', '--role', 'admin');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^gw_/);
    expect(modules.some((url) => url.endsWith('/src/cli/api.ts'))).toBe(true);
  }, 60_000);
});
