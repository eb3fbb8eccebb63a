// The zod-free entry (`@gaitwatch/protocol/core`): what it exports is the
// main entry's very same bindings, and a process that imports it never loads
// zod — checked in a real Node process through tsx, recording every module
// it resolves (a type-only import of a schema must stay type-only).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as core from './core.ts';
import * as main from './index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gw-protocol-core-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every module URL a Node process resolves while importing `specifier` through tsx (as bin/gaitwatch.mjs runs code). */
function modulesLoadedBy(specifier: string): string[] {
  const log = join(dir, 'modules.txt');
  const hook = join(dir, 'record-resolve.mjs');
  writeFileSync(hook, `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  appendFileSync(process.env.GW_MODULE_LOG, result.url + '\\n');\n  return result;\n}\n`);
  writeFileSync(log, '');
  // Run from the repository root, whose package.json has tsx and the workspace packages as dependencies.
  const script = `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hook).href)}); const { register: tsx } = await import('tsx/esm/api'); tsx(); const m = await import(${JSON.stringify(specifier)}); console.log(typeof m.RecordingParser);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, GW_MODULE_LOG: log } });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout.trim()).toBe('function');
  return readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
}

describe('@gaitwatch/protocol/core', () => {
  it('exports the main entry’s own bindings, not copies', () => {
    const names = Object.keys(core);
    expect(names).toEqual(expect.arrayContaining(['RecordingParser', 'RecordingFormatError', 'RECORDING_ERROR_LABELS', 'SENSOR_IDS', 'isSensorId', 'MAX_ABS_SAMPLE_VALUE', 'decodeBinaryImu', 'buildTopic']));
    for (const name of names) expect((main as Record<string, unknown>)[name], name).toBe((core as Record<string, unknown>)[name]);
    // …and none of the schemas.
    expect(names.filter((name) => name.endsWith('Schema'))).toEqual([]);
  });

  it('loads no zod, where the main entry does', () => {
    const zod = (urls: string[]): string[] => urls.filter((url) => /\/zod[@/]/.test(url));
    const viaCore = modulesLoadedBy('@gaitwatch/protocol/core');
    expect(viaCore.some((url) => url.endsWith('/packages/protocol/src/recording.ts'))).toBe(true);
    expect(zod(viaCore)).toEqual([]);
    expect(zod(modulesLoadedBy('@gaitwatch/protocol')).length).toBeGreaterThan(0);
  }, 60_000);
});
