/**
 * A sensor's calibration in words, from the session summary's per-sensor
 * block (packages/dsp summary: `calibration`, `standingLaterUs`,
 * `standsRejected`). What a coach needs to read off it is what the numbers
 * can be trusted for: a shank that never stood still gives no knee-collapse
 * proxy (its stances say `no_standing`), the pelvis still gives its drop.
 */
import { elapsed } from './format.js';

/**
 * @param {string} sensorId pelvis, shank_left or shank_right
 * @param {any} sensor the summary's block for it
 * @param {number | null} startUs the session's start, µs (to say when a later stand came)
 * @returns {string}
 */
export function calibrationWords(sensorId, sensor, startUs) {
  const calibration = sensor?.calibration;
  if (calibration === 'standing') return 'standing calibration (good)';
  if (calibration !== 'fallback') return calibration ?? 'unknown';
  if (sensorId === 'pelvis') return 'no quiet standing at the start: calibrated from the first strides (pelvic drop less certain)';
  const later = sensor?.standingLaterUs;
  if (typeof later === 'number' && typeof startUs === 'number') {
    return `no quiet standing at the start; stood still ${elapsed((later - startUs) / 1e6)} into the run: knee-collapse proxy from shortly after`;
  }
  const rejected = sensor?.standsRejected > 0 ? ' (it was still, but not upright: a stretch is not a stand)' : '';
  return `never stood still${rejected}: no knee-collapse proxy — stand still for 2 s at the start (or at a stop)`;
}
