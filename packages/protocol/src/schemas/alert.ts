import { z } from 'zod';
import { SideSchema, TimeUs } from './common.ts';

/** `load_ramp`: raised across sessions (training load grew past the athlete's limit), not by the per-session analysis: @gaitwatch/coaching. */
export const ALERT_TYPES = ['pelvic_drop_high', 'form_breakdown', 'data_quality', 'load_ramp'] as const;
export const AlertTypeSchema = z.enum(ALERT_TYPES);
export type AlertType = z.infer<typeof AlertTypeSchema>;

/**
 * Why a `data_quality` alert was raised (DESIGN.md's list). Its `metric` carries the same word, as it
 * always has; `reason` is the contract's name for it and the one to switch on.
 */
export const DATA_QUALITY_REASONS = ['sensor_silent', 'sensor_flat', 'packet_loss', 'clipping', 'sensor_moved', 'units_suspect', 'sides_swapped', 'clock'] as const;
export const DataQualityReasonSchema = z.enum(DATA_QUALITY_REASONS);
export type DataQualityReason = z.infer<typeof DataQualityReasonSchema>;

/** The stride metrics a data-quality problem can cost (`affectedMetric`). */
export const AFFECTED_METRICS = ['pelvicDropDeg', 'shankFrontalDeg'] as const;

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
  /** data_quality only: what is wrong (always set by the analysis; alerts stored before 2026-12-04 have only `metric`). */
  reason: DataQualityReasonSchema.optional(),
  /** data_quality `packet_loss` and `sensor_moved`: the stride metric the problem costs or re-references. */
  affectedMetric: z.enum(AFFECTED_METRICS).optional(),
}).refine((a) => a.reason === undefined || a.type === 'data_quality', { message: 'only a data_quality alert has a reason', path: ['reason'] });
export type Alert = z.infer<typeof AlertSchema>;
