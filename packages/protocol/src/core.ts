/**
 * The protocol without its zod schemas: units, sensors, limits, topics, the
 * binary frame codec and the recording CSV reader, plus the message types
 * (types only: erased at run time). For code that never validates a message
 * with zod — the analysis (`@gaitwatch/dsp`) and `gaitwatch analyze`. The
 * package's main entry also builds every schema at import, which loads zod
 * (95 of the 172 modules a CLI start loaded, 0.2–0.4 s under tsx on a busy
 * box: bench/FINDINGS.md, figure 2).
 *
 *   import { RecordingParser, SENSOR_IDS } from '@gaitwatch/protocol/core';
 *
 * Everything here is also exported, as the very same binding, by the main
 * entry (core.test.ts checks both that and that no zod module loads).
 */
export * from './units.ts';
export * from './sensors.ts';
export * from './limits.ts';
export * from './rejection.ts';
export * from './topics.ts';
export type { ImuFrame, ImuFormat, DecodedImu } from './frame/imu-frame.ts';
export {
  BINARY_MAGIC,
  BINARY_VERSION,
  BINARY_HEADER_BYTES,
  BINARY_BYTES_PER_SAMPLE,
  DEFAULT_ACC_SCALE_MPS2_PER_LSB,
  DEFAULT_GYR_SCALE_RADPS_PER_LSB,
  encodeBinaryImu,
  decodeBinaryImu,
  type BinaryScales,
  type EncodeBinaryOptions,
} from './frame/binary.ts';
export { encodeJsonImu, imuFrameToJson } from './encode.ts';
export type { Side } from './schemas/common.ts';
export type { ImuJson } from './schemas/imu.ts';
export type { Status, StatusStart, StatusStop, StatusLost, RunnerProfile } from './schemas/status.ts';
export type { AngleNullReason, StrideMetrics, LiveStride } from './schemas/stride.ts';
export type { Alert, AlertType, AlertSeverity, DataQualityReason } from './schemas/alert.ts';
export type { RepMetrics, LiveRep, PelvicDropVerdict } from './schemas/rep.ts';
export {
  RecordingParser,
  RecordingFormatError,
  parseTruthCsv,
  RECORDING_HEADER,
  TRUTH_HEADER,
  RECORDING_ERROR_REASONS,
  RECORDING_ERROR_LABELS,
  DEFAULT_RECORDING_PARSER_OPTIONS,
  type RecordingErrorReason,
  type RecordingParserOptions,
  type RecordingRow,
  type RecordingRowError,
  type TruthRow,
} from './recording.ts';
