// The package's public API: what services, the CLI, the bench, the tests and
// the simulators import (checked with grep across the repo). The detectors,
// trackers and filters behind it are internal: import them by path inside
// this package, not through here.
export { SessionAnalyzer, type AnalyzerOptions, type DeepPartial } from './analyzer.ts';
export { analyzeRecording } from './analyze-recording.ts';
export type { AlertEvent, AnalysisEvent, StrideEvent, SummaryEvent, SummaryMounting } from './analysis-events.ts';
export { DEFAULT_PARAMS, PARAM_DOCS, parameterKeys, parameterTable, validateParams, type AnalyzerParams } from './params.ts';
export { describeAnalysis, type AnalysisDescription } from './describe.ts';
export { typedArrayFootprint, type Footprint } from './session/footprint.ts';
