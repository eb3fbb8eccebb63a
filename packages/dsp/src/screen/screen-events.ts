import type { RepMetrics, SensorId } from '@gaitwatch/protocol/core';

/** One rep, as `gaitwatch analyze` prints it (the live payload adds athleteId and sessionId). */
export type RepEvent = { kind: 'rep' } & RepMetrics;

/** Median and interquartile range of one metric over a side's reps, degrees (null: no rep measured it). */
export interface SpreadStat {
  median: number | null;
  iqr: number | null;
  /** Reps that measured it. */
  n: number;
}

export interface ScreenSideSummary {
  pelvicDropDeg: SpreadStat;
  shankFrontalDeg: SpreadStat;
  depthDeg: SpreadStat;
}

/** Per sensor: input counts, calibration, and the mounting yaw found from the motion (null: the sensor's own axes were used). */
export interface ScreenSensorSummary {
  samples: number;
  rateHz: number | null;
  duplicates: number;
  invalid: number;
  unusableTiming: number;
  gaps: number;
  bridgedGaps: number;
  flatSamples: number;
  gapS: number;
  completenessPct: number | null;
  calibration: string | null;
  quietS: number | null;
  mountingYawDeg: number | null;
}

/** The closing summary of a movement screen. */
export interface ScreenSummaryEvent {
  kind: 'summary';
  activity: 'screen';
  /** Reps per standing leg. */
  reps: { left: number; right: number };
  sets: number;
  /** Reps whose pelvic drop was above the `level` threshold, per standing leg. */
  dropping: { left: number; right: number };
  pelvicDropLevelMaxDeg: number;
  left: ScreenSideSummary;
  right: ScreenSideSummary;
  /** Left minus right of the per-side medians, degrees (null when a side has none). */
  leftMinusRight: { pelvicDropDeg: number | null; shankFrontalDeg: number | null; depthDeg: number | null };
  /** A screen has no strides. */
  strides: { left: 0; right: 0 };
  unknownSensorPushes: number;
  sensors: Record<string, ScreenSensorSummary>;
  /** Sensors that sent data although the `start` left them out, in SENSOR_IDS order: taken up as if declared (absent when none). */
  unannouncedSensors?: SensorId[];
  /** Lines of the recording that could not be parsed (analyze only). */
  parseErrors?: number;
}

export type ScreenEvent = RepEvent | ScreenSummaryEvent;
