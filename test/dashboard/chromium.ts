/**
 * Debian's Chromium for the dashboard's browser tests: where it is, whether
 * it is there (a missing browser fails the run in CI, where it is installed;
 * elsewhere the test skips with a loud note), and how it is launched
 * headless here (no sandbox, no GPU, no network of its own).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { isCi } from '../harness/index.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots the browser tests leave for a human (git-ignored). */
export const ARTIFACTS = new URL('../artifacts/', import.meta.url);

/** True when Chromium is installed; throws in CI when it is not, warns and returns false elsewhere. */
export function haveChromium(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  // The same reading of CI as the real-service harness (CI=1 and CI=yes count too).
  if (isCi()) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); the browser test never skips in CI`);
  console.warn(`\n*** SKIPPING ${what}: no ${CHROMIUM} (apt-get install -y chromium) ***\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}

/**
 * An init script recording what cue.js would say and buzz (window.__spoken: the utterances' text,
 * window.__buzzed: the vibration patterns) instead of saying and buzzing it: headless Chromium has no
 * voice, and a test must read the cues back.
 */
export const RECORD_CUES = `
  window.__spoken = [];
  window.__buzzed = [];
  if (typeof window.SpeechSynthesisUtterance === 'undefined') window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
  const synth = window.speechSynthesis ?? {};
  Object.defineProperty(window, 'speechSynthesis', { configurable: true, value: synth });
  synth.speak = (utterance) => window.__spoken.push(utterance.text);
  synth.cancel = () => {};
  Object.defineProperty(navigator, 'vibrate', { configurable: true, value: (pattern) => { window.__buzzed.push(pattern); return true; } });
`;
