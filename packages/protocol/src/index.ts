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
export { decodeImu, decodeStatus, MAX_STATUS_PAYLOAD_BYTES } from './decode.ts';
export { encodeJsonImu, imuFrameToJson } from './encode.ts';
export { TimeUs, SensorIdSchema, SideSchema, type Side } from './schemas/common.ts';
export { ImuJsonSchema, type ImuJson } from './schemas/imu.ts';
export * from './schemas/status.ts';
export * from './schemas/stride.ts';
export * from './schemas/alert.ts';
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
export * from './schemas/rep.ts';
