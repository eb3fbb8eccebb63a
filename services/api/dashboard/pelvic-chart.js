/**
 * The pelvic-drop chart of one session: left and right stances as two
 * lines, the runner's baseline band per side, and alert markers (form
 * alerts red, resolved green dashed, data-quality grey dashed).
 */
import { isForm, metricWords } from './alerts.js';
import { pelvicDropBaseline } from './baseline.js';
import { SIDE_COLORS, stanceChart } from './charts.js';

const BAND_COLORS = { left: 'rgba(29, 95, 209, 0.16)', right: 'rgba(194, 65, 12, 0.16)' };

/** Alert markers for a session's charts. @param {any[]} alerts @param {number} startUs */
export function alertMarkers(alerts, startUs) {
  return alerts.map((a) => {
    const x = (a.tUs - startUs) / 1e6;
    if (isForm(a)) return a.phase === 'resolved' ? { x, color: '#15803d', dash: [4, 4] } : { x, color: '#b91c1c', label: `${metricWords(a.metric)}${a.side ? ` ${a.side[0].toUpperCase()}` : ''}` };
    return { x, color: '#6b7280', dash: [2, 4] };
  });
}

/**
 * @param {HTMLElement} container
 * @param {{ series: () => import('./stance-series.js').StanceSeries | null, summary: () => any, alerts: () => any[], startUs: () => number | null, height?: number }} source
 */
export function pelvicChart(container, source) {
  let baseline = { source: 'none', label: 'no baseline yet', left: null, right: null };
  const chart = stanceChart(container, {
    unit: 'pelvic drop °',
    height: source.height ?? 220,
    series: [
      { label: 'left stance', color: SIDE_COLORS.left },
      { label: 'right stance', color: SIDE_COLORS.right },
    ],
    bands: () =>
      ['left', 'right'].flatMap((side) => {
        const b = baseline[side];
        return b === null ? [] : [{ low: b.low, high: b.high, color: BAND_COLORS[side] }];
      }),
    markers: () => {
      const start = source.startUs();
      return start === null ? [] : alertMarkers(source.alerts(), start);
    },
  });
  return {
    chart,
    get baseline() {
      return baseline;
    },
    /** Takes the series' current data and baseline. */
    update() {
      const series = source.series();
      if (series === null) return;
      baseline = pelvicDropBaseline(source.summary(), series);
      chart.setData(series.data('pelvicDropDeg'));
    },
    destroy: () => chart.destroy(),
  };
}
