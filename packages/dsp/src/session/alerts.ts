import type { AlertSeverity, DataQualityReason, Side } from '@gaitwatch/protocol/core';
import type { AlertEvent } from '../analysis-events.ts';

/** Who an alert is about: bound once per session. */
export interface AlertContext {
  readonly athleteId: string;
  readonly sessionId: string;
}

export const alertContext = (options: { athleteId?: string; sessionId?: string }): AlertContext => ({
  athleteId: options.athleteId ?? 'unknown',
  sessionId: options.sessionId ?? 'unknown',
});

/**
 * The one place a data_quality alert is built (DESIGN.md's alert shape plus
 * phase, episode and sensor), so every producer — silence, clipping, clock,
 * units, flat-lined, knocked clips, loss cost, swapped sides — says the same
 * things the same way. `reason` is DESIGN.md's; `metric` repeats it (what
 * consumers switched on before `reason` existed), and packet_loss and
 * sensor_moved name the stride metric they cost in `affectedMetric`.
 */
export function dataQualityAlert(
  context: AlertContext,
  fields: {
    tUs: number;
    reason: DataQualityReason;
    affectedMetric?: 'pelvicDropDeg' | 'shankFrontalDeg';
    value: number | null;
    baseline: number | null;
    message: string;
    phase: 'raised' | 'resolved';
    episodeId: string;
    sensor?: string;
    side?: Side;
    severity?: AlertSeverity;
  },
): AlertEvent {
  const { severity = 'warning', sensor, side, reason, affectedMetric, ...rest } = fields;
  return {
    kind: 'alert',
    type: 'data_quality',
    severity,
    ...context,
    metric: reason,
    ...rest,
    ...(sensor === undefined ? {} : { sensor }),
    ...(side === undefined ? {} : { side }),
    reason,
    ...(affectedMetric === undefined ? {} : { affectedMetric }),
  };
}
