// `gaitwatch ingest` as a process: configured by environment variables only,
// SIGTERM mid-session stops intake, finishes the session, writes it, exits 0.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SessionAnalyzer } from '@gaitwatch/dsp';
import { CHECKPOINT_VERSION, type SessionCheckpoint } from '@gaitwatch/ingest';
import { runFleet } from '@gaitwatch/runner-sim';
import { LocalStore } from '@gaitwatch/storage';
import { describe, expect, it } from 'vitest';
import { realServices } from '../harness/index.ts';
import { storedStrides, waitFor } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
const services = await realServices(['mosquitto']);

describe.skipIf(services.skip)('gaitwatch ingest (the process)', () => {
  const running = services.use({ mosquitto: { configLines: ['max_queued_messages 0'] } });

  it('runs from env vars, and on SIGTERM mid-session checkpoints the session for the next worker, never logging the password, exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-ingest-cli-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MQTT_|INFLUX_|DATA_DIR|INGEST_)/.test(k)));
    const child = spawn(process.execPath, [BIN, 'ingest'], {
      env: { ...env, MQTT_URL: running.get('mosquitto').url, MQTT_USERNAME: 'ingest', MQTT_PASSWORD: 'pw-never-logged', MQTT_CLIENT_ID: `gw-cli-${process.pid}`, DATA_DIR: dir, INGEST_HTTP_PORT: '0', INGEST_HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const abort = new AbortController();
    try {
      await waitFor(() => out.includes('"msg":"subscribed"'), 20_000, 'the service subscribed');
      const fleet = runFleet({ mqttUrl: running.get('mosquitto').url, runners: 1, session: { scenario: 'steady', durationS: 60, seed: 31 }, format: 'binary', speedup: 10, staggerS: 0, signal: abort.signal });
      await waitFor(() => out.includes('"msg":"session opened"'), 20_000, 'the session opened');
      // Some strides in (the standing start is ~3 s of data).
      await new Promise((r) => setTimeout(r, 2500));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      abort.abort();
      const { relays } = await fleet;
      const { athleteId, sessionId } = relays[0]!;
      const store = new LocalStore({ dataDir: dir });
      try {
        // Handed on, not ended: still running in the store, with a checkpoint the next worker restores.
        const session = await store.getSession(athleteId, sessionId);
        expect(session).toMatchObject({ endUs: null, summary: { state: 'running' } });
        const checkpoint = await store.latestCheckpoint(athleteId, sessionId);
        expect(checkpoint).toMatchObject({ startUs: session!.startUs, version: CHECKPOINT_VERSION });
        const saved = JSON.parse(Buffer.from(checkpoint!.data).toString('utf8')) as SessionCheckpoint;
        expect(() => SessionAnalyzer.restore(saved.analyzer)).not.toThrow();
        const strides = await storedStrides(store, athleteId, sessionId);
        expect(strides.length).toBeGreaterThan(5);
        expect(saved.strides).toBe(strides.length);
      } finally {
        await store.close();
      }
      expect(out).toContain('"msg":"ingest stopped"');
      expect(out).not.toContain('pw-never-logged');
    } finally {
      abort.abort();
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
