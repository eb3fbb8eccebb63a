import type { SummaryEvent, TimedEvent } from '../analysis-events.ts';
import { Histogram, HistogramPool } from '../signal/histogram.ts';
import { buildSummary } from '../summary.ts';

/** What the summary takes from the rest of the session (summary.ts buildSummary). */
export type SummarySources = Omit<Parameters<typeof buildSummary>[0], 'strideTimes' | 'contactTimes' | 'strideCounts' | 'perSide' | 'alertCount'>;

/**
 * What the closing summary counts of the released output: stride and alert
 * counts, stride and contact-time medians, per-side medians for the
 * left/right comparison. Histograms, not lists, so a session of any length
 * holds the same few KB (signal/histogram.ts); fed what release() hands
 * out, so the summary counts exactly what the runner was told.
 */
export class SessionStats {
  /** Every histogram's counts in one buffer (first field: a snapshot encodes it here, once). */
  private readonly counts = new HistogramPool();
  /** 1 ms bins. */
  private readonly strideTimes = new Histogram(0, 3, 0.001, this.counts);
  private readonly contactTimes = new Histogram(0, 2, 0.001, this.counts);
  private readonly strideCounts = { left: 0, right: 0 };
  /** Per-side medians (0.5 ms, 0.01° bins). */
  private readonly perSide = {
    left: this.sideHistograms(),
    right: this.sideHistograms(),
  };
  private alertCount = 0;

  private sideHistograms(): { gctS: Histogram; pelvicDropDeg: Histogram; shankFrontalDeg: Histogram } {
    return { gctS: new Histogram(0, 2, 0.0005, this.counts), pelvicDropDeg: new Histogram(-20, 40, 0.01, this.counts), shankFrontalDeg: new Histogram(-20, 40, 0.01, this.counts) };
  }

  /** Counts released events, strides with their metrics measured (an index loop: runs at every release). */
  count(released: readonly TimedEvent[]): void {
    for (let i = 0; i < released.length; i++) {
      const event = released[i]!;
      if (event.kind === 'alert') {
        this.alertCount++;
        continue;
      }
      this.strideCounts[event.side]++;
      if (event.strideTimeS !== null) this.strideTimes.add(event.strideTimeS);
      if (event.gctS !== null) this.contactTimes.add(event.gctS);
      const side = this.perSide[event.side];
      if (event.gctS !== null) side.gctS.add(event.gctS);
      if (event.pelvicDropDeg !== null) side.pelvicDropDeg.add(event.pelvicDropDeg);
      if (event.shankFrontalDeg !== null) side.shankFrontalDeg.add(event.shankFrontalDeg);
    }
  }

  summary(sources: SummarySources): SummaryEvent {
    return buildSummary({ ...sources, strideTimes: this.strideTimes, contactTimes: this.contactTimes, strideCounts: this.strideCounts, perSide: this.perSide, alertCount: this.alertCount });
  }
}
