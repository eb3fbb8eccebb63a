export { SessionAnalyzer, type AlertEvent, type AnalysisEvent, type StrideEvent, type SummaryEvent } from './analyzer.ts';
export { SensorQualityMonitor, type QualityEvent, type DataQualityParams } from './quality/data-quality.ts';
export { DEFAULT_PARAMS, PARAM_DOCS, parameterKeys, type AnalyzerParams } from './params.ts';
export { StandingCalibrator, type Calibration, type StandingCalibratorParams } from './calibration/standing-calibrator.ts';
export { PelvisEventDetector, type PelvisContact, type PelvisEventParams } from './events/pelvis-events.ts';
export { ShankEventDetector, type ShankStance, type ShankEventParams } from './events/shank-events.ts';
export { designLowPass, tapsForSpan, FirFilter } from './signal/fir-lowpass.ts';
export { RecordRing } from './signal/ring.ts';
export { analyzeRecording } from './analyze-recording.ts';
