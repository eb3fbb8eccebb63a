/**
 * What produced the numbers of an export (issue 12: "every export carries the
 * analysis version and its parameters"), so a researcher can cite it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DEFAULT_PARAMS, parameterKeys } from '@gaitwatch/dsp';
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

export const EXPORT_FORMAT_VERSION = 1;

/** The version of the analysis package deployed with this API (its package.json, found beside its entry point). */
function dspVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve('@gaitwatch/dsp');
    let dir = dirname(entry);
    for (let i = 0; i < 4; i++, dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === '@gaitwatch/dsp' && pkg.version !== undefined) return pkg.version;
      } catch {
        // no package.json at this level: go up
      }
    }
  } catch {
    // not resolvable (bundled): say so rather than guess
  }
  return 'unknown';
}

/** Every analyzer parameter by dotted key with its value (DEFAULT_PARAMS). */
function flatParams(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of parameterKeys(DEFAULT_PARAMS)) {
    out[key] = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], DEFAULT_PARAMS);
  }
  return out;
}

const ANALYSIS = { package: '@gaitwatch/dsp', version: dspVersion(), parameters: flatParams() };

export interface ExportManifest {
  readonly kind: 'manifest';
  readonly exportFormat: number;
  readonly generator: { readonly package: string; readonly version: string };
  /**
   * The analysis and its parameters. `source: 'session'` when the session's
   * summary recorded them at the time; otherwise `'deployment'`: the analysis
   * deployed with this API, which is what produced the session unless it was
   * analysed by another version (the stored strides do not say).
   */
  readonly analysis: { readonly source: 'session' | 'deployment'; readonly package: string; readonly version: string; readonly parameters: Record<string, unknown> };
  readonly athleteId: string;
  readonly sessionId: string;
  readonly session: { readonly startUs: number; readonly endUs: number | null };
  readonly columns: readonly string[];
  readonly units: Record<string, string>;
  readonly exportedAt: string;
}

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
};

export function exportManifest(session: SessionRecord, now: Date = new Date()): ExportManifest {
  const recorded = session.summary['analysis'];
  const fromSession =
    typeof recorded === 'object' && recorded !== null && !Array.isArray(recorded) && typeof recorded['version'] === 'string' && typeof recorded['parameters'] === 'object'
      ? { source: 'session' as const, package: String(recorded['package'] ?? '@gaitwatch/dsp'), version: recorded['version'], parameters: recorded['parameters'] as Record<string, unknown> }
      : undefined;
  return {
    kind: 'manifest',
    exportFormat: EXPORT_FORMAT_VERSION,
    generator: { package: apiPackage.name, version: apiPackage.version },
    analysis: fromSession ?? { source: 'deployment', ...ANALYSIS },
    athleteId: session.athleteId,
    sessionId: session.sessionId,
    session: { startUs: session.startUs, endUs: session.endUs },
    columns: STRIDE_COLUMNS,
    units: UNITS,
    exportedAt: now.toISOString(),
  };
}
