import type { Alert, Side } from '@gaitwatch/protocol/core';
import type { TimedEvent } from '../analysis-events.ts';

/**
 * Form alerts held back while lost packets cost the angle they are about.
 * At 10 % loss the surviving stances were seen to lift a rolling median past
 * its threshold with nothing wrong with the runner; the runner has the
 * packet_loss alert instead. An episode still open once the angle is
 * measured whole again is told then: the form did break down. Cadence and
 * asymmetry are not gated.
 */
export class WithheldAlerts {
  /** Form episodes whose raise was withheld (their resolve is too), by episode id. */
  private readonly withheldEpisodes = new Map<string, Alert>();

  /** @param degraded whether lost packets cost `metric` of `side` now (session/stance-meter.ts). */
  constructor(private readonly degraded: (metric: string, side: Side | undefined) => boolean) {}

  /** Whether any episode is held (checked per released stride: one comparison). */
  get size(): number {
    return this.withheldEpisodes.size;
  }

  /** Whether `alert` is held back (a raise on a costed angle, or the resolve of one held). */
  withhold(alert: Alert): boolean {
    if (alert.phase === 'resolved') return alert.episodeId !== undefined && this.withheldEpisodes.delete(alert.episodeId);
    if (!this.degraded(alert.metric, alert.side) || alert.episodeId === undefined) return false;
    this.withheldEpisodes.set(alert.episodeId, alert);
    return true;
  }

  /** Tells, timed at the stride at `tUs` that found the data whole again, each held episode whose angle is no longer costed. */
  tellRecovered(tUs: number, out: TimedEvent[]): void {
    for (const [id, alert] of this.withheldEpisodes) {
      if (this.degraded(alert.metric, alert.side)) continue;
      this.withheldEpisodes.delete(id);
      out.push({ kind: 'alert', ...alert, tUs, message: `${alert.message} (held back while lost packets cost this measurement)` });
    }
  }
}
