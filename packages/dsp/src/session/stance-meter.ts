import type { AngleNullReason, SensorId, Side } from '@gaitwatch/protocol/core';
import type { AlertEvent, StrideEvent, TimedEvent } from '../analysis-events.ts';
import { gaitOf, type Gait } from '../form/form-monitor.ts';
import type { AnalyzerParams } from '../params.ts';
import { LossCostMonitor } from '../quality/loss-cost.ts';
import { MountShiftMonitor } from '../quality/mount-shift.ts';
import type { SessionQuality } from '../quality/session-quality.ts';
import { SideCheck } from '../quality/side-check.ts';
import type { PelvisTracker } from '../segments/pelvis-tracker.ts';
import type { ShankTracker } from '../segments/shank-tracker.ts';
import type { AngleGap } from '../segments/segment-tracker.ts';
import type { SensorTrack } from '../sensor-track.ts';
import { dataQualityAlert, type AlertContext } from './alerts.ts';
import { roundTo } from '../rounding.ts';
import { other, SHANK_OF } from './sides.ts';
import { float64Array } from '../signal/arena.ts';

/** Rounds to 1/`per` (output precision well above the accuracy); keeps null. */
const round = (x: number | null, per: number): number | null => (x === null ? null : roundTo(x, per));

/**
 * A stride is measured once the data it is read from is this far past its
 * windows' end, µs — at release every worn sensor's (the analyzer's
 * watermark), early a shank's own (readShankEarly): the windows read to the
 * end, and a history record may stand for up to 3 sample periods
 * (segment-tracker.ts span), so the result does not depend on when.
 */
export const STRIDE_END_MARGIN_US = 100_000;

/** A shank's reading of one stance (StanceMeter.readShank). */
interface ShankReading {
  readonly tiltDeg: number | null;
  readonly why: AngleGap | undefined;
  /** The stride-mean medial tilt for the mount-shift check: null after a gap (restarts it), undefined when the stride end is unknown (skipped). */
  readonly meanDeg: number | null | undefined;
  /** The mounting-yaw epoch the mean was read in (NaN: none). */
  readonly epoch: number;
}

/** Readings taken as the stride closed; none when its stance end was unknown then (tiltEndUs NaN). */
interface EarlyShankReading {
  readonly tiltEndUs: number;
  readonly asLabelled: ShankReading | undefined;
  readonly swapped: ShankReading | undefined;
}

/** What the meter reads of the session (the analyzer's parts; the pelvis appears when it calibrates). */
export interface MeterContext {
  readonly params: AnalyzerParams;
  /** The session's sensors: declared, then any other as it first sends data (the analyzer's worn list). */
  readonly sensors: readonly SensorId[];
  readonly tracks: ReadonlyMap<SensorId, SensorTrack>;
  readonly shanks: ReadonlyMap<Side, ShankTracker>;
  readonly quality: SessionQuality;
  /** Per side: the last contact time measured (IC to TO), µs. */
  readonly lastContactUs: Readonly<Record<Side, number>>;
  pelvis(): PelvisTracker | undefined;
}

/**
 * The per-stance metrics of released strides — pelvic drop, knee-collapse
 * proxy, vertical oscillation, braking — or why each is null, with what
 * watches them: knocked clips (mount shift), swapped shank labels, what lost
 * packets cost. Run at release, when every sensor has moved releaseAfterS
 * past the stance, so the result depends only on the samples.
 */
export class StanceMeter {
  /** Whether the shank clips are on the legs their names say (quality/side-check.ts). */
  readonly sideCheck: SideCheck;
  /** packet_loss when lost packets start to cost a metric (quality/loss-cost.ts). */
  private readonly lossCost: LossCostMonitor;
  /** Per sensor: the clip's turns on the body, found from its stride-mean angle. */
  private readonly mountShifts = new Map<SensorId, MountShiftMonitor>();
  private readonly epochScratch = float64Array(1);
  private readonly alerts: AlertContext;

  constructor(
    private readonly context: MeterContext,
    alerts: AlertContext,
  ) {
    this.alerts = alerts;
    this.sideCheck = new SideCheck(alerts);
    this.lossCost = new LossCostMonitor(context.params.dataQuality, alerts);
  }

  /** Whether lost packets are costing `metric` (of `side`) right now: packet_loss is raised for the sensor that measures it. */
  degraded(metric: string, side: Side | undefined): boolean {
    if (metric === 'pelvicDropDeg') return this.lossCost.costing('pelvis', 'pelvicDropDeg');
    if (metric === 'shankFrontalDeg' && side !== undefined) return this.lossCost.costing(SHANK_OF[side], 'shankFrontalDeg');
    return false;
  }

  /** Builds a lazily created part the snapshot has (state-codec.ts RestoreFactory). */
  restoreEntry(field: string, key: unknown): object | undefined {
    return field === 'mountShifts' && typeof key === 'string' ? this.mountShift(key as SensorId) : undefined;
  }

  /**
   * Angle metrics of a stride, filled in at release: by then every sensor has
   * moved `releaseAfterS` past the stance, so the result depends only on the
   * samples, not on which sensor's data arrived first.
   */
  measure(stride: StrideEvent, out: TimedEvent[]): void {
    const strideEndUs = stride.strideTimeS === null ? null : stride.icUs + stride.strideTimeS * 1e6;
    const gait = gaitOf(stride, this.context.params.form);
    this.measurePelvis(stride, strideEndUs, gait, out);
    this.measureShank(stride, strideEndUs, gait, out);
    this.lossCost.push('pelvis', 'pelvicDropDeg', stride.pelvicDropReason, stride.icUs, out);
    this.lossCost.push(SHANK_OF[stride.side], 'shankFrontalDeg', stride.shankFrontalReason, stride.icUs, out);
  }

  /** Pelvic drop, vertical oscillation and braking of a stride, or why the drop is null. */
  private measurePelvis(stride: StrideEvent, strideEndUs: number | null, gait: Gait | undefined, out: TimedEvent[]): void {
    const stanceEndUs = stride.toUs ?? (strideEndUs === null ? null : (stride.icUs + strideEndUs) / 2);
    const pelvis = this.context.pelvis();
    const reason = this.whyNoSegment('pelvis', pelvis !== undefined, stanceEndUs);
    if (reason !== undefined || pelvis === undefined || stanceEndUs === null) {
      if (stride.pelvicDropDeg === null) stride.pelvicDropReason = reason ?? 'stance_end_unknown';
      return;
    }
    const drop = pelvis.pelvicDropDeg(stride.side, stride.icUs, stanceEndUs);
    if (drop !== null && stride.toUs !== null) this.checkSides(drop, pelvis.pelvicDropDeg(other(stride.side), stride.icUs, stanceEndUs), stride.icUs, out);
    if (strideEndUs !== null) {
      stride.verticalOscillationCm = round(pelvis.verticalOscillationCm(stride.icUs, strideEndUs), 10);
      stride.brakingMps = round(pelvis.brakingMps(stride.icUs, stanceEndUs, strideEndUs), 1000);
    }
    // The stance peaks move +δ and −δ on the two sides: the stride-mean jump is the correction (no metric).
    // Knock series: a stance without an angle restarts it (null) — a gap in the sensor's own
    // data, even a bridged one (its residual can look like a small knock; a 200 ms bridge was
    // seen to), or a re-levelled attitude may have moved the angles. A stance whose angle is
    // known but whose stride end is not (the other leg's shank had a dropout) is only skipped
    // (undefined): restarting there hid a knock that came with the neighbour's dropout.
    const why = drop === null ? pelvis.whyNoAngle(stride.icUs, stanceEndUs, this.context.params.silentAfterS * 1e6) : undefined;
    const mean = why !== undefined ? null : strideEndUs === null ? undefined : pelvis.meanObliquityDeg(stride.icUs, strideEndUs, this.epochScratch);
    // While lost packets cost this angle (packet_loss raised), its stride means are too broken up to tell a knock: not fed.
    if (mean !== undefined && !this.degraded('pelvicDropDeg', undefined)) this.watchMounting('pelvis', mean, Number.NaN, gait, stride, out, why);
    // Less the clip's turn on the body: it raised φ by offset everywhere (left stance: peak φ; right: peak −φ).
    const offset = this.mountShift('pelvis').metricOffsetDeg;
    stride.pelvicDropDeg = drop === null ? null : round(drop - (stride.side === 'left' ? offset : -offset), 100);
    if (why !== undefined) stride.pelvicDropReason = why;
  }

  /**
   * A vote on the shank labels from a shank stance (side-check.ts): the
   * stance side's hip should drop less than the other's. When the check
   * decides they are swapped, the shanks' knock series start afresh (their
   * stride-mean tilts change sign with the swap).
   */
  private checkSides(dropDeg: number, otherDeg: number | null, tUs: number, out: TimedEvent[]): void {
    if (otherDeg === null || this.sideCheck.swapped) return;
    const before = out.length;
    this.sideCheck.push(dropDeg > otherDeg, tUs, out as AlertEvent[]);
    if (out.length === before) return;
    this.mountShifts.delete('shank_left');
    this.mountShifts.delete('shank_right');
  }

  /**
   * Reads a shank stride's angles from its shank's history as the stride
   * closes, both ways round (the labels may yet be found swapped), for
   * measureShank at release: a shank's history is short (segments.shankHistoryS),
   * and another sensor lagging behind may hold the release back for seconds.
   * The reading depends only on the shank's own samples. Skipped (read at
   * release instead) when the shank's data has not yet passed the stride.
   * @param lastContactUs the leg's last contact time measured, µs (a stance without toe-off is taken to last as long)
   */
  readShankEarly(stride: StrideEvent, lastContactUs: number): void {
    const shank = this.context.shanks.get(stride.side);
    const tiltEndUs = stride.toUs ?? stride.icUs + lastContactUs;
    if (shank === undefined) return;
    // No toe-off and no contact of this leg measured before it: the stance's end is unknown, whenever it is asked.
    if (Number.isNaN(tiltEndUs)) {
      this.earlyShank.set(stride, { tiltEndUs, asLabelled: undefined, swapped: undefined });
      return;
    }
    const strideEndUs = stride.strideTimeS === null ? null : stride.icUs + stride.strideTimeS * 1e6;
    const windowEndUs = strideEndUs ?? tiltEndUs + (tiltEndUs - stride.icUs);
    if (!(shank.newestUs >= Math.max(windowEndUs, tiltEndUs) + STRIDE_END_MARGIN_US)) return;
    this.earlyShank.set(stride, {
      tiltEndUs,
      asLabelled: this.readShank(shank, stride.icUs, tiltEndUs, strideEndUs, false),
      swapped: this.readShank(shank, stride.icUs, tiltEndUs, strideEndUs, true),
    });
  }

  /** Shank readings taken as strides closed (readShankEarly), until their release. Not in a snapshot: a restored session reads at release. */
  private readonly earlyShank = new WeakMap<StrideEvent, EarlyShankReading>();

  /** The knee proxy of one stance and its stride-mean tilt (or why not), `otherLeg`: read as if on the other leg. */
  private readShank(shank: ShankTracker, icUs: number, tiltEndUs: number, strideEndUs: number | null, otherLeg: boolean): ShankReading {
    const tiltDeg = shank.shankFrontalDeg(icUs, tiltEndUs, strideEndUs, otherLeg);
    const why = tiltDeg === null ? shank.whyNoAngle(icUs, tiltEndUs, this.context.params.silentAfterS * 1e6) : undefined;
    this.epochScratch[0] = Number.NaN;
    const meanDeg = why !== undefined ? null : strideEndUs === null ? undefined : shank.meanFrontalDeg(icUs, strideEndUs, this.epochScratch, otherLeg);
    return { tiltDeg, why, meanDeg, epoch: this.epochScratch[0]! };
  }

  /** The knee-collapse proxy of a stride, or why it is null. */
  private measureShank(stride: StrideEvent, strideEndUs: number | null, gait: Gait | undefined, out: TimedEvent[]): void {
    // With the clips swapped, this leg's shank is the one labelled for the other, and medial
    // for it is the other way (the peak must be taken that way, not negated afterwards).
    const swapped = this.sideCheck.swapped;
    const label = swapped ? other(stride.side) : stride.side;
    const sensor = SHANK_OF[label];
    const shank = this.context.shanks.get(label);
    const early = this.earlyShank.get(stride);
    // Without a toe-off (it fell in a bridged gap) the stance is taken to last as long as
    // this leg's last one: the knee proxy peaks mid-stance, so its end need not be exact.
    const tiltEndUs = early?.tiltEndUs ?? stride.toUs ?? stride.icUs + this.context.lastContactUs[label];
    const reason = this.whyNoSegment(sensor, shank !== undefined, Number.isNaN(tiltEndUs) ? null : tiltEndUs);
    if (reason !== undefined || shank === undefined) {
      stride.shankFrontalReason = reason ?? 'stance_end_unknown';
      return;
    }
    // Measured from standing: a shank that never stood still has no reference (sensor-track.ts watches for a stand).
    if (stride.icUs < shank.standingFromUs) {
      stride.shankFrontalReason = 'no_standing';
      return;
    }
    const reading = (swapped ? early?.swapped : early?.asLabelled) ?? this.readShank(shank, stride.icUs, tiltEndUs, strideEndUs, swapped);
    const { tiltDeg, why, meanDeg } = reading;
    this.epochScratch[0] = reading.epoch;
    // A shank's turn moves its knee proxy by only part of the turn (the stride heading turns too): the correction is the proxy's own step.
    if (meanDeg !== undefined && !this.lossCost.costing(sensor, 'shankFrontalDeg')) this.watchMounting(sensor, meanDeg, tiltDeg ?? Number.NaN, gait, stride, out, why);
    stride.shankFrontalDeg = tiltDeg === null ? null : round(tiltDeg - this.mountShift(sensor).metricOffsetDeg, 100);
    if (why !== undefined) stride.shankFrontalReason = why;
  }

  /** Why a sensor gives no angle before measuring: not worn, wrong units, not calibrated, no stance end (undefined: measure). */
  private whyNoSegment(sensor: SensorId, tracked: boolean, stanceEndUs: number | null): AngleNullReason | undefined {
    if (!this.context.tracks.has(sensor) && !this.context.sensors.includes(sensor)) return 'no_sensor';
    if (!this.unitsOk(sensor)) return 'units_suspect';
    if (!tracked) return 'attitude_settling';
    return stanceEndUs === null ? 'stance_end_unknown' : undefined;
  }

  /** Whether a sensor's data may give numbers: its units are not suspect (never report angles from data in the wrong units). */
  unitsOk(sensor: SensorId): boolean {
    return !this.accUnitsSuspect.has(sensor) && !this.context.quality.gyroUnitsSuspect(sensor);
  }

  /** Sensors whose calibration read gravity outside 7–13 m/s² (g units, or worse). */
  readonly accUnitsSuspect = new Set<SensorId>();

  private mountShift(sensor: SensorId): MountShiftMonitor {
    let monitor = this.mountShifts.get(sensor);
    if (monitor === undefined) this.mountShifts.set(sensor, (monitor = new MountShiftMonitor(this.context.params.mountShift, this.context.params.maxStrideS * 1e6)));
    return monitor;
  }

  /**
   * Feeds a stride's mean angle of `sensor` (and the metric it affects) to its
   * mount-shift monitor, in a series per gait and mounting-yaw epoch (read
   * from epochScratch); a jump is a data_quality episode (raised and, the
   * metric re-referenced, resolved at once), timed at the stride that confirmed it.
   */
  private watchMounting(sensor: SensorId, strideMeanDeg: number | null, metricDeg: number, gait: Gait | undefined, stride: StrideEvent, out: TimedEvent[], why?: AngleNullReason): void {
    // Withheld while the attitude settles after a long gap: the series goes on across it (mount-shift.ts skip).
    if (strideMeanDeg === null && why === 'attitude_settling') return this.mountShift(sensor).skip(stride.icUs);
    const seriesKey = this.epochScratch[0]! * 2 + (gait === 'run' ? 1 : 0);
    const jump = this.mountShift(sensor).push(stride.icUs, strideMeanDeg, metricDeg, seriesKey);
    if (jump === 0) return;
    const deg = roundTo(jump, 10);
    const metric = sensor === 'pelvis' ? 'pelvic drop (one side up, the other down)' : 'knee-collapse proxy';
    const affectedMetric = sensor === 'pelvis' ? ('pelvicDropDeg' as const) : ('shankFrontalDeg' as const);
    const alert = { tUs: stride.icUs, reason: 'sensor_moved' as const, affectedMetric, value: deg, baseline: this.context.params.mountShift.minShiftDeg, episodeId: `${sensor}:sensor_moved:${stride.icUs}`, sensor };
    out.push(
      dataQualityAlert(this.alerts, { ...alert, phase: 'raised', message: `${sensor}: the sensor turned on the body within a stride (clip knocked?), moving its ${metric} by ${deg}°; re-referenced from here — check the clip at the next stop` }),
      dataQualityAlert(this.alerts, { ...alert, phase: 'resolved', message: `${sensor}: angles re-referenced by ${deg}°` }),
    );
  }
}
