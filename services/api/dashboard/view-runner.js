/**
 * Runner view (`#/runner`), for a phone on an arm: per side, in very large
 * type, "hips level" or "hip dropping" for the runner's running session,
 * judged by the analyzer's own form alerts (one still open on pelvic drop
 * for that stance side), with the latest stances' pelvic drop beside it.
 * A raised form alert speaks and vibrates once cues are on. During a
 * movement screen the panels count reps per standing leg and give each
 * rep's verdict instead (runner-screen.js).
 */
import { isForm, metricWords, openFormAlerts } from './alerts.js';
import { pelvicDropBaseline } from './baseline.js';
import { canSpeak, canVibrate, cue, cuesEnabled, toggleCues } from './cue.js';
import { h, replace } from './dom.js';
import { num, sessionKey } from './format.js';
import { renderScreenSide, screenReps } from './runner-screen.js';

/** Latest stances a side's value is the median of (about 5 s of running). */
const RECENT = 8;

function median(values) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The sentence spoken for a raised form alert. @param {any} alert */
function spoken(alert) {
  if (alert.metric === 'pelvicDropDeg') return `Hip dropping${alert.side ? ` on the ${alert.side}` : ''}. Squeeze your glutes and run tall.`;
  if (alert.metric === 'shankFrontalDeg') return `Knee caving in${alert.side ? ` on the ${alert.side}` : ''}. Push the knee out.`;
  if (alert.metric === 'cadenceSpm') return 'Cadence dropping. Quicker, lighter steps.';
  return `Form check: ${metricWords(alert.metric)}.`;
}

/**
 * @param {HTMLElement} root
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, state: import('./live-state.js').LiveState, onError: (e: unknown) => void }} ctx
 */
export function mountRunner(root, { api, state, onError }) {
  const picker = h('select', { id: 'runner-session' });
  const pickerRow = h('p', { class: 'picker', hidden: true }, h('label', { for: 'runner-session' }, 'Session '), picker);
  const cueButton = h('button', { type: 'button', class: 'cue-button', 'aria-pressed': String(cuesEnabled()) });
  const cueNote = h('p', { class: 'muted' }, canSpeak() || canVibrate() ? '' : 'This browser can neither speak nor vibrate: watch the screen.');
  const panel = (side) => {
    const state = h('p', { class: 'runner-state', id: `runner-${side}` }, '…');
    const detail = h('p', { class: 'runner-detail' });
    const title = h('h2', { id: `runner-${side}-h` }, side === 'left' ? 'Left leg' : 'Right leg');
    return { el: h('section', { class: 'runner-side', 'aria-labelledby': `runner-${side}-h` }, title, state, detail), state, detail, title };
  };
  const left = panel('left');
  const right = panel('right');
  const other = h('p', { class: 'runner-other', role: 'status' });
  const heading = h('h1', { id: 'runner-heading', class: 'visually-hidden' }, 'Runner');
  const waiting = h('p', { class: 'muted', role: 'status' }, 'Waiting for a running session…');
  const view = h('section', { class: 'view view-runner', 'aria-labelledby': 'runner-heading' }, heading, pickerRow, waiting, h('div', { class: 'runner-grid' }, left.el, right.el), other, h('p', null, cueButton), cueNote);
  replace(root, view);

  const renderCueButton = () => {
    const on = cuesEnabled();
    cueButton.textContent = on ? 'Voice and vibration cues: on' : 'Turn on voice and vibration cues';
    cueButton.setAttribute('aria-pressed', String(on));
  };
  cueButton.addEventListener('click', () => {
    toggleCues();
    renderCueButton();
  });
  renderCueButton();

  let chosen = '';
  const running = () => [...state.sessions.values()].filter((e) => e.status === 'running').sort((a, b) => (b.startUs ?? 0) - (a.startUs ?? 0));
  const current = () => state.sessions.get(chosen) ?? running()[0];
  picker.addEventListener('change', () => {
    chosen = picker.value;
    render();
  });

  // Declared before `screen` uses it (its REST history may arrive before the first frame).
  let frame = 0;
  const schedule = () => {
    if (frame === 0)
      frame = requestAnimationFrame(() => {
        frame = 0;
        render();
      });
  };
  const screen = screenReps({ api, onError, changed: schedule });

  const render = () => {
    const list = running();
    pickerRow.hidden = list.length < 2;
    if (picker.options.length !== list.length || list.some((e, i) => picker.options[i]?.value !== e.key)) {
      replace(picker, ...list.map((e) => h('option', { value: e.key, selected: e.key === chosen }, `${e.athleteId} · ${e.sessionId}`)));
    }
    const entry = current();
    waiting.hidden = entry !== undefined;
    waiting.textContent = state.loaded ? 'No running session: start a run on the phone.' : 'Waiting for a running session…';
    // Which session the panels show (athlete/session; a test hook).
    view.dataset.session = entry?.key ?? '';
    if (entry === undefined) return;
    if (screen.isScreen(entry)) {
      heading.textContent = `Screen ${entry.athleteId}`;
      const log = screen.logOf(entry);
      renderScreenSide(left, 'left', log);
      renderScreenSide(right, 'right', log);
      other.textContent = `${log.count} rep${log.count === 1 ? '' : 's'} so far`;
      return;
    }
    heading.textContent = `Runner ${entry.athleteId}`;
    left.title.textContent = 'Left leg';
    right.title.textContent = 'Right leg';
    const open = openFormAlerts(state.alertsOf(entry.key));
    const baseline = entry.series ? pelvicDropBaseline(entry.summary, entry.series) : null;
    for (const [side, p] of [
      ['left', left],
      ['right', right],
    ]) {
      const stances = entry.series?.latest(side, RECENT) ?? [];
      const dropping = open.some((a) => a.metric === 'pelvicDropDeg' && (a.side === undefined || a.side === side));
      const text = stances.length === 0 ? 'waiting for strides' : dropping ? 'hip dropping' : 'hips level';
      p.state.textContent = text;
      p.state.className = `runner-state ${stances.length === 0 ? 'state-waiting' : dropping ? 'state-bad' : 'state-good'}`;
      p.state.dataset.state = stances.length === 0 ? 'waiting' : dropping ? 'dropping' : 'level';
      delete p.state.dataset.reps;
      const value = median(stances.map((s) => s.pelvicDropDeg).filter((v) => typeof v === 'number'));
      const base = baseline?.[side]?.median;
      // Contralateral drop: standing on the left leg, the right hip sags (DESIGN.md "Units, frames, names").
      const sags = dropping ? ` · the ${side === 'left' ? 'right' : 'left'} hip sags when you land on the ${side}` : '';
      p.detail.textContent = `pelvic drop ${num(value, 1, '°')}${typeof base === 'number' ? ` (baseline ${num(base, 1, '°')})` : ''}${sags}`;
    }
    const others = open.filter((a) => a.metric !== 'pelvicDropDeg');
    other.textContent = others.map((a) => `${metricWords(a.metric)}${a.side ? ` (${a.side})` : ''}: check your form`).join(' · ');
  };

  /** @param {Event} event */
  const onRep = (event) => {
    const rep = /** @type {CustomEvent} */ (event).detail;
    const entry = state.sessions.get(sessionKey(rep.athleteId, rep.sessionId));
    if (entry !== undefined) screen.add(rep, entry, entry === current());
  };
  /** @param {Event} event */
  const onAlert = (event) => {
    const alert = /** @type {CustomEvent} */ (event).detail;
    const entry = current();
    if (entry !== undefined && isForm(alert) && alert.phase !== 'resolved' && sessionKey(alert.athleteId, alert.sessionId) === entry.key) cue(spoken(alert));
  };
  state.addEventListener('change', schedule);
  state.addEventListener('alert', onAlert);
  state.addEventListener('rep', onRep);
  render();
  return () => {
    state.removeEventListener('change', schedule);
    state.removeEventListener('alert', onAlert);
    state.removeEventListener('rep', onRep);
    if (frame !== 0) cancelAnimationFrame(frame);
  };
}
