import { RAD_PER_DEG, STANDARD_GRAVITY_MPS2 as G, type SensorId } from '@gaitwatch/protocol';
import type { Random } from '../random.ts';
import type { SegmentPoses } from '../model/poses.ts';
import { angularRateBody, apply, applyTransposed, axisAngle, mat3, multiply, rotX, vec3, type Mat3, type Vec3 } from '../model/rotation.ts';
import { LEFT, RIGHT } from '../model/steps.ts';

/** How one IMU is built and worn. */
export interface ImuSpec {
  readonly sensor: SensorId;
  /** Sensor origin in the segment frame, m (pelvis: from mid-hip; shank: from the ankle). */
  readonly offsetM: readonly [number, number, number];
  /** Mounting rotation sensor→segment: the clip is never square on the body. */
  readonly mount: Mat3;
  /** Total mounting misalignment angle, degrees (for the meta file). */
  readonly misalignmentDeg: number;
  readonly accRangeMps2: number;
  readonly gyrRangeRadps: number;
  readonly accNoiseMps2: number;
  readonly gyrNoiseRadps: number;
  readonly accBiasMps2: readonly [number, number, number];
  readonly gyrBiasRadps: readonly [number, number, number];
  /** Gyro bias random walk, rad/s per √s. */
  readonly gyrBiasWalkRadpsPerSqrtS: number;
}

export interface ImuSpecOptions {
  /** Largest mounting misalignment, degrees (uniform angle up to it about a random axis). */
  readonly maxMisalignmentDeg: number;
  /** Noise, bias and drift off: for the physics tests. */
  readonly ideal?: boolean;
  readonly accRangeMps2?: number;
}

/** How long a knock of the clip takes, s. */
const SLIP_S = 0.1;

const SEGMENT_OFFSETS: Record<SensorId, readonly [number, number, number]> = {
  // Sacrum: behind and a little above the hip-joint centres.
  pelvis: [-0.1, 0, 0.05],
  // Antero-lateral shank, ~40 % up from the ankle.
  shank_left: [0.03, 0.03, 0.17],
  shank_right: [0.03, -0.03, 0.17],
};

export function drawImuSpec(sensor: SensorId, rng: Random, options: ImuSpecOptions): ImuSpec {
  // Uniform random axis, angle uniform in [0, max].
  const z = rng.uniform(-1, 1);
  const phi = rng.uniform(0, 2 * Math.PI);
  const r = Math.sqrt(1 - z * z);
  const misalignmentDeg = rng.uniform(0, options.maxMisalignmentDeg);
  const mount = axisAngle(r * Math.cos(phi), r * Math.sin(phi), z, misalignmentDeg * RAD_PER_DEG, mat3());
  const ideal = options.ideal ?? false;
  const bias = (sd: number): [number, number, number] => (ideal ? [0, 0, 0] : [rng.normal(0, sd), rng.normal(0, sd), rng.normal(0, sd)]);
  return {
    sensor,
    offsetM: SEGMENT_OFFSETS[sensor],
    mount,
    misalignmentDeg,
    accRangeMps2: options.accRangeMps2 ?? 16 * G,
    gyrRangeRadps: 2000 * RAD_PER_DEG,
    // Typical consumer MEMS (e.g. BMI270/LSM6DSO class) at 200 Hz.
    accNoiseMps2: ideal ? 0 : 0.02,
    gyrNoiseRadps: ideal ? 0 : 0.004,
    accBiasMps2: bias(0.05),
    gyrBiasRadps: bias(0.5 * RAD_PER_DEG),
    gyrBiasWalkRadpsPerSqrtS: ideal ? 0 : 0.0003,
  };
}

/**
 * Turns body motion into what the IMU reports. The true motion is evaluated at
 * `oversample` points per device sample; each gives specific force
 * f = R_sᵀ(p̈ − g) (p̈ by central second difference of the sensor's position) and
 * body angular rate from neighbouring orientations; the device reports their
 * mean (its anti-alias filter), plus bias, bias drift, white noise, range clipping.
 */
export class ImuModel {
  private readonly rs: Mat3[];
  private readonly ps: Vec3[];
  private readonly seg = mat3();
  private readonly f = vec3();
  private readonly w = vec3();
  private readonly gyrBias: Float64Array;
  /** Samples that hit the range limit on any axis. */
  clippedSamples = 0;
  /** Start of the last evaluated pose window, s (NaN: none yet). */
  private lastFirstS = Number.NaN;
  private readonly slipRot = mat3();
  private readonly slipMount = mat3();

  constructor(
    private readonly body: SegmentPoses,
    readonly spec: ImuSpec,
    private readonly periodS: number,
    private readonly oversample: number,
    private readonly rng: Random,
    /** Knocks of the clip: from `fromS` the sensor turns by `rad` about the segment's forward axis (over 0.1 s). */
    private readonly slips: readonly { fromS: number; rad: number }[] = [],
  ) {
    this.rs = Array.from({ length: oversample + 2 }, () => mat3());
    this.ps = Array.from({ length: oversample + 2 }, () => vec3());
    this.gyrBias = Float64Array.from(spec.gyrBiasRadps);
  }

  /** True pose of the sensor (orientation sensor→world, position) at time t. */
  truePose(tS: number, rOut: Mat3, pOut: Vec3): void {
    const { sensor, offsetM, mount } = this.spec;
    if (sensor === 'pelvis') this.body.pelvisPose(tS, this.seg, pOut);
    else this.body.shankPose(sensor === 'shank_left' ? LEFT : RIGHT, tS, this.seg, pOut);
    const [ox, oy, oz] = offsetM;
    apply(this.seg, ox, oy, oz, this.f);
    pOut[0] = pOut[0]! + this.f[0]!;
    pOut[1] = pOut[1]! + this.f[1]!;
    pOut[2] = pOut[2]! + this.f[2]!;
    multiply(this.seg, this.mountAt(tS, mount), rOut);
  }

  /** The mounting at t: the drawn one, turned by the knocks so far (each a smooth 0.1 s turn, like a bump). */
  private mountAt(tS: number, mount: Mat3): Mat3 {
    let angle = 0;
    for (const { fromS, rad } of this.slips) {
      const x = Math.min(1, Math.max(0, (tS - fromS) / SLIP_S));
      angle += rad * x * x * (3 - 2 * x);
    }
    if (angle === 0) return mount;
    return multiply(rotX(angle, this.slipRot), mount, this.slipMount);
  }

  /** Noise-free specific force (m/s²) and angular rate (rad/s) at t, averaged as the device does. */
  trueReading(tS: number, out: Float64Array): void {
    const k = this.oversample;
    const h = this.periodS / k;
    // Consecutive device samples share two poses (the window slides by k·h);
    // reusing them saves 2 of k + 2 pose evaluations, 2/3 of the work at k = 1.
    const first = tS - ((k + 1) / 2) * h;
    const reuse = Math.abs(first - (this.lastFirstS + k * h)) < 1e-9 ? 2 : 0;
    if (reuse > 0) {
      for (let i = 0; i < 2; i++) {
        const r = this.rs[i]!;
        const p = this.ps[i]!;
        this.rs[i] = this.rs[k + i]!;
        this.ps[i] = this.ps[k + i]!;
        this.rs[k + i] = r;
        this.ps[k + i] = p;
      }
    }
    for (let i = reuse; i < k + 2; i++) this.truePose(first + i * h, this.rs[i]!, this.ps[i]!);
    this.lastFirstS = first;
    out.fill(0, 0, 6);
    for (let j = 1; j <= k; j++) {
      const pm = this.ps[j - 1]!;
      const p = this.ps[j]!;
      const pp = this.ps[j + 1]!;
      const inv = 1 / (h * h);
      applyTransposed(this.rs[j]!, (pp[0]! - 2 * p[0]! + pm[0]!) * inv, (pp[1]! - 2 * p[1]! + pm[1]!) * inv, (pp[2]! - 2 * p[2]! + pm[2]!) * inv + G, this.f);
      angularRateBody(this.rs[j - 1]!, this.rs[j]!, this.rs[j + 1]!, h, this.w);
      for (let c = 0; c < 3; c++) {
        out[c] = out[c]! + this.f[c]! / k;
        out[3 + c] = out[3 + c]! + this.w[c]! / k;
      }
    }
  }

  /** One device sample into out[0..6): ax ay az gx gy gz with the sensor's imperfections. */
  sample(tS: number, out: Float64Array): void {
    this.trueReading(tS, out);
    const { spec, rng } = this;
    const walk = spec.gyrBiasWalkRadpsPerSqrtS * Math.sqrt(this.periodS);
    let clipped = false;
    for (let c = 0; c < 3; c++) {
      if (walk > 0) this.gyrBias[c] = this.gyrBias[c]! + rng.normal(0, walk);
      let a = out[c]! + spec.accBiasMps2[c]! + (spec.accNoiseMps2 > 0 ? rng.normal(0, spec.accNoiseMps2) : 0);
      let g = out[3 + c]! + this.gyrBias[c]! + (spec.gyrNoiseRadps > 0 ? rng.normal(0, spec.gyrNoiseRadps) : 0);
      if (Math.abs(a) > spec.accRangeMps2) {
        a = Math.sign(a) * spec.accRangeMps2;
        clipped = true;
      }
      if (Math.abs(g) > spec.gyrRangeRadps) {
        g = Math.sign(g) * spec.gyrRangeRadps;
        clipped = true;
      }
      out[c] = a;
      out[3 + c] = g;
    }
    if (clipped) this.clippedSamples++;
  }
}

