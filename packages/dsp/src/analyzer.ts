import { SENSOR_IDS, type SensorId, type Side, type StrideMetrics } from '@gaitwatch/protocol';
import { PelvisEventDetector } from './events/pelvis-events.ts';
import { ShankEventDetector } from './events/shank-events.ts';
import { DEFAULT_PARAMS, type AnalyzerParams } from './params.ts';
import { SensorTrack } from './sensor-track.ts';

export type StrideEvent = { kind: 'stride' } & StrideMetrics;

export interface SummaryEvent {
  kind: 'summary';
  strides: { left: number; right: number };
  cadenceSpmMedian: number | null;
  strideTimeSMedian: number | null;
  gctSMedian: number | null;
  /** What the sensor set allows: `full` (pelvis + shanks), `shank-only`, `pelvis-only`. */
  mode: 'full' | 'shank-only' | 'pelvis-only' | 'none';
  sensors: Record<string, { samples: number; rateHz: number | null; duplicates: number; gaps: number; gapS: number; calibration: string | null; quietS: number | null }>;
  /** Lines of the recording that could not be parsed (analyze only). */
  parseErrors?: number;
}

export type AnalysisEvent = StrideEvent | SummaryEvent;

/** A stance as the detectors report it; toe-off is unknown in pelvis-only mode. */
interface Stance {
  readonly icUs: number;
  readonly toUs: number | null;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

function mergeParams(overrides: DeepPartial<AnalyzerParams>): AnalyzerParams {
  return {
    ...DEFAULT_PARAMS,
    ...overrides,
    calibration: { ...DEFAULT_PARAMS.calibration, ...overrides.calibration },
    shankEvents: { ...DEFAULT_PARAMS.shankEvents, ...overrides.shankEvents },
    pelvisEvents: { ...DEFAULT_PARAMS.pelvisEvents, ...overrides.pelvisEvents },
  };
}

const SHANK_SIDE: Partial<Record<SensorId, Side>> = { shank_left: 'left', shank_right: 'right' };

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/**
 * Streaming analysis of one session. Feed samples in time order per sensor
 * (sensors may interleave in any way); strides come out in time order. The
 * output depends only on the samples, never on how they were chunked.
 */
export class SessionAnalyzer {
  readonly params: AnalyzerParams;
  private readonly tracks = new Map<SensorId, SensorTrack>();
  private readonly detectors = new Map<SensorId, ShankEventDetector | PelvisEventDetector>();
  private readonly pendingStance = new Map<Side, Stance>();
  /** Events from the sacral sensor alone: no shank is worn (or none was seen by the time the pelvis calibrated). */
  private pelvisOnly = false;
  private readonly unreleased: StrideEvent[] = [];
  private readonly released: StrideEvent[] = [];

  private newestUs = Number.NEGATIVE_INFINITY;

  /**
   * @param options.sensors the sensors the session wears (the status `start`
   *   message says): strides wait for every expected shank, so the output does
   *   not depend on which sensor's data happens to arrive first. Without it the
   *   analyzer learns the sensors as they appear (fine for a time-ordered file).
   */
  constructor(params: DeepPartial<AnalyzerParams> = {}, private readonly options: { sensors?: readonly SensorId[] } = {}) {
    this.params = mergeParams(params);
  }

  /** One sample: t (µs), ax ay az (m/s²), gx gy gz (rad/s). Returns strides released by it. */
  pushSample(sensor: SensorId, tUs: number, ax: number, ay: number, az: number, gx: number, gy: number, gz: number): StrideEvent[] {
    let track = this.tracks.get(sensor);
    if (track === undefined) {
      track = new SensorTrack(sensor, this.params);
      this.tracks.set(sensor, track);
    }
    const verdict = track.accept(tUs, ax, ay, az, gx, gy, gz);
    if (verdict === 'drop') return [];
    if (tUs > this.newestUs) this.newestUs = tUs;
    if (verdict === 'held') {
      if (track.calibration !== undefined) this.startDetector(track);
      return [];
    }
    const detector = this.detectors.get(sensor);
    if (detector !== undefined) {
      if (verdict === 'gap') detector.reset();
      this.feed(track, detector, tUs, ax, ay, az, gx, gy, gz);
    }
    return this.release(false);
  }

  private startDetector(track: SensorTrack): void {
    const side = SHANK_SIDE[track.sensor];
    const calibration = track.calibration!;
    let detector: ShankEventDetector | PelvisEventDetector | undefined;
    if (side !== undefined) {
      detector = new ShankEventDetector(this.params.shankEvents, track.rateHz, calibration.upSensor, (stance) => this.onStance(side, stance));
    } else if (track.sensor === 'pelvis' && !this.shanksExpected()) {
      this.pelvisOnly = true;
      detector = new PelvisEventDetector(this.params.pelvisEvents, track.rateHz, calibration.upSensor, calibration.gravityMps2, (contact) =>
        this.onStance(contact.side, { icUs: contact.icUs, toUs: null }),
      );
    }
    if (detector === undefined) {
      track.drainHeld(() => undefined);
      return;
    }
    this.detectors.set(track.sensor, detector);
    const d = detector;
    track.drainHeld((t, ax, ay, az, gx, gy, gz) => this.feed(track, d, t, ax, ay, az, gx, gy, gz));
  }

  private shanksExpected(): boolean {
    const sensors = this.options.sensors ?? [...this.tracks.keys()];
    return sensors.some((s) => SHANK_SIDE[s] !== undefined);
  }

  private feed(track: SensorTrack, detector: ShankEventDetector | PelvisEventDetector, tUs: number, ax: number, ay: number, az: number, gx: number, gy: number, gz: number): void {
    const bias = track.calibration!.gyroBiasRadps;
    detector.push(tUs, ax, ay, az, gx - bias[0], gy - bias[1], gz - bias[2]);
  }

  private onStance(side: Side, stance: Stance): void {
    const previous = this.pendingStance.get(side);
    if (previous !== undefined) this.unreleased.push(this.stride(side, previous, stance.icUs));
    this.pendingStance.set(side, stance);
  }

  private stride(side: Side, stance: Stance, nextIcUs: number | undefined): StrideEvent {
    const strideS = nextIcUs === undefined ? null : (nextIcUs - stance.icUs) / 1e6;
    const strideTimeS = strideS !== null && strideS <= this.params.maxStrideS ? strideS : null;
    return {
      kind: 'stride',
      side,
      icUs: stance.icUs,
      toUs: stance.toUs,
      strideTimeS,
      gctS: stance.toUs === null ? null : (stance.toUs - stance.icUs) / 1e6,
      cadenceSpm: strideTimeS === null ? null : 120 / strideTimeS,
      pelvicDropDeg: null,
      shankFrontalDeg: null,
    };
  }

  /** Releases strides every active leg has moved well past, in IC order. */
  private release(all: boolean): StrideEvent[] {
    if (this.unreleased.length === 0) return [];
    let watermarkUs = Number.POSITIVE_INFINITY;
    if (!all) {
      const eventSensors = (sensor: SensorId): boolean => (this.pelvisOnly ? sensor === 'pelvis' : SHANK_SIDE[sensor] !== undefined);
      const shanks = this.options.sensors?.filter(eventSensors) ?? [...this.tracks.keys()].filter(eventSensors);
      const silentBeforeUs = this.newestUs - this.params.silentAfterS * 1e6;
      for (const sensor of shanks) {
        const last = this.tracks.get(sensor)?.lastTUs ?? Number.NEGATIVE_INFINITY;
        // A silent shank must not hold the other leg's strides back forever.
        if (!(last < silentBeforeUs)) watermarkUs = Math.min(watermarkUs, Number.isNaN(last) ? Number.NEGATIVE_INFINITY : last);
      }
      watermarkUs -= this.params.releaseAfterS * 1e6;
    }
    this.unreleased.sort((a, b) => a.icUs - b.icUs || (a.side < b.side ? -1 : 1));
    let n = 0;
    while (n < this.unreleased.length && this.unreleased[n]!.icUs <= watermarkUs) n++;
    const out = this.unreleased.splice(0, n);
    this.released.push(...out);
    return out;
  }

  /** Ends the session: flushes what is pending and returns the remaining strides and the summary. */
  finish(): AnalysisEvent[] {
    for (const track of this.tracks.values()) {
      if (track.calibration === undefined) {
        track.flushCalibration();
        if (track.calibration !== undefined) this.startDetector(track);
      }
    }
    for (const [side, stance] of this.pendingStance) this.unreleased.push(this.stride(side, stance, undefined));
    this.pendingStance.clear();
    const rest: AnalysisEvent[] = this.release(true);
    rest.push(this.summary());
    return rest;
  }

  private summary(): SummaryEvent {
    const strides = this.released;
    const has = (s: SensorId): boolean => this.tracks.has(s);
    const shanks = has('shank_left') || has('shank_right');
    const mode = shanks ? (has('pelvis') ? 'full' : 'shank-only') : has('pelvis') ? 'pelvis-only' : 'none';
    return {
      kind: 'summary',
      strides: { left: strides.filter((s) => s.side === 'left').length, right: strides.filter((s) => s.side === 'right').length },
      cadenceSpmMedian: median(strides.flatMap((s) => (s.cadenceSpm === null ? [] : [s.cadenceSpm]))),
      strideTimeSMedian: median(strides.flatMap((s) => (s.strideTimeS === null ? [] : [s.strideTimeS]))),
      gctSMedian: median(strides.flatMap((s) => (s.gctS === null ? [] : [s.gctS]))),
      mode,
      // In SENSOR_IDS order, not arrival order: the output must not depend on which sensor spoke first.
      sensors: Object.fromEntries(
        [...this.tracks].sort(([a], [b]) => SENSOR_IDS.indexOf(a) - SENSOR_IDS.indexOf(b)).map(([id, t]) => [
          id,
          {
            samples: t.samples,
            rateHz: Number.isNaN(t.rateHz) ? null : Math.round(t.rateHz * 100) / 100,
            duplicates: t.duplicates,
            gaps: t.gaps,
            gapS: Math.round(t.gapSeconds * 1000) / 1000,
            calibration: t.calibration?.quality ?? null,
            quietS: t.calibration?.quietS ?? null,
          },
        ]),
      ),
    };
  }
}
