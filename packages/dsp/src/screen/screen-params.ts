/**
 * Parameters of the movement-screen analysis (single-leg squat, lateral
 * step-down), with their defaults. Input conditioning (rate, gaps,
 * calibration from the standing at the start) and the attitude filter are
 * the running analyzer's (`DEFAULT_PARAMS.calibration`, `.segments.attitude`).
 */
export interface ScreenParams {
  /** A rep starts when the standing shank tilts more than this from its standing attitude, degrees… */
  readonly repEnterDeg: number;
  /** …and spans from the last sample below this tilt before it to the first one after it, degrees. */
  readonly repExitDeg: number;
  /** A rep's start and end: the last and first samples within this of the tilt at rest before it, degrees. */
  readonly repEdgeDeg: number;
  /** A rep is slow: the standing shank's specific force stays within this of 1 g throughout, g. */
  readonly repMaxAccDevG: number;
  /** Shortest rep, s (a running or walking swing is shorter). */
  readonly minRepS: number;
  /** Longest rep, s: a longer tilt is a leg held up (the free leg of a squat set), not a rep. */
  readonly maxRepS: number;
  /** A rep more than this after the previous one (or on the other leg) starts a new set, s. */
  readonly newSetAfterS: number;
  /** A rep's pelvic drop above this is `dropping`, at or below it `level`, degrees. */
  readonly pelvicDropLevelMaxDeg: number;
  /** A rep is released once every live sensor's data is this far past its end, s. */
  readonly releaseAfterS: number;
  /** A sensor this far behind the newest sample of the session is silent and holds nothing back, s. */
  readonly silentAfterS: number;
  /** Memory of the pelvis's axis estimate from its horizontal acceleration (exponential forgetting), s. */
  readonly pelvisAxisTauS: number;
  /**
   * The pelvis's axis is learnt only where its specific force has stayed
   * within this of 1 g for a second: a screen's shifts and reps reach ~0.05 g,
   * a walking step's bounce 0.2–0.3 g. Walking turns the pelvis with the
   * legs, so its acceleration does not lie along the body's axes: a 10-step
   * walk-in moved the estimate 2.1° (simulated seed 1), the pelvic drop
   * ±0.5° by side, g.
   */
  readonly pelvisAxisQuietG: number;
  /** The motion must spread this many times more along one horizontal axis than across it for a mounting yaw estimate. */
  readonly minAxisRatio: number;
  /** A leg's rotation (swinging in walking, or held up) must lie along one axis this many times more than across it to give its shank's axis. */
  readonly minHeldAxisRatio: number;
  /** A mounting yaw estimate beyond this is implausible (sensors sit within ±20°) and not used, degrees. */
  readonly maxAxisYawDeg: number;
  /**
   * Accelerometer correction gain of the pelvis's attitude filter, rad/s per g
   * (the shanks keep the running filter's 0.4). The sacrum barely accelerates
   * in a squat or step-down (≲ 0.1 g), so the accelerometer is a good tilt
   * reference and a stiffer loop holds the tilt against the gyro bias's drift:
   * on the simulated screens (6 seeds × 2 tasks) the per-rep pelvic-drop MAE
   * went from 0.37–1.25° at 0.4 to 0.10–0.26° at 1 (0.13–0.27° at 2).
   */
  readonly pelvisAttitudeKp: number;
}

export const DEFAULT_SCREEN_PARAMS: ScreenParams = {
  repEnterDeg: 12,
  repExitDeg: 5,
  repEdgeDeg: 0.3,
  repMaxAccDevG: 0.5,
  minRepS: 1,
  maxRepS: 5,
  newSetAfterS: 5,
  pelvicDropLevelMaxDeg: 5,
  releaseAfterS: 0.5,
  silentAfterS: 8,
  pelvisAxisTauS: 120,
  pelvisAxisQuietG: 0.1,
  minAxisRatio: 2,
  minHeldAxisRatio: 10,
  maxAxisYawDeg: 30,
  pelvisAttitudeKp: 1,
};

export const SCREEN_PARAM_DOCS: Record<keyof ScreenParams, string> = {
  repEnterDeg: "a rep starts when the standing shank tilts more than this from its standing attitude, degrees",
  repExitDeg: '…and runs from the last sample below this tilt before it to the first one after it, degrees',
  repEdgeDeg: "a rep's start and end are the last and first samples within this of the shank's tilt at rest before it, degrees",
  repMaxAccDevG: "a rep is slow: the standing shank's specific force stays within this of 1 g throughout (a step lands with more), g",
  minRepS: 'shortest rep, s (a running or walking swing is shorter)',
  maxRepS: 'longest rep, s: a longer tilt is a leg held up (the free leg of a squat set), not a rep',
  newSetAfterS: 'a rep more than this after the previous one, or on the other leg, starts a new set, s',
  pelvicDropLevelMaxDeg:
    "a rep's pelvic drop above this is `dropping`, at or below `level`, degrees (step-down rating scales: minimal pelvic drop ≤ 5°; per athlete via the analyzer options)",
  releaseAfterS: "a rep is released once every live sensor's data is this far past its end, s",
  silentAfterS: 'a sensor this far behind the newest sample is silent and holds no rep back, s',
  pelvisAxisTauS: "memory of the pelvis's mounting-yaw estimate from its horizontal acceleration, s",
  pelvisAxisQuietG: "the pelvis's mounting yaw is learnt only where its specific force stayed within this of 1 g for a second (no walking), g",
  minAxisRatio: 'the pelvis must move this many times more along one horizontal axis than across it for a mounting-yaw estimate',
  minHeldAxisRatio: "a leg's rotation (swinging in walking, or held up) must lie this many times more along one axis than across it to give its shank's mounting yaw",
  maxAxisYawDeg: 'a mounting-yaw estimate beyond this is implausible (sensors sit within ±20°) and not used, degrees',
  pelvisAttitudeKp: "the pelvis attitude filter's accelerometer correction gain, rad/s per g (the sacrum barely accelerates in a screen; the shanks keep the running filter's)",
};

/**
 * Checks every parameter at once, so a bad value fails at construction.
 * @throws TypeError for an unknown key (a typo) or a value that is not a number
 * @throws RangeError naming the parameter, its value and what it must be
 */
export function validateScreenParams(params: ScreenParams, overrides: object = params): void {
  for (const key of Object.keys(overrides)) {
    if (!(key in SCREEN_PARAM_DOCS)) throw new TypeError(`unknown screen parameter ${key}: the parameters are ${Object.keys(SCREEN_PARAM_DOCS).join(', ')}`);
  }
  for (const key of Object.keys(SCREEN_PARAM_DOCS) as (keyof ScreenParams)[]) {
    const v = params[key];
    if (typeof v !== 'number') throw new TypeError(`screen parameter ${key} must be a number, got ${JSON.stringify(v)}`);
    if (!Number.isFinite(v) || !(v > 0)) throw new RangeError(`screen parameter ${key} must be a finite number > 0, got ${v} (${SCREEN_PARAM_DOCS[key].split(',')[0]})`);
  }
  const order = (small: keyof ScreenParams, large: keyof ScreenParams): void => {
    if (!(params[small] < params[large])) throw new RangeError(`screen parameter ${small} (${params[small]}) must be below ${large} (${params[large]})`);
  };
  order('repEdgeDeg', 'repExitDeg');
  order('repExitDeg', 'repEnterDeg');
  order('minRepS', 'maxRepS');
  if (!(params.minAxisRatio > 1) || !(params.minHeldAxisRatio > 1)) throw new RangeError(`screen parameters minAxisRatio and minHeldAxisRatio must be > 1 (1 is no preferred axis), got ${params.minAxisRatio} and ${params.minHeldAxisRatio}`);
  if (!(params.maxAxisYawDeg < 90)) throw new RangeError(`screen parameter maxAxisYawDeg must be below 90°, got ${params.maxAxisYawDeg}`);
  if (!(params.repEnterDeg < 90)) throw new RangeError(`screen parameter repEnterDeg must be below 90°, got ${params.repEnterDeg}`);
}
