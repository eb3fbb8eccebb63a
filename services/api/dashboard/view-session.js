/**
 * Session review (`#/session/<athleteId>/<sessionId>`): every stance of the
 * run loaded page by page, charts of pelvic drop, knee-collapse proxy,
 * cadence and ground contact time, the form-breakdown onset (the first
 * raised form alert) marked on each, completeness and calibration from the
 * summary, data quality in words, and the CSV export. A movement screen
 * (the session's start said `activity: "screen"`) has reps, not stances:
 * its review (screen-review.js) is loaded on first use and takes the page.
 */
import { alertId, alertTitle, dataQuality, isForm } from './alerts.js';
import { SIDE_COLORS, ONSET_COLOR, stanceChart } from './charts.js';
import { h, replace, saveBlob } from './dom.js';
import { elapsed, num, when } from './format.js';
import { pelvicChart } from './pelvic-chart.js';
import { calibrationWords } from './sensor-words.js';
import { StanceSeries } from './stance-series.js';

const SENSOR_NAMES = { pelvis: 'Pelvis', shank_left: 'Left shank', shank_right: 'Right shank' };

/** Completeness and calibration per sensor, from the stored summary (written when the session ends). @param {any} summary @param {number | null} startUs */
function sensorTable(summary, startUs) {
  const sensors = summary?.sensors;
  if (sensors === undefined || sensors === null || Object.keys(sensors).length === 0) {
    return h('p', { class: 'muted', id: 'completeness' }, 'Completeness and calibration are in the summary written when the session ends.');
  }
  return h(
    'table',
    { class: 'sensor-table', id: 'completeness' },
    h('caption', null, 'Sensors'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Sensor'), h('th', { scope: 'col' }, 'Data received'), h('th', { scope: 'col' }, 'Calibration'))),
    h(
      'tbody',
      null,
      ...Object.entries(sensors).map(([id, s]) =>
        h('tr', null, h('th', { scope: 'row' }, SENSOR_NAMES[id] ?? id), h('td', null, num(s?.completenessPct, 1, ' %')), h('td', null, calibrationWords(id, s, startUs))),
      ),
    ),
  );
}

/** The first raised form alert: where form broke down. @param {any[]} alerts */
const onsetOf = (alerts) => alerts.filter((a) => isForm(a) && a.phase !== 'resolved').sort((a, b) => a.tUs - b.tUs)[0];

/**
 * @param {HTMLElement} root
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, state: import('./live-state.js').LiveState, onError: (e: unknown) => void }} ctx
 * @param {string} athleteId @param {string} sessionId
 */
export function mountSession(root, { api, state, onError }, athleteId, sessionId) {
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading the session…');
  const body = h('div', { class: 'review-body' });
  const view = h('section', { class: 'view view-session', 'aria-labelledby': 'session-heading' }, h('h1', { id: 'session-heading' }, `Session ${sessionId}`, h('span', { class: 'muted' }, ` · ${athleteId}`)), status, body);
  replace(root, view);
  const charts = [];
  let gone = false;
  let unmountScreen = () => {};
  // A running session keeps growing: what the stream brings while (and after) the history loads is kept and merged.
  /** @type {any[]} */
  const early = [];
  /** @type {any[]} */
  const earlyAlerts = [];
  let onStride = (/** @type {any} */ stride) => void early.push(stride);
  let onAlert = (/** @type {any} */ alert) => void earlyAlerts.push(alert);
  const mine = (/** @type {any} */ x) => x?.athleteId === athleteId && x?.sessionId === sessionId;
  const strideListener = (/** @type {Event} */ e) => mine(/** @type {CustomEvent} */ (e).detail) && onStride(/** @type {CustomEvent} */ (e).detail);
  const alertListener = (/** @type {Event} */ e) => mine(/** @type {CustomEvent} */ (e).detail) && onAlert(/** @type {CustomEvent} */ (e).detail);
  state.addEventListener('stride', strideListener);
  state.addEventListener('alert', alertListener);

  // What the data fills in; the charts read it through these, so they can exist before it arrives.
  /** @type {any} */
  let session = null;
  /** @type {StanceSeries | null} */
  let series = null;
  /** @type {any[]} */
  let alerts = [];
  /** @type {any} */
  let onset;
  const onsetX = () => (onset === undefined || session === null ? null : (onset.tUs - session.startUs) / 1e6);
  const onsetMarker = () => (onset === undefined || session === null ? [] : [{ x: onsetX(), color: ONSET_COLOR, label: 'onset' }]);

  // The page's layout and its four (empty) charts are built while the requests are on their way: building
  // uPlot charts is a tenth of the review's first render, and the page has nothing else to do meanwhile.
  const csvButton = h('button', { type: 'button', id: 'csv-download' }, 'Download CSV');
  csvButton.addEventListener('click', async () => {
    csvButton.disabled = true;
    try {
      saveBlob(await api.csv(athleteId, sessionId), `${athleteId}_${sessionId}_strides.csv`);
    } catch (error) {
      onError(error);
    } finally {
      csvButton.disabled = false;
    }
  });
  const onsetText = () =>
    onset === undefined
      ? ['No form breakdown was flagged in this session.']
      : [h('strong', null, `Form broke down ${elapsed(onsetX() ?? 0)} into the run`), ` — ${alertTitle(onset)}: ${onset.message}`];
  const onsetLine = h('p', { id: 'onset' });
  const qualitySection = h('section', { class: 'quality-review', 'aria-labelledby': 'quality-heading' }, h('h2', { id: 'quality-heading' }, 'Data quality'));
  const box = (id, label) => h('div', { class: 'chart', id, role: 'img', 'aria-label': label });
  const boxes = {
    pelvic: box('chart-pelvic', 'Pelvic drop per stance, left and right, with the baseline band and the form-breakdown onset'),
    knee: box('chart-knee', 'Knee-collapse proxy per stance, left and right'),
    cadence: box('chart-cadence', 'Cadence per stance'),
    gct: box('chart-gct', 'Ground contact time per stance, left and right'),
  };
  const pelvicNote = h('p', { class: 'note' });
  replace(
    body,
    h('section', { class: 'onset', 'aria-labelledby': 'onset-heading' }, h('h2', { id: 'onset-heading' }, 'Form'), onsetLine, h('p', null, csvButton)),
    qualitySection,
    h('h2', null, 'Pelvic drop (°)'),
    boxes.pelvic,
    pelvicNote,
    h('h2', null, 'Knee-collapse proxy (°)'),
    h('p', { class: 'note' }, 'Shank tilt toward the midline during stance; a shank sensor cannot see the knee itself, so this is a proxy.'),
    boxes.knee,
    h('h2', null, 'Cadence (steps/min)'),
    boxes.cadence,
    h('h2', null, 'Ground contact time (s)'),
    boxes.gct,
  );
  const pelvic = pelvicChart(boxes.pelvic, { series: () => series, summary: () => session?.summary, alerts: () => alerts.filter((a) => isForm(a) || a.type === 'data_quality'), startUs: () => session?.startUs ?? null, height: 240 });
  const sides = [
    { label: 'left', color: SIDE_COLORS.left },
    { label: 'right', color: SIDE_COLORS.right },
  ];
  const knee = stanceChart(boxes.knee, { unit: '°', series: sides, markers: onsetMarker });
  const cadence = stanceChart(boxes.cadence, { unit: 'spm', series: [{ label: 'cadence', color: '#374151' }], markers: onsetMarker });
  const gct = stanceChart(boxes.gct, { unit: 's', series: sides, markers: onsetMarker });
  charts.push(pelvic, knee, cadence, gct);

  const renderStatus = () => {
    if (session === null || series === null) return;
    const endUs = session.endUs ?? session.startUs + (series.x.at(-1) ?? 0) * 1e6;
    status.textContent = `${session.status === 'running' ? 'Running (updating live)' : 'Ended'} · started ${when(session.startUs)} · ${elapsed((endUs - session.startUs) / 1e6)} · ${series.count} stances`;
  };
  const drawCharts = () => {
    if (series === null) return;
    pelvic.update();
    knee.setData(series.data('shankFrontalDeg'));
    cadence.setData(series.data('cadenceSpm', true));
    gct.setData(series.data('gctS'));
  };

  (async () => {
    const [loadedSession, stridePages, loadedAlerts] = await Promise.all([api.session(athleteId, sessionId), api.strideColumns(athleteId, sessionId), api.alerts({ athlete: athleteId, session: sessionId })]);
    if (gone) return;
    if (loadedSession.summary?.activity === 'screen') {
      // No stances to chart: the run's empty charts go, the screen's review (its own module) comes in.
      for (const c of charts.splice(0)) c.destroy();
      onStride = () => {};
      onAlert = () => {};
      const { mountScreenReview } = await import('./screen-review.js');
      if (gone) return;
      unmountScreen = mountScreenReview({ view, status, body }, { api, state, onError }, loadedSession, loadedAlerts);
      return;
    }
    // Marks for the bench (bench/scenarios/dashboard.ts): data in, series built, charts handed their columns.
    performance.mark('review:data');
    session = loadedSession;
    const loaded = new StanceSeries(session.startUs);
    // The history straight from its column pages (no object per stance), then what the stream brought meanwhile.
    for (const page of stridePages) loaded.addColumns(page);
    for (const s of early) loaded.add(s);
    series = loaded;
    performance.mark('review:series');
    alerts = loadedAlerts;
    const known = new Set(alerts.map(alertId));
    alerts.push(...earlyAlerts.filter((a) => !known.has(alertId(a))));
    onset = onsetOf(alerts);
    const quality = dataQuality(alerts, { ended: session.status !== 'running' });

    renderStatus();
    onsetLine.className = onset === undefined ? '' : 'onset-found';
    replace(onsetLine, ...onsetText());
    qualitySection.append(
      h('p', { class: `quality-${quality.level}` }, quality.summary),
      ...(quality.open.length + quality.earlier.length > 0 ? [h('ul', null, ...quality.open.map((t) => h('li', null, t)), ...quality.earlier.map((t) => h('li', null, t)))] : []),
      sensorTable(session.summary, session.startUs),
    );
    drawCharts();
    pelvicNote.textContent = pelvic.baseline.label;
    performance.mark('review:charts');
    view.setAttribute('data-loaded', String(loaded.count));

    // From here the stream's stances and alerts of this session go straight in, redrawn once per frame.
    let frame = 0;
    const redraw = () => {
      frame = 0;
      if (gone) return;
      drawCharts();
      renderStatus();
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(redraw);
    };
    onStride = (stride) => {
      if (loaded.add(stride)) schedule();
    };
    onAlert = (alert) => {
      alerts.push(alert);
      const first = onsetOf(alerts);
      if (first !== onset) {
        onset = first;
        onsetLine.className = 'onset-found';
        replace(onsetLine, ...onsetText());
      }
      schedule();
    };
  })().catch((error) => {
    status.textContent = 'Could not load this session.';
    body.hidden = true;
    onError(error);
  });

  return () => {
    gone = true;
    state.removeEventListener('stride', strideListener);
    state.removeEventListener('alert', alertListener);
    for (const c of charts) c.destroy();
    unmountScreen();
  };
}
