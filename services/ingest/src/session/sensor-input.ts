import type { ImuFrame, SensorId } from '@gaitwatch/protocol';

/** A frame handed on to the analyzer: time-ordered per sensor, no sample at or before the previous one. */
export interface ReleasedFrame {
  readonly sensor: SensorId;
  readonly t0Us: number;
  readonly periodUs: number;
  readonly count: number;
  /** count × 6 values (may be a subarray view of the decoded frame: no copy). */
  readonly samples: Float64Array;
  /** Wall time the frame arrived, ms: how long it waited in the jitter buffer is `now − arrivedMs`. */
  readonly arrivedMs: number;
}

export interface SensorInputOptions {
  /** How long a frame waits for an earlier one, in data time (µs) and in wall time (ms). */
  readonly jitterUs: number;
  readonly jitterMs: number;
  /** Frames held at most; past it the earliest is released at once (memory bound). */
  readonly maxFrames: number;
  /**
   * Slots of the duplicate table, a power of two (default 256: the last 256 seqs of an in-order stream, ~19 s of
   * 15-sample frames at 200 Hz; a broker's redelivery after a reconnect is seconds at most). A duplicate older
   * than that is still dropped, by its sample times, and counted as stale instead.
   */
  readonly seqMemory?: number;
}

/** Per-sensor input counts: what reached ingest and what the analyzer got. */
export interface SensorInputStats {
  /** Frames offered (duplicates included). */
  frames: number;
  /** Frames dropped because the same (seq, t0) was seen before. */
  duplicateFrames: number;
  /** Samples at or before a sample already released (a re-send under a new seq, replayed duplicate rows, or later than the jitter window): dropped. */
  staleSamples: number;
  /** Samples handed to the analyzer. */
  samples: number;
  /**
   * Frames whose clock jumped far ahead of the sensor's stream while the stream went on where it was (a clock
   * glitch in one frame), and their samples: dropped, so the rest of the stream is not stale behind them.
   */
  jumpedFrames: number;
  jumpedSamples: number;
  /**
   * Frames whose sample period disagrees (by more than 5 %) with the rate the session's `start` announced:
   * kept (the analysis follows the frames), counted, because one of the two is wrong and the cadence and
   * durations follow the frames'.
   */
  periodMismatchFrames: number;
  /** Holes between consecutive released samples longer than 1.5 sample periods, and the samples they miss. */
  gaps: number;
  missingSamples: number;
  firstUs: number | null;
  lastUs: number | null;
  periodUs: number | null;
}

interface Held {
  readonly frame: ImuFrame;
  readonly arrivedMs: number;
}

/** A frame whose first sample is at most this many periods after the last one released continues it (no sample missing between). */
const CONTIGUOUS_PERIODS = 1.5;

/**
 * A frame starting this far (µs) ahead of everything its sensor sent so far is held aside until the stream
 * shows where it went: on from there (a real gap — Bluetooth dropped for a while — or a clock step: it is
 * released), or on where it was (a clock glitch in one frame: it is dropped). Released at once, one bad
 * frame would make every later sample of the sensor stale and pull the session's clock ahead with it.
 */
const JUMP_AHEAD_US = 2_000_000;
/** Frames continuing the old timeline after a held jump that show it was a glitch. */
const GLITCH_EVIDENCE_FRAMES = 2;

/** Time of sample i of a frame, µs, as the analyzer computes it (pushFrame rounds t0 + i·period). */
const sampleUs = (t0Us: number, periodUs: number, i: number): number => Math.round(t0Us + i * periodUs);

/**
 * One sensor's input stage: drops duplicates by (seq, t0) and by sample
 * time, and holds frames in a small buffer sorted by t0 so that reordering
 * within the jitter window reaches the analyzer in time order (the analyzer
 * drops samples that go back in time, it does not reorder).
 *
 * A frame that continues the samples already released goes on at once: in
 * an in-order stream nothing waits, and the analysis sees each frame as it
 * arrives. A frame after a hole (or a session's first) waits for the
 * missing one until a frame at least `jitterUs` later (data time) has
 * arrived, or it has waited `jitterMs` (wall time, checked by
 * `release(nowMs)`), or the buffer holds more than `maxFrames`. Anything
 * arriving later than that is as good as lost: its samples are counted as
 * stale and dropped.
 */
export class SensorInput {
  private readonly held: Held[] = [];
  /**
   * The frames seen most recently, direct-mapped by seq (slot = seq mod size): the seq and t0 of the last frame
   * in each slot. Typed arrays, not a Map: a Map of 1,024 seq → t0 entries boxed every t0 (µs since the epoch is
   * no small integer) and kept it ~77 s, so each frame left ~50 B that outlived young-generation collections
   * (the ingest bench's scavenges, issue 14) and ~40 KB per sensor; this is 3 KB and allocates nothing.
   */
  private readonly seenSeq: Uint32Array;
  private readonly seenT0Us: Float64Array;
  private readonly seqMask: number;
  private newestT0Us = Number.NEGATIVE_INFINITY;
  /** Time of the last sample released, µs (−∞ before the first). */
  private lastReleasedUs = Number.NEGATIVE_INFINITY;
  readonly stats: SensorInputStats = { frames: 0, duplicateFrames: 0, staleSamples: 0, samples: 0, jumpedFrames: 0, jumpedSamples: 0, periodMismatchFrames: 0, gaps: 0, missingSamples: 0, firstUs: null, lastUs: null, periodUs: null };
  /** A frame far ahead of the stream, held aside (JUMP_AHEAD_US), and the frames since that went on where the stream was. */
  private jumped: Held | undefined;
  private sinceJump = 0;

  constructor(
    readonly sensor: SensorId,
    private readonly options: SensorInputOptions,
  ) {
    if (!(options.maxFrames >= 1)) throw new RangeError(`maxFrames must be at least 1, got ${options.maxFrames}`);
    if (!(options.jitterUs >= 0) || !(options.jitterMs >= 0)) throw new RangeError(`jitter must be ≥ 0, got ${options.jitterUs} µs / ${options.jitterMs} ms`);
    const slots = options.seqMemory ?? 256;
    if (!(slots >= 1 && Number.isInteger(Math.log2(slots)))) throw new RangeError(`seqMemory must be a power of two, got ${slots}`);
    this.seenSeq = new Uint32Array(slots);
    this.seenT0Us = new Float64Array(slots).fill(Number.NaN);
    this.seqMask = slots - 1;
  }

  /** Frames waiting in the buffer. */
  get depth(): number {
    return this.held.length;
  }

  /** Wall time the oldest held frame arrived, ms (undefined: none held). */
  get oldestArrivalMs(): number | undefined {
    let oldest: number | undefined;
    for (const h of this.held) if (oldest === undefined || h.arrivedMs < oldest) oldest = h.arrivedMs;
    return oldest;
  }

  /**
   * Takes a decoded frame. Returns false for a duplicate (same seq and t0 as
   * a frame seen before), which is dropped. A relay whose seq restarted
   * sends new data under old seq numbers, but with a new t0: that is kept.
   */
  offer(frame: ImuFrame, nowMs: number): boolean {
    this.stats.frames++;
    const slot = frame.seq & this.seqMask;
    if (this.seenSeq[slot] === frame.seq && this.seenT0Us[slot] === frame.t0Us) {
      this.stats.duplicateFrames++;
      return false;
    }
    this.seenSeq[slot] = frame.seq;
    this.seenT0Us[slot] = frame.t0Us;
    if (this.jumped !== undefined) {
      if (frame.t0Us >= this.jumped.frame.t0Us) {
        // The stream went on from there: a gap or a clock step, not a glitch.
        this.admit(this.jumped);
        this.jumped = undefined;
      } else if (++this.sinceJump >= GLITCH_EVIDENCE_FRAMES) this.dropJumped();
    }
    const reachedUs = Math.max(this.newestT0Us, this.lastReleasedUs);
    if (this.jumped === undefined && reachedUs !== Number.NEGATIVE_INFINITY && frame.t0Us - reachedUs > JUMP_AHEAD_US) {
      this.jumped = { frame, arrivedMs: nowMs };
      this.sinceJump = 0;
      return true;
    }
    this.admit({ frame, arrivedMs: nowMs });
    return true;
  }

  private admit(held: Held): void {
    // Insertion sort from the end: frames nearly always arrive in order, so this is one comparison.
    let i = this.held.length;
    while (i > 0 && this.held[i - 1]!.frame.t0Us > held.frame.t0Us) i--;
    this.held.splice(i, 0, held);
    if (held.frame.t0Us > this.newestT0Us) this.newestT0Us = held.frame.t0Us;
  }

  private dropJumped(): void {
    this.stats.jumpedFrames++;
    this.stats.jumpedSamples += this.jumped!.frame.count;
    this.jumped = undefined;
  }

  /**
   * Hands every frame that is due to `emit`, in time order, each trimmed of
   * samples at or before the last one released. `all` empties the buffer
   * (session end, shutdown).
   */
  release(nowMs: number, emit: (frame: ReleasedFrame) => void, all = false): void {
    const { jitterUs, jitterMs, maxFrames } = this.options;
    if (all && this.jumped !== undefined) {
      // The end with a frame still held aside: after it the stream went on where it was (a glitch), or nothing came (the last data, after a gap).
      if (this.sinceJump > 0) this.dropJumped();
      else {
        this.admit(this.jumped);
        this.jumped = undefined;
      }
    }
    while (this.held.length > 0) {
      const head = this.held[0]!;
      // A frame that continues the samples already released (no hole before it) waits for nothing: a frame
      // arriving later with an earlier t0 could only repeat released samples. Only a hole is worth the wait.
      const continues = head.frame.t0Us - this.lastReleasedUs <= CONTIGUOUS_PERIODS * head.frame.periodUs;
      const due = all || continues || this.held.length > maxFrames || head.frame.t0Us <= this.newestT0Us - jitterUs || nowMs - head.arrivedMs >= jitterMs;
      if (!due) break;
      this.held.shift();
      this.emitTrimmed(head.frame, head.arrivedMs, emit);
    }
  }

  private emitTrimmed(frame: ImuFrame, arrivedMs: number, emit: (frame: ReleasedFrame) => void): void {
    const { t0Us, periodUs, count } = frame;
    let first = 0;
    while (first < count && sampleUs(t0Us, periodUs, first) <= this.lastReleasedUs) first++;
    this.stats.staleSamples += first;
    if (first === count) return;
    const startUs = sampleUs(t0Us, periodUs, first);
    const s = this.stats;
    if (this.lastReleasedUs !== Number.NEGATIVE_INFINITY && startUs - this.lastReleasedUs > 1.5 * periodUs) {
      s.gaps++;
      s.missingSamples += Math.max(0, Math.round((startUs - this.lastReleasedUs) / periodUs) - 1);
    }
    const n = count - first;
    this.lastReleasedUs = sampleUs(t0Us, periodUs, count - 1);
    s.samples += n;
    s.firstUs ??= startUs;
    s.lastUs = this.lastReleasedUs;
    s.periodUs = periodUs;
    emit({
      sensor: this.sensor,
      // t0 + first·period unrounded, so that the analyzer computes the same sample times as for the whole frame.
      t0Us: first === 0 ? t0Us : t0Us + first * periodUs,
      periodUs,
      count: n,
      samples: first > 0 ? frame.samples.subarray(first * 6, count * 6) : frame.samples.length === count * 6 ? frame.samples : frame.samples.subarray(0, count * 6),
      arrivedMs,
    });
  }

  /** What a checkpoint keeps of this stage: the time dedupe's edge and the counts (held frames are released first). */
  checkpoint(): { lastReleasedUs: number | null; stats: SensorInputStats } {
    return { lastReleasedUs: Number.isFinite(this.lastReleasedUs) ? this.lastReleasedUs : null, stats: { ...this.stats } };
  }

  /** Continues from a checkpoint(): samples at or before its edge are stale, counts go on. */
  restore(state: { lastReleasedUs: number | null; stats: SensorInputStats }): void {
    this.lastReleasedUs = state.lastReleasedUs ?? Number.NEGATIVE_INFINITY;
    if (state.lastReleasedUs !== null) this.newestT0Us = state.lastReleasedUs;
    Object.assign(this.stats, state.stats);
  }

  /** Samples received of those the rate predicts between the first and the last released, % (null before two samples). */
  completenessPct(): number | null {
    const { firstUs, lastUs, periodUs, samples } = this.stats;
    if (firstUs === null || lastUs === null || periodUs === null || lastUs <= firstUs) return null;
    const expected = Math.round((lastUs - firstUs) / periodUs) + 1;
    return Math.round((1000 * Math.min(samples, expected)) / expected) / 10;
  }
}
