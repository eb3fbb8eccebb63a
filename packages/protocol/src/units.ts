/** Standard gravity (ISO 80000-3), m/s². Accelerometers read +1 g upward when still. */
export const STANDARD_GRAVITY_MPS2 = 9.80665;

export const US_PER_S = 1_000_000;
export const US_PER_MS = 1_000;

export const DEG_PER_RAD = 180 / Math.PI;
export const RAD_PER_DEG = Math.PI / 180;

/** Values per IMU sample: ax, ay, az (m/s²), gx, gy, gz (rad/s), in that order. */
export const CHANNELS_PER_SAMPLE = 6;
