import { z } from 'zod';
import { MAX_PERIOD_US, MAX_SAMPLES_PER_MESSAGE, MAX_SEQ, MIN_PERIOD_US } from '../limits.ts';
import { SensorIdSchema, TimeUs } from './common.ts';

/**
 * IMU message, JSON form: `{sensor, seq, t0Us, periodUs, samples: [[ax,ay,az,gx,gy,gz], …]}`.
 * Accelerations in m/s² (gravity included), angular rates in rad/s, sensor frame.
 */
export const ImuJsonSchema = z.object({
  sensor: SensorIdSchema,
  seq: z.number().int().min(0).max(MAX_SEQ),
  t0Us: TimeUs,
  periodUs: z.number().int().min(MIN_PERIOD_US).max(MAX_PERIOD_US),
  samples: z.array(z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()])).min(1).max(MAX_SAMPLES_PER_MESSAGE),
});
export type ImuJson = z.infer<typeof ImuJsonSchema>;

/**
 * The envelope the decoder checks with zod; the samples are checked and
 * copied into a Float64Array by one hand-written loop (decode.ts), because
 * that copy has to happen anyway and a per-value zod check would dominate
 * ingest CPU at fleet rates.
 */
export const ImuEnvelopeSchema = ImuJsonSchema.extend({ samples: z.array(z.unknown()) });
