import { float64Array } from '../signal/arena.ts';
/** What calibration learned about one sensor. */
export interface Calibration {
  /** Unit vector of "up" (the accelerometer's reading of gravity) in the sensor frame. */
  readonly upSensor: readonly [number, number, number];
  /** Gyro bias, rad/s (zero when it could not be measured). */
  readonly gyroBiasRadps: readonly [number, number, number];
  /** `standing`: from quiet standing; `fallback`: the runner never stood still, up from the mean of the first strides. */
  readonly quality: 'standing' | 'fallback';
  /** Quiet standing used, s. */
  readonly quietS: number;
  /** |mean acceleration| while standing, m/s² (the sensor's own idea of 1 g). */
  readonly gravityMps2: number;
}

export interface StandingCalibratorParams {
  /** Block over which quietness is judged, s. */
  readonly blockS: number;
  /** A block is quiet when the mean gyro magnitude is below this, rad/s… */
  readonly quietGyroRadps: number;
  /** …and the accelerometer magnitude's standard deviation below this, m/s². */
  readonly quietAccSdMps2: number;
  /** Least quiet standing that counts as a standing calibration, s. */
  readonly minStandingS: number;
  /** Standing this long ends calibration even if the runner has not moved yet, s. */
  readonly maxStandingS: number;
  /** Motion averaged for the fallback's gravity estimate, s. */
  readonly fallbackS: number;
}

/**
 * Finds the quiet standing at the start of a session from 0.25 s blocks and
 * measures gravity direction and gyro bias from it; falls back to the mean
 * acceleration over the first seconds of motion when there was none (the
 * mean of a periodic gait's dynamic acceleration is ~0, so the mean reading
 * is gravity in the sensor's average orientation). Push samples until
 * `result` is set; `usedSamples` tells how many were consumed.
 */
export class StandingCalibrator {
  private readonly blockSamples: number;
  private blockCount = 0;
  private blockGyro = 0;
  private blockAccSum = 0;
  private blockAccSq = 0;
  private readonly blockAcc = float64Array(3);
  private readonly blockBias = float64Array(3);
  // Sums over the quiet blocks so far.
  private quietBlocks = 0;
  private readonly quietAcc = float64Array(3);
  private readonly quietGyro = float64Array(3);
  /** The latest quiet block, held back until the next block shows it was not the onset of motion. */
  private pendingQuiet = false;
  private readonly pendingAcc = float64Array(3);
  private readonly pendingGyro = float64Array(3);
  // Sums over the fallback motion window.
  private moving = false;
  private motionSamples = 0;
  private readonly motionAcc = float64Array(3);
  result: Calibration | undefined;

  constructor(
    private readonly params: StandingCalibratorParams,
    sampleRateHz: number,
    /**
     * Watch for a later stand (a sensor calibrated from running): motion
     * before minStandingS of quiet starts the count again instead of
     * falling back, and the only result is a standing one.
     */
    private readonly standingOnly = false,
  ) {
    this.blockSamples = Math.max(5, Math.round(params.blockS * sampleRateHz));
    this.sampleRateHz = sampleRateHz;
  }

  private readonly sampleRateHz: number;

  /** Feeds one sample row at `o` of `buf`: t, ax, ay, az (m/s²), gx, gy, gz (rad/s). */
  push(buf: Float64Array, o: number): void {
    if (this.result !== undefined) return;
    const ax = buf[o + 1]!;
    const ay = buf[o + 2]!;
    const az = buf[o + 3]!;
    const gx = buf[o + 4]!;
    const gy = buf[o + 5]!;
    const gz = buf[o + 6]!;
    if (this.moving) {
      this.motionAcc[0] = this.motionAcc[0]! + ax;
      this.motionAcc[1] = this.motionAcc[1]! + ay;
      this.motionAcc[2] = this.motionAcc[2]! + az;
      this.motionSamples++;
      if (this.motionSamples >= this.params.fallbackS * this.sampleRateHz) this.finishFallback();
      return;
    }
    const accNorm = Math.sqrt(ax * ax + ay * ay + az * az);
    this.blockCount++;
    this.blockGyro += Math.sqrt(gx * gx + gy * gy + gz * gz);
    this.blockAccSum += accNorm;
    this.blockAccSq += accNorm * accNorm;
    this.blockAcc[0] = this.blockAcc[0]! + ax;
    this.blockAcc[1] = this.blockAcc[1]! + ay;
    this.blockAcc[2] = this.blockAcc[2]! + az;
    this.blockBias[0] = this.blockBias[0]! + gx;
    this.blockBias[1] = this.blockBias[1]! + gy;
    this.blockBias[2] = this.blockBias[2]! + gz;
    if (this.blockCount < this.blockSamples) return;
    const n = this.blockCount;
    const meanNorm = this.blockAccSum / n;
    const sd = Math.sqrt(Math.max(0, this.blockAccSq / n - meanNorm * meanNorm));
    const quiet = this.blockGyro / n < this.params.quietGyroRadps && sd < this.params.quietAccSdMps2;
    if (quiet) {
      // A quiet block counts only once the next one is quiet too: motion that
      // starts inside a block can leave it under the thresholds and still carry
      // the first degrees of the swing (seen as a 0.3°/s bias error on a shank).
      if (this.pendingQuiet) this.commitPending();
      this.pendingQuiet = true;
      this.pendingAcc.set(this.blockAcc);
      this.pendingGyro.set(this.blockBias);
      if ((this.quietBlocks + 1) * this.params.blockS >= this.params.maxStandingS) {
        this.commitPending();
        this.finishStanding();
      }
    } else {
      this.pendingQuiet = false;
      if (this.quietBlocks * this.params.blockS >= this.params.minStandingS) this.finishStanding();
      else if (this.standingOnly) this.restartQuiet();
      else this.moving = true;
    }
    this.blockCount = 0;
    this.blockGyro = this.blockAccSum = this.blockAccSq = 0;
    this.blockAcc.fill(0);
    this.blockBias.fill(0);
  }

  private commitPending(): void {
    this.pendingQuiet = false;
    this.quietBlocks++;
    for (let c = 0; c < 3; c++) {
      this.quietAcc[c] = this.quietAcc[c]! + this.pendingAcc[c]!;
      this.quietGyro[c] = this.quietGyro[c]! + this.pendingGyro[c]!;
    }
  }

  /** A watcher's quiet run broken by motion before it was long enough: count again from the next quiet block. */
  private restartQuiet(): void {
    this.quietBlocks = 0;
    this.quietAcc.fill(0);
    this.quietGyro.fill(0);
  }

  /** Ends a recording that stopped before calibration decided: use whatever there is. */
  flush(): void {
    if (this.result !== undefined) return;
    if (this.pendingQuiet && !this.moving) this.commitPending();
    if (this.quietBlocks > 0 && !this.moving) this.finishStanding();
    else if (this.motionSamples > 0) this.finishFallback();
  }

  private finishStanding(): void {
    const n = this.quietBlocks * this.blockSamples;
    const mean = [this.quietAcc[0]! / n, this.quietAcc[1]! / n, this.quietAcc[2]! / n] as const;
    const norm = Math.hypot(...mean);
    this.result = {
      upSensor: [mean[0] / norm, mean[1] / norm, mean[2] / norm],
      gyroBiasRadps: [this.quietGyro[0]! / n, this.quietGyro[1]! / n, this.quietGyro[2]! / n],
      quality: 'standing',
      quietS: this.quietBlocks * this.params.blockS,
      gravityMps2: norm,
    };
  }

  private finishFallback(): void {
    const n = this.motionSamples;
    const mean = [this.motionAcc[0]! / n, this.motionAcc[1]! / n, this.motionAcc[2]! / n] as const;
    const norm = Math.hypot(...mean) || 1;
    this.result = {
      upSensor: [mean[0] / norm, mean[1] / norm, mean[2] / norm],
      gyroBiasRadps: [0, 0, 0],
      quality: 'fallback',
      quietS: this.quietBlocks * this.params.blockS,
      gravityMps2: norm,
    };
  }
}
