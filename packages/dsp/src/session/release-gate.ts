import type { SensorId } from '@gaitwatch/protocol/core';
import { timeOf, type ReleaseQueue, type StrideEvent, type TimedEvent } from '../analysis-events.ts';
import type { FormMonitor } from '../form/form-monitor.ts';
import type { AnalyzerParams } from '../params.ts';
import type { SensorTrack } from '../sensor-track.ts';
import { other } from './sides.ts';
import { STRIDE_END_MARGIN_US, type StanceMeter } from './stance-meter.ts';
import type { StrideAssembler } from './stride-assembler.ts';
import { WithheldAlerts } from './withheld-alerts.ts';

/** Returned when nothing is released: one shared empty array, not a new one per check. */
export const NONE: readonly TimedEvent[] = Object.freeze([]);

/** How often (in data time) finished events are released, µs: 20 ms of latency at most. */
const RELEASE_CHECK_US = 20_000;

/** What the gate reads of the session. */
export interface GateContext {
  readonly params: AnalyzerParams;
  /** The session's sensors: those declared, then any other as it first sends data (the analyzer's worn list). */
  readonly sensors: readonly SensorId[];
  readonly tracks: ReadonlyMap<SensorId, SensorTrack>;
  readonly queue: ReleaseQueue;
  readonly strides: StrideAssembler;
  /** Measures each stride on its way out (session/stance-meter.ts). */
  readonly meter: StanceMeter;
  /** Watches the measured strides for form breakdown. */
  readonly form: FormMonitor;
  /** A sensor whose last sample is older than this is silent, µs. */
  silentBeforeUs(): number;
}

/**
 * Whether a stride's timing may be published: stride time and cadence both
 * null (unknown) or both positive finite numbers. Anything else comes from
 * a fault upstream (contacts of two detectors mixed, out of order, a corrupt
 * checkpoint) and is not released.
 */
export function validStrideTiming(stride: StrideEvent): boolean {
  const { strideTimeS, cadenceSpm } = stride;
  if (strideTimeS === null) return cadenceSpm === null;
  return Number.isFinite(strideTimeS) && strideTimeS > 0 && cadenceSpm !== null && Number.isFinite(cadenceSpm) && cadenceSpm > 0;
}

/**
 * Releases the queued events in time order once every event source has
 * moved well past them: up to the watermark, the slowest live sensor's time
 * less releaseAfterS, held lower for what is not ready yet. Every sensor
 * gates, because a stride's angle metrics need the pelvis's and the shanks'
 * data past it; so the output depends only on the samples, never on which
 * sensor's data arrived first. A silent sensor stops holding the others
 * back. On the way out each stride is measured and watched for form, and
 * its alerts follow it.
 */
export class ReleaseGate {
  private nextReleaseCheckUs = Number.NEGATIVE_INFINITY;
  /** Cache of gating(); reset when the set of tracks changes. */
  private gatingSensors: readonly SensorId[] | undefined;
  /** Form alerts held back while lost packets cost their angle. */
  private readonly withheld: WithheldAlerts;
  /** Strides not released because their stride time or cadence was not a positive finite number (validStrideTiming; the summary's invalidStrides). */
  invalidStrides = 0;

  constructor(private readonly context: GateContext) {
    this.withheld = new WithheldAlerts((metric, side) => context.meter.degraded(metric, side));
  }

  /** A sensor's track was added: the gating sensors are looked up again. */
  sensorsChanged(): void {
    this.gatingSensors = undefined;
  }

  /**
   * Whether to check the release at `track`'s accepted sample: every
   * RELEASE_CHECK_US of data time, while something waits. The output order is
   * fixed by the sorted queue, so when it is checked changes nothing but latency.
   * The track's accepted time, not the row's: a rejected outlier an hour ahead must not postpone the check.
   */
  due(track: SensorTrack): boolean {
    // A pending stance is checked too: a stopped leg's stance closes (and its angles are read) on time.
    if ((this.context.queue.length === 0 && !this.context.strides.pending) || !(track.lastTUs >= this.nextReleaseCheckUs)) return false;
    this.nextReleaseCheckUs = track.lastTUs + RELEASE_CHECK_US;
    return true;
  }

  /** Releases what is ready (`all`: everything, the session ends), in time order. */
  release(all: boolean): readonly TimedEvent[] {
    const { queue, strides, meter, form } = this.context;
    if (queue.length === 0 && !strides.pending) return NONE;
    let watermarkUs = Number.POSITIVE_INFINITY;
    if (!all) {
      watermarkUs = this.watermarkUs();
      if (queue.length === 0 || queue.firstUs() > watermarkUs) return NONE;
    }
    const out: TimedEvent[] = [];
    const batch = queue.takeUpTo(watermarkUs);
    for (let i = 0; i < batch.length; i++) {
      let event = batch[i]!;
      if (event.kind === 'candidate') {
        const stance = strides.fromPelvis(event, batch, i, all);
        if (stance === undefined) continue;
        event = stance;
      }
      // The last line of defence: a stride time or cadence that is not a positive number (the protocol's
      // StrideMetrics require positive) never goes out — not to the runner, the store, the form baselines.
      if (event.kind === 'stride' && !validStrideTiming(event)) {
        this.invalidStrides++;
        continue;
      }
      // Shank clips found on the other legs: the stance is the other leg's (side-check.ts).
      if (event.kind === 'stride' && meter.sideCheck.swapped) event.side = other(event.side);
      out.push(event);
      if (event.kind === 'alert') continue;
      meter.measure(event, out);
      // Form alerts are timed at the stride that confirmed them, so they follow it in the output.
      if (this.withheld.size > 0) this.withheld.tellRecovered(event.icUs, out);
      for (const alert of form.push(event)) if (!this.withheld.withhold(alert)) out.push({ kind: 'alert', ...alert });
    }
    return out;
  }

  /** The time queued events may go out up to now, µs; closes the stances of silent or stopped legs first, so they take their place in time order. */
  private watermarkUs(): number {
    const { tracks, strides } = this.context;
    let watermarkUs = Number.POSITIVE_INFINITY;
    const silentBeforeUs = this.context.silentBeforeUs();
    const gating = this.gating();
    for (let i = 0; i < gating.length; i++) {
      const track = tracks.get(gating[i]!);
      const last = track?.lastTUs ?? Number.NEGATIVE_INFINITY;
      // A silent source must not hold the other leg's strides back forever. A calibrating one holds
      // them at its first held sample: when it calibrates, its held data is analysed and its contacts
      // are the leg's, so a pelvis stand-in for that time must not have gone out already (it did:
      // shanks that joined mid-run doubled every stance of their calibration, out of time order).
      if (!(last < silentBeforeUs)) {
        const analysed = track === undefined ? Number.NEGATIVE_INFINITY : track.analysedUs;
        watermarkUs = Math.min(watermarkUs, Number.isNaN(analysed) ? Number.NEGATIVE_INFINITY : analysed);
      }
    }
    strides.closeSilent(silentBeforeUs);
    const dataUs = watermarkUs;
    watermarkUs -= this.delayUs(dataUs, silentBeforeUs);
    return this.queueBoundUs(strides.pendingBoundUs(watermarkUs), dataUs);
  }

  /**
   * How far behind the slowest sensor the release stays, µs: far enough that
   * no detector can still report an event before it. The pelvis detector
   * reports a contact up to 1.64 s late (releaseAfterS), the shanks' within
   * ~0.4 s (releaseAfterShanksS). Pelvis contacts become strides only where a
   * leg has no shank data; so while both shanks have real data all around
   * every contact the pelvis may still report — from its analysed time less
   * its delay up to the shanks' watermark — the shanks' delay is enough, and
   * the runner hears of a stride ~0.8 s sooner. Anything else (pelvis only,
   * one shank, a shank's gap in that span, a calibrating pelvis) takes the
   * pelvis's delay. Either way the output is the same; only its time differs.
   */
  private delayUs(dataUs: number, silentBeforeUs: number): number {
    const { params, tracks, strides } = this.context;
    const pelvisUs = params.releaseAfterS * 1e6;
    const shanksUs = Math.min(params.releaseAfterShanksS, params.releaseAfterS) * 1e6;
    const pelvis = tracks.get('pelvis');
    // No pelvis, or a silent one: no pelvis contact is coming.
    if (pelvis === undefined || pelvis.lastTUs < silentBeforeUs) return shanksUs;
    return strides.shanksCover(pelvis.analysedUs - pelvisUs, dataUs - shanksUs) ? shanksUs : pelvisUs;
  }

  /** The sensors whose progress gates the release. Cached. */
  private gating(): readonly SensorId[] {
    if (this.gatingSensors === undefined) {
      // Every sensor gates: the strides' angle metrics need the pelvis's and the shanks' data past them.
      this.gatingSensors = [...this.context.sensors];
    }
    return this.gatingSensors;
  }

  /**
   * The watermark held below the first queued event that is not ready:
   * - a stride whose metrics need data past its end (the leg's next contact:
   *   vertical oscillation, braking and the shank's heading run to it) that
   *   some worn sensor has not reached yet (`dataUs`, the slowest live
   *   sensor's time) — a stride longer than releaseAfterS, i.e. walking;
   * - a pelvis contact that will stand in for a shank-less leg, until the
   *   next such contact of that leg is queued (its stride time), or the
   *   pelvis's data is maxStrideS + releaseAfterS past it (none within a
   *   stride can still come). Pelvis contacts a shank covers are dropped at
   *   release and hold nothing back.
   * Runs at each release check over the few queued events.
   */
  private queueBoundUs(watermarkUs: number, dataUs: number): number {
    const { queue, strides, params } = this.context;
    const pelvisLastUs = this.context.tracks.get('pelvis')?.lastTUs ?? Number.NEGATIVE_INFINITY;
    const waitUs = (params.maxStrideS + params.releaseAfterS) * 1e6;
    for (let i = 0; i < queue.length; i++) {
      const event = queue.at(i);
      if (timeOf(event) > watermarkUs) break;
      if (event.kind === 'stride' && event.strideTimeS !== null && dataUs < event.icUs + event.strideTimeS * 1e6 + STRIDE_END_MARGIN_US) return event.icUs - 1;
      if (event.kind !== 'candidate' || pelvisLastUs >= event.icUs + waitUs) continue;
      const side = strides.legOf(event, false);
      if (side === undefined) continue;
      let next = false;
      for (let j = i + 1; j < queue.length && !next; j++) {
        const later = queue.at(j);
        next = later.kind === 'candidate' && strides.legOf(later, false) === side;
      }
      if (!next) return event.icUs - 1;
    }
    return watermarkUs;
  }
}
