/**
 * What alerts mean, in words: which ones are about form (the runner's hip
 * or knee, cadence) and which about the data (sensors, packets, clips), and
 * a session's data quality as plain sentences derived from its
 * data_quality alerts (packages/dsp: quality/*, session/stance-meter.ts).
 */

export const FORM_TYPES = ['pelvic_drop_high', 'form_breakdown'];

/** An alert's identity (the store's: who, when, what, which phase), to merge REST pages and the live stream. @param {any} a */
export const alertId = (a) => [a.athleteId, a.sessionId, a.tUs, a.type, a.metric, a.phase, a.side ?? '', a.sensor ?? ''].join('|');

/**
 * What a data_quality alert is about: its `reason` (DESIGN.md); alerts stored before it existed carry the same word in `metric`.
 * @param {any} alert
 */
export const reasonOf = (alert) => alert.reason ?? alert.metric;

/** @param {{ type: string }} alert */
export const isForm = (alert) => FORM_TYPES.includes(alert.type);

const METRIC_WORDS = {
  pelvicDropDeg: 'pelvic drop',
  shankFrontalDeg: 'knee-collapse proxy',
  cadenceSpm: 'cadence',
  gctAsymmetryPct: 'contact-time asymmetry',
  gctS: 'ground contact time',
};

/** @param {string | undefined} metric */
export const metricWords = (metric) => METRIC_WORDS[metric ?? ''] ?? metric ?? '';

const SENSOR_WORDS = { pelvis: 'the pelvis sensor', shank_left: 'the left shank sensor', shank_right: 'the right shank sensor' };
/** What a sensor's data gives: what is lost without it. */
const SENSOR_COSTS = {
  pelvis: 'pelvic drop is not measured',
  shank_left: 'the left knee-collapse proxy and left contact times are not measured',
  shank_right: 'the right knee-collapse proxy and right contact times are not measured',
};

/** @param {string | undefined} sensor */
const sensorWords = (sensor) => SENSOR_WORDS[sensor ?? ''] ?? (sensor ? `sensor ${sensor}` : 'a sensor');
/** @param {string | undefined} sensor */
const costWords = (sensor) => SENSOR_COSTS[sensor ?? ''] ?? 'some metrics are not measured';

/** Short title of an alert for feeds and lists. @param {any} alert */
export function alertTitle(alert) {
  const side = alert.side ? ` (${alert.side})` : '';
  switch (alert.type) {
    case 'pelvic_drop_high':
      return `Pelvic drop over the limit${side}`;
    case 'form_breakdown':
      return `Form breaking down: ${metricWords(alert.metric)}${side}`;
    case 'data_quality':
      return `Data quality: ${String(reasonOf(alert) ?? '').replace(/_/g, ' ')}`;
    case 'load_ramp':
      return alert.metric === 'acwr' ? 'Training load: acute:chronic ratio out of its band' : 'Training load up more than the weekly limit';
    default:
      return String(alert.type);
  }
}

/** The metric a packet_loss episode costs: its `affectedMetric`, for older alerts named in the episode id (`sensor:metric:packet_loss:t`), else by sensor. @param {any} alert */
function lossMetric(alert) {
  if (alert.affectedMetric) return metricWords(alert.affectedMetric);
  const fromEpisode = /^[a-z_]+:([A-Za-z]+):packet_loss:/.exec(alert.episodeId ?? '')?.[1];
  if (fromEpisode) return metricWords(fromEpisode);
  return alert.sensor === 'pelvis' ? 'pelvic drop' : 'knee-collapse proxy';
}

/** One data_quality alert in plain words: what is wrong and what it costs. @param {any} alert */
export function qualityWords(alert) {
  const who = sensorWords(alert.sensor);
  const Who = who.charAt(0).toUpperCase() + who.slice(1);
  switch (reasonOf(alert)) {
    case 'sensor_silent':
      return `${Who} sends nothing (battery, Bluetooth or a loose clip?): ${costWords(alert.sensor)}.`;
    case 'sensor_flat':
      return `${Who} repeats the same values (dead sensor or a stuck relay); its data is ignored: ${costWords(alert.sensor)}.`;
    case 'packet_loss': {
      const pct = typeof alert.value === 'number' ? ` on ${Math.round(alert.value * 100)} % of recent stances` : '';
      return `Lost packets from ${who} cost the ${lossMetric(alert)}${pct} (phone too far away or busy?).`;
    }
    case 'clipping':
      return `${Who} hits its full scale on impacts: impact accelerations are clipped.`;
    case 'clock':
      return `${Who}'s timestamps jump: samples off its time base are dropped.`;
    case 'units_suspect':
      return `${Who} sends the wrong units (deg/s or g instead of rad/s, m/s²): no angles from it.`;
    case 'sides_swapped':
      return 'The shank clips are on the wrong legs: sides are swapped back from here; swap the clips at the next stop.';
    case 'sensor_moved': {
      const deg = typeof alert.value === 'number' ? ` by ${alert.value}°` : '';
      return `${Who}'s clip was knocked or shifted${deg}: its angles were re-referenced; check the clip at the next stop.`;
    }
    default:
      return alert.message || `Data-quality problem: ${reasonOf(alert)}`;
  }
}

/** Problems that are one-off events (no episode stays open), shown as "earlier". */
const ONE_OFF = new Set(['sensor_moved', 'sides_swapped']);

/**
 * A session's data quality from its alerts (any order): the problems still
 * open (raised and not resolved) and the one-off events.
 * @param {any[]} alerts
 * @param {{ ended?: boolean }} [options] an ended session's open problems were open at its end, not now
 * @returns {{ open: string[], earlier: string[], summary: string, level: 'good' | 'fair' | 'poor' }}
 */
export function dataQuality(alerts, options = {}) {
  const open = new Map();
  const earlier = [];
  const sorted = alerts.filter((a) => a.type === 'data_quality').sort((a, b) => a.tUs - b.tUs);
  for (const alert of sorted) {
    if (ONE_OFF.has(reasonOf(alert))) {
      if (alert.phase !== 'resolved') earlier.push(qualityWords(alert));
      continue;
    }
    const key = alert.episodeId ?? `${reasonOf(alert)}:${alert.sensor ?? ''}`;
    if (alert.phase === 'resolved') open.delete(key);
    else open.set(key, qualityWords(alert));
  }
  const openList = [...new Set(open.values())];
  const level = openList.length > 0 ? 'poor' : earlier.length > 0 ? 'fair' : 'good';
  const when = options.ended ? 'at the end of the session' : 'now';
  const summary =
    openList.length > 0
      ? `${openList.length} data problem${openList.length > 1 ? 's' : ''} ${when}`
      : earlier.length > 0
        ? `data fine ${when} (see the events below)`
        : options.ended
          ? 'data looked fine: no data-quality problems reported'
          : 'data looks fine: all sensors reporting';
  return { open: openList, earlier, summary, level };
}

/**
 * Form alerts still open (raised and not yet resolved), keyed by type, metric and side.
 * @param {any[]} alerts
 */
export function openFormAlerts(alerts) {
  const open = new Map();
  for (const alert of [...alerts].filter(isForm).sort((a, b) => a.tUs - b.tUs)) {
    const key = alert.episodeId ?? `${alert.type}:${alert.metric}:${alert.side ?? ''}`;
    if (alert.phase === 'resolved') open.delete(key);
    else open.set(key, alert);
  }
  return [...open.values()];
}
