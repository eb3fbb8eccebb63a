import { z } from 'zod';
import { SideSchema, TimeUs } from './common.ts';

/**
 * Why a stance has no angle: the sensor is not worn (`no_sensor`), its
 * units are wrong (`units_suspect`), the stance's end is unknown
 * (`stance_end_unknown`), its samples have a gap (`data_gap`, lost packets),
 * the attitude was settling (`attitude_settling`: start-up, after a long
 * gap), the sensor had gone silent (`sensor_silent`), the stance is older
 * than the history kept (`history`), or the sensor's turn on the body about
 * the vertical was not yet known from the motion (`mounting_unknown`: the
 * first seconds of a session; an angle in an unknown frame mixes the
 * segment's forward lean into it), or — the knee proxy only — the shank
 * has not stood still since its sensor started (`no_standing`: the proxy is
 * measured from standing, and a running shank's mean direction is ~30° off
 * its standing axis; on real running it put the proxy 6–7° too medial).
 */
export const ANGLE_NULL_REASONS = ['no_sensor', 'units_suspect', 'stance_end_unknown', 'data_gap', 'attitude_settling', 'sensor_silent', 'history', 'mounting_unknown', 'no_standing'] as const;
export type AngleNullReason = (typeof ANGLE_NULL_REASONS)[number];

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
  /** Why pelvicDropDeg is null, when it is (optional extra). */
  pelvicDropReason: z.enum(ANGLE_NULL_REASONS).optional(),
  /** Why shankFrontalDeg is null, when it is (optional extra). */
  shankFrontalReason: z.enum(ANGLE_NULL_REASONS).optional(),
});
export type StrideMetrics = z.infer<typeof StrideMetricsSchema>;

/** The `live` topic payload: one stride of one session. */
export const LiveStrideSchema = StrideMetricsSchema.extend({
  athleteId: z.string(),
  sessionId: z.string(),
});
export type LiveStride = z.infer<typeof LiveStrideSchema>;
