/**
 * Bounds that every IMU message must respect. They protect the ingest service
 * (memory, CPU) from a broken or hostile publisher; a real phone relay sends
 * 10–20 samples per sensor per message, far inside them.
 */

/** Largest accepted MQTT payload for an IMU message, bytes. */
export const MAX_IMU_PAYLOAD_BYTES = 64 * 1024;

/** Most samples in one IMU message (0.5 s at 1 kHz, 5 s at 100 Hz). */
export const MAX_SAMPLES_PER_MESSAGE = 500;

/** Sample period bounds, µs: 1 kHz down to 50 Hz. */
export const MIN_PERIOD_US = 1_000;
export const MAX_PERIOD_US = 20_000;

/**
 * Plausible absolute time window for `t0Us`, µs since the Unix epoch
 * (2015-01-01 to 2100-01-01). A device that has not synced its clock reports
 * 1970 or a counter from boot; that is rejected as `bad_time` rather than
 * stored fifty years in the past.
 */
export const MIN_T_US = 1_420_070_400_000_000;
export const MAX_T_US = 4_102_444_800_000_000;

/** Largest sequence number (the binary frame carries it as uint32). */
export const MAX_SEQ = 0xffff_ffff;

/** Largest magnitude accepted for any sample value (m/s² or rad/s): ~100 g, ~5700 °/s. */
export const MAX_ABS_SAMPLE_VALUE = 1_000;
