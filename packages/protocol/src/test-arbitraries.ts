// fast-check generators shared by this package's property tests (not exported from index.ts).
import fc from 'fast-check';
import type { ImuFrame } from './frame/imu-frame.ts';
import { MAX_PERIOD_US, MAX_SAMPLES_PER_MESSAGE, MAX_SEQ, MAX_T_US, MIN_PERIOD_US, MIN_T_US } from './limits.ts';
import { SENSOR_IDS } from './sensors.ts';
import { CHANNELS_PER_SAMPLE } from './units.ts';

/** Accelerations within ±16 g and rates within ±2000 °/s: what a device's full scale holds. */
const acc = fc.double({ min: -156, max: 156, noNaN: true, noDefaultInfinity: true });
const gyr = fc.double({ min: -34.9, max: 34.9, noNaN: true, noDefaultInfinity: true });

export const arbSample = fc.tuple(acc, acc, acc, gyr, gyr, gyr);

export const arbImuFrame: fc.Arbitrary<ImuFrame> = fc
  .record({
    sensor: fc.constantFrom(...SENSOR_IDS),
    seq: fc.integer({ min: 0, max: MAX_SEQ }),
    t0Us: fc.integer({ min: MIN_T_US, max: MAX_T_US }),
    periodUs: fc.integer({ min: MIN_PERIOD_US, max: MAX_PERIOD_US }),
    rows: fc.array(arbSample, { minLength: 1, maxLength: Math.min(MAX_SAMPLES_PER_MESSAGE, 64) }),
  })
  .map(({ rows, ...rest }) => {
    const samples = new Float64Array(rows.length * CHANNELS_PER_SAMPLE);
    // `+ 0` turns -0 into 0: JSON has no negative zero, and nothing physical depends on it.
    rows.forEach((row, i) => samples.set(row.map((v) => v + 0), i * CHANNELS_PER_SAMPLE));
    return { ...rest, count: rows.length, samples };
  });
