export interface AttitudeFilterParams {
  /**
   * Proportional gain of the accelerometer correction, rad/s per g of tilt
   * error: the tilt follows gravity with a time constant of 1/kp seconds.
   * A trade-off, measured on the simulator (pnpm eval): in running the
   * accelerometer carries ±0.3–2 g of body acceleration at step frequency and
   * what the gain lets through distorts the within-stance angles (shank tilt
   * MAE 0.33° at kp 1 vs 0.20° at 0.4), while a low gain follows gyro-bias
   * drift too slowly (pelvic obliquity wandered ±1° over 10 min at kp 0.2).
   * The integral gain is set for critical damping, ki = kp²/4.
   */
  readonly kp: number;
  /**
   * Integral gain, applied in the world frame: cancels the mean tilt drift
   * that a gyro bias left after calibration causes, rad/s² per g of error.
   */
  readonly ki: number;
  /** The sensor is still when every gyro axis stays below this, rad/s… */
  readonly stillRadps: number;
  /** …for at least this long, s; then the gyro's reading is its bias… */
  readonly stillMinS: number;
  /** …learnt with this time constant, s. */
  readonly biasTauS: number;
  /**
   * After a (re)start without a known attitude, the gyro alone carries the
   * attitude for this long while the accelerometer is averaged in that frame;
   * the mean is gravity and sets the tilt in one step. Angles are not trusted before, s.
   */
  readonly settleS: number;
  /**
   * …and the feedback loop is given this long after it, at its usual gains,
   * to remove what the average left and to rebuild its integral, s.
   */
  readonly convergeS: number;
}

/**
 * Layout of the sample array `update` reads: t (µs), ax, ay, az, gx, gy, gz,
 * dt (s), and a flag: 0 = a measured sample; BRIDGED_LINE = a bridged sample
 * (filled in across a short gap along a straight line: no accelerometer
 * reading to trust): integrate the gyro only; BRIDGED_TEMPLATE = a bridged
 * sample filled in from the same phase of the previous stride: its
 * acceleration is that stride's, the best guess there is of the lost one.
 */
export const SAMPLE_LAYOUT = 9;
/** Index of the bridged-sample flag in the sample array. */
export const SAMPLE_BRIDGED = 8;
export const BRIDGED_LINE = 1;
export const BRIDGED_TEMPLATE = 2;

/** Nominal gravity for normalising the correction; the calibration's own 1 g is passed in. */
const DEFAULT_G = 9.80665;

/**
 * Attitude of one IMU as a unit quaternion (sensor → world, world z up, world
 * yaw arbitrary: no magnetometer), after Mahony et al. 2008 (explicit
 * complementary filter on SO(3), the form Madgwick's MahonyAHRS code made
 * common) with three choices for running:
 *  - the correction uses the accelerometer vector in g, not its direction:
 *    averaged over a gait cycle the body's own acceleration cancels (the
 *    runner does not speed up forever) and what remains is gravity, so the
 *    filter converges to the true tilt instead of to a gait-phase-weighted one;
 *  - impacts are not gated out. x-io Fusion rejects samples that cannot be
 *    gravity, and this filter did too (above 8 g) until 2026-12-04; but
 *    the cancellation above needs every sample: an impact is the largest
 *    part of the acceleration that brings a foot to rest, so leaving it out
 *    left the mean of the rest of the cycle as a tilt bias, and as each
 *    landing differs, a wandering one (simulated shanks at 4.5 m/s: medial
 *    tilt ±0.5–0.6° over ~10 strides, the knee-proxy false alarms and the
 *    shank `sensor_moved` alarms without a knock of ACCURACY.md; without
 *    the gate ±0.1–0.2°). What a clipped impact loses beyond the sensor's
 *    range cannot be helped;
 *  - after a start without a known attitude (a runner who never stood still,
 *    a gap), the tilt comes from the accelerometer averaged over `settleS` in
 *    the gyro-integrated frame: the same cancellation of body acceleration in
 *    one step. (A Fusion-style high initial gain was tried first: in running
 *    it followed the body acceleration and left 15–20° errors that took 20 s
 *    to decay.) `settled` says when to trust the angles.
 * Gyro bias drift after the standing calibration is handled twice:
 *  - integral feedback in the world frame (ki): Mahony's sensor-frame
 *    integral was tried first and rejected: on a swinging shank the body
 *    acceleration correlates with the sensor's orientation, so it learnt a
 *    false bias that became a heading drift of ~0.3°/s even with ideal
 *    simulated sensors. In the world frame the error is horizontal, so the
 *    integral only ever cancels tilt drift and never turns the heading;
 *  - while the sensor is still, its gyro reading is the bias (Fusion's
 *    offset algorithm does the same), which also covers the heading axis.
 * Hand-written (no library): it runs once per sample on the hot path and
 * must not allocate; its state is a score of doubles.
 */
export class AttitudeFilter {
  // Quaternion w, x, y, z (sensor → world).
  private qw = 1;
  private qx = 0;
  private qy = 0;
  private qz = 0;
  /** Bias learnt while still, rad/s, sensor frame. */
  private bx = 0;
  private by = 0;
  private bz = 0;
  private stillForS = 0;
  /** World-frame integral of the horizontal tilt error, rad/s. */
  private ix = 0;
  private iy = 0;
  private settleLeftS = 0;
  private convergeLeftS = 0;
  /** World-frame sum of the specific force while settling. */
  private sumX = 0;
  private sumY = 0;
  private sumZ = 0;
  private gravityMps2: number;

  constructor(
    private readonly params: AttitudeFilterParams,
    gravityMps2 = DEFAULT_G,
  ) {
    this.gravityMps2 = gravityMps2 > 0 ? gravityMps2 : DEFAULT_G;
  }

  /** The sensor's own 1 g, measured standing later in the session (the filter started on the nominal one). */
  setGravity(gravityMps2: number): void {
    if (gravityMps2 > 0) this.gravityMps2 = gravityMps2;
  }

  /** True once the start-up transient is over. */
  get settled(): boolean {
    return this.settleLeftS <= 0 && this.convergeLeftS <= 0;
  }

  /**
   * Starts from "up" in sensor coordinates: the shortest rotation that maps
   * `up` to world z (world yaw is arbitrary). `known` true: up is trusted (the
   * standing calibration); false: a guess, so the settling ramp starts.
   */
  reset(upX: number, upY: number, upZ: number, known: boolean): void {
    const n = Math.sqrt(upX * upX + upY * upY + upZ * upZ);
    if (!(n > 0)) {
      this.qw = 1;
      this.qx = this.qy = this.qz = 0;
    } else {
      // Shortest rotation taking u = up/|up| to z: axis u × z, angle acos(u·z).
      const ux = upX / n;
      const uy = upY / n;
      const uz = upZ / n;
      const w = 1 + uz;
      if (w < 1e-9) {
        // Upside down: half a turn about x.
        this.qw = 0;
        this.qx = 1;
        this.qy = this.qz = 0;
      } else {
        // q = normalise(1 + u·z, u × z) with u × z = (uy, −ux, 0).
        const m = Math.sqrt(w * w + uy * uy + ux * ux);
        this.qw = w / m;
        this.qx = uy / m;
        this.qy = -ux / m;
        this.qz = 0;
      }
    }
    this.stillForS = 0;
    this.ix = this.iy = 0;
    this.settleLeftS = known ? 0 : this.params.settleS;
    this.convergeLeftS = known ? 0 : this.params.convergeS;
    this.sumX = this.sumY = this.sumZ = 0;
  }

  /**
   * One sample from `s`: [1..3] specific force (m/s²), [4..6] bias-corrected
   * angular rate (rad/s), sensor coordinates; [7] seconds since the previous
   * sample (SAMPLE_LAYOUT). An array, not seven arguments: doubles passed to a
   * function V8 does not inline are boxed, one heap number each, per sample.
   */
  update(s: Float64Array): void {
    const ax = s[1]!;
    const ay = s[2]!;
    const az = s[3]!;
    const gx = s[4]!;
    const gy = s[5]!;
    const gz = s[6]!;
    const dtS = s[7]!;
    const { qw, qx, qy, qz } = this;
    // R(q), sensor → world: the rows needed (third row = estimated up in sensor coordinates).
    const r00 = 1 - 2 * (qy * qy + qz * qz);
    const r01 = 2 * (qx * qy - qw * qz);
    const r02 = 2 * (qx * qz + qw * qy);
    const r10 = 2 * (qx * qy + qw * qz);
    const r11 = 1 - 2 * (qx * qx + qz * qz);
    const r12 = 2 * (qy * qz - qw * qx);
    const vx = 2 * (qx * qz - qw * qy);
    const vy = 2 * (qy * qz + qw * qx);
    const vz = qw * qw - qx * qx - qy * qy + qz * qz;
    const g = this.gravityMps2;
    let ex = 0;
    let ey = 0;
    let ez = 0;
    const settling = this.settleLeftS > 0;
    const bridged = s[SAMPLE_BRIDGED]!;
    if (bridged === BRIDGED_LINE || (bridged !== 0 && settling)) {
      // Across a short gap only the interpolated rate is known: no correction, no bias learning, no settling progress.
      this.integrate(gx - this.bx, gy - this.by, gz - this.bz, dtS);
      return;
    }
    // A sample bridged from the last stride keeps the correction: the correction is right only
    // averaged over whole strides (above), so a lost block — a lost impact above all — left out
    // of it tilts the attitude; the same phase of the last stride stands in for it. Still no
    // bias learning and no progress of the convergence (below).
    if (settling) {
      // Hann-weighted: a window that is not a whole number of strides leaks the
      // stride's body acceleration into a plain mean (up to several degrees on a
      // shank); tapered, a periodic component 4.5 cycles long (3 s at 1.5 strides/s)
      // leaks ~20× less (|sinc(fT) / (1 − (fT)²)| against |sinc(fT)|).
      const phase = Math.sin((Math.PI * (this.params.settleS - this.settleLeftS)) / this.params.settleS);
      const w = phase * phase;
      this.sumX += w * (r00 * ax + r01 * ay + r02 * az);
      this.sumY += w * (r10 * ax + r11 * ay + r12 * az);
      this.sumZ += w * (vx * ax + vy * ay + vz * az);
    } else {
      // e = (a / g) × v̂: zero when the measured up agrees with the estimate.
      ex = (ay * vz - az * vy) / g;
      ey = (az * vx - ax * vz) / g;
      ez = (ax * vy - ay * vx) / g;
      // The same error in the world frame is (a_w × ẑ) / g = (a_wy, −a_wx, 0) / g.
      const ki = (this.params.ki * dtS) / g;
      this.ix += ki * (r10 * ax + r11 * ay + r12 * az);
      this.iy -= ki * (r00 * ax + r01 * ay + r02 * az);
    }
    const kp = this.params.kp;
    const still = this.params.stillRadps;
    if (bridged !== 0) {
      // A guess, not a reading: it teaches the bias nothing.
    } else if (Math.abs(gx) < still && Math.abs(gy) < still && Math.abs(gz) < still) {
      this.stillForS += dtS;
      if (this.stillForS >= this.params.stillMinS) {
        const k = dtS / this.params.biasTauS;
        this.bx += k * (gx - this.bx);
        this.by += k * (gy - this.by);
        this.bz += k * (gz - this.bz);
      }
    } else {
      this.stillForS = 0;
    }
    // The integral is a world-frame rate; in sensor coordinates it is Rᵀ (ix, iy, 0).
    const wx = gx - this.bx + kp * ex + r00 * this.ix + r10 * this.iy;
    const wy = gy - this.by + kp * ey + r01 * this.ix + r11 * this.iy;
    const wz = gz - this.bz + kp * ez + r02 * this.ix + r12 * this.iy;
    this.integrate(wx, wy, wz, dtS);
    if (settling) {
      this.settleLeftS -= dtS;
      if (this.settleLeftS <= 0) this.levelToMean();
    } else if (this.convergeLeftS > 0 && bridged === 0) {
      this.convergeLeftS -= dtS;
    }
  }

  /** q ← q ⊗ (1, ω dt / 2), then renormalise (first order; at ≥ 100 Hz the error is far below the sensor noise). */
  private integrate(wx: number, wy: number, wz: number, dtS: number): void {
    const { qw, qx, qy, qz } = this;
    const hx = 0.5 * dtS * wx;
    const hy = 0.5 * dtS * wy;
    const hz = 0.5 * dtS * wz;
    const nw = qw - qx * hx - qy * hy - qz * hz;
    const nx = qx + qw * hx + qy * hz - qz * hy;
    const ny = qy + qw * hy - qx * hz + qz * hx;
    const nz = qz + qw * hz + qx * hy - qy * hx;
    const inv = 1 / Math.sqrt(nw * nw + nx * nx + ny * ny + nz * nz);
    this.qw = nw * inv;
    this.qx = nx * inv;
    this.qy = ny * inv;
    this.qz = nz * inv;
  }

  /** Rotates the world frame so that the mean specific force while settling points up (shortest arc). */
  private levelToMean(): void {
    const n = Math.sqrt(this.sumX * this.sumX + this.sumY * this.sumY + this.sumZ * this.sumZ);
    if (!(n > 0)) return;
    const mx = this.sumX / n;
    const my = this.sumY / n;
    const mz = this.sumZ / n;
    // c = normalise(1 + m·z, m × z), m × z = (my, −mx, 0); q ← c ⊗ q (a world-frame rotation).
    const w0 = 1 + mz;
    if (w0 < 1e-9) return;
    const k = 1 / Math.sqrt(w0 * w0 + mx * mx + my * my);
    const cw = w0 * k;
    const cx = my * k;
    const cy = -mx * k;
    const { qw, qx, qy, qz } = this;
    this.qw = cw * qw - cx * qx - cy * qy;
    this.qx = cw * qx + cx * qw + cy * qz;
    this.qy = cw * qy - cx * qz + cy * qw;
    this.qz = cw * qz + cx * qy - cy * qx;
  }

  /** World "up" in sensor coordinates (the third row of R), into `out`. */
  upInSensor(out: Float64Array): void {
    const { qw, qx, qy, qz } = this;
    out[0] = 2 * (qx * qz - qw * qy);
    out[1] = 2 * (qy * qz + qw * qx);
    out[2] = qw * qw - qx * qx - qy * qy + qz * qz;
  }

  /** Component of world "up" along the sensor-frame unit vector at v[o..o+2]: sin of that axis's elevation. */
  upDot(v: Float64Array, o = 0): number {
    const x = v[o]!;
    const y = v[o + 1]!;
    const z = v[o + 2]!;
    const { qw, qx, qy, qz } = this;
    return 2 * (qx * qz - qw * qy) * x + 2 * (qy * qz + qw * qx) * y + (qw * qw - qx * qx - qy * qy + qz * qz) * z;
  }

  /** Rotates the sensor-frame vector at v[o..o+2] into the world frame; writes into `out` (length ≥ 3). */
  toWorld(v: Float64Array, o: number, out: Float64Array): void {
    const x = v[o]!;
    const y = v[o + 1]!;
    const z = v[o + 2]!;
    const { qw, qx, qy, qz } = this;
    out[0] = (1 - 2 * (qy * qy + qz * qz)) * x + 2 * (qx * qy - qw * qz) * y + 2 * (qx * qz + qw * qy) * z;
    out[1] = 2 * (qx * qy + qw * qz) * x + (1 - 2 * (qx * qx + qz * qz)) * y + 2 * (qy * qz - qw * qx) * z;
    out[2] = 2 * (qx * qz - qw * qy) * x + 2 * (qy * qz + qw * qx) * y + (qw * qw - qx * qx - qy * qy + qz * qz) * z;
  }
}
