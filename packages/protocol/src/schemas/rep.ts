import { z } from 'zod';
import { SideSchema, TimeUs } from './common.ts';
import { ANGLE_NULL_REASONS } from './stride.ts';

/** What a rep's pelvic drop says against the athlete's threshold: hips held `level`, or the free side `dropping`. */
export const PELVIC_DROP_VERDICTS = ['level', 'dropping'] as const;
export type PelvicDropVerdict = (typeof PELVIC_DROP_VERDICTS)[number];

/**
 * One rep of a movement screen (single-leg squat, lateral step-down), as
 * `gaitwatch analyze` prints it (wrapped with `kind: "rep"`) and as storage
 * keeps it (measurement `rep`, time = startUs). `side` is the STANDING leg;
 * `set` and `rep` count from 1 (`rep` within its set). Angles are DESIGN.md's:
 * `pelvicDropDeg` the peak contralateral drop (positive = the free side below
 * level), `shankFrontalDeg` the knee-collapse proxy's peak, `depthDeg` the
 * shank pitch at the bottom. A `null` angle is "not measured" (the `…Reason`
 * says why), never 0.
 */
const RepFieldsSchema = z.object({
  side: SideSchema,
  set: z.number().int().min(1),
  rep: z.number().int().min(1),
  startUs: TimeUs,
  bottomUs: TimeUs,
  endUs: TimeUs,
  durationS: z.number().positive(),
  pelvicDropDeg: z.number().nullable(),
  shankFrontalDeg: z.number().nullable(),
  depthDeg: z.number().nullable(),
  pelvicDropVerdict: z.enum(PELVIC_DROP_VERDICTS).nullable(),
  /** Why pelvicDropDeg is null, when it is (optional extra). */
  pelvicDropReason: z.enum(ANGLE_NULL_REASONS).optional(),
  /** Why shankFrontalDeg is null, when it is (optional extra). */
  shankFrontalReason: z.enum(ANGLE_NULL_REASONS).optional(),
});

/** A rep runs forward in time: start, then bottom, then end, and it lasts. */
const runsForward = (r: { startUs: number; bottomUs: number; endUs: number }): boolean => r.startUs <= r.bottomUs && r.bottomUs <= r.endUs && r.startUs < r.endUs;
const RUNS_FORWARD = { message: 'a rep must run forward: startUs ≤ bottomUs ≤ endUs, and startUs < endUs', path: ['endUs'] };

export const RepMetricsSchema = RepFieldsSchema.refine(runsForward, RUNS_FORWARD);
export type RepMetrics = z.infer<typeof RepMetricsSchema>;

/**
 * The `live` topic payload of a screen session: one rep, told apart from a
 * stride (which has no `kind`) by `kind: "rep"`.
 */
export const LiveRepSchema = RepFieldsSchema.extend({
  kind: z.literal('rep'),
  athleteId: z.string(),
  sessionId: z.string(),
}).refine(runsForward, RUNS_FORWARD);
export type LiveRep = z.infer<typeof LiveRepSchema>;
