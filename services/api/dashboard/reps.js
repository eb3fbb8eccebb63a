/**
 * A movement screen's reps as the page reads them (issue 17): the verdict in
 * words, what is said per rep, the reps of a session kept once each (REST
 * history and the live stream overlap), and per standing leg the medians
 * the API's session record gives (services/api/src/screen-history.ts: the
 * median over measured reps; a null angle is "not measured", never 0).
 * Pure: no DOM, unit-tested in node. Loaded only by the views that show
 * screens (runner, screen review, athlete page), never at start-up.
 */

/** The verdict as the runner hears and reads it. */
export const VERDICT_WORDS = { level: 'pelvis level', dropping: 'hip dropping' };

/** `pelvicDropDeg` etc. are DESIGN.md's; `side` is the STANDING leg. */
export const SIDES = /** @type {const} */ (['left', 'right']);

/** A session record (REST or live state) is a movement screen when its start said so (none said: a run). @param {any} session */
export const isScreen = (session) => session?.summary?.activity === 'screen';

/**
 * The pelvic-drop threshold the screen's analysis judged against, degrees:
 * the athlete's own when the analysis recorded one, else its parameter
 * (summary.analysis is the analyzer's description; packages/dsp ScreenAnalyzer.describe).
 * @param {any} summary @returns {number | null}
 */
export function analysisThresholdDeg(summary) {
  const analysis = summary?.analysis;
  const own = analysis?.pelvicDropLevelMaxDeg;
  if (typeof own === 'number') return own;
  const param = analysis?.parameters?.['screen.pelvicDropLevelMaxDeg'];
  return typeof param === 'number' ? param : null;
}

/**
 * The screen analysis's default pelvic-drop threshold, degrees: packages/dsp's `pelvicDropLevelMaxDeg`
 * (a test keeps the two equal; its source is in packages/dsp/src/screen/README.md "The verdict threshold").
 */
export const DEFAULT_SCREEN_THRESHOLD_DEG = 5;

/**
 * The threshold a screen of this athlete is judged against and where it comes from: the athlete's
 * setting when the coach set one, else the analysis default. @param {any} athlete GET /v1/athletes/:id
 */
export function screenThreshold(athlete) {
  const own = athlete?.settings?.screenPelvicDropLevelMaxDeg;
  return typeof own === 'number'
    ? { deg: own, source: 'athlete', words: `${own.toFixed(1)}°, this athlete's setting` }
    : { deg: DEFAULT_SCREEN_THRESHOLD_DEG, source: 'default', words: `${DEFAULT_SCREEN_THRESHOLD_DEG}°, the default (step-down rating scales score a pelvic drop of 5° or less as minimal)` };
}

/** What is said after a rep: its verdict and its number in the set ("pelvis level, rep 3"). @param {any} rep */
export function spokenRep(rep) {
  const words = VERDICT_WORDS[rep.pelvicDropVerdict];
  // An unmeasured pelvis (pelvicDropVerdict null) gets no verdict, only the count.
  return words === undefined ? `Rep ${rep.rep}, pelvis not measured` : `${words[0].toUpperCase()}${words.slice(1)}, rep ${rep.rep}`;
}

/** @param {any} rep */
export const repKey = (rep) => `${rep.side}/${rep.set}/${rep.rep}/${rep.startUs}`;

/** The median of finite numbers, or null for none (the mean of the middle two for an even count). @param {(number | null | undefined)[]} values */
export function median(values) {
  const s = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * One standing leg's reps summed up: count, medians over measured reps, reps called dropping
 * (the same numbers as the API's `reps` on a screen's session record).
 * @param {any[]} reps
 */
export function sideStats(reps) {
  return {
    reps: reps.length,
    pelvicDropDegMedian: median(reps.map((r) => r.pelvicDropDeg)),
    shankFrontalDegMedian: median(reps.map((r) => r.shankFrontalDeg)),
    depthDegMedian: median(reps.map((r) => r.depthDeg)),
    droppingReps: reps.filter((r) => r.pelvicDropVerdict === 'dropping').length,
  };
}

/** Left minus right of two medians, or null when either is missing. @param {number | null} left @param {number | null} right */
export const leftMinusRight = (left, right) => (typeof left === 'number' && typeof right === 'number' ? left - right : null);

/** A screen session's reps, each kept once, in time order per standing leg. */
export class RepLog {
  constructor() {
    /** @type {Set<string>} */
    this.keys = new Set();
    /** @type {{ left: any[], right: any[] }} */
    this.sides = { left: [], right: [] };
  }

  /** Adds a rep; false when it was already there (or names no leg). @param {any} rep */
  add(rep) {
    const list = this.sides[rep?.side];
    if (list === undefined) return false;
    const key = repKey(rep);
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    list.push(rep);
    // Reps arrive in order; REST history merged after live ones may not.
    if (list.length > 1 && list.at(-2).startUs > rep.startUs) list.sort((a, b) => a.startUs - b.startUs);
    return true;
  }

  get count() {
    return this.keys.size;
  }

  /** @param {'left' | 'right'} side */
  of(side) {
    return this.sides[side];
  }

  /** The newest rep of a standing leg. @param {'left' | 'right'} side */
  last(side) {
    return this.sides[side].at(-1);
  }

  /** A leg's reps grouped by set, sets in order. @param {'left' | 'right'} side @returns {{ set: number, reps: any[] }[]} */
  sets(side) {
    /** @type {Map<number, any[]>} */
    const bySet = new Map();
    for (const r of this.sides[side]) bySet.set(r.set, [...(bySet.get(r.set) ?? []), r]);
    return [...bySet.entries()].sort((a, b) => a[0] - b[0]).map(([set, reps]) => ({ set, reps }));
  }
}
