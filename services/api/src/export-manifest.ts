/**
 * What produced the numbers of an export (issue 12: "every export carries the
 * analysis version and its parameters"), so a researcher can cite it.
 */
import { describeAnalysis } from '@gaitwatch/dsp';
import { ANGLE_NULL_REASONS } from '@gaitwatch/protocol';
import type { SessionRecord } from '@gaitwatch/storage';
import apiPackage from '../package.json' with { type: 'json' };

/** The stride columns of an export, in order: DESIGN.md's names, each carrying its unit (Us µs, S s, Spm steps/min, Deg °, Cm, Mps m/s). */
export const STRIDE_COLUMNS = [
  'side',
  'icUs',
  'toUs',
  'strideTimeS',
  'gctS',
  'cadenceSpm',
  'pelvicDropDeg',
  'shankFrontalDeg',
  'verticalOscillationCm',
  'brakingMps',
  'pelvicDropReason',
  'shankFrontalReason',
] as const;

/** The rep columns of a movement-screen export, in order (`side` is the standing leg; issue 17). */
export const REP_COLUMNS = [
  'side',
  'set',
  'rep',
  'startUs',
  'bottomUs',
  'endUs',
  'durationS',
  'pelvicDropDeg',
  'shankFrontalDeg',
  'depthDeg',
  'pelvicDropVerdict',
  'pelvicDropReason',
  'shankFrontalReason',
] as const;

export const EXPORT_FORMAT_VERSION = 1;

/** The analysis deployed with this API: what produced a session whose summary does not say (sessions before ingest recorded it). */
const ANALYSIS = describeAnalysis();

/**
 * A demo session of `gaitwatch start` (src/start/demo-history.ts, summary `source: "demo-history"`): made from the
 * runner simulator's session plans, never analysed, so naming the deployed DSP would claim numbers it never
 * produced. The simulator's version is not stored with the session.
 */
const DEMO_HISTORY = {
  source: 'demo-history',
  package: '@gaitwatch/runner-sim',
  version: 'unrecorded',
  parameters: {},
  note: 'simulated demo session written by `gaitwatch start`: the records are the runner simulator’s modelled stances (side, times, modelled pelvic drop), not @gaitwatch/dsp output from IMU samples; not measurements',
} as const;

export interface ExportManifest {
  readonly kind: 'manifest';
  readonly exportFormat: number;
  readonly generator: { readonly package: string; readonly version: string };
  /**
   * The analysis and its parameters. `source: 'session'` when the session's
   * summary recorded them at the time; `'demo-history'` for a session
   * `gaitwatch start` made up for its demo (no analysis ran: `note` says what
   * the numbers are); otherwise `'deployment'`: the analysis deployed with
   * this API, which is what produced the session unless it was analysed by
   * another version (the stored strides do not say).
   */
  readonly analysis: {
    readonly source: 'session' | 'deployment' | 'demo-history';
    readonly package: string;
    readonly version: string;
    readonly parameters: Record<string, unknown>;
    readonly pelvicDropLimitDeg?: number;
    readonly note?: string;
  };
  /** The athlete id, or its pseudonym (`anon-…`) in a researcher's export (`athletePseudonymised` true). */
  readonly athleteId: string;
  readonly athletePseudonymised: boolean;
  readonly sessionId: string;
  readonly session: { readonly startUs: number; readonly endUs: number | null };
  /**
   * Whether the session had ended when this was exported (its endUs is set).
   * False: it was still running, and strides analysed after `exportedAt` are
   * not in this file — `incomplete` says so in words.
   */
  readonly complete: boolean;
  readonly incomplete?: string;
  readonly columns: readonly string[];
  readonly units: Record<string, string>;
  readonly exportedAt: string;
}

/** What an empty angle's reason column holds: the analysis's reasons (protocol ANGLE_NULL_REASONS). */
const REASONS = `why the angle is empty: ${ANGLE_NULL_REASONS.join(' | ')} (packages/dsp README: Data-quality alerts)`;

const UNITS: Record<string, string> = {
  icUs: 'µs since the Unix epoch (initial contact)',
  toUs: 'µs since the Unix epoch (toe-off)',
  strideTimeS: 's',
  gctS: 's',
  cadenceSpm: 'steps/min',
  pelvicDropDeg: '° (contralateral pelvic drop, positive = swing-side hip below neutral)',
  shankFrontalDeg: '° (knee-collapse proxy, positive = knee leans inward)',
  verticalOscillationCm: 'cm',
  brakingMps: 'm/s',
  pelvicDropReason: REASONS,
  shankFrontalReason: REASONS,
};

const REP_UNITS: Record<string, string> = {
  side: 'the standing leg',
  set: 'count from 1',
  rep: 'count from 1 within its set',
  startUs: 'µs since the Unix epoch (rep start)',
  bottomUs: 'µs since the Unix epoch (lowest point)',
  endUs: 'µs since the Unix epoch (rep end)',
  durationS: 's',
  pelvicDropDeg: '° (peak contralateral pelvic drop, positive = free-side hip below neutral)',
  shankFrontalDeg: '° (knee-collapse proxy peak, positive = knee leans inward)',
  depthDeg: '° (shank pitch at the bottom)',
  pelvicDropVerdict: 'level | dropping (against the athlete’s threshold)',
  pelvicDropReason: REASONS,
  shankFrontalReason: REASONS,
};

/** What an export holds: a session's strides (a run) or its reps (a movement screen). */
export type ExportOf = 'strides' | 'reps';

/** `pseudonym`: the name to give the athlete instead of its id (a researcher's export). */
export function exportManifest(session: SessionRecord, now: Date = new Date(), pseudonym?: string, of: ExportOf = 'strides'): ExportManifest {
  const recorded = session.summary['analysis'];
  const fromSession =
    typeof recorded === 'object' && recorded !== null && !Array.isArray(recorded) && typeof recorded['version'] === 'string' && typeof recorded['parameters'] === 'object'
      ? {
          source: 'session' as const,
          package: String(recorded['package'] ?? '@gaitwatch/dsp'),
          version: recorded['version'],
          parameters: recorded['parameters'] as Record<string, unknown>,
          ...(typeof recorded['pelvicDropLimitDeg'] === 'number' ? { pelvicDropLimitDeg: recorded['pelvicDropLimitDeg'] } : {}),
        }
      : undefined;
  return {
    kind: 'manifest',
    exportFormat: EXPORT_FORMAT_VERSION,
    generator: { package: apiPackage.name, version: apiPackage.version },
    analysis: session.summary['source'] === 'demo-history' ? DEMO_HISTORY : (fromSession ?? { source: 'deployment', ...ANALYSIS }),
    athleteId: pseudonym ?? session.athleteId,
    athletePseudonymised: pseudonym !== undefined,
    sessionId: session.sessionId,
    session: { startUs: session.startUs, endUs: session.endUs },
    complete: session.endUs !== null,
    ...(session.endUs === null ? { incomplete: `the session was still running at ${now.toISOString()}: what it analysed later is not in this file; export it again once it has ended` } : {}),
    columns: of === 'reps' ? REP_COLUMNS : STRIDE_COLUMNS,
    units: of === 'reps' ? REP_UNITS : UNITS,
    exportedAt: now.toISOString(),
  };
}
