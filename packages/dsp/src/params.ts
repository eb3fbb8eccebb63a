import type { StandingCalibratorParams } from './calibration/standing-calibrator.ts';
import type { PelvisEventParams } from './events/pelvis-events.ts';
import type { DataQualityParams } from './quality/data-quality.ts';
import type { ShankEventParams } from './events/shank-events.ts';
import type { SegmentParams } from './segments/segment-tracker.ts';
import type { FormParams } from './form/form-monitor.ts';
import type { MountShiftParams } from './quality/mount-shift.ts';

/** Every parameter of the session analyzer, with its default. */
export interface AnalyzerParams {
  readonly calibration: StandingCalibratorParams;
  readonly shankEvents: ShankEventParams;
  readonly pelvisEvents: PelvisEventParams;
  readonly dataQuality: DataQualityParams;
  readonly segments: SegmentParams;
  readonly form: FormParams;
  readonly mountShift: MountShiftParams;
  /** A sample later than this many sample periods after the previous one opens a gap, ×. */
  readonly gapPeriods: number;
  /** A gap up to this long (a few lost packets) is bridged: attitude and detectors carried across it, s. */
  readonly bridgeMaxS: number;
  /** A timestamp this far from its sensor's time base is a clock fault until confirmed, s. */
  readonly clockJumpS: number;
  /** Consecutive samples on a new time base that confirm a clock jump (fewer: an outlier, rejected). */
  readonly clockConfirmSamples: number;
  /** Strides longer than this are not strides (the runner stopped), s. */
  readonly maxStrideS: number;
  /** Strides are released in time order once every sensor has moved this far past them (and past their end) and their leg's next contact is known: the detectors' reporting delay, s. */
  readonly releaseAfterS: number;
  /** The same (at most releaseAfterS) while both shanks cover every contact the pelvis may still report (no pelvis contact can become a stride): the shank detector's reporting delay, s. */
  readonly releaseAfterShanksS: number;
  /** A sensor this far behind the newest sample of the session no longer holds strides back (it is silent), s. */
  readonly silentAfterS: number;
}

export const DEFAULT_PARAMS: AnalyzerParams = {
  calibration: {
    blockS: 0.25,
    quietGyroRadps: 0.15,
    quietAccSdMps2: 0.25,
    minStandingS: 1.5,
    maxStandingS: 10,
    fallbackS: 6,
  },
  shankEvents: {
    cutoffHz: 12,
    filterSpanS: 0.06,
    minSwingPeakRadps: 1.5,
    adaptivePeakFraction: 0.4,
    refractoryFraction: 0.5,
    minRefractoryS: 0.3,
    maxRefractoryS: 0.5,
    icSearchS: 0.2,
    minContactS: 0.08,
    runMinCadenceSpm: 140,
    historyS: 3,
    icRule: 3,
  },
  pelvisEvents: {
    cutoffHz: 6,
    filterSpanS: 0.2,
    sideCutoffHz: 2,
    sideHighPassHz: 0.5,
    minJerkMps3: 20,
    adaptiveFraction: 0.35,
    minStepS: 0.25,
    searchBackS: 1.5,
  },
  dataQuality: {
    windowS: 10,
    clipRaise: 0.005,
    clipResolve: 0.001,
    clipMinMps2: 39,
    costStances: 40,
    costRaise: 0.15,
    costResolve: 0.03,
  },
  segments: {
    attitude: { kp: 0.4, ki: 0.04, stillRadps: 0.05, stillMinS: 1, biasTauS: 2, settleS: 3, convergeS: 10 },
    historyS: 10,
    shankHistoryS: 5,
    axisMinS: 3,
    axisTauS: 60,
    headingTauS: 2,
    minAxisRatio: 1.5,
    maxAxisYawDeg: 30,
  },
  form: {
    warmupS: 30,
    baselineS: 60,
    windowStances: 20,
    confirmStances: 5,
    robustZ: 4,
    minPelvicDropRiseDeg: 1,
    minShankFrontalRiseDeg: 1,
    minCadenceDropPct: 3,
    minAsymmetryRisePct: 5,
    resolveFraction: 0.5,
    cooldownS: 120,
    pelvicDropLimitDeg: 7.5,
    limitHysteresisDeg: 0.5,
    runMaxDutyFactor: 0.5,
    runMinCadenceSpm: 140,
  },
  mountShift: {
    referenceStrides: 20,
    confirmStrides: 6,
    minShiftDeg: 1,
    noiseMultiple: 6,
  },
  gapPeriods: 3,
  bridgeMaxS: 0.5,
  clockJumpS: 1,
  clockConfirmSamples: 3,
  maxStrideS: 2.5,
  releaseAfterS: 1.8,
  releaseAfterShanksS: 1,
  silentAfterS: 3,
};

/**
 * One line per parameter (gaitmap style): a test checks that every key of
 * DEFAULT_PARAMS is documented here and nothing documented is missing.
 */
export const PARAM_DOCS: Record<string, string> = {
  'calibration.blockS': 'block length over which quietness is judged, s',
  'calibration.quietGyroRadps': 'a block is quiet when the mean gyro magnitude is below this, rad/s',
  'calibration.quietAccSdMps2': '…and the SD of the accelerometer magnitude below this, m/s²',
  'calibration.minStandingS': 'least quiet standing that counts as a standing calibration, s',
  'calibration.maxStandingS': 'standing this long ends calibration even before the runner moves, s',
  'calibration.fallbackS': 'seconds of motion averaged for gravity when the runner never stood still',
  'shankEvents.cutoffHz': 'low-pass cutoff of the shank sagittal rate, Hz',
  'shankEvents.filterSpanS': 'span of the linear-phase FIR, s',
  'shankEvents.minSwingPeakRadps': 'smallest mid-swing peak accepted, rad/s',
  'shankEvents.adaptivePeakFraction': 'a mid-swing peak must exceed this fraction of the median recent peak',
  'shankEvents.refractoryFraction': 'after a mid-swing peak, ignore peaks for this fraction of the last peak interval…',
  'shankEvents.minRefractoryS': '…but at least this long, s',
  'shankEvents.maxRefractoryS': '…and at most this long (a sprint stride is ~0.55 s), s',
  'shankEvents.icSearchS': 'window after the end of swing searched for the foot-strike impact, s',
  'shankEvents.minContactS': 'toe-off is searched from this long after the contact (shortest plausible stance), s',
  'shankEvents.runMinCadenceSpm': 'toe-off rule by gait: from this cadence (the last stride of the leg) the running rule (onset of the early-swing backward rotation), below it the walking rule (its minimum), steps/min',
  'shankEvents.historyS': 'most signal history kept per shank for searching back, s (it holds the open stance and the pending mid-swing, about a stride)',
  'shankEvents.icRule': 'initial-contact rule: 1 the foot strike\'s impact (largest jump of |a| after swing), 2 the end of swing (first sample after mid-swing with the low-passed ω below zero; Fadillioglu et al. 2020), 3 the onset of the axial acceleration\'s rise to that impact (tangent method; the default)',
  'pelvisEvents.cutoffHz': 'pelvis-only: low-pass of the vertical acceleration before differentiating, Hz',
  'pelvisEvents.filterSpanS': 'pelvis-only: span of that FIR, s',
  'pelvisEvents.sideCutoffHz': 'pelvis-only: upper edge of the band-pass of the yaw rate whose sign gives the side, Hz',
  'pelvisEvents.sideHighPassHz': 'pelvis-only: lower edge of that band-pass (takes out turning, slower than a stride), Hz',
  'pelvisEvents.minJerkMps3': 'pelvis-only: smallest rise rate of vertical acceleration taken as a contact, m/s³',
  'pelvisEvents.adaptiveFraction': 'pelvis-only: a contact must exceed this fraction of the median recent rise rate',
  'pelvisEvents.minStepS': 'pelvis-only: shortest time between two contacts (one step), s',
  'pelvisEvents.searchBackS': 'pelvis-only: no contact for this long halves the threshold (per interval, down to the floor): running slowed to walking, s',
  'dataQuality.windowS': 'window over which clipping is measured, s',
  'dataQuality.clipRaise': 'raise clipping above this fraction of samples at a flat full-scale value',
  'dataQuality.clipResolve': 'resolve clipping below this fraction',
  'dataQuality.costStances': 'packet_loss by what it costs: stances over which lost packets\' cost to a metric (pelvic drop, knee proxy) is judged',
  'dataQuality.costRaise': '…raised when gaps left the metric null on more than this fraction of them (naming the metric)',
  'dataQuality.costResolve': '…resolved below this fraction',
  'dataQuality.clipMinMps2': 'smallest |a| on an axis that counts as a possible full-scale value, m/s²',
  'segments.attitude.kp': 'attitude filter: accelerometer correction gain, rad/s per g of tilt error (tilt time constant 1/kp s)',
  'segments.attitude.ki': 'attitude filter: integral gain (world frame) cancelling the tilt drift of residual gyro bias, rad/s² per g',
  'segments.attitude.stillRadps': 'attitude filter: the sensor is still when every gyro axis is below this, rad/s…',
  'segments.attitude.stillMinS': '…for this long, s: then its gyro reading is bias…',
  'segments.attitude.biasTauS': '…learnt with this time constant, s',
  'segments.attitude.convergeS': 'attitude filter: …and the loop is given this long after that average before angles are trusted, s',
  'segments.attitude.settleS': 'attitude filter: after a start without a known attitude, the accelerometer is averaged this long to find the tilt; no angles before, s',
  'segments.shankHistoryS': 'most angle history kept per shank, s (it holds what its reads still need, ~3 s, and grows to this while a sensor lags); its stance angles are read when the stride closes, so it must cover maxStrideS + releaseAfterS + 0.5 s',
  'segments.historyS': 'most angle history kept for the pelvis\'s per-stance metrics, s (it holds what its reads still need, ~3 s, and grows to this while a sensor lags); must cover releaseAfterS + 2 × silentAfterS + a stride (a silent sensor holds the release back, another may run ahead)',
  'segments.axisMinS': 'motion needed before the mounting yaw estimated from the movement is used (the pelvis: after its step is known); until then its angles are withheld (mounting_unknown), s',
  'segments.axisTauS': 'memory of the mounting-axis estimate (exponential forgetting, mean removed), s',
  'segments.headingTauS': 'time constant of the pelvis heading (its forward axis made horizontal, smoothed over strides), s',
  'segments.minAxisRatio': 'the motion must spread this many times more along the axis than across it for a mounting yaw estimate',
  'segments.maxAxisYawDeg': 'a mounting yaw estimate beyond this is implausible (sensors sit within ±20°) and not used, degrees',
  'form.warmupS': 'form: seconds of each gait (walk, run) ignored at its start (warm-up), s',
  'form.baselineS': 'form: seconds of each gait after the warm-up that make the fresh-legs baseline, s',
  'form.windowStances': 'form: stances in the rolling median decisions are made on',
  'form.confirmStances': 'form: consecutive stances past a level before an episode is raised or resolved',
  'form.robustZ': 'form: the rolling median must move this many standard errors (from the baseline MAD) from the baseline…',
  'form.minPelvicDropRiseDeg': '…and at least this much for pelvic drop, degrees',
  'form.minShankFrontalRiseDeg': '…for the knee-collapse proxy, degrees',
  'form.minCadenceDropPct': '…for a cadence fall, percent of the baseline',
  'form.minAsymmetryRisePct': '…for left/right contact-time asymmetry, percentage points',
  'form.resolveFraction': 'form: an episode resolves when back within this fraction of the raise threshold (hysteresis)',
  'form.cooldownS': 'form: after an episode of a metric resolves, no new one for this long, s',
  'mountShift.referenceStrides': 'sensor moved: strides (of that sensor) before a jump of its stride-mean angle (pelvic obliquity, shank medial tilt) that make the reference level (from half as many after a break)',
  'mountShift.confirmStrides': 'sensor moved: strides after it that must all sit past the half-way level (a step, not a drift)',
  'mountShift.minShiftDeg': 'sensor moved: smallest jump of the stride-mean angle taken as the clip turned on the body, deg…',
  'mountShift.noiseMultiple': '…and at least this many robust SDs (1.4826 × MAD) of the reference strides',
  'form.pelvicDropLimitDeg': 'absolute running pelvic-drop limit, degrees (Bramah 2018: injured 7.5°, healthy 5.0°); per athlete via the analyzer options',
  'form.limitHysteresisDeg': 'a pelvic_drop_high episode resolves this far below the limit, degrees',
  'form.runMaxDutyFactor': 'a stride whose contact time is at most this fraction of it is running',
  'form.runMinCadenceSpm': 'without contact times (pelvis only), cadence from this is running, steps/min',
  gapPeriods: 'a sample this many periods late opens a gap (events never span a gap), ×',
  bridgeMaxS: 'a gap up to this long (lost packets) is bridged: the attitude integrates the interpolated rate across it and the detectors keep their state; only a stance reaching into it loses its angles, s',
  clockJumpS: 'a timestamp this far (either way) from its sensor\'s time base is held as a clock-fault candidate, not adopted, s',
  clockConfirmSamples: 'consecutive samples on a new time base that confirm a jump (taken as a gap, or mapped onto the session clock when other sensors disagree); fewer are an outlier, rejected and counted',
  maxStrideS: 'longer IC-to-IC intervals are not strides (stride time reported as null), s',
  releaseAfterS: "strides are emitted in time order once every sensor is this far past them (and past their end) and their leg's next contact is known; must cover the detectors' reporting delay (pelvis: 1.64 s running), s",
  releaseAfterShanksS: "the release delay (at most releaseAfterS) while both shanks have real data around every contact the pelvis may still report, so none of its contacts can become a stride; must cover the shank detector's reporting delay (contacts announced 0.31 s after, p99 0.36 s, simulated), s",
  silentAfterS: 'a sensor this far behind the newest sample is silent: a data_quality alert, and it stops holding strides back, s',
};

/** Dotted keys of every leaf parameter. */
export function parameterKeys(params: object = DEFAULT_PARAMS, prefix = ''): string[] {
  return Object.entries(params).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null ? parameterKeys(value as object, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** The default of one parameter by its dotted key. */
export function parameterValue(key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], DEFAULT_PARAMS);
}

/**
 * The parameter table of the package README (markdown), generated from
 * DEFAULT_PARAMS and PARAM_DOCS: a test keeps the README's copy identical.
 */
export function parameterTable(): string {
  const rows = parameterKeys().map((key) => {
    const value = parameterValue(key);
    return `| \`${key}\` | ${String(value)} | ${PARAM_DOCS[key]!.replace(/\|/g, '\\|')} |`;
  });
  return ['| parameter | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/**
 * What each parameter may be, beyond a finite number: most are positive
 * (windows, rates, spans, gains: zero would divide by zero or never end a
 * loop); these may also be zero; fractions sit in (0, 1]; counts are whole.
 */
const MAY_BE_ZERO = new Set([
  'segments.attitude.ki',
  'dataQuality.clipResolve',
  'dataQuality.costResolve',
  'form.warmupS',
  'form.minPelvicDropRiseDeg',
  'form.minShankFrontalRiseDeg',
  'form.minCadenceDropPct',
  'form.minAsymmetryRisePct',
  'form.cooldownS',
  'form.limitHysteresisDeg',
  'mountShift.minShiftDeg',
  'releaseAfterS',
  'releaseAfterShanksS',
  'bridgeMaxS',
]);
const FRACTIONS = new Set([
  'shankEvents.adaptivePeakFraction',
  'shankEvents.refractoryFraction',
  'pelvisEvents.adaptiveFraction',
  'dataQuality.clipRaise',
  'dataQuality.clipResolve',
  'dataQuality.costRaise',
  'dataQuality.costResolve',
  'form.resolveFraction',
  'form.runMaxDutyFactor',
]);
const COUNTS = new Set(['dataQuality.costStances', 'clockConfirmSamples', 'form.windowStances', 'form.confirmStances', 'mountShift.referenceStrides', 'mountShift.confirmStrides']);
/** Pairs that must be ordered: [smaller, larger]. */
const ORDERED: readonly (readonly [string, string])[] = [
  ['dataQuality.clipResolve', 'dataQuality.clipRaise'],
  ['dataQuality.costResolve', 'dataQuality.costRaise'],
  ['shankEvents.minRefractoryS', 'shankEvents.maxRefractoryS'],
  ['pelvisEvents.sideHighPassHz', 'pelvisEvents.sideCutoffHz'],
  ['calibration.minStandingS', 'calibration.maxStandingS'],
];

/**
 * Checks every parameter at construction, so a bad value fails at once with
 * a message naming it, instead of hanging or throwing mid-session.
 * @throws RangeError naming the parameter, its value and what it must be
 * @throws TypeError for a parameter that does not exist (a typo) or is not a number
 */
export function validateParams(params: AnalyzerParams, overrides: object = params): void {
  for (const key of parameterKeys(overrides)) {
    if (!PARAM_DOCS[key]) throw new TypeError(`unknown analyzer parameter ${key}: the parameters are ${parameterKeys().join(', ')}`);
  }
  const value = (key: string): unknown => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], params);
  for (const key of parameterKeys()) {
    const v = value(key);
    if (typeof v !== 'number') throw new TypeError(`analyzer parameter ${key} must be a number, got ${JSON.stringify(v)}`);
    const what = `${PARAM_DOCS[key]!.split(',')[0]}`;
    if (!Number.isFinite(v)) throw new RangeError(`analyzer parameter ${key} must be finite, got ${v} (${what})`);
    if (MAY_BE_ZERO.has(key) ? v < 0 : !(v > 0)) throw new RangeError(`analyzer parameter ${key} must be ${MAY_BE_ZERO.has(key) ? '≥ 0' : '> 0'}, got ${v} (${what})`);
    if (FRACTIONS.has(key) && v > 1) throw new RangeError(`analyzer parameter ${key} is a fraction and must be ≤ 1, got ${v}`);
    if (COUNTS.has(key) && !Number.isInteger(v)) throw new RangeError(`analyzer parameter ${key} is a count and must be a whole number, got ${v}`);
  }
  if (!((value('gapPeriods') as number) > 1)) throw new RangeError(`analyzer parameter gapPeriods must be > 1 (a sample one period late is on time), got ${String(value('gapPeriods'))}`);
  for (const [small, large] of ORDERED) {
    if ((value(small) as number) > (value(large) as number)) throw new RangeError(`analyzer parameter ${small} (${String(value(small))}) must not exceed ${large} (${String(value(large))})`);
  }
  // A choice between rules, not a quantity (shank-events.ts: 1 impact, 2 zero crossing, 3 axial rise onset).
  const icRule = value('shankEvents.icRule');
  if (icRule !== 1 && icRule !== 2 && icRule !== 3) {
    throw new RangeError(`analyzer parameter shankEvents.icRule must be 1 (impact), 2 (zero crossing of ω after mid-swing) or 3 (onset of the axial acceleration's rise to the impact), got ${String(icRule)}`);
  }
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Defaults overlaid with the overrides, at any depth (parameters are plain data). */
export function mergeParams<T extends object>(defaults: T, overrides: DeepPartial<T>): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) {
    const base = (defaults as Record<string, unknown>)[key];
    out[key] = typeof base === 'object' && base !== null && typeof value === 'object' && value !== null ? mergeParams(base, value) : value;
  }
  return out as T;
}
