import type { Random } from '../random.ts';

/** Faults of the phone→broker link, applied to IMU messages. */
export interface NetworkFaultOptions {
  /** Probability that a message is lost, 0..1. */
  readonly lossRate?: number;
  /** Probability that a message is sent twice. */
  readonly duplicateRate?: number;
  /** Probability that a message is held back and sent after the next message of the same sensor. */
  readonly reorderRate?: number;
  /** Session time of a connection loss, s; messages queue meanwhile and are flushed on reconnect. */
  readonly disconnectAtS?: number;
  readonly disconnectForS?: number;
}

export interface NetworkFaultCounts {
  lost: number;
  duplicated: number;
  reordered: number;
  /** Messages that waited in the backlog during the disconnect. */
  backlogged: number;
}

/**
 * Decides the fate of each outgoing message. Pure apart from the PRNG: the
 * same seed gives the same faults, so tests can count exactly what was asked.
 */
export class NetworkFaults<T> {
  readonly counts: NetworkFaultCounts = { lost: 0, duplicated: 0, reordered: 0, backlogged: 0 };
  /** Per stream (sensor), the message held back for reordering. */
  private readonly held = new Map<string, T>();
  private readonly backlog: T[] = [];

  constructor(
    private readonly options: NetworkFaultOptions,
    private readonly rng: Random,
  ) {}

  isDisconnected(tS: number): boolean {
    const { disconnectAtS, disconnectForS = 5 } = this.options;
    return disconnectAtS !== undefined && tS >= disconnectAtS && tS < disconnectAtS + disconnectForS;
  }

  /** Messages to send now, in order, for one message of `stream` produced at session time t. */
  route(message: T, tS: number, stream = ''): T[] {
    const { lossRate = 0, duplicateRate = 0, reorderRate = 0 } = this.options;
    if (lossRate > 0 && this.rng.next() < lossRate) {
      this.counts.lost++;
      return this.release([], tS);
    }
    const out: T[] = [];
    const held = this.held.get(stream);
    if (held === undefined && reorderRate > 0 && this.rng.next() < reorderRate) {
      this.held.set(stream, message);
      this.counts.reordered++;
      return this.release(out, tS);
    }
    out.push(message);
    if (duplicateRate > 0 && this.rng.next() < duplicateRate) {
      out.push(message);
      this.counts.duplicated++;
    }
    if (held !== undefined) {
      out.push(held);
      this.held.delete(stream);
    }
    return this.release(out, tS);
  }

  /** While disconnected everything queues; on reconnect the backlog goes first, in order. */
  private release(out: T[], tS: number): T[] {
    if (this.isDisconnected(tS)) {
      this.backlog.push(...out);
      this.counts.backlogged += out.length;
      return [];
    }
    if (this.backlog.length === 0) return out;
    return [...this.backlog.splice(0), ...out];
  }

  /** Whatever is still held or queued at the end of the session. */
  drain(): T[] {
    const rest = [...this.backlog.splice(0), ...this.held.values()];
    this.held.clear();
    return rest;
  }
}
