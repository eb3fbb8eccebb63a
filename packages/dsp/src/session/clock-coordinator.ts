import type { SensorId } from '@gaitwatch/protocol/core';
import type { SessionQuality } from '../quality/session-quality.ts';
import { CHANNELS, type SensorTrack } from '../sensor-track.ts';
import { float64Array } from '../signal/arena.ts';

/** A time difference for a message: "3600.0 s ahead of" / "2.5 s behind". */
const describeJump = (dUs: number): string => `${Math.abs(dUs / 1e6).toFixed(1)} s ${dUs >= 0 ? 'ahead of' : 'behind'}`;

/** What the coordinator reads of the session. */
export interface ClockContext {
  readonly tracks: ReadonlyMap<SensorId, SensorTrack>;
  readonly quality: SessionQuality;
  /** A sensor whose last sample is older than this is silent, µs. */
  silentBeforeUs(): number;
}

/**
 * Judges each sensor's clock against the others' (input/clock-guard.ts
 * judges one clock alone): a jump one sensor makes is an outlier, a rebase
 * mapped onto the session's clock, or — when the others jump with it — a
 * pause of the whole session. Kept apart from the analyzer because the
 * decision needs every track at once, while the per-sample cost must stay
 * one comparison: the common path reads a scratch cell and an offset.
 */
export class ClockCoordinator {
  /** Sensors whose clock awaits another's sample (a count, so the per-sample check is one comparison). */
  private awaitingClocks = 0;
  /** The track's clock time, for clock-guard's check (a typed cell: no double crosses the call boxed). */
  private readonly lastScratch = float64Array(1);
  /** A row of a sensor whose clock is mapped onto the session's (its offset added). */
  private readonly mappedRow = float64Array(CHANNELS);

  constructor(private readonly context: ClockContext) {}

  /**
   * Where to read the sample at `at` of `rows` on the session's clock: `rows`
   * itself (at `at`), the mapped copy (at 0: `rows` is never it), or null —
   * held back (an outlier, or waiting to see whether the others jumped too).
   * Clock faults are rare, so the common path is one comparison.
   */
  admit(track: SensorTrack, rows: Float64Array, at: number): Float64Array | null {
    const clock = track.clock;
    this.lastScratch[0] = track.clockUs;
    if (clock.needsJudging(rows, at, this.lastScratch)) {
      const outliers = clock.outliers;
      const verdict = clock.judge(rows[at]!, track.clockUs, track.periodUs, this.othersNowUs(track));
      if (clock.outliers !== outliers) this.context.quality.clockFault(track.sensor, track.lastTUs, `${track.sensor}: ${clock.outliers - outliers} timestamp(s) far off its clock (${describeJump(clock.lastCandidateUs - track.lastTUs)} it) rejected as outliers; ${clock.outliers} so far`);
      if (verdict === 'hold') return null;
      if (verdict === 'await' && !this.jointPause(track, rows[at]! + clock.offsetUs)) return null;
      if (verdict === 'rebased') this.clockMapped(track);
    }
    if (clock.offsetUs === 0) return rows;
    const row = this.mappedRow;
    row[0] = rows[at]! + clock.offsetUs;
    for (let c = 1; c < CHANNELS; c++) row[c] = rows[at + c]!;
    return row;
  }

  /** A sample of `track` was accepted: it decides the sensors that await (one comparison when none does). */
  accepted(track: SensorTrack): void {
    if (this.awaitingClocks > 0) this.tellAwaiting(track);
  }

  /**
   * A sensor whose clock jumped away from the others now awaits their next
   * sample (input/clock-guard.ts). If another sensor already awaits with a
   * new base near this one's, they jumped together — a pause of the whole
   * session: both take it as a gap (returns true: use the sample). Else it
   * waits (false: drop the sample for now).
   */
  private jointPause(track: SensorTrack, tUs: number): boolean {
    let joint = false;
    for (const other of this.context.tracks.values()) {
      if (other === track || !other.clock.awaitingNear(tUs)) continue;
      other.clock.settle();
      joint = true;
    }
    if (joint) track.clock.settle();
    this.countAwaiting();
    return joint;
  }

  /** Another sensor's accepted sample decides the sensors that await: mapped, a gap, or still waiting. */
  private tellAwaiting(speaker: SensorTrack): void {
    for (const track of this.context.tracks.values()) {
      if (track === speaker || !track.clock.awaiting) continue;
      if (track.clock.otherSpoke(speaker.lastTUs) === 'mapped') this.clockMapped(track);
    }
    this.countAwaiting();
  }

  private countAwaiting(): void {
    let n = 0;
    for (const track of this.context.tracks.values()) if (track.clock.awaiting) n++;
    this.awaitingClocks = n;
  }

  /** A sensor's clock mapped onto the session's: one clock episode says by how much. */
  private clockMapped(track: SensorTrack): void {
    const offsetUs = track.clock.offsetUs;
    this.context.quality.clockFault(track.sensor, track.lastTUs, `${track.sensor}: its clock jumped ${describeJump(-offsetUs)} the session's; mapped onto the session clock (${(offsetUs / 1e6).toFixed(3)} s)`);
  }

  /** The newest time of the session's other live sensors, µs (NaN: none). Only asked on a clock jump. */
  private othersNowUs(track: SensorTrack): number {
    let now = Number.NaN;
    const silentBeforeUs = this.context.silentBeforeUs();
    for (const other of this.context.tracks.values()) {
      if (other === track || !(other.lastTUs >= silentBeforeUs)) continue;
      if (!(other.lastTUs <= now)) now = other.lastTUs;
    }
    return now;
  }
}
