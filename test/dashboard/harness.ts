/**
 * What every dashboard browser test opens and closes: a temp data dir,
 * something serving the dashboard from it on 127.0.0.1 (usually the API
 * over a LocalStore, see openApiHarness), and Debian's Chromium (chromium.ts).
 * Opened in that order, closed in the reverse one; a failure part-way closes
 * what was already open and rethrows. It registers no hooks: a suite calls
 *
 *   let h: ApiHarness;
 *   beforeAll(async () => { h = await openApiHarness({ tempPrefix: 'gw-x-', keys: [...] }); });
 *   afterAll(() => h?.close());
 *
 * Whether the suite runs at all stays with chromium.ts's haveChromium.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, hashApiKey, KeyRing, type ApiApp, type BuildAppOptions, type JwtOptions, type KeyEntry } from '@gaitwatch/api';
import { LocalStore } from '@gaitwatch/storage';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';

/** Registers a closer; the harness runs them last-registered first. */
export type OnClose = (close: () => Promise<unknown>) => void;

export interface PageOptions {
  readonly viewport?: { readonly width: number; readonly height: number };
  readonly acceptDownloads?: boolean;
  /** A key or token the page is signed in with before its scripts run (the dashboard keeps it in sessionStorage `gaitwatch.token`). */
  readonly token?: string;
  /** Collects the page's uncaught errors (their messages). */
  readonly pageErrors?: string[];
  /** Collects what the page logs with console.error (its text); may be the same array as pageErrors. */
  readonly consoleErrors?: string[];
}

export interface Harness {
  readonly dataDir: string;
  /** Where the dashboard is served, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly browser: Browser;
  /** A page in a browser context of its own (closing the page closes the context). */
  newPage(options?: PageOptions): Promise<Page>;
  /** Closes the browser, what `serve` opened (in reverse), and removes the data dir; tries each even if one fails. */
  close(): Promise<void>;
}

async function newPage(browser: Browser, { token, pageErrors, consoleErrors, ...context }: PageOptions): Promise<Page> {
  const page = await browser.newPage(context);
  if (pageErrors !== undefined) page.on('pageerror', (error) => pageErrors.push(error.message));
  if (consoleErrors !== undefined) {
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  }
  if (token !== undefined) await page.addInitScript(`sessionStorage.setItem('gaitwatch.token', ${JSON.stringify(token)})`);
  return page;
}

/** Runs the closers last-registered first, each even if an earlier one failed; rethrows the first failure. */
async function closeAll(closers: (() => Promise<unknown>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closers.splice(0).reverse()) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/**
 * A temp data dir (`tempPrefix` + random, under the OS temp dir), then `serve(dataDir, onClose)`, which
 * starts the server, registers how to stop it and returns its URL (and whatever else the test needs:
 * it is spread into the harness), then Chromium.
 */
export async function openHarness<S extends { readonly url: string }>(tempPrefix: string, serve: (dataDir: string, onClose: OnClose) => Promise<S>): Promise<Harness & S> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = (): Promise<void> => closeAll(closers);
  try {
    const dataDir = await mkdtemp(join(tmpdir(), tempPrefix));
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const served = await serve(dataDir, (closer) => closers.push(closer));
    const browser = await launchChromium();
    closers.push(() => browser.close());
    return { ...served, dataDir, browser, newPage: (options = {}) => newPage(browser, options), close };
  } catch (error) {
    // The start-up failure is the news; a failure closing the half-open harness after it would only hide it.
    await close().catch(() => undefined);
    throw error;
  }
}

/** An API key the test presents, and whom it stands for (a key file entry without the hash). */
export type HeldKey = KeyEntry extends infer E ? (E extends KeyEntry ? Omit<E, 'hash'> & { readonly key: string } : never) : never;

export interface ApiHarnessOptions {
  /** The temp data dir's name prefix, e.g. `gw-rtr-browser-`. */
  readonly tempPrefix: string;
  /** The keys the API accepts. */
  readonly keys: readonly HeldKey[];
  /** Bearer JWTs the API accepts besides the keys (an identity provider's). */
  readonly jwt?: JwtOptions;
  /** Fills the store before the API opens on it. */
  readonly seed?: (store: LocalStore) => Promise<unknown>;
  /** The rest of buildApp's options (the clock, a live hub); rate limiting and /docs are off unless given here. */
  readonly api?: Omit<BuildAppOptions, 'store' | 'auth'>;
}

export interface ApiHarness extends Harness {
  readonly store: LocalStore;
  readonly app: ApiApp;
}

/** The pepper the keys are hashed with: any will do, the keys are the tests' own. */
const PEPPER = 'dashboard-browser';

/** The API (and the dashboard it serves) over a LocalStore in the temp data dir, listening on 127.0.0.1 on a free port. */
export function openApiHarness(options: ApiHarnessOptions): Promise<ApiHarness> {
  return openHarness(options.tempPrefix, async (dataDir, onClose) => {
    const store = new LocalStore({ dataDir, synchronous: 'normal', maxBatchDelayMs: 1 });
    onClose(() => store.close());
    await options.seed?.(store);
    const keys = new KeyRing(
      options.keys.map(({ key, ...entry }) => ({ ...entry, hash: hashApiKey(key, PEPPER) }) as KeyEntry),
      PEPPER,
    );
    const app = await buildApp({ rateLimit: false, docs: false, ...options.api, store, auth: { keys, ...(options.jwt !== undefined ? { jwt: options.jwt } : {}) } });
    onClose(() => app.close());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { store, app, url };
  });
}
