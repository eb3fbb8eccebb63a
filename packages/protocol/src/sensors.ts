/**
 * Sensor locations of DESIGN.md. The index of each name is its code in the
 * binary frame, so the order is part of the wire format: append, never reorder.
 */
export const SENSOR_IDS = ['pelvis', 'shank_left', 'shank_right'] as const;

export type SensorId = (typeof SENSOR_IDS)[number];

export function isSensorId(value: unknown): value is SensorId {
  return typeof value === 'string' && (SENSOR_IDS as readonly string[]).includes(value);
}

/** Wire code of a sensor (binary frame byte 2). */
export function sensorCode(sensor: SensorId): number {
  return SENSOR_IDS.indexOf(sensor);
}

/** Sensor for a wire code, or undefined for a code this version does not know. */
export function sensorFromCode(code: number): SensorId | undefined {
  return SENSOR_IDS[code];
}
