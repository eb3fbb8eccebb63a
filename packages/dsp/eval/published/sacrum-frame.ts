/**
 * The sacral sensor's signals in a body frame for the published sacrum rules
 * (Auvinet, Reenalda): vertical, anterior and rightward specific force less
 * gravity, in g. One choice for both, stated here: "up" is the mean specific
 * force over the whole recording and g its mean vertical level (a gait's mean
 * acceleration is gravity; the lab walking sensor reads ~2 % low, so
 * 9.80665 would tilt every velocity integral), anterior is the sensor's x and
 * rightward its −y, each made horizontal. Kiernan et al. 2023 state their
 * own segment frame and gravity removal only in outline.
 */
import { horizontal, meanUp, project, type SensorSeries } from './signals.ts';

export interface SacrumSignals {
  /** Vertical acceleration less gravity, g (free fall: −1). */
  readonly vertical: Float64Array;
  readonly anterior: Float64Array;
  /** Positive to the right (ISB z), g. */
  readonly rightward: Float64Array;
}

export function sacrumSignals(s: SensorSeries): SacrumSignals {
  const up = meanUp(s);
  const rawVertical = project(s, up);
  const g = rawVertical.reduce((sum, v) => sum + v, 0) / rawVertical.length;
  const fwd = horizontal([1, 0, 0], up);
  const left = horizontal([0, 1, 0], up);
  const anterior = project(s, fwd);
  const leftward = project(s, left);
  return {
    vertical: Float64Array.from(rawVertical, (v) => (v - g) / g),
    anterior: Float64Array.from(anterior, (v) => v / g),
    rightward: Float64Array.from(leftward, (v) => -v / g),
  };
}
