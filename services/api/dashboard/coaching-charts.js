/**
 * The return-to-run charts, drawn as SVG (a dozen bars and a few dozen
 * points need no chart library, and SVG elements carry data attributes the
 * browser test reads):
 * - the load chart: one bar per ISO week (distance, or minutes when a
 *   session had no distance), the return-to-run plan as a line, a ramp
 *   warning marked on its week's bar;
 * - the onset chart: per session and side, how far into the run form broke
 *   down, sessions that held all run as open triangles at their whole
 *   length, and the Theil–Sen trend line.
 * Presentation attributes only (no `style`): the page's CSP forbids inline styles.
 * The SVG helpers are shared with the movement-screen charts (screen-charts.js).
 */
import { SIDE_COLORS } from './charts.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 240;
const PAD = { left: 48, right: 12, top: 12, bottom: 36 };

/** @param {string} tag @param {Record<string, string | number>} attrs @param {...Node} children */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(c);
  return el;
}

/** @param {string} text */
export const title = (text) => {
  const t = document.createElementNS(NS, 'title');
  t.textContent = text;
  return t;
};

/** @param {string} text @param {Record<string, string | number>} attrs */
export function label(text, attrs) {
  const t = s('text', { 'font-size': 11, fill: '#4b5563', ...attrs });
  t.textContent = text;
  return t;
}

/** A nice upper bound for an axis. @param {number} max */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  // Multiples that split into four round ticks (24 → 6, 12, 18, 24).
  return [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10].map((m) => m * p).find((v) => v >= max * (1 - 1e-9)) ?? max;
}

/** Y axis with 4 ticks. @param {SVGElement} svg @param {number} top @param {(v: number) => number} y @param {(v: number) => string} fmt */
function yAxis(svg, top, y, fmt) {
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    svg.appendChild(s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), stroke: '#e5e7eb' }));
    svg.appendChild(label(fmt(v), { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }));
  }
}

/**
 * @param {any} load the body of GET /v1/athletes/:id/load
 * @returns {SVGSVGElement}
 */
export function loadChart(load) {
  const distance = load.metric === 'distance';
  const value = (w) => (distance ? w.distanceM / 1000 : w.durationS / 60);
  const weeks = load.weeks;
  const planned = weeks.map((w) => (w.plannedDistanceM === null || !distance ? null : w.plannedDistanceM / 1000));
  const top = niceMax(Math.max(0, ...weeks.map(value), ...planned.filter((p) => p !== null)));
  const svg = /** @type {SVGSVGElement} */ (s('svg', { id: 'load-chart', class: 'rtr-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Weekly ${distance ? 'distance' : 'time'}${planned.some((p) => p !== null) ? ' against the plan' : ''}` }));
  const x0 = PAD.left;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, weeks.length);
  const y = (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top);
  yAxis(svg, top, y, (v) => (distance ? `${v.toFixed(v < 10 ? 1 : 0)} km` : `${Math.round(v)} min`));
  const warned = new Set(load.warnings.filter((w) => w.severity === 'warning').map((w) => w.week));
  weeks.forEach((w, i) => {
    const v = value(w);
    const bar = s('rect', { class: `week-bar${warned.has(w.week) ? ' warned' : ''}`, 'data-week': w.week, x: x0 + i * slot + slot * 0.15, y: y(v), width: slot * 0.7, height: Math.max(0, y(0) - y(v)), fill: warned.has(w.week) ? '#b91c1c' : '#1d5fd1' });
    bar.appendChild(title(`${w.week}: ${distance ? `${v.toFixed(1)} km` : `${Math.round(v)} min`} in ${w.sessions} session${w.sessions === 1 ? '' : 's'}${planned[i] === null ? '' : `, plan ${planned[i].toFixed(1)} km`}`));
    svg.appendChild(bar);
    if (i % Math.ceil(weeks.length / 8) === 0) svg.appendChild(label(w.week.slice(5), { x: x0 + i * slot + slot / 2, y: H - PAD.bottom + 14, 'text-anchor': 'middle' }));
  });
  const points = planned.flatMap((p, i) => (p === null ? [] : [`${x0 + i * slot + slot / 2},${y(p)}`]));
  if (points.length > 0) svg.appendChild(s('polyline', { class: 'plan-line', points: points.join(' '), fill: 'none', stroke: '#15803d', 'stroke-width': 2.5, 'stroke-dasharray': '6 4' }, title('Return-to-run plan')));
  svg.dataset.weeks = String(weeks.length);
  return svg;
}

/**
 * @param {any} trends the body of GET /v1/athletes/:id/trends
 * @returns {SVGSVGElement}
 */
export function onsetChart(trends) {
  const sessions = trends.sessions;
  const unit = trends.onset.left.unit;
  const km = unit === 'm';
  const whole = (sess) => (km ? sess.distanceM / 1000 : sess.durationS / 60);
  const at = (o) => (km ? o.onsetDistanceM / 1000 : o.onsetS / 60);
  const top = niceMax(Math.max(0, ...sessions.map(whole)));
  const t0 = sessions[0]?.startUs ?? 0;
  const t1 = sessions.at(-1)?.startUs ?? t0 + 1;
  const svg = /** @type {SVGSVGElement} */ (s('svg', { id: 'onset-chart', class: 'rtr-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Form-breakdown onset per session, ${km ? 'km' : 'minutes'} into the run` }));
  const x = (us) => PAD.left + ((W - PAD.left - PAD.right) * (us - t0)) / Math.max(1, t1 - t0);
  const y = (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top);
  yAxis(svg, top, y, (v) => (km ? `${v.toFixed(v < 10 ? 1 : 0)} km` : `${Math.round(v)} min`));
  for (const [us, anchor] of /** @type {const} */ ([[t0, 'start'], [t1, 'end']])) svg.appendChild(label(new Date(us / 1000).toISOString().slice(0, 10), { x: x(us), y: H - PAD.bottom + 14, 'text-anchor': anchor }));
  for (const side of /** @type {const} */ (['left', 'right'])) {
    const color = SIDE_COLORS[side];
    const dx = side === 'left' ? -3 : 3;
    for (const sess of sessions) {
      const o = sess[side];
      if (o.heldAllRun || at(o) === null || Number.isNaN(at(o))) {
        const cx = x(sess.startUs) + dx;
        const cy = y(whole(sess));
        svg.appendChild(s('path', { class: `onset-point held side-${side}`, d: `M${cx},${cy - 6} L${cx + 5},${cy + 3} L${cx - 5},${cy + 3} Z`, fill: 'none', stroke: color, 'stroke-width': 1.5 }, title(`${sess.sessionId}, ${side}: held all run`)));
      } else {
        svg.appendChild(s('circle', { class: `onset-point side-${side}`, cx: x(sess.startUs) + dx, cy: y(at(o)), r: 4, fill: color }, title(`${sess.sessionId}, ${side}: form broke down ${km ? `${at(o).toFixed(2)} km` : `${at(o).toFixed(1)} min`} in`)));
      }
    }
    // Theil–Sen line through the points (held sessions at their whole length, as the statistic counts them).
    const trend = trends.onset[side];
    if (trend.slopePerWeek !== null && trend.direction !== 'held_all_run' && sessions.length >= 2) {
      const perUs = trend.slopePerWeek / (7 * 86_400e6) / (km ? 1000 : 60);
      const ys = sessions.map((sess) => (sess[side].heldAllRun ? whole(sess) : at(sess[side])) - perUs * (sess.startUs - t0)).sort((a, b) => a - b);
      const intercept = ys[Math.floor(ys.length / 2)];
      const clamp = (v) => Math.max(0, Math.min(top, v));
      svg.appendChild(s('line', { class: `trend-line side-${side}`, x1: x(t0), y1: y(clamp(intercept)), x2: x(t1), y2: y(clamp(intercept + perUs * (t1 - t0))), stroke: color, 'stroke-width': 1.5, 'stroke-dasharray': '3 3' }, title(trend.explanation)));
    }
  }
  svg.dataset.sessions = String(sessions.length);
  return svg;
}
