import dspPackage from '../package.json' with { type: 'json' };
import { DEFAULT_PARAMS, parameterKeys, type AnalyzerParams } from './params.ts';

/**
 * What produced a session's numbers, so a stored session or an export can
 * cite it exactly: this package and version, every parameter by dotted key,
 * and the per-session options that change results.
 */
export interface AnalysisDescription {
  readonly package: string;
  readonly version: string;
  readonly parameters: Record<string, unknown>;
  /** The athlete's absolute pelvic-drop limit when it differs from `form.pelvicDropLimitDeg`. */
  readonly pelvicDropLimitDeg?: number;
}

export function describeAnalysis(params: AnalyzerParams = DEFAULT_PARAMS, options: { pelvicDropLimitDeg?: number | undefined } = {}): AnalysisDescription {
  const parameters: Record<string, unknown> = {};
  for (const key of parameterKeys(params)) parameters[key] = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], params);
  return {
    package: dspPackage.name,
    version: dspPackage.version,
    parameters,
    ...(options.pelvicDropLimitDeg !== undefined && options.pelvicDropLimitDeg !== params.form.pelvicDropLimitDeg ? { pelvicDropLimitDeg: options.pelvicDropLimitDeg } : {}),
  };
}
