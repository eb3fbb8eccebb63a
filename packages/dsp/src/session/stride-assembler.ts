import type { SensorId, Side } from '@gaitwatch/protocol/core';
import { timeOf, type Candidate, type QueuedEvent, type ReleaseQueue, type StrideEvent } from '../analysis-events.ts';
import type { AnalyzerParams } from '../params.ts';
import { PelvisFallback } from '../pelvis-fallback.ts';
import type { ShankTracker } from '../segments/shank-tracker.ts';
import type { SensorTrack } from '../sensor-track.ts';
import { SHANK_OF, SHANK_SIDE, shanksWorn, SIDES } from './sides.ts';

/** A stance as the detectors report it; toe-off is unknown in pelvis-only mode. */
export interface Stance {
  readonly icUs: number;
  readonly toUs: number | null;
  /** A shank's contact announced when found, its stance (with the toe-off) not reported yet. */
  readonly announced?: true;
  /** Found by the pelvis detector for a session without shanks (pelvis-only routing), not by the leg's shank. */
  readonly fromPelvis?: true;
}

/** An interval across a gap this many times the last stride, or more, has lost a contact in the gap. */
const MISSED_CONTACT_STRIDES = 1.5;

/** A shank "has data" around a pelvis contact when its samples cover ± this, s. */
const CANDIDATE_COVER_S = 0.5;

/** What the assembler reads of the session and where its strides go. */
export interface AssemblerContext {
  readonly params: AnalyzerParams;
  readonly tracks: ReadonlyMap<SensorId, SensorTrack>;
  readonly shanks: ReadonlyMap<Side, ShankTracker>;
  /** Where closed strides wait for release (time-ordered). */
  readonly queue: ReleaseQueue;
  /** The session's sensors (declared, then any other seen: the analyzer's worn list): whether shanks are worn, else the pelvis finds both legs' contacts. */
  readonly sensors: readonly SensorId[];
  /** Reads a closing stride's shank angles while the shank's short history still holds them (session/stance-meter.ts). */
  readShankEarly(stride: StrideEvent, lastContactUs: number): void;
  /** The session's newest accepted sample, µs. */
  newestUs(): number;
  /** A sensor whose last sample is older than this is silent, µs. */
  silentBeforeUs(): number;
}

/** Unsure intervals a side's first stride is the median of (odd). */
const UNSURE_INTERVALS = 3;

/**
 * Turns the detectors' contacts into strides. A leg's stance waits (pending)
 * for its next contact, which gives its stride time; it closes early when
 * the leg's sensor falls silent or runs maxStrideS + releaseAfterS past it
 * (the runner stopped). With shanks worn, pelvis contacts stand in for a leg
 * whose shank has no data (the mid-session fallback, pelvis-fallback.ts).
 * Holds the per-leg last stride and contact times the bridge and the meter
 * read. Runs per contact and per release check, never per sample.
 */
export class StrideAssembler {
  private readonly pendingStance = new Map<Side, Stance>();
  private readonly fallback: PelvisFallback;
  /** Per side: the last stride that was one, µs. */
  private readonly lastStrideUs = { left: Number.NaN, right: Number.NaN };
  /**
   * Per side, while its stride is unknown: intervals a gap came between (a
   * contact may be lost in them, so none is taken alone), UNSURE_INTERVALS
   * a side. Their median becomes the stride: under steady loss (10 % of
   * packets: a gap every ~0.5 s) nearly every interval has one, and the
   * stride — hence the bridge's template and the stride times — could stay
   * unknown for most of a session.
   */
  private readonly unsureUs = { left: [] as number[], right: [] as number[] };
  /** Per side: the last contact time measured (IC to TO), µs; the meter reads it for a stance without toe-off. */
  readonly lastContactUs = { left: Number.NaN, right: Number.NaN };
  /**
   * Contacts not after their leg's pending one, dropped (each would have
   * made a stride of zero or negative time): one detector reports its
   * contacts in time order, so this counts a fault, never ordinary data
   * (the summary's invalidStrides).
   */
  outOfOrderContacts = 0;

  constructor(private readonly context: AssemblerContext) {
    const { silentAfterS, releaseAfterS, maxStrideS } = context.params;
    // A shank may run up to silentAfterS ahead of the release: its contacts are kept that long and then some.
    this.fallback = new PelvisFallback((silentAfterS + releaseAfterS + maxStrideS) * 1e6);
  }

  /** Whether a leg's stance waits for its next contact. */
  get pending(): boolean {
    return this.pendingStance.size > 0;
  }

  /**
   * A shank's contact as soon as its detector finds it: remembered for the
   * fallback (a pelvis contact near it is this shank's), and the leg's
   * previous stride closes with its stride time now. The stance itself —
   * its toe-off — is reported at the next mid-swing (onShankStance). Closing
   * here rather than there brings a stride out ~0.45 s sooner at running and
   * ~0.85 s at walking (a stance and a half-swing; issue 14's contact →
   * stride latency).
   */
  onShankContact(side: Side, icUs: number): void {
    this.fallback.noteShankContact(side, icUs);
    this.dropUnconfirmed(side);
    this.onStance(side, { icUs, toUs: null, announced: true });
  }

  /** A shank's stance: completes the contact announced (onShankContact), or — none announced — a contact and stance at once. */
  onShankStance(side: Side, stance: Stance): void {
    const pending = this.pendingStance.get(side);
    if (pending?.announced === true && pending.icUs === stance.icUs) {
      if (stance.toUs !== null) this.lastContactUs[side] = stance.toUs - stance.icUs;
      this.pendingStance.set(side, { icUs: stance.icUs, toUs: stance.toUs });
      return;
    }
    this.fallback.noteShankContact(side, stance.icUs);
    this.dropUnconfirmed(side);
    this.onStance(side, stance);
  }

  /**
   * A contact announced whose stance never came (the detector reset in a gap,
   * or the session stopped, ended or was restored before its next mid-swing)
   * makes no stride, as a contact never reported made none before contacts
   * were announced; the stride before it keeps the stride time it gave.
   * Returns whether one was dropped.
   */
  private dropUnconfirmed(side: Side): boolean {
    if (this.pendingStance.get(side)?.announced !== true) return false;
    this.pendingStance.delete(side);
    return true;
  }

  /**
   * A leg's contact from its detector. Its stride time is the interval from
   * the previous contact, unless the detecting sensor's data came back from a
   * gap after that contact and the interval is 1.5 strides or more: then a
   * contact was lost in the gap, and the interval is not a stride (null).
   * Judged by the gap's time, not by whether a gap was counted between the two
   * reports: a detector reports a contact late in the swing that follows it,
   * so a gap can begin before the previous contact's report.
   */
  onStance(side: Side, stance: Stance): void {
    const sourceId = this.sourceOf(side, stance);
    const source = this.context.tracks.get(sourceId);
    let previous = this.pendingStance.get(side);
    if (previous !== undefined && this.sourceOf(side, previous) !== sourceId) {
      // The shanks joined a session that began with the pelvis alone: two detectors' contacts make no
      // stride time (their timings differ, and the pelvis reports ~1.6 s later than a shank, so such an
      // "interval" can even be negative). The pelvis-only stance closes without one (a shank's announced
      // contact, were it the pending one, makes no stride: dropUnconfirmed).
      if (previous.announced !== true) this.closeStride(side, previous, undefined);
      this.pendingStance.delete(side);
      previous = undefined;
    }
    if (previous !== undefined && !(stance.icUs > previous.icUs)) {
      // Not after the pending contact: its stride time would be zero or negative. Dropped and counted;
      // the pending stance waits on for its real next contact.
      this.outOfOrderContacts++;
      return;
    }
    if (previous !== undefined) {
      const intervalUs = stance.icUs - previous.icUs;
      const gapBetween = source !== undefined && source.lastGapEndUs > previous.icUs;
      const lostOne = gapBetween && !(intervalUs < MISSED_CONTACT_STRIDES * this.lastStrideUs[side]);
      this.closeStride(side, previous, lostOne ? undefined : stance.icUs);
      const plausible = intervalUs <= this.context.params.maxStrideS * 1e6;
      if (!lostOne && plausible) this.lastStrideUs[side] = intervalUs;
      else if (plausible && Number.isNaN(this.lastStrideUs[side])) this.learnUnsure(side, intervalUs);
    }
    if (stance.toUs !== null) this.lastContactUs[side] = stance.toUs - stance.icUs;
    this.pendingStance.set(side, stance);
  }

  /**
   * A contact of the pelvis detector in a session without shanks: the side's
   * stance (pelvis-only mode), no toe-off. Marked so that a shank joining the
   * session later does not take its time for one of its own contacts.
   */
  onPelvisStance(side: Side, icUs: number): void {
    this.onStance(side, { icUs, toUs: null, fromPelvis: true });
  }

  /** The sensor whose detector found a stance: the pelvis's (pelvis-only routing; unmarked in a checkpoint from before the mark: then no shank is worn) or the leg's shank. */
  private sourceOf(side: Side, stance: Stance): SensorId {
    return stance.fromPelvis === true || !this.withShanks() ? 'pelvis' : SHANK_OF[side];
  }

  /** One interval of a side whose stride is unknown; the median of UNSURE_INTERVALS of them becomes its stride (a lost contact doubles one, rarely two of three). */
  private learnUnsure(side: Side, intervalUs: number): void {
    const seen = this.unsureUs[side];
    seen.push(intervalUs);
    if (seen.length < UNSURE_INTERVALS) return;
    seen.sort((a, b) => a - b);
    this.lastStrideUs[side] = seen[(UNSURE_INTERVALS - 1) / 2]!;
    seen.length = 0;
  }

  /** The stride period for bridging `sensor`'s gaps, µs: its leg's last stride, or (pelvis) the mean of the two legs'. */
  strideUsOf(sensor: SensorId): number {
    const side = SHANK_SIDE[sensor];
    if (side !== undefined) return this.lastStrideUs[side];
    const { left, right } = this.lastStrideUs;
    return Number.isNaN(left) ? right : Number.isNaN(right) ? left : (left + right) / 2;
  }

  /** The earliest pending contact, µs (+∞: none): a later read of the histories can start there. */
  earliestPendingUs(): number {
    let fromUs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < SIDES.length; i++) {
      const icUs = this.pendingStance.get(SIDES[i]!)?.icUs ?? Number.POSITIVE_INFINITY;
      if (icUs < fromUs) fromUs = icUs;
    }
    return fromUs;
  }

  /**
   * A leg's last stance waits for its next contact to know its stride time.
   * When the sensor that finds that leg's contacts has gone silent, no next
   * contact can come within maxStrideS, so the stance is closed now (stride
   * time null) and takes its place in time order before later events pass
   * the watermark — at finish() it would come out after them.
   */
  closeSilent(silentBeforeUs: number): void {
    if (this.pendingStance.size === 0) return;
    // Runs at every release check: no iterator, no closure, no array.
    for (let i = 0; i < SIDES.length; i++) {
      const side = SIDES[i]!;
      const stance = this.pendingStance.get(side);
      if (stance === undefined) continue;
      const last = this.context.tracks.get(this.sourceOf(side, stance))?.lastTUs ?? Number.NEGATIVE_INFINITY;
      if (!(last < silentBeforeUs)) continue;
      if (!this.dropUnconfirmed(side)) this.closeStride(side, stance, undefined);
      this.pendingStance.delete(side);
    }
  }

  /**
   * The watermark held below every leg's pending stance: its stride comes
   * out only when the leg's next contact gives its stride time, and nothing
   * later may pass it. This, not releaseAfterS, is what waits for a stride
   * (~1 s at running: the next contact plus its detection), so releaseAfterS
   * need only cover the detectors' own delay. A leg whose sensor has data
   * maxStrideS + releaseAfterS past its pending contact without a next one
   * (the runner stopped) closes it, stride time null — the same stride a late
   * next contact would give (an interval over maxStrideS is not a stride),
   * so the output does not depend on when this runs.
   */
  pendingBoundUs(watermarkUs: number): number {
    if (this.pendingStance.size === 0) return watermarkUs;
    const waitUs = (this.context.params.maxStrideS + this.context.params.releaseAfterS) * 1e6;
    let bound = watermarkUs;
    for (let i = 0; i < SIDES.length; i++) {
      const side = SIDES[i]!;
      const stance = this.pendingStance.get(side);
      if (stance === undefined) continue;
      const last = this.context.tracks.get(this.sourceOf(side, stance))?.lastTUs ?? Number.NEGATIVE_INFINITY;
      if (last >= stance.icUs + waitUs) {
        if (!this.dropUnconfirmed(side)) this.closeStride(side, stance, undefined);
        this.pendingStance.delete(side);
      } else if (stance.icUs - 1 < bound) {
        bound = stance.icUs - 1;
      }
    }
    return bound;
  }

  /** The session ends: every pending stance closes without a stride time. */
  closeAll(): void {
    for (const [side, stance] of this.pendingStance) if (stance.announced !== true) this.closeStride(side, stance, undefined);
    this.pendingStance.clear();
  }

  /**
   * The leg a pelvis contact belongs to (undefined: a shank reports it or
   * nobody can tell), from the shanks' coverage now. `atEnd`: the session is
   * finishing; in its last half second a worn shank that is still live could
   * not yet report a contact it will never see the end of, so a pelvis contact
   * there is nobody's unless every shank has gone silent.
   */
  legOf(candidate: Candidate, atEnd: boolean): Side | undefined {
    const windowUs = CANDIDATE_COVER_S * 1e6;
    const newestUs = this.context.newestUs();
    if (atEnd && candidate.icUs + windowUs > newestUs && this.liveShank()) return undefined;
    const toUs = Math.min(candidate.icUs + windowUs, newestUs);
    const left = this.context.shanks.get('left')?.covers(candidate.icUs - windowUs, toUs) ?? false;
    const right = this.context.shanks.get('right')?.covers(candidate.icUs - windowUs, toUs) ?? false;
    return this.fallback.legOf(candidate, left, right);
  }

  /**
   * Whether both shanks have real data all around every time in [fromUs,
   * toUs], so that no pelvis contact there can stand in for a leg (legOf:
   * a contact both shanks cover is theirs). The release gate then need not
   * wait for the pelvis detector's reporting delay.
   */
  shanksCover(fromUs: number, toUs: number): boolean {
    const windowUs = CANDIDATE_COVER_S * 1e6;
    for (let i = 0; i < SIDES.length; i++) {
      if (!(this.context.shanks.get(SIDES[i]!)?.covers(fromUs - windowUs, toUs + windowUs) ?? false)) return false;
    }
    return true;
  }

  /** A stance from a pelvis contact for a leg without shank data; stride time from the next such contact of that leg in the queue. */
  fromPelvis(candidate: Candidate, batch: readonly QueuedEvent[], index: number, atEnd: boolean): StrideEvent | undefined {
    const side = this.legOf(candidate, atEnd);
    if (side === undefined) return undefined;
    let nextIcUs: number | undefined;
    const later = (e: QueuedEvent): boolean => e.kind === 'candidate' && this.legOf(e, atEnd) === side;
    for (let j = index + 1; j < batch.length && nextIcUs === undefined; j++) if (later(batch[j]!)) nextIcUs = timeOf(batch[j]!);
    if (nextIcUs === undefined) {
      const next = this.context.queue.find(later);
      if (next !== undefined) nextIcUs = timeOf(next);
    }
    return this.stride(side, { icUs: candidate.icUs, toUs: null }, nextIcUs);
  }

  /** Whether shanks are worn: then a leg's contacts come from its shank, else from the pelvis. */
  private withShanks(): boolean {
    return shanksWorn(this.context.sensors);
  }

  /** Whether a shank is not silent (by the release's rule). */
  private liveShank(): boolean {
    const silentBeforeUs = this.context.silentBeforeUs();
    for (const side of SIDES) if ((this.context.tracks.get(SHANK_OF[side])?.lastTUs ?? Number.NEGATIVE_INFINITY) >= silentBeforeUs) return true;
    return false;
  }

  private stride(side: Side, stance: Stance, nextIcUs: number | undefined): StrideEvent {
    const strideS = nextIcUs === undefined ? null : (nextIcUs - stance.icUs) / 1e6;
    const strideTimeS = strideS !== null && strideS <= this.context.params.maxStrideS ? strideS : null;
    return {
      kind: 'stride',
      side,
      icUs: stance.icUs,
      toUs: stance.toUs,
      strideTimeS,
      gctS: stance.toUs === null ? null : (stance.toUs - stance.icUs) / 1e6,
      cadenceSpm: strideTimeS === null ? null : 120 / strideTimeS,
      pelvicDropDeg: null,
      shankFrontalDeg: null,
      verticalOscillationCm: null,
      brakingMps: null,
    };
  }

  /**
   * A leg's stride is complete (its next contact is known, or none will
   * come): queued, with its shank's angles read now, while the shank's own
   * short history still holds it (session/stance-meter.ts readShankEarly).
   */
  private closeStride(side: Side, stance: Stance, nextIcUs: number | undefined): void {
    const stride = this.stride(side, stance, nextIcUs);
    if (stance.fromPelvis !== true && this.withShanks()) this.context.readShankEarly(stride, this.lastContactUs[side]);
    this.context.queue.add(stride);
  }
}
