import { RAD_PER_DEG, SENSOR_IDS, STANDARD_GRAVITY_MPS2 as G, US_PER_S, type SensorId } from '@gaitwatch/protocol';
import { RunnerBody } from './model/body.ts';
import { drawProfile, type RunnerProfile } from './model/profile.ts';
import type { SegmentPoses } from './model/poses.ts';
import { isScreenScenario, planScenario, type ScenarioName, type ScenarioPlan } from './model/scenario.ts';
import { Random } from './random.ts';
import { ScreenBody } from './screen/body.ts';
import { defaultProtocol, planScreen, type ScreenProtocol } from './screen/protocol.ts';
import { drawImuSpec, ImuModel } from './sensor/imu-model.ts';

export interface SessionOptions {
  readonly scenario: ScenarioName;
  readonly durationS: number;
  readonly seed: number;
  /** Runner index within a fleet: each gets its own body and sensors from the seed. */
  readonly runnerIndex?: number;
  readonly sampleRateHz?: number;
  /** Session start, µs since the Unix epoch (default 2026-01-01T08:00Z, so output is reproducible). */
  readonly startUs?: number;
  readonly maxMisalignmentDeg?: number;
  /** True motion points per device sample (the device's anti-alias averaging). */
  readonly oversample?: number;
  /** No noise, bias, drift, jitter or faults: for physics checks. */
  readonly ideal?: boolean;
  readonly fatigueOnsetS?: number;
  /** Sensors worn (default all three). */
  readonly sensors?: readonly SensorId[];
  /** Timestamp jitter of the relay, µs (standard deviation). */
  readonly timestampJitterUs?: number;
  /** Faults to inject instead of those the scenario draws (sensor-faults) or none (the others). */
  readonly faults?: readonly SensorFault[];
  /** Screen scenarios: the sets to perform instead of the default protocol (screen/protocol.ts). */
  readonly screen?: ScreenProtocol;
}

/** A fault written into the data itself (what the sensor-faults scenario injects). */
export type SensorFault =
  | { kind: 'dropout'; sensor: SensorId; fromS: number; toS: number }
  | { kind: 'silent'; sensor: SensorId; fromS: number }
  | { kind: 'clipping'; sensor: SensorId; accRangeMps2: number }
  /** The clip knocked: from `fromS` (over 0.1 s) the sensor sits `deg` rotated about the segment's forward axis. */
  | { kind: 'slip'; sensor: SensorId; fromS: number; deg: number };

export const DEFAULT_START_US = 1_767_254_400_000_000;

export class SimulatedSession {
  readonly profile: RunnerProfile;
  readonly plan: ScenarioPlan;
  /** The running body; in a screen scenario it only stands (the screen body moves the sensors). */
  readonly body: RunnerBody;
  /** The movement-screen body (screen-* scenarios), whose reps have truth (screen/truth.ts). */
  readonly screen: ScreenBody | undefined;
  readonly imus: ReadonlyMap<SensorId, ImuModel>;
  readonly faults: readonly SensorFault[];
  readonly sampleRateHz: number;
  readonly periodUs: number;
  readonly startUs: number;
  /** First sample offset of each sensor within a period, µs: sensors are not synchronised. */
  readonly phaseUs: ReadonlyMap<SensorId, number>;
  readonly jitterUs: number;
  private readonly jitterRng: Random;

  constructor(readonly options: SessionOptions) {
    const root = new Random(options.seed, options.runnerIndex ?? 0);
    const rngProfile = root.fork(1);
    const rngSteps = root.fork(2);
    const rngSensors = root.fork(3);
    const rngFaults = root.fork(4);
    this.jitterRng = root.fork(5);
    this.sampleRateHz = options.sampleRateHz ?? 200;
    if (!(this.sampleRateHz >= 50 && this.sampleRateHz <= 1000)) throw new RangeError(`sample rate must be 50..1000 Hz, got ${this.sampleRateHz}`);
    this.periodUs = Math.round(US_PER_S / this.sampleRateHz);
    this.startUs = options.startUs ?? DEFAULT_START_US;
    this.profile = drawProfile(rngProfile);
    // Forked last so the running scenarios' streams stay those of earlier versions.
    const rngScreen = root.fork(6);
    if (isScreenScenario(options.scenario)) {
      // The weak side comes from the seed; the protocol fixes the session's length (at most durationS).
      const weakSide = rngScreen.next() < 0.5 ? 'left' : 'right';
      const task = options.scenario === 'screen-squat' ? 'squat' : 'step-down';
      const screenPlan = planScreen(options.screen ?? defaultProtocol(task, weakSide), options.durationS, rngScreen);
      this.screen = new ScreenBody(this.profile, screenPlan);
    } else {
      this.screen = undefined;
    }
    this.plan = planScenario(this.profile, {
      scenario: options.scenario,
      durationS: this.screen?.plan.durationS ?? options.durationS,
      ...(options.fatigueOnsetS !== undefined ? { fatigueOnsetS: options.fatigueOnsetS } : {}),
    });
    this.body = new RunnerBody(this.profile, this.plan, rngSteps);
    const drawn = options.ideal || options.scenario !== 'sensor-faults' ? [] : drawFaults(options.durationS, this.plan.standingS, rngFaults);
    const poses: SegmentPoses = this.screen ?? this.body;
    this.faults = options.faults ?? drawn;
    const ideal = options.ideal ?? false;
    const imus = new Map<SensorId, ImuModel>();
    const phase = new Map<SensorId, number>();
    for (const sensor of options.sensors ?? SENSOR_IDS) {
      const clip = this.faults.find((f) => f.kind === 'clipping' && f.sensor === sensor);
      const spec = drawImuSpec(sensor, rngSensors, {
        maxMisalignmentDeg: options.maxMisalignmentDeg ?? 10,
        ideal,
        ...(clip?.kind === 'clipping' ? { accRangeMps2: clip.accRangeMps2 } : {}),
      });
      const slips = this.faults.flatMap((f) => (f.kind === 'slip' && f.sensor === sensor ? [{ fromS: f.fromS, rad: f.deg * RAD_PER_DEG }] : []));
      imus.set(sensor, new ImuModel(poses, spec, this.periodUs / US_PER_S, options.oversample ?? 4, rngSensors.fork(sensor.length), slips));
      phase.set(sensor, ideal ? 0 : Math.floor(rngSensors.next() * this.periodUs));
    }
    this.imus = imus;
    this.phaseUs = phase;
    this.jitterUs = ideal ? 0 : (options.timestampJitterUs ?? 60);
  }

  /** Number of device samples of one sensor over the session. */
  sampleCount(sensor: SensorId): number {
    return Math.floor((this.plan.durationS * US_PER_S - (this.phaseUs.get(sensor) ?? 0)) / this.periodUs);
  }

  /** Session-relative time of sample n, s (exact device clock). */
  sampleTimeS(sensor: SensorId, n: number): number {
    return ((this.phaseUs.get(sensor) ?? 0) + n * this.periodUs) / US_PER_S;
  }

  /** Whether sample n is lost to an injected fault (dropout or silence). */
  isDropped(sensor: SensorId, tS: number): boolean {
    for (const f of this.faults) {
      if (f.sensor !== sensor) continue;
      if (f.kind === 'dropout' && tS >= f.fromS && tS < f.toS) return true;
      if (f.kind === 'silent' && tS >= f.fromS) return true;
    }
    return false;
  }

  /** Reported timestamp of a sample: device time plus the relay's jitter, integer µs. */
  timestampUs(tS: number): number {
    const jitter = this.jitterUs > 0 ? Math.round(this.jitterRng.normal(0, this.jitterUs)) : 0;
    return this.startUs + Math.round(tS * US_PER_S) + jitter;
  }
}

/**
 * sensor-faults: a dropout every ~40–80 s on a random sensor, the right shank
 * silent for the last 25 %, the left shank clipping at ±8 g, and halfway
 * through the run the pelvis clip knocked 2–4° round the body's forward axis
 * (either way) and, 20 s later, the left shank's 2–4° round its own.
 */
function drawFaults(durationS: number, standingS: number, rng: Random): SensorFault[] {
  const faults: SensorFault[] = [{ kind: 'clipping', sensor: 'shank_left', accRangeMps2: 8 * G }];
  const silentFromS = standingS + 0.75 * (durationS - standingS);
  for (let t = standingS + 30 + rng.uniform(0, 20); t < silentFromS - 5; t += rng.uniform(40, 80)) {
    const sensor = SENSOR_IDS[Math.floor(rng.next() * SENSOR_IDS.length)]!;
    faults.push({ kind: 'dropout', sensor, fromS: t, toS: t + rng.uniform(0.2, 1.5) });
  }
  faults.push({ kind: 'silent', sensor: 'shank_right', fromS: silentFromS });
  // Drawn last so the faults above stay those of earlier versions of this scenario.
  const halfwayS = standingS + 0.5 * (durationS - standingS);
  const knock = (): number => (rng.next() < 0.5 ? -1 : 1) * rng.uniform(2, 4);
  faults.push({ kind: 'slip', sensor: 'pelvis', fromS: halfwayS, deg: knock() }, { kind: 'slip', sensor: 'shank_left', fromS: halfwayS + 20, deg: knock() });
  return faults;
}
