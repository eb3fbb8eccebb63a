/**
 * Where a session review's first render goes: opens the `dashboard`
 * scenario's review (the same seeded store, real API and Chromium) once
 * untimed, then once with Chrome tracing on, and prints the first render,
 * the review's performance marks, each request's Resource Timing (queued →
 * sent → first byte → end: the six-connection queue shows here), the
 * renderer main thread's tasks longer than 20 ms with what ran inside them,
 * and what the stride page costs alone (bytes, fetch, JSON.parse).
 *
 *   node bin/run-ts.mjs bench/tools/dashboard-trace.ts [--minutes 60] [--trace FILE.json] [--categories a,b,…]
 *
 * The trace file opens in Chrome's Performance panel or https://ui.perfetto.dev.
 * Tracing slows the page: read the shares, not the absolute times (the
 * `dashboard` scenario measures those).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, hashApiKey, loadApiConfig, startApi } from '@gaitwatch/api';
import { LocalStore } from '@gaitwatch/storage';
import { seedSession } from '../scenarios/dashboard.ts';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const durationS = Number(arg('--minutes') ?? 60) * 60;
const traceOut = arg('--trace');
const categories = arg('--categories') ?? 'devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.execute,blink,blink.user_timing,toplevel,loading,disabled-by-default-v8.gc';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { url?: string; documentLoaderURL?: string } };
}
interface Page {
  goto(url: string): Promise<unknown>;
  addInitScript(script: string): Promise<void>;
  waitForFunction(fn: string, arg: undefined, options: object): Promise<{ jsonValue(): Promise<number> }>;
  evaluate<T>(fn: string): Promise<T>;
}
interface Cdp {
  send(method: string, params?: object): Promise<unknown>;
  on(event: string, listener: (message: { value: TraceEvent[] }) => void): void;
  once(event: string, listener: () => void): void;
}
interface Context {
  newPage(): Promise<Page>;
  newCDPSession(page: Page): Promise<Cdp>;
  close(): Promise<void>;
}
interface Browser {
  newContext(options: object): Promise<Context>;
  close(): Promise<void>;
}

const playwright = createRequire(new URL('../package.json', import.meta.url))('playwright-core') as { chromium: { launch(options: object): Promise<Browser> } };
const dir = await mkdtemp(join(tmpdir(), 'gw-dash-trace-'));
const startUs = 1_767_254_400_000_000;
const { strides, alerts } = seedSession(durationS, startUs);
const athlete = strides[0]!.athleteId;
const session = strides[0]!.sessionId;
const store = new LocalStore({ dataDir: dir });
await store.write({ sessions: [{ athleteId: athlete, sessionId: session, startUs, endUs: startUs + durationS * 1e6, summary: {} }] });
for (let i = 0; i < strides.length; i += 5000) await store.write({ strides: strides.slice(i, i + 5000) });
await store.write({ alerts });
await store.flush();
await store.close();
const key = generateApiKey();
const pepper = 'trace-pepper-not-a-secret-32-chars-long';
const keysFile = join(dir, 'api-keys.json');
await writeFile(keysFile, JSON.stringify({ keys: [{ id: 'trace-admin', hash: hashApiKey(key, pepper), role: 'admin' }] }), { mode: 0o600 });
const api = await startApi(loadApiConfig({ API_PORT: '0', API_HOST: '127.0.0.1', DATA_DIR: dir, API_KEYS_FILE: keysFile, API_KEY_PEPPER: pepper, LOG_LEVEL: 'silent' }));
const browser = await playwright.chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });

/** The scenario's definition of the first render (bench/scenarios/dashboard.ts). */
const FIRST_RENDER = `(() => {
  if (Number(document.querySelector('.view-session')?.getAttribute('data-loaded')) !== ${strides.length}) return false;
  for (const id of ['chart-pelvic', 'chart-knee', 'chart-cadence', 'chart-gct']) {
    const chart = document.getElementById(id);
    if (chart === null || !(Number(chart.getAttribute('data-points')) > 0) || chart.querySelector('canvas') === null) return false;
  }
  return performance.now();
})()`;

const TIMINGS = `[
  ...performance.getEntriesByType('mark').map((m) => 'mark ' + m.name + ' ' + Math.round(m.startTime)),
  ...performance.getEntriesByType('resource').map((e) => e.name.replace(/^https?:\\/\\/[^/]+/, '') + ': queued ' + Math.round(e.startTime) + ', sent ' + Math.round(e.requestStart) + ', first byte ' + Math.round(e.responseStart) + ', end ' + Math.round(e.responseEnd)),
]`;

const DATA_COST = `(async () => {
  const response = await fetch('/v1/sessions/${athlete}/${session}/strides?limit=10000', { headers: { authorization: 'Bearer ' + sessionStorage.getItem('gaitwatch.token') } });
  const text = await response.text();
  const t = performance.now();
  const items = JSON.parse(text).items.length;
  return 'stride page alone, after the render: ' + text.length + ' characters, ' + items + ' stances, JSON.parse ' + (performance.now() - t).toFixed(1) + ' ms';
})()`;

const ms = (us: number): string => (us / 1000).toFixed(0);

try {
  for (let pass = 0; pass < 2; pass++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.addInitScript(`sessionStorage.setItem('gaitwatch.token', ${JSON.stringify(key)})`);
      // The first pass is untimed, as in the scenario: Chromium's first page is not what a user opening a review waits for.
      const cdp = pass === 1 ? await context.newCDPSession(page) : undefined;
      const events: TraceEvent[] = [];
      if (cdp !== undefined) {
        cdp.on('Tracing.dataCollected', (message) => events.push(...message.value));
        await cdp.send('Tracing.start', { categories, transferMode: 'ReportEvents' });
      }
      await page.goto(`${api.url}/#/session/${athlete}/${session}`);
      const renderMs = await (await page.waitForFunction(FIRST_RENDER, undefined, { polling: 'raf', timeout: 60_000 })).jsonValue();
      if (cdp === undefined) continue;
      const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      if (traceOut !== undefined) await writeFile(traceOut, JSON.stringify({ traceEvents: events }));

      console.log(`first render ${Math.round(renderMs)} ms after navigation start (${strides.length} stances)`);
      for (const line of await page.evaluate<string[]>(TIMINGS)) console.log(`  ${line}`);
      console.log(await page.evaluate<string>(DATA_COST));

      const mainThread = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
      const navigation = events.find((e) => e.name === 'navigationStart' && (e.args?.data?.documentLoaderURL ?? '').includes('#/session/'));
      if (mainThread === undefined || navigation === undefined) continue;
      const t0 = navigation.ts;
      const slices = events
        .filter((e) => e.pid === mainThread.pid && e.tid === mainThread.tid && e.ph === 'X' && e.ts >= t0 && e.ts - t0 <= renderMs * 1000)
        .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
      // Top-level slices: not inside an earlier one.
      let end = -1;
      console.log('renderer main thread, tasks > 20 ms (ms after navigation start: duration — slices > 3 ms inside):');
      for (const slice of slices) {
        if (slice.ts < end) continue;
        end = slice.ts + (slice.dur ?? 0);
        if ((slice.dur ?? 0) < 20_000) continue;
        const inside = slices.filter((e) => e !== slice && e.ts >= slice.ts && e.ts + (e.dur ?? 0) <= end && (e.dur ?? 0) > 3000 && !/^(V8\.GC_|ThreadControllerImpl|Receive mojo|RunMicrotasks|v8\.callFunction)/.test(e.name));
        const what = inside.map((e) => `${e.name}${e.args?.data?.url ? ` (${e.args.data.url.replace(/^https?:\/\/[^/]+/, '')})` : ''} ${ms(e.dur ?? 0)}`);
        console.log(`  ${ms(slice.ts - t0).padStart(5)}: ${ms(slice.dur ?? 0).padStart(4)} — ${what.slice(0, 12).join(', ')}`);
      }
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  await api.stop();
  await rm(dir, { recursive: true, force: true });
}
