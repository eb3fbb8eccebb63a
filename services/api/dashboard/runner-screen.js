/**
 * The runner view during a movement screen (issue 17): per standing leg the
 * newest rep's verdict ("pelvis level" / "hip dropping") in very large type,
 * the set and rep it was and how many reps so far; each new rep from the
 * live stream is spoken and buzzed once cues are on (a level rep one short
 * buzz, a dropping one the form alert's double buzz). A screen opened
 * part-way gets the reps so far from REST, merged with the stream's (each
 * rep kept once), and says nothing for those.
 */
import { cue } from './cue.js';
import { num } from './format.js';
import { RepLog, VERDICT_WORDS, isScreen, spokenRep } from './reps.js';

/** A level rep's buzz, ms: one short pulse (a dropping rep gets cue.js's alert double buzz). */
const LEVEL_BUZZ = 80;
/** Reps asked for per page (a screen has a few dozen). */
const PAGE = 1000;

/**
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, onError: (e: unknown) => void, changed: () => void }} ctx
 */
export function screenReps({ api, onError, changed }) {
  /** Each screen session's reps, by session key (made on its first rep or first render as a screen). @type {Map<string, RepLog>} */
  const logs = new Map();

  /** @param {any} entry a LiveState session entry */
  const logOf = (entry) => {
    let log = logs.get(entry.key);
    if (log !== undefined) return log;
    const made = new RepLog();
    logs.set(entry.key, made);
    const path = `/v1/sessions/${encodeURIComponent(entry.athleteId)}/${encodeURIComponent(entry.sessionId)}/reps`;
    api
      .all(path, { limit: PAGE })
      .then((reps) => {
        let added = false;
        for (const r of reps) added = made.add(r) || added;
        if (added) changed();
      })
      .catch(onError);
    return made;
  };

  return {
    /** A screen when its record says so, or once a rep of it arrived (before its record did). @param {any} entry */
    isScreen: (entry) => entry !== undefined && (isScreen(entry) || logs.has(entry.key)),
    logOf,
    /**
     * A rep from the stream: kept, and cued when it is new and of the session on screen.
     * @param {any} rep @param {any} entry the LiveState entry of its session @param {boolean} shown
     */
    add(rep, entry, shown) {
      if (!logOf(entry).add(rep)) return;
      if (shown) cue(spokenRep(rep), rep.pelvicDropVerdict === 'dropping' ? undefined : LEVEL_BUZZ);
      changed();
    },
  };
}

/**
 * Fills one side's panel from its standing leg's reps.
 * @param {{ state: HTMLElement, detail: HTMLElement, title: HTMLElement }} panel @param {'left' | 'right'} side @param {RepLog} log
 */
export function renderScreenSide(panel, side, log) {
  const reps = log.of(side);
  const last = log.last(side);
  panel.title.textContent = `Standing on the ${side} leg`;
  const verdict = last?.pelvicDropVerdict;
  const state = last === undefined ? 'waiting' : verdict === 'dropping' || verdict === 'level' ? verdict : 'unmeasured';
  panel.state.textContent = last === undefined ? 'waiting for reps' : state === 'unmeasured' ? 'pelvis not measured' : VERDICT_WORDS[state];
  panel.state.className = `runner-state ${state === 'dropping' ? 'state-bad' : state === 'level' ? 'state-good' : 'state-waiting'}`;
  panel.state.dataset.state = state;
  panel.state.dataset.reps = String(reps.length);
  if (last === undefined) {
    panel.detail.textContent = 'no reps on this leg yet';
    return;
  }
  const dropping = reps.filter((r) => r.pelvicDropVerdict === 'dropping').length;
  // Contralateral drop: standing on the left leg, the right hip sags (DESIGN.md "Units, frames, names").
  const sags = state === 'dropping' ? ` · the ${side === 'left' ? 'right' : 'left'} hip sags` : '';
  panel.detail.textContent = `set ${last.set} · rep ${last.rep} · pelvic drop ${num(last.pelvicDropDeg, 1, '°')}${sags} · ${reps.length} rep${reps.length === 1 ? '' : 's'} on this leg, ${dropping} dropping`;
}
