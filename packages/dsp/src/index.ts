// The package's public API: what services, the CLI, the bench, the tests and
// the simulators import (checked with grep across the repo). The detectors,
// trackers and filters behind it are internal: import them by path inside
// this package, not through here.
export { SessionAnalyzer, type AnalyzerOptions } from './analyzer.ts';
export { analyzeRecording, parseRecordingInto, recordingSink, type ParseCounts, type RecordingAnalysis, type RecordingSink } from './analyze-recording.ts';
export type { AlertEvent, AnalysisEvent, StrideEvent, SummaryEvent, SummaryMounting } from './analysis-events.ts';
export { DEFAULT_PARAMS, PARAM_DOCS, parameterKeys, parameterTable, validateParams, type AnalyzerParams, type DeepPartial } from './params.ts';
export { describeAnalysis, type AnalysisDescription } from './describe.ts';
export { typedArrayFootprint, type Footprint } from './session/footprint.ts';
export { ScreenAnalyzer, type ScreenAnalyzerOptions } from './screen/screen-analyzer.ts';
export { DEFAULT_SCREEN_PARAMS, SCREEN_PARAM_DOCS, validateScreenParams, type ScreenParams } from './screen/screen-params.ts';
export type { RepEvent, ScreenEvent, ScreenSummaryEvent, ScreenSideSummary, ScreenSensorSummary, SpreadStat } from './screen/screen-events.ts';
export type { ScreenSnapshot } from './screen/screen-snapshot.ts';
export type { Activity, RecordingOptions } from './analyze-recording.ts';
