/**
 * The README's main command end to end: `gaitwatch start` as a child process
 * on the embedded default. It prints the ready line, the simulated runner
 * whose hips tire raises a form alert through the API within 90 s, the live
 * stream carries strides and the alert, the returning runner's past weeks are
 * there, Ctrl-C stops it cleanly, and a second start on the same DATA_DIR keeps
 * the token and every earlier session (and writes the history only once).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSse } from '../api/sse-client.ts';

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
const READY = /^gaitwatch ready: dashboard (http:\/\/127\.0\.0\.1:\d+\/) token (gw_[A-Za-z0-9_-]{43})$/m;

interface Started {
  readonly child: ChildProcess;
  readonly dashboardUrl: string;
  readonly token: string;
  readonly startedAtMs: number;
  output(): { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

async function startGaitwatch(dataDir: string): Promise<Started> {
  // The test's own service variables must not leak in: start reads MQTT_URL / INFLUX_* to choose real services.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(API_|INFLUX_|MQTT_|INGEST_|DATA_DIR|LOG_LEVEL)/.test(k)));
  const startedAtMs = Date.now();
  const child = spawn(process.execPath, [BIN, 'start'], { env: { ...env, DATA_DIR: dataDir, API_PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 45_000;
  while (!READY.test(stdout)) {
    if (child.exitCode !== null) throw new Error(`gaitwatch start exited ${child.exitCode} before it was ready:\n${stdout}\n${stderr.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`no ready line after 45 s:\n${stdout}\n${stderr.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const [, dashboardUrl, token] = READY.exec(stdout)!;
  return { child, dashboardUrl: dashboardUrl!, token: token!, startedAtMs, output: () => ({ stdout, stderr }), exited };
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status, url).toBe(200);
  return (await response.json()) as T;
}

interface AlertItem {
  athleteId: string;
  sessionId: string;
  type: string;
  phase: string;
}
interface SessionItem {
  athleteId: string;
  sessionId: string;
  endUs: number | null;
}

describe('gaitwatch start', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('is ready, shows a form alert within 90 s, streams it live, stops on Ctrl-C and keeps its data for the next start', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gw-start-'));
    const first = await startGaitwatch(dataDir);
    children.push(first.child);
    const api = first.dashboardUrl.replace(/\/$/, '');

    // The dashboard is what the ready line points at.
    const page = await fetch(first.dashboardUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);

    const live = await openSse(`${api}/v1/live`, { authorization: `Bearer ${first.token}` });
    expect(live.status).toBe(200);

    // A form alert of the runner whose hip abductors tire (demo-ana), through the REST API, within 90 s of the start.
    let formAlert: AlertItem | undefined;
    while (formAlert === undefined && Date.now() - first.startedAtMs < 90_000) {
      const alerts = await getJson<{ items: AlertItem[] }>(`${api}/v1/alerts?athlete=demo-ana&type=form_breakdown,pelvic_drop_high`, first.token);
      formAlert = alerts.items.find((a) => a.phase === 'raised');
      if (formAlert === undefined) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(formAlert, `no form alert within 90 s; stderr tail:\n${first.output().stderr.slice(-2000)}`).toBeDefined();
    // The same alert came down the live stream, between strides of all three runners.
    await live.waitFor((events) => events.some((e) => e.event === 'alert' && (JSON.parse(e.data) as AlertItem).type === formAlert!.type), 10_000, 'the form alert on the live stream');
    const strideAthletes = new Set(live.of<{ athleteId: string }>('stride').map((s) => s.athleteId));
    expect([...strideAthletes].sort()).toEqual(['demo-ana', 'demo-ben', 'demo-cleo']);
    live.close();
    const firstSessions = await getJson<{ items: SessionItem[] }>(`${api}/v1/sessions?limit=100`, first.token);
    // The three live runners' sessions, and the returning runner's six past weeks (src/start/demo-history.ts).
    expect([...new Set(firstSessions.items.map((s) => s.athleteId))].sort()).toEqual(['demo-ana', 'demo-ben', 'demo-cleo', 'demo-dora']);
    expect(firstSessions.items.filter((s) => s.athleteId === 'demo-dora')).toHaveLength(18);
    expect(first.output().stdout).toMatch(/^ {2}history {2}demo-dora /m);

    // Ctrl-C: a clean stop, exit 0, within a bound.
    first.child.kill('SIGINT');
    const code = await Promise.race([first.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    expect(code).toBe(0);
    // No secret in the logs: neither the API key nor an MQTT password (the ready line is the one place the token is shown).
    const secrets = JSON.parse(await readFile(join(dataDir, 'start-secrets.json'), 'utf8')) as { mqtt: { ingest: string; api: string; devices: Record<string, string> } };
    const { stdout, stderr } = first.output();
    for (const secret of [first.token, secrets.mqtt.ingest, secrets.mqtt.api, ...Object.values(secrets.mqtt.devices)]) expect(stderr).not.toContain(secret);
    expect(stdout.split(first.token).length - 1).toBe(1);

    // A second start on the same DATA_DIR: same token, the first run's sessions (ended by the runners' stop) and alerts still there.
    const second = await startGaitwatch(dataDir);
    children.push(second.child);
    expect(second.token).toBe(first.token);
    const api2 = second.dashboardUrl.replace(/\/$/, '');
    const sessions = await getJson<{ items: SessionItem[] }>(`${api2}/v1/sessions?limit=100`, second.token);
    for (const s of firstSessions.items) {
      const kept = sessions.items.find((x) => x.athleteId === s.athleteId && x.sessionId === s.sessionId);
      expect(kept, `${s.athleteId}/${s.sessionId} after the restart`).toBeDefined();
      expect(kept!.endUs, `${s.athleteId}/${s.sessionId} ended by its runner's stop`).not.toBeNull();
    }
    // The history is written once per DATA_DIR.
    expect(sessions.items.filter((s) => s.athleteId === 'demo-dora')).toHaveLength(18);
    const alerts = await getJson<{ items: AlertItem[] }>(`${api2}/v1/alerts?athlete=demo-ana&session=${formAlert!.sessionId}`, second.token);
    expect(alerts.items.some((a) => a.type === formAlert!.type)).toBe(true);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 240_000);
});
