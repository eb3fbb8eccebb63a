import {
  MAX_ABS_SAMPLE_VALUE,
  MAX_PERIOD_US,
  MAX_SAMPLES_PER_MESSAGE,
  MAX_SEQ,
  MAX_T_US,
  MIN_PERIOD_US,
  MIN_T_US,
} from '../limits.ts';
import { reject, type Rejection } from '../rejection.ts';
import { sensorCode, sensorFromCode } from '../sensors.ts';
import { CHANNELS_PER_SAMPLE } from '../units.ts';
import type { DecodedImu, ImuFrame } from './imu-frame.ts';

/**
 * Binary IMU frame, version 1. Little-endian; layout in packages/protocol/README.md.
 *
 * The magic byte is 0xA7: not ASCII, so it can never begin a JSON text
 * (which starts with `{`, `[`, a letter, a digit, `"`, `-` or whitespace);
 * that one byte is how `decodeImu` tells the two formats apart.
 */
export const BINARY_MAGIC = 0xa7;
export const BINARY_VERSION = 1;
export const BINARY_HEADER_BYTES = 32;
export const BINARY_BYTES_PER_SAMPLE = CHANNELS_PER_SAMPLE * 2;

const INT16_LIMIT = 32767;

/** Full-scale ranges of a typical clip-on IMU (±16 g, ±2000 °/s), as default int16 scales. */
export const DEFAULT_ACC_SCALE_MPS2_PER_LSB = Math.fround((16 * 9.80665) / INT16_LIMIT);
export const DEFAULT_GYR_SCALE_RADPS_PER_LSB = Math.fround(((2000 * Math.PI) / 180) / INT16_LIMIT);

export interface BinaryScales {
  /** m/s² per LSB. */
  readonly accMps2PerLsb: number;
  /** rad/s per LSB. */
  readonly gyrRadpsPerLsb: number;
}

export interface EncodeBinaryOptions {
  /**
   * `'device'` (default): the fixed ±16 g / ±2000 °/s scales a device uses;
   * values beyond full scale saturate at ±32767 LSB exactly as the sensor would clip.
   * `'auto'`: the smallest scales that hold this frame's largest value, so nothing
   * saturates and the quantisation error is at most half of max|value|/32767.
   */
  readonly scales?: 'device' | 'auto' | BinaryScales;
}

/** Scale that holds `maxAbs` within ±32767 LSB, as a float32 (what the wire carries). */
/** Smallest auto scale: 1e-7 per LSB is far below any sensor's noise, and keeps the scale a normal float32. */
const MIN_AUTO_SCALE = Math.fround(1e-7);

function autoScale(maxAbs: number): number {
  if (maxAbs <= MIN_AUTO_SCALE * INT16_LIMIT) return MIN_AUTO_SCALE;
  let scale = Math.fround(maxAbs / INT16_LIMIT);
  // float32 rounding may land just below what is needed; step up one ulp-ish until it fits.
  while (maxAbs / scale > INT16_LIMIT) scale = Math.fround(scale * (1 + 2 ** -20));
  return scale;
}

function maxAbsOfChannels(samples: Float64Array, first: number): number {
  let maxAbs = 0;
  for (let i = first; i < samples.length; i += CHANNELS_PER_SAMPLE) {
    for (let c = 0; c < 3; c++) {
      const v = Math.abs(samples[i + c]!);
      if (v > maxAbs) maxAbs = v;
    }
  }
  return maxAbs;
}

function resolveScales(frame: ImuFrame, option: EncodeBinaryOptions['scales']): BinaryScales {
  if (option === undefined || option === 'device') {
    return { accMps2PerLsb: DEFAULT_ACC_SCALE_MPS2_PER_LSB, gyrRadpsPerLsb: DEFAULT_GYR_SCALE_RADPS_PER_LSB };
  }
  if (option === 'auto') {
    return {
      accMps2PerLsb: autoScale(maxAbsOfChannels(frame.samples, 0)),
      gyrRadpsPerLsb: autoScale(maxAbsOfChannels(frame.samples, 3)),
    };
  }
  return { accMps2PerLsb: Math.fround(option.accMps2PerLsb), gyrRadpsPerLsb: Math.fround(option.gyrRadpsPerLsb) };
}

function quantise(value: number, scale: number): number {
  const q = Math.round(value / scale);
  return q > INT16_LIMIT ? INT16_LIMIT : q < -INT16_LIMIT ? -INT16_LIMIT : q;
}

/**
 * Encodes a frame as binary v1. Throws RangeError for a frame that the
 * decoder would refuse (so a publisher finds its bug, not the server).
 */
export function encodeBinaryImu(frame: ImuFrame, options: EncodeBinaryOptions = {}): Uint8Array {
  const { count, samples } = frame;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SAMPLES_PER_MESSAGE) {
    throw new RangeError(`count must be 1..${MAX_SAMPLES_PER_MESSAGE}, got ${count}`);
  }
  if (samples.length !== count * CHANNELS_PER_SAMPLE) {
    throw new RangeError(`samples must hold count × 6 = ${count * CHANNELS_PER_SAMPLE} values, got ${samples.length}`);
  }
  if (!Number.isInteger(frame.seq) || frame.seq < 0 || frame.seq > MAX_SEQ) {
    throw new RangeError(`seq must be an integer 0..${MAX_SEQ}, got ${frame.seq}`);
  }
  if (!Number.isSafeInteger(frame.t0Us)) throw new RangeError(`t0Us must be an integer µs, got ${frame.t0Us}`);
  if (!Number.isInteger(frame.periodUs) || frame.periodUs < 0 || frame.periodUs > 0xffff_ffff) {
    throw new RangeError(`periodUs must be a uint32, got ${frame.periodUs}`);
  }
  const scales = resolveScales(frame, options.scales);
  const bytes = new Uint8Array(BINARY_HEADER_BYTES + count * BINARY_BYTES_PER_SAMPLE);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, BINARY_MAGIC);
  view.setUint8(1, BINARY_VERSION);
  view.setUint8(2, sensorCode(frame.sensor));
  view.setUint8(3, 0);
  view.setUint32(4, frame.seq, true);
  view.setBigInt64(8, BigInt(frame.t0Us), true);
  view.setUint32(16, frame.periodUs, true);
  view.setUint16(20, count, true);
  view.setUint16(22, 0, true);
  view.setFloat32(24, scales.accMps2PerLsb, true);
  view.setFloat32(28, scales.gyrRadpsPerLsb, true);
  let offset = BINARY_HEADER_BYTES;
  for (let i = 0; i < samples.length; i++) {
    const scale = i % CHANNELS_PER_SAMPLE < 3 ? scales.accMps2PerLsb : scales.gyrRadpsPerLsb;
    view.setInt16(offset, quantise(samples[i]!, scale), true);
    offset += 2;
  }
  return bytes;
}

function validScale(scale: number): boolean {
  return Number.isFinite(scale) && scale > 0 && scale * INT16_LIMIT <= MAX_ABS_SAMPLE_VALUE;
}

/** Decodes a binary v1 frame. Never throws: every defect comes back as a Rejection. */
export function decodeBinaryImu(bytes: Uint8Array): DecodedImu | Rejection {
  if (bytes.length < BINARY_HEADER_BYTES) {
    return reject('bad_frame', `binary frame is ${bytes.length} bytes, shorter than its ${BINARY_HEADER_BYTES}-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== BINARY_MAGIC) return reject('bad_frame', 'binary frame does not start with magic byte 0xA7');
  const version = view.getUint8(1);
  if (version !== BINARY_VERSION) {
    return reject('bad_version', `binary frame version ${version}; this decoder speaks version ${BINARY_VERSION}`);
  }
  const code = view.getUint8(2);
  const sensor = sensorFromCode(code);
  if (sensor === undefined) return reject('unknown_sensor', `binary frame sensor code ${code} is not known`);
  if (view.getUint8(3) !== 0 || view.getUint16(22, true) !== 0) {
    return reject('bad_frame', 'binary frame has non-zero reserved bits (flags byte 3, bytes 22–23)');
  }
  const count = view.getUint16(20, true);
  if (count < 1 || count > MAX_SAMPLES_PER_MESSAGE) {
    return reject('too_many_samples', `binary frame holds ${count} samples; allowed 1..${MAX_SAMPLES_PER_MESSAGE}`);
  }
  const expectedBytes = BINARY_HEADER_BYTES + count * BINARY_BYTES_PER_SAMPLE;
  if (bytes.length !== expectedBytes) {
    return reject('bad_frame', `binary frame is ${bytes.length} bytes; its header (${count} samples) says ${expectedBytes}`);
  }
  // The int64 as two 32-bit halves, not getBigInt64: a BigInt per message (three with the bounds) is garbage a
  // busy ingest thread collects thousands of times a second. Exact below 2^53 µs (year 2255); a larger or
  // negative value reads as some number outside the bounds and is rejected.
  const t0Us = view.getInt32(12, true) * 2 ** 32 + view.getUint32(8, true);
  if (!(t0Us >= MIN_T_US && t0Us <= MAX_T_US)) {
    return reject('bad_time', `t0Us ${view.getBigInt64(8, true)} is outside 2015..2100; is the device clock synced?`);
  }
  const periodUs = view.getUint32(16, true);
  if (periodUs < MIN_PERIOD_US || periodUs > MAX_PERIOD_US) {
    return reject('bad_time', `periodUs ${periodUs} is outside ${MIN_PERIOD_US}..${MAX_PERIOD_US} (50 Hz–1 kHz)`);
  }
  const accScale = view.getFloat32(24, true);
  const gyrScale = view.getFloat32(28, true);
  if (!validScale(accScale) || !validScale(gyrScale)) {
    return reject('non_finite', `binary frame scales (${accScale}, ${gyrScale}) are not positive, finite and within range`);
  }
  const samples = new Float64Array(count * CHANNELS_PER_SAMPLE);
  let offset = BINARY_HEADER_BYTES;
  for (let i = 0; i < samples.length; i++) {
    samples[i] = view.getInt16(offset, true) * (i % CHANNELS_PER_SAMPLE < 3 ? accScale : gyrScale);
    offset += 2;
  }
  return {
    ok: true,
    format: 'binary',
    frame: { sensor, seq: view.getUint32(4, true), t0Us, periodUs, count, samples },
  };
}
