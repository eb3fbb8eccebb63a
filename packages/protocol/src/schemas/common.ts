import { z } from 'zod';
import { MAX_T_US, MIN_T_US } from '../limits.ts';
import { SENSOR_IDS } from '../sensors.ts';

/** Integer µs since the Unix epoch, inside the plausible window of limits.ts. */
export const TimeUs = z
  .number()
  .int()
  .min(MIN_T_US, 'time before 2015: is the device clock synced?')
  .max(MAX_T_US, 'time after 2100');

export const SensorIdSchema = z.enum(SENSOR_IDS);

export const SideSchema = z.enum(['left', 'right']);
export type Side = z.infer<typeof SideSchema>;
