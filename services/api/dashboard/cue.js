/**
 * Voice and vibration cues for the runner's phone. Browsers play speech
 * only after a user gesture, so cues stay off until the runner taps the
 * button (which speaks a short confirmation inside that gesture and asks
 * for a screen wake lock). Each capability is feature-detected; a missing
 * one is skipped silently.
 */
const STORAGE_KEY = 'gaitwatch.cues';

export const canSpeak = () => typeof speechSynthesis !== 'undefined' && typeof SpeechSynthesisUtterance !== 'undefined';
export const canVibrate = () => typeof navigator.vibrate === 'function';

export function cuesEnabled() {
  return sessionStorage.getItem(STORAGE_KEY) === 'on';
}

/** @type {any} the screen wake lock while cues are on (a phone on an arm should not go dark mid-run) */
let wakeLock = null;

async function keepScreenOn() {
  const nav = /** @type {any} */ (navigator);
  if (!cuesEnabled() || typeof nav.wakeLock?.request !== 'function' || document.visibilityState !== 'visible') return;
  try {
    wakeLock = await nav.wakeLock.request('screen');
    wakeLock.addEventListener('release', () => {
      wakeLock = null;
    });
  } catch {
    wakeLock = null; // refused (battery saver, no permission): the screen may sleep
  }
}

// The browser drops the lock when the page is hidden; take it again on return.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && wakeLock === null) keepScreenOn();
});

/** Call from a click handler: turns cues on or off; returns the new setting. */
export function toggleCues() {
  const on = !cuesEnabled();
  sessionStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  if (on) {
    say('Cues on');
    if (canVibrate()) navigator.vibrate(100);
    keepScreenOn();
  } else {
    wakeLock?.release?.().catch(() => {});
    wakeLock = null;
  }
  return on;
}

/** @param {string} text */
function say(text) {
  if (!canSpeak()) return;
  speechSynthesis.cancel();
  speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

/** A form alert's buzz: two long pulses, ms. */
export const ALERT_BUZZ = [200, 100, 200];

/**
 * A cue: a short spoken sentence and a buzz (by default a form alert's double buzz; a screen's level rep
 * gets a single short one, so the runner can tell the two apart without sound).
 * @param {string} text @param {number | number[]} [buzz]
 */
export function cue(text, buzz = ALERT_BUZZ) {
  if (!cuesEnabled()) return;
  say(text);
  if (canVibrate()) navigator.vibrate(buzz);
}
