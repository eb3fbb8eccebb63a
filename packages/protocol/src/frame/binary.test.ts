import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeImu } from '../decode.ts';
import { REJECTION_REASONS, type RejectionReason } from '../rejection.ts';
import { arbImuFrame } from '../test-arbitraries.ts';
import {
  BINARY_HEADER_BYTES,
  BINARY_MAGIC,
  DEFAULT_ACC_SCALE_MPS2_PER_LSB,
  DEFAULT_GYR_SCALE_RADPS_PER_LSB,
  decodeBinaryImu,
  encodeBinaryImu,
} from './binary.ts';
import type { ImuFrame } from './imu-frame.ts';
import { MAX_T_US, MIN_T_US } from '../limits.ts';

const T0 = 1_764_000_000_000_000;

function frame(overrides: Partial<ImuFrame> = {}): ImuFrame {
  return {
    sensor: 'shank_left',
    seq: 7,
    t0Us: T0,
    periodUs: 5000,
    count: 2,
    samples: Float64Array.from([0.1, -9.81, 0.2, 1.5, -0.25, 0.01, 0.3, -9.7, 0.1, 1.4, -0.2, 0.02]),
    ...overrides,
  };
}

function decoded(bytes: Uint8Array): ImuFrame {
  const result = decodeImu(bytes);
  if (!result.ok) throw new Error(`expected a frame, got ${result.reason}: ${result.detail}`);
  expect(result.format).toBe('binary');
  return result.frame;
}

/** The error bound the README states: half an LSB of the frame's scale. */
function expectWithinHalfLsb(actual: Float64Array, expected: Float64Array, accScale: number, gyrScale: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const halfLsb = (i % 6 < 3 ? accScale : gyrScale) / 2;
    // 1e-9 relative slack for the double product int16 × float32 scale.
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(halfLsb * (1 + 1e-9));
  }
}

describe('binary IMU frame v1', () => {
  it('lays out the header byte by byte as the README documents', () => {
    const bytes = encodeBinaryImu(frame());
    const view = new DataView(bytes.buffer);
    expect(bytes.length).toBe(BINARY_HEADER_BYTES + 2 * 12);
    expect(view.getUint8(0)).toBe(0xa7);
    expect(view.getUint8(1)).toBe(1);
    expect(view.getUint8(2)).toBe(1); // shank_left
    expect(view.getUint8(3)).toBe(0);
    expect(view.getUint32(4, true)).toBe(7);
    expect(view.getBigInt64(8, true)).toBe(BigInt(T0));
    expect(view.getUint32(16, true)).toBe(5000);
    expect(view.getUint16(20, true)).toBe(2);
    expect(view.getFloat32(24, true)).toBe(DEFAULT_ACC_SCALE_MPS2_PER_LSB);
    expect(view.getFloat32(28, true)).toBe(DEFAULT_GYR_SCALE_RADPS_PER_LSB);
    expect(view.getInt16(32, true)).toBe(Math.round(0.1 / DEFAULT_ACC_SCALE_MPS2_PER_LSB));
    expect(view.getInt16(32 + 6, true)).toBe(Math.round(1.5 / DEFAULT_GYR_SCALE_RADPS_PER_LSB));
  });

  it('round-trips every valid frame within half an LSB (device scales)', () => {
    fc.assert(
      fc.property(arbImuFrame, (f) => {
        const back = decoded(encodeBinaryImu(f));
        expect({ ...back, samples: null }).toEqual({ ...f, samples: null });
        expectWithinHalfLsb(back.samples, f.samples, DEFAULT_ACC_SCALE_MPS2_PER_LSB, DEFAULT_GYR_SCALE_RADPS_PER_LSB);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips every valid frame within half an LSB of its own auto scale', () => {
    fc.assert(
      fc.property(arbImuFrame, (f) => {
        const bytes = encodeBinaryImu(f, { scales: 'auto' });
        const view = new DataView(bytes.buffer);
        const back = decoded(bytes);
        expectWithinHalfLsb(back.samples, f.samples, view.getFloat32(24, true), view.getFloat32(28, true));
      }),
      { numRuns: 300 },
    );
  });

  it('saturates beyond full scale like the sensor itself would clip', () => {
    const f = frame({ count: 1, samples: Float64Array.from([500, -500, 0, 100, -100, 0]) });
    const back = decoded(encodeBinaryImu(f));
    expect(back.samples[0]).toBeCloseTo(32767 * DEFAULT_ACC_SCALE_MPS2_PER_LSB, 6);
    expect(back.samples[1]).toBeCloseTo(-32767 * DEFAULT_ACC_SCALE_MPS2_PER_LSB, 6);
    expect(back.samples[3]).toBeCloseTo(32767 * DEFAULT_GYR_SCALE_RADPS_PER_LSB, 6);
  });

  it('refuses to encode what the decoder would reject', () => {
    expect(() => encodeBinaryImu(frame({ count: 0, samples: new Float64Array(0) }))).toThrow(RangeError);
    expect(() => encodeBinaryImu(frame({ count: 3 }))).toThrow(/count × 6/);
    expect(() => encodeBinaryImu(frame({ seq: -1 }))).toThrow(/seq/);
  });

  it.each<[RejectionReason, (bytes: Uint8Array) => void]>([
    ['bad_version', (b: Uint8Array) => void (b[1] = 2)],
    ['unknown_sensor', (b: Uint8Array) => void (b[2] = 9)],
    ['bad_frame', (b: Uint8Array) => void (b[3] = 1)],
    ['too_many_samples', (b: Uint8Array) => new DataView(b.buffer).setUint16(20, 0, true)],
    ['bad_frame', (b: Uint8Array) => new DataView(b.buffer).setUint16(20, 3, true)],
    ['bad_time', (b: Uint8Array) => new DataView(b.buffer).setBigInt64(8, 0n, true)],
    ['bad_time', (b: Uint8Array) => new DataView(b.buffer).setBigInt64(8, -1n, true)],
    ['bad_time', (b: Uint8Array) => new DataView(b.buffer).setBigInt64(8, BigInt(MAX_T_US) + 1n, true)],
    ['bad_time', (b: Uint8Array) => new DataView(b.buffer).setBigInt64(8, 2n ** 62n + BigInt(MIN_T_US), true)],
    ['bad_time', (b: Uint8Array) => new DataView(b.buffer).setBigInt64(8, -(2n ** 62n) + BigInt(MIN_T_US), true)],
    ['bad_time', (b: Uint8Array) => new DataView(b.buffer).setUint32(16, 10, true)],
    ['non_finite', (b: Uint8Array) => new DataView(b.buffer).setFloat32(24, Number.NaN, true)],
    ['non_finite', (b: Uint8Array) => new DataView(b.buffer).setFloat32(28, -1, true)],
  ])('rejects a frame with a corrupted header as %s', (reason, corrupt) => {
    const bytes = encodeBinaryImu(frame());
    corrupt(bytes);
    const result = decodeImu(bytes);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.detail.length).toBeGreaterThan(10);
    }
  });

  it('reads t0 exactly at both ends of its range (int64 read as two 32-bit halves)', () => {
    for (const t0Us of [MIN_T_US, MIN_T_US + 1, MAX_T_US - 1, MAX_T_US, 1_767_225_600_123_457]) {
      expect(decodeBinaryImu(encodeBinaryImu(frame({ t0Us })))).toMatchObject({ ok: true, frame: { t0Us } });
    }
  });

  it('rejects truncated and extended frames by their length', () => {
    const bytes = encodeBinaryImu(frame());
    for (const cut of [1, 10, BINARY_HEADER_BYTES - 1, bytes.length - 1]) {
      expect(decodeBinaryImu(bytes.subarray(0, cut))).toMatchObject({ ok: false, reason: 'bad_frame' });
    }
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    expect(decodeImu(longer)).toMatchObject({ ok: false, reason: 'bad_frame' });
  });

  it('decodes a frame that sits at an odd offset inside a larger buffer (as MQTT hands it over)', () => {
    const bytes = encodeBinaryImu(frame());
    const pool = new Uint8Array(bytes.length + 3);
    pool.set(bytes, 3);
    expect(decoded(pool.subarray(3)).seq).toBe(7);
  });

  it('never throws on random bytes behind the magic byte, and every rejection has a known reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), (tail) => {
        const bytes = new Uint8Array(tail.length + 1);
        bytes[0] = BINARY_MAGIC;
        bytes.set(tail, 1);
        const result = decodeImu(bytes);
        if (result.ok) {
          expect(result.frame.samples.every(Number.isFinite)).toBe(true);
        } else {
          expect(REJECTION_REASONS).toContain(result.reason);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
