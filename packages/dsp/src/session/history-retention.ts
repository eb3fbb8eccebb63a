import { SENSOR_IDS, type SensorId } from '@gaitwatch/protocol/core';
import type { ReleaseQueue } from '../analysis-events.ts';
import type { AnalyzerParams } from '../params.ts';
import type { SegmentTracker } from '../segments/segment-tracker.ts';
import type { SensorTrack } from '../sensor-track.ts';

/** What the histories keep before the earliest contact a later read can start at (a stance metric reads a few records around its window), µs. */
const RETAIN_MARGIN_US = 500_000;
/** How often (data time) the histories are told what to keep: a later bound only keeps a little more, µs. */
const RETAIN_CHECK_US = 250_000;

/** What a shank's history keeps beyond the latest a stride can close (maxStrideS + releaseAfterS): the stance's own span, s. */
const SHANK_HISTORY_MARGIN_S = 0.5;

/**
 * The histories' most (segments.historyS, shankHistoryS) must cover what
 * retention can ask them to keep; checked at construction, not per read.
 * @throws RangeError naming the history, its length and the least it must be
 */
export function checkHistoryLengths(params: AnalyzerParams): void {
  const { releaseAfterS, silentAfterS, maxStrideS, segments } = params;
  const neededS = releaseAfterS + 2 * silentAfterS + maxStrideS / 2;
  if (!(segments.historyS >= neededS)) {
    throw new RangeError(`segments.historyS (${segments.historyS} s) must be at least releaseAfterS + 2 × silentAfterS + maxStrideS / 2 = ${neededS} s, or stride metrics would depend on how sensors interleave`);
  }
  // A stopped leg's stance closes maxStrideS + releaseAfterS after its contact; its angles are read then.
  const shankNeededS = maxStrideS + releaseAfterS + SHANK_HISTORY_MARGIN_S;
  if (!(segments.shankHistoryS >= shankNeededS)) {
    throw new RangeError(`segments.shankHistoryS (${segments.shankHistoryS} s) must be at least maxStrideS + releaseAfterS + ${SHANK_HISTORY_MARGIN_S} = ${shankNeededS} s, or a stopped leg's last stance would lose its knee proxy`);
  }
}

/** What retention reads of the session. */
export interface RetentionContext {
  /** A detector finds a contact within this of its own data, s (params.maxStrideS). */
  readonly maxStrideS: number;
  readonly tracks: ReadonlyMap<SensorId, SensorTrack>;
  /** Strides found but not yet measured. */
  readonly queue: ReleaseQueue;
  /** The earliest stance still waiting for its next contact, µs (+∞: none). */
  earliestPendingUs(): number;
  /** The sensor's segment tracker, once it calibrated. */
  segmentOf(sensor: SensorId): SegmentTracker | undefined;
}

/**
 * Tells the angle histories how far back a later read can still reach, so
 * each holds that and no more (signal/ring.ts TimedRecordRing grows on
 * demand): every read starts at a stride's contact, and a stride not yet
 * measured is queued, pending, or still to be found — by a detector that
 * finds a contact within a stride of its own data (maxStrideS). Every
 * sensor with data counts, silent or lagging ones too: a late sensor's
 * strides must find the others' history as a prompt one's do. Checked
 * every RETAIN_CHECK_US of data; between checks the bound only lags (the
 * histories keep more, never less).
 */
export class HistoryRetention {
  private nextRetainCheckUs = Number.NEGATIVE_INFINITY;

  constructor(private readonly context: RetentionContext) {}

  /** At `track`'s accepted sample: tells the histories what to keep when RETAIN_CHECK_US of its data passed since the last time. */
  check(track: SensorTrack): void {
    if (!(track.lastTUs >= this.nextRetainCheckUs)) return;
    this.nextRetainCheckUs = track.lastTUs + RETAIN_CHECK_US;
    this.retain();
  }

  private retain(): void {
    const { tracks, queue, maxStrideS } = this.context;
    let fromUs = Number.POSITIVE_INFINITY;
    // Fixed lists, not the maps' iterators: no allocation on this per-data-time path.
    for (let i = 0; i < SENSOR_IDS.length; i++) {
      const sensor = SENSOR_IDS[i]!;
      if (!tracks.has(sensor)) continue;
      // How far this sensor's detector has got; one still calibrating will replay what it holds, from its start: keep all.
      const seenUs = this.context.segmentOf(sensor)?.newestUs ?? Number.NEGATIVE_INFINITY;
      const earliestUs = Number.isNaN(seenUs) ? Number.NEGATIVE_INFINITY : seenUs - maxStrideS * 1e6;
      if (earliestUs < fromUs) fromUs = earliestUs;
    }
    if (queue.firstUs() < fromUs) fromUs = queue.firstUs();
    const pendingUs = this.context.earliestPendingUs();
    if (pendingUs < fromUs) fromUs = pendingUs;
    fromUs -= RETAIN_MARGIN_US;
    for (let i = 0; i < SENSOR_IDS.length; i++) this.context.segmentOf(SENSOR_IDS[i]!)?.retainHistoryFrom(fromUs);
  }
}
