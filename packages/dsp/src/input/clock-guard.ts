/** The longest sample period a sensor of the contract has (50 Hz), µs. */
const SLOWEST_PERIOD_US = 20_000;

/**
 * What the guard made of one timestamp: use it (`ok`), drop it for now
 * (`hold`), or it confirmed a jump that disagrees with the other live
 * sensors (`await`: held until another sensor's next sample tells whether
 * they jumped too — see `otherSpoke`), or it is mapped back (`rebased`: a
 * clock reset backwards with no other sensor to follow).
 */
export type ClockVerdict = 'ok' | 'hold' | 'await' | 'rebased';

/**
 * Keeps one sensor's time base against clock faults of the relay.
 *
 * A timestamp far (more than `jumpUs`) from the sensor's time base is not
 * adopted at once: one sample an hour ahead would otherwise make every later
 * sample look like a duplicate, and one an hour behind would be dropped
 * anyway. It becomes a candidate; only `confirmSamples` consecutive samples
 * spaced like samples (½ to 3 periods apart) make it the new time base, and
 * the held candidates are dropped (a few samples at an outage's end, ~15 ms).
 * A candidate interrupted by a sample that fits the old base was an outlier
 * (counted).
 *
 * How a confirmed jump is taken:
 *  - other sensors of the session are live and the new times disagree with
 *    the session's clock by more than `agreeUs`: either this sensor's clock
 *    is wrong or every sensor paused (a file with a pause, a phone that
 *    stopped relaying). The sensor waits (its samples held) for another
 *    sensor's next sample: on the old base, this clock is wrong and its
 *    times are mapped onto the session's (an offset), so the others are not
 *    made to look silent; on the new base (or another sensor jumps to it
 *    too), they all paused: a gap. Nobody speaking for `agreeUs`: a gap;
 *  - the new times agree with the session's clock: an outage that ended (a gap);
 *  - no other live sensor: a forward jump is a gap, a backward one (a clock
 *    reset) continues from the last time, since time must not run backwards.
 */
export class ClockGuard {
  /** Added to this sensor's timestamps to put them on the session's clock, µs. */
  offsetUs = 0;
  /** Timestamps rejected as isolated outliers. */
  outliers = 0;
  /** Confirmed jumps that changed the mapping onto the session's clock. */
  rebases = 0;
  /** The (mapped) time of the last rejected outlier, µs. */
  lastCandidateUs = Number.NaN;
  private candidates = 0;
  private candidateLastUs = Number.NaN;

  constructor(
    private readonly jumpUs: number,
    private readonly confirmSamples: number,
    private readonly agreeUs: number,
  ) {}

  /**
   * @param rawUs the sample's own timestamp, µs
   * @param lastUs the last accepted (mapped) time of this sensor, µs (NaN: none)
   * @param periodUs the sample period (NaN: not known yet)
   * @param sessionNowUs the newest time of the session's other live sensors (NaN: none)
   */
  judge(rawUs: number, lastUs: number, periodUs: number, sessionNowUs: number): ClockVerdict {
    const tUs = rawUs + this.offsetUs;
    if (this.awaiting) {
      // Nobody else spoke for as long as a silence lasts: the others are gone, this is a gap.
      if (tUs - this.awaitingFromUs <= this.agreeUs) return 'hold';
      this.settle();
      return 'ok';
    }
    const jumpUs = tUs - lastUs;
    if (!(Math.abs(jumpUs) > this.jumpUs)) {
      this.dropCandidates();
      return 'ok';
    }
    // Before the rate is known (the first samples), any spacing a 50 Hz–2 kHz sensor could have.
    const known = !Number.isNaN(periodUs);
    const stepUs = rawUs - this.candidateLastUs;
    if (this.candidates > 0 && stepUs > (known ? 0.5 * periodUs : 0) && stepUs <= 3 * (known ? periodUs : SLOWEST_PERIOD_US)) this.candidates++;
    else {
      this.dropCandidates();
      this.candidates = 1;
    }
    this.candidateLastUs = rawUs;
    if (this.candidates < this.confirmSamples) return 'hold';
    this.candidates = 0;
    if (!Number.isNaN(sessionNowUs)) {
      // An outage that ended on the session's clock is a gap, not a clock fault.
      if (!(Math.abs(tUs - sessionNowUs) > this.agreeUs)) return 'ok';
      // The others' last samples are older: either this clock is wrong, or every sensor paused
      // and resumes now. Their next sample tells (otherSpoke); this one's wait meanwhile.
      this.awaitingOffsetUs = sessionNowUs - rawUs;
      this.awaitingBaseUs = sessionNowUs;
      this.awaitingFromUs = tUs;
      return 'await';
    }
    if (!(jumpUs < 0)) return 'ok';
    this.offsetUs += lastUs + (known ? periodUs : SLOWEST_PERIOD_US) - tUs;
    this.rebases++;
    return 'rebased';
  }

  /** While awaiting: the mapping proposed, the others' time then and this sensor's new time, µs (NaN: not awaiting). */
  private awaitingOffsetUs = Number.NaN;
  private awaitingBaseUs = Number.NaN;
  private awaitingFromUs = Number.NaN;

  get awaiting(): boolean {
    return !Number.isNaN(this.awaitingFromUs);
  }

  /** Whether this sensor awaits with a new time base near `tUs` (another sensor jumped to the same place: a joint pause). */
  awaitingNear(tUs: number): boolean {
    return this.awaiting && Math.abs(tUs - this.awaitingFromUs) <= this.agreeUs;
  }

  /**
   * Another sensor's accepted sample at `tUs` (µs) while this one awaits:
   * on the old base, the others go on and this clock is wrong — mapped onto
   * theirs (`mapped`); near this sensor's new base, they all paused and
   * resumed — a gap (`gap`); else still undecided (`waiting`).
   */
  otherSpoke(tUs: number): 'mapped' | 'gap' | 'waiting' {
    if (Math.abs(tUs - this.awaitingBaseUs) <= this.agreeUs) {
      this.offsetUs = this.awaitingOffsetUs;
      this.rebases++;
      this.settle();
      return 'mapped';
    }
    if (Math.abs(tUs - this.awaitingFromUs) <= this.agreeUs) {
      this.settle();
      return 'gap';
    }
    return 'waiting';
  }

  /** Ends a wait (as a gap unless otherSpoke mapped it first). */
  settle(): void {
    this.awaitingOffsetUs = this.awaitingBaseUs = this.awaitingFromUs = Number.NaN;
  }

  /**
   * Cheap per-sample test: whether `judge` has anything to decide for the
   * row at `at` of `rows` against `last[0]`, µs (a far timestamp, or a
   * candidate pending). Times are read from arrays: doubles passed to a call
   * V8 does not inline are boxed, 16 B each per sample (the allocation test saw it).
   */
  needsJudging(rows: Float64Array, at: number, last: Float64Array): boolean {
    return this.candidates > 0 || this.awaiting || Math.abs(rows[at]! + this.offsetUs - last[0]!) > this.jumpUs;
  }

  /** Candidates that never confirmed were outliers; the last one's time stays readable for the alert. */
  private dropCandidates(): void {
    if (this.candidates > 0) this.lastCandidateUs = this.candidateLastUs + this.offsetUs;
    this.outliers += this.candidates;
    this.candidates = 0;
  }
}
