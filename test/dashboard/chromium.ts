/**
 * Debian's Chromium for the dashboard's browser tests: where it is, whether
 * it is there (a missing browser fails the run in CI, where it is installed;
 * elsewhere the test skips with a loud note), and how it is launched
 * headless here (no sandbox, no GPU, no network of its own).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots the browser tests leave for a human (git-ignored). */
export const ARTIFACTS = new URL('../artifacts/', import.meta.url);

/** True when Chromium is installed; throws in CI when it is not, warns and returns false elsewhere. */
export function haveChromium(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env['CI'] === 'true') throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); the browser test never skips in CI`);
  console.warn(`\n*** SKIPPING ${what}: no ${CHROMIUM} (apt-get install -y chromium) ***\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}
