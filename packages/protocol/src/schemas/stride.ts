import { z } from 'zod';
import { SideSchema, TimeUs } from './common.ts';

/**
 * Metrics of one stance (IC to TO of `side`), as published on `live` and
 * printed by `gaitwatch analyze` (there wrapped with `kind: "stride"`).
 * A metric the sensor set cannot give (pelvic drop without a pelvis sensor,
 * toe-off in pelvis-only mode) is `null`, never a made-up number.
 */
export const StrideMetricsSchema = z.object({
  side: SideSchema,
  icUs: TimeUs,
  toUs: TimeUs.nullable(),
  strideTimeS: z.number().positive().nullable(),
  gctS: z.number().positive().nullable(),
  cadenceSpm: z.number().positive().nullable(),
  pelvicDropDeg: z.number().nullable(),
  shankFrontalDeg: z.number().nullable(),
  /** Peak-to-peak vertical excursion of the pelvis over the stride, cm (optional extra: needs the pelvis sensor). */
  verticalOscillationCm: z.number().nonnegative().nullable().optional(),
  /** Forward speed the pelvis loses after the contact, m/s (optional extra: needs the pelvis sensor). */
  brakingMps: z.number().nonnegative().nullable().optional(),
});
export type StrideMetrics = z.infer<typeof StrideMetricsSchema>;

/** The `live` topic payload: one stride of one session. */
export const LiveStrideSchema = StrideMetricsSchema.extend({
  athleteId: z.string(),
  sessionId: z.string(),
});
export type LiveStride = z.infer<typeof LiveStrideSchema>;
