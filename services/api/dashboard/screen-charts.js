/**
 * Movement-screen charts (issue 17), SVG like the return-to-run ones (a few
 * dozen points; elements carry data attributes the browser test reads):
 * - `repChart`: one standing leg's reps in order, sets side by side, pelvic
 *   drop (filled dots) and the knee-collapse proxy (open squares) per rep,
 *   and the pelvic-drop threshold as a dashed line;
 * - `screenRunChart`: over the weeks, each screen's median pelvic drop per
 *   standing leg (diamonds, joined dashed) beside the running pelvic drop's
 *   weekly median per stance leg (dots, joined solid), one time axis and one
 *   degree scale, so a clinician sees whether test and run move together,
 *   and the threshold in use.
 * Presentation attributes only (no `style`): the page's CSP forbids inline styles.
 */
import { SIDE_COLORS } from './charts.js';
import { label, niceMax, s, title } from './coaching-charts.js';

const W = 640;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 34 };
const THRESHOLD_COLOR = '#b91c1c';
const KNEE_COLOR = '#374151';
const deg = (v) => `${v.toFixed(1)}°`;

/** A degree scale from below the lowest value (0 unless something is negative) to a nice top. @param {number[]} values */
function scale(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  const low = Math.min(0, ...finite);
  const bottom = low < 0 ? -niceMax(-low) : 0;
  const top = niceMax(Math.max(1, ...finite));
  const y = (v) => PAD.top + ((H - PAD.top - PAD.bottom) * (top - v)) / (top - bottom);
  return { bottom, top, y };
}

/** Grid lines and labels every quarter of the scale. @param {SVGElement} svg @param {{ bottom: number, top: number, y: (v: number) => number }} sc */
function degreeAxis(svg, sc) {
  for (let i = 0; i <= 4; i++) {
    const v = sc.bottom + ((sc.top - sc.bottom) * i) / 4;
    svg.appendChild(s('line', { x1: PAD.left, x2: W - PAD.right, y1: sc.y(v), y2: sc.y(v), stroke: v === 0 ? '#9ca3af' : '#e5e7eb' }));
    svg.appendChild(label(`${Number(v.toFixed(1))}°`, { x: PAD.left - 6, y: sc.y(v) + 4, 'text-anchor': 'end' }));
  }
}

/** @param {SVGElement} svg @param {(v: number) => number} y @param {number | null} thresholdDeg */
function thresholdLine(svg, y, thresholdDeg) {
  if (thresholdDeg === null) return;
  svg.appendChild(
    s('line', { class: 'threshold-line', 'data-deg': thresholdDeg, x1: PAD.left, x2: W - PAD.right, y1: y(thresholdDeg), y2: y(thresholdDeg), stroke: THRESHOLD_COLOR, 'stroke-width': 1.5, 'stroke-dasharray': '6 4' }, title(`Pelvic-drop threshold ${deg(thresholdDeg)}: above it a rep is "hip dropping"`)),
  );
}

/** @param {number} cx @param {number} cy @param {number} r */
const diamond = (cx, cy, r) => `M${cx},${cy - r} L${cx + r},${cy} L${cx},${cy + r} L${cx - r},${cy} Z`;

/**
 * One standing leg's reps, set after set.
 * @param {'left' | 'right'} side @param {{ set: number, reps: any[] }[]} sets @param {number | null} thresholdDeg
 * @returns {SVGSVGElement}
 */
export function repChart(side, sets, thresholdDeg) {
  const all = sets.flatMap((g) => g.reps);
  const values = all.flatMap((r) => [r.pelvicDropDeg, r.shankFrontalDeg]).filter((v) => typeof v === 'number');
  const sc = scale([...values, ...(thresholdDeg === null ? [] : [thresholdDeg])]);
  const svg = /** @type {SVGSVGElement} */ (s('svg', { id: `rep-chart-${side}`, class: 'rtr-chart rep-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Standing on the ${side} leg: pelvic drop and knee-collapse proxy per rep, by set` }));
  degreeAxis(svg, sc);
  // One slot per rep, and one empty slot between sets.
  const slots = all.length + Math.max(0, sets.length - 1);
  const slotW = (W - PAD.left - PAD.right) / Math.max(1, slots);
  const color = SIDE_COLORS[side];
  let slot = 0;
  for (const { set, reps } of sets) {
    const x = (i) => PAD.left + (slot + i + 0.5) * slotW;
    svg.appendChild(label(`set ${set}`, { x: x((reps.length - 1) / 2), y: H - PAD.bottom + 14, 'text-anchor': 'middle' }));
    for (const [metric, stroke, dash] of /** @type {const} */ ([
      ['pelvicDropDeg', color, ''],
      ['shankFrontalDeg', KNEE_COLOR, '3 3'],
    ])) {
      const pts = reps.flatMap((r, i) => (typeof r[metric] === 'number' ? [`${x(i)},${sc.y(r[metric])}`] : []));
      if (pts.length > 1) svg.appendChild(s('polyline', { points: pts.join(' '), fill: 'none', stroke, 'stroke-width': 1.5, ...(dash ? { 'stroke-dasharray': dash } : {}) }));
    }
    reps.forEach((r, i) => {
      const cx = x(i);
      const attrs = { 'data-side': side, 'data-set': r.set, 'data-rep': r.rep };
      if (typeof r.pelvicDropDeg === 'number') {
        const bad = r.pelvicDropVerdict === 'dropping';
        svg.appendChild(s('circle', { class: `rep-point metric-pelvic${bad ? ' dropping' : ''}`, ...attrs, 'data-value': r.pelvicDropDeg, cx, cy: sc.y(r.pelvicDropDeg), r: bad ? 5 : 4, fill: color, stroke: bad ? THRESHOLD_COLOR : color, 'stroke-width': bad ? 2 : 1 }, title(`set ${r.set} rep ${r.rep}: pelvic drop ${deg(r.pelvicDropDeg)}${bad ? ' (hip dropping)' : ''}`)));
      }
      if (typeof r.shankFrontalDeg === 'number') {
        const cy = sc.y(r.shankFrontalDeg);
        svg.appendChild(s('rect', { class: 'rep-point metric-knee', ...attrs, 'data-value': r.shankFrontalDeg, x: cx - 3.5, y: cy - 3.5, width: 7, height: 7, fill: '#fff', stroke: KNEE_COLOR, 'stroke-width': 1.5 }, title(`set ${r.set} rep ${r.rep}: knee-collapse proxy ${deg(r.shankFrontalDeg)}`)));
      }
    });
    slot += reps.length + 1;
  }
  thresholdLine(svg, sc.y, thresholdDeg);
  svg.dataset.reps = String(all.length);
  return svg;
}

/**
 * Screens beside running over the weeks.
 * @param {any} history the body of GET /v1/athletes/:id/screens
 * @param {number | null} thresholdDeg
 * @returns {SVGSVGElement}
 */
export function screenRunChart(history, thresholdDeg) {
  const screens = history.screens;
  const weeks = history.weeks;
  const values = [
    ...screens.flatMap((sc) => [sc.sides.left.pelvicDropDegMedian, sc.sides.right.pelvicDropDegMedian]),
    ...weeks.flatMap((w) => [w.pelvicDropDegMedian.left, w.pelvicDropDegMedian.right]),
    ...(thresholdDeg === null ? [] : [thresholdDeg]),
  ].filter((v) => typeof v === 'number');
  const sc = scale(values);
  const svg = /** @type {SVGSVGElement} */ (s('svg', { id: 'screen-run-chart', class: 'rtr-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Pelvic drop per leg: each movement screen beside the weekly running median' }));
  degreeAxis(svg, sc);
  const time = (us) => PAD.left + ((W - PAD.left - PAD.right) * (us - history.fromUs)) / Math.max(1, history.toUs - history.fromUs);
  weeks.forEach((w, i) => {
    if (i % Math.ceil(weeks.length / 8) === 0) svg.appendChild(label(w.week.slice(5), { x: time((w.fromUs + w.toUs) / 2), y: H - PAD.bottom + 14, 'text-anchor': 'middle' }));
  });
  for (const side of /** @type {const} */ (['left', 'right'])) {
    const color = SIDE_COLORS[side];
    // Left a little left, right a little right: two legs with the same value stay visible.
    const dx = side === 'left' ? -3 : 3;
    const x = (/** @type {number} */ us) => time(us) + dx;
    // Running: the week's median per stance leg, at the middle of the week.
    const run = weeks.filter((w) => typeof w.pelvicDropDegMedian[side] === 'number');
    if (run.length > 1) svg.appendChild(s('polyline', { class: `run-line side-${side}`, points: run.map((w) => `${x((w.fromUs + w.toUs) / 2)},${sc.y(w.pelvicDropDegMedian[side])}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 1.5 }));
    for (const w of run) {
      const v = w.pelvicDropDegMedian[side];
      svg.appendChild(s('circle', { class: `run-point side-${side}`, 'data-side': side, 'data-week': w.week, 'data-value': v, cx: x((w.fromUs + w.toUs) / 2), cy: sc.y(v), r: 3, fill: color }, title(`${w.week}, running, ${side} stance: median pelvic drop ${deg(v)} (${w.runs} run${w.runs === 1 ? '' : 's'})`)));
    }
    // Screens: each screen's median per standing leg, at its start.
    const measured = screens.filter((e) => typeof e.sides[side].pelvicDropDegMedian === 'number');
    if (measured.length > 1) svg.appendChild(s('polyline', { class: `screen-line side-${side}`, points: measured.map((e) => `${x(e.startUs)},${sc.y(e.sides[side].pelvicDropDegMedian)}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 1.5, 'stroke-dasharray': '5 4' }));
    for (const e of measured) {
      const v = e.sides[side].pelvicDropDegMedian;
      svg.appendChild(s('path', { class: `screen-point side-${side}`, 'data-side': side, 'data-session': e.sessionId, 'data-value': v, d: diamond(x(e.startUs), sc.y(v), 6), fill: '#fff', stroke: color, 'stroke-width': 2 }, title(`${e.date} screen, standing on the ${side}: median pelvic drop ${deg(v)} over ${e.sides[side].reps} reps, ${e.sides[side].droppingReps} dropping`)));
    }
  }
  thresholdLine(svg, sc.y, thresholdDeg);
  svg.dataset.screens = String(screens.length);
  return svg;
}
