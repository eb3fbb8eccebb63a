import { z } from 'zod';
import { SideSchema, TimeUs } from './common.ts';

/** `load_ramp`: raised across sessions (training load grew past the athlete's limit), not by the per-session analysis: @gaitwatch/coaching. */
export const ALERT_TYPES = ['pelvic_drop_high', 'form_breakdown', 'data_quality', 'load_ramp'] as const;
export const AlertTypeSchema = z.enum(ALERT_TYPES);
export type AlertType = z.infer<typeof AlertTypeSchema>;

export const AlertSeveritySchema = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.infer<typeof AlertSeveritySchema>;

/**
 * An alert, published on `alerts` (QoS 1) for the phone's cue and stored.
 * One episode gives one `raised` alert and later one `resolved` alert with the same `episodeId`.
 */
export const AlertSchema = z.object({
  type: AlertTypeSchema,
  severity: AlertSeveritySchema,
  athleteId: z.string(),
  sessionId: z.string(),
  tUs: TimeUs,
  /** Metric name as in the stride payload (`pelvicDropDeg`, `cadenceSpm`, …) or a data-quality signal. */
  metric: z.string(),
  value: z.number().nullable(),
  /** The runner's fresh-legs baseline or the absolute limit the value was held against. */
  baseline: z.number().nullable(),
  message: z.string(),
  phase: z.enum(['raised', 'resolved']).default('raised'),
  episodeId: z.string().optional(),
  side: SideSchema.optional(),
  sensor: z.string().optional(),
});
export type Alert = z.infer<typeof AlertSchema>;
