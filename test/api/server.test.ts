/** The listening server over real HTTP: startApi from a configuration, a key file on disk, graceful stop. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApiConfig, startApi } from '@gaitwatch/api';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ENTRIES, KEYS, PEPPER } from './helpers.ts';

let dir: string;
let running: Awaited<ReturnType<typeof startApi>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-api-http-'));
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ keys: KEY_ENTRIES }));
  const config = loadApiConfig({ API_PORT: '0', DATA_DIR: join(dir, 'data'), API_KEYS_FILE: join(dir, 'keys.json'), API_KEY_PEPPER: PEPPER });
  running = await startApi(config, { logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await running.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('startApi over HTTP', () => {
  it('serves with keys from the file: 200 with a key, 401 without', async () => {
    const ok = await fetch(`${running.url}/v1/sessions`, { headers: { authorization: `Bearer ${KEYS.runnerR1}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ items: [], next: null });
    const anonymous = await fetch(`${running.url}/v1/sessions`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('GW_API_UNAUTHORIZED');
  });

  it('the key file is validated: a bad entry is named', async () => {
    const { KeyRing } = await import('@gaitwatch/api');
    expect(() => KeyRing.fromJson({ keys: [{ id: 'x', hash: 'plain-key', role: 'runner', athleteId: 'r1' }] }, '')).toThrow(/keys\.0\.hash/);
    expect(() => KeyRing.fromJson({ keys: [{ id: 'x', hash: `sha256:${'0'.repeat(64)}`, role: 'coach' }] }, '')).toThrow(/athleteIds/);
  });
});
