import { z } from 'zod';
import { SensorIdSchema, TimeUs } from './common.ts';

/** Optional facts about the runner that the analysis may use (never required). */
export const RunnerProfileSchema = z
  .object({
    heightM: z.number().min(1).max(2.5).optional(),
    massKg: z.number().min(25).max(250).optional(),
    legLengthM: z.number().min(0.5).max(1.4).optional(),
    /** Athlete's absolute pelvic-drop limit for `pelvic_drop_high`, degrees. */
    pelvicDropLimitDeg: z.number().min(1).max(20).optional(),
    /** Usual easy-run pace, m/s. */
    usualSpeedMps: z.number().min(0.5).max(10).optional(),
  })
  .strict();
export type RunnerProfile = z.infer<typeof RunnerProfileSchema>;

export const StatusStartSchema = z.object({
  state: z.literal('start'),
  tUs: TimeUs,
  sensors: z
    .array(SensorIdSchema)
    .min(1)
    .refine((s) => new Set(s).size === s.length, 'sensors must not repeat'),
  sampleRateHz: z.number().min(50).max(1000),
  firmware: z.string().min(1).max(64),
  format: z.enum(['json', 'binary']).optional(),
  runnerProfile: RunnerProfileSchema.optional(),
  /** What the session is (DESIGN.md): a run (the default when absent) or a movement screen (single-leg squat, step-down). */
  activity: z.enum(['run', 'screen']).optional(),
});

export const StatusStopSchema = z.object({
  state: z.literal('stop'),
  tUs: TimeUs,
  reason: z.string().max(200).optional(),
  /** The phone's GPS distance for the session, metres (DESIGN.md: optional). */
  distanceM: z.number().nonnegative().max(1_000_000).optional(),
});

/** The relay's MQTT last will: the broker publishes it when the phone vanishes, so it carries no time. */
export const StatusLostSchema = z.object({
  state: z.literal('lost'),
  tUs: TimeUs.optional(),
});

export const StatusSchema = z.discriminatedUnion('state', [StatusStartSchema, StatusStopSchema, StatusLostSchema]);
export type Status = z.infer<typeof StatusSchema>;
export type StatusStart = z.infer<typeof StatusStartSchema>;
export type StatusStop = z.infer<typeof StatusStopSchema>;
export type StatusLost = z.infer<typeof StatusLostSchema>;
