/**
 * Per-stance charts on uPlot (loaded as a classic script from
 * /vendor/uplot: the global `uPlot`). uPlot draws one canvas and takes
 * columnar data, so an hour-long session (~10,000 stances) redraws in a few
 * ms; views coalesce updates to one redraw per animation frame. What the
 * canvas gets is decimated to ≤ 2 points per pixel column, min and max kept
 * (decimate.js): drawing every stance of an hour in software was most of the
 * review's first render, and a pixel column cannot show more than its extremes.
 * Lines are 1 px wide for the same reason (see `width` below).
 * Bands (the baseline) are drawn under the lines, markers (alerts) over them.
 */
import { decimate } from './decimate.js';
import { elapsed } from './format.js';

export const SIDE_COLORS = { left: '#1d5fd1', right: '#c2410c' };
export const ONSET_COLOR = '#b91c1c';

/**
 * @typedef {{ label: string, color: string, dash?: number[] }} SeriesSpec
 * @typedef {{ low: number, high: number, color: string }} Band
 * @typedef {{ x: number, color: string, label?: string, dash?: number[] }} Marker
 */

/**
 * @param {HTMLElement} container where the canvas goes (its width is the chart's)
 * @param {{ unit: string, series: SeriesSpec[], height?: number, bands?: () => Band[], markers?: () => Marker[] }} spec
 */
export function stanceChart(container, spec) {
  const uPlot = /** @type {any} */ (globalThis).uPlot;
  const height = spec.height ?? 220;
  const width = () => Math.max(260, Math.floor(container.clientWidth || 320));

  const under = (u) => {
    const { ctx, bbox } = u;
    ctx.save();
    for (const band of spec.bands?.() ?? []) {
      const top = u.valToPos(band.high, 'y', true);
      const bottom = u.valToPos(band.low, 'y', true);
      ctx.fillStyle = band.color;
      // A band of zero height still shows as a 2-px line.
      ctx.fillRect(bbox.left, Math.min(top, bottom) - 1, bbox.width, Math.max(2, Math.abs(bottom - top)));
    }
    ctx.restore();
  };
  const over = (u) => {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
    const lineHeight = 13 * devicePixelRatio;
    // Right edge of the last label on each of a few rows: a label goes on the first row where it does not overlap.
    const rowEnds = [-Infinity, -Infinity, -Infinity, -Infinity];
    const markers = [...(spec.markers?.() ?? [])].sort((a, b) => a.x - b.x);
    for (const m of markers) {
      const x = u.valToPos(m.x, 'x', true);
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.strokeStyle = m.color;
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.setLineDash(m.dash ?? []);
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      if (m.label) {
        const width = ctx.measureText(m.label).width;
        const left = Math.min(x + 4 * devicePixelRatio, bbox.left + bbox.width - width);
        const row = rowEnds.findIndex((end) => end < left);
        if (row === -1) continue; // crowded: the line still shows, the legend and feed name it
        rowEnds[row] = left + width + 6 * devicePixelRatio;
        ctx.fillStyle = m.color;
        ctx.fillText(m.label, left, bbox.top + 12 * devicePixelRatio + row * lineHeight);
      }
    }
    ctx.restore();
  };

  const options = {
    width: width(),
    height,
    scales: { x: { time: false } },
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    axes: [
      { values: (_u, ticks) => ticks.map((t) => elapsed(t)), size: 36 },
      { label: spec.unit, size: 48 },
    ],
    series: [
      { label: 'time', value: (_u, v) => (v === null || v === undefined ? '–' : elapsed(v)) },
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        // 1 CSS px, not 1.5: Skia draws a line of ≤ 1 device px (1 CSS px at devicePixelRatio 1) as a hairline, while a wider one is stroked
        // into a polygon and filled — in software (headless, no GPU) that was ~280 ms of the hour's first render.
        width: 1,
        spanGaps: true,
        dash: s.dash,
        points: { show: false },
        value: (_u, v) => (v === null || v === undefined ? '–' : v.toFixed(1)),
      })),
    ],
    hooks: { drawAxes: [under], draw: [over] },
  };
  const empty = [[], ...spec.series.map(() => [])];
  const plot = new uPlot(options, empty, container);
  let count = 0;

  /** The last full columns given, kept so that a resize decimates again for the new width. */
  let full = empty;
  /** Columns of the plotting area (uPlot's own, once laid out): the decimation's budget. */
  const plotColumns = () => Math.max(1, Math.round(plot.bbox?.width ? plot.bbox.width / devicePixelRatio : width()));
  let drawn = empty;
  const draw = () => {
    drawn = decimate(full, plotColumns());
    plot.setData(drawn);
    container.dataset.drawn = String(drawn[0]?.length ?? 0);
  };

  const resize = new ResizeObserver(() => {
    const w = width();
    if (w === plot.width) return;
    plot.setSize({ width: w, height });
    if (count > 0) draw();
  });
  resize.observe(container);

  return {
    /**
     * Stances the chart represents (x values given, all of them: decimation keeps every pixel column's
     * extremes), exposed on the container as `data-points`; `data-drawn` is how many rows the canvas got.
     */
    get count() {
      return count;
    },
    /** The decimated columns last handed to uPlot (for tests). */
    get drawn() {
      return drawn;
    },
    /** @param {(number | null)[][]} data uPlot's aligned columns */
    setData(data) {
      full = data;
      count = data[0]?.length ?? 0;
      draw();
      container.dataset.points = String(count);
    },
    /** Redraws bands and markers without new data. */
    redraw() {
      plot.redraw(false, false);
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
