import { randomBytes } from 'node:crypto';

/**
 * What the live stream carries: a stance's metrics, a movement screen's rep,
 * an alert, or a session starting / ending. Reps are kept with the alerts for
 * replay (a few a minute, and a runner view counts them), strides in the
 * recent ring only.
 */
export type LiveEventType = 'stride' | 'rep' | 'alert' | 'session';

export interface LiveEvent {
  /** `<epoch>-<seq>`: the SSE id a client sends back as Last-Event-ID. */
  readonly id: string;
  readonly seq: number;
  readonly type: LiveEventType;
  readonly athleteId: string;
  readonly sessionId: string;
  /** The event's JSON, serialised once for every client. */
  readonly data: string;
}

export interface LiveHubOptions {
  /** Recent events of every type kept for replay (strides dominate: ~3 per running athlete per second). */
  readonly recentEvents?: number;
  /** Recent alert and session events kept for replay, separately, so a burst of strides cannot push alerts out. */
  readonly recentAlerts?: number;
}

/** A resume that cannot be honoured: the client must reload from the REST routes, then gets `events`. */
export interface LiveReset {
  readonly reset: 'unknown_stream' | 'too_old' | 'malformed_id';
  /** Every alert and session event still kept, so alerts that came in since the REST reload is not missed. */
  readonly events: readonly LiveEvent[];
}

/** A fixed-size ring of events in sequence order; the oldest falls out. */
class Ring {
  private readonly slots: (LiveEvent | undefined)[];
  private next = 0;
  private count = 0;
  /** Highest seq that fell out of the ring (0: none yet). */
  droppedUpTo = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<LiveEvent | undefined>(capacity);
  }

  push(event: LiveEvent): void {
    const old = this.slots[this.next];
    if (old !== undefined) this.droppedUpTo = old.seq;
    this.slots[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Events with seq > `seq`, oldest first. */
  after(seq: number): LiveEvent[] {
    const out: LiveEvent[] = [];
    for (let i = 0; i < this.count; i++) {
      const event = this.slots[(this.next - this.count + i + this.capacity) % this.capacity]!;
      if (event.seq > seq) out.push(event);
    }
    return out;
  }
}

/**
 * The API's fan-out of live events to server-sent-event clients, with the
 * recent past kept so a client that reconnects with Last-Event-ID misses
 * nothing it may still get: every alert (kept apart, `recentAlerts` deep)
 * and the strides still in the `recentEvents` ring (strides are QoS 0 on
 * MQTT too: a lost one is not an error). Ids carry a random epoch per hub,
 * so an id from before an API restart is recognised and answered with a
 * reset (reload from REST) instead of a silent gap.
 */
export class LiveHub {
  readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly recent: Ring;
  private readonly alerts: Ring;
  private readonly listeners = new Set<(event: LiveEvent) => void>();

  constructor(options: LiveHubOptions = {}) {
    this.recent = new Ring(options.recentEvents ?? 20_000);
    this.alerts = new Ring(options.recentAlerts ?? 5_000);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** The id of the newest event (what a client that saw everything would send back). */
  get lastId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  publish(type: LiveEventType, athleteId: string, sessionId: string, data: string): LiveEvent {
    const seq = ++this.seq;
    const event: LiveEvent = { id: `${this.epoch}-${seq}`, seq, type, athleteId, sessionId, data };
    this.recent.push(event);
    if (type !== 'stride') this.alerts.push(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * What a client that last saw `lastEventId` missed, oldest first, or a
   * reset when that cannot be told: an id of another hub (the API restarted),
   * one whose alerts have already fallen out, or one that is not an id.
   */
  replaySince(lastEventId: string): LiveEvent[] | LiveReset {
    const match = /^([0-9a-f]{8})-(\d{1,15})$/.exec(lastEventId.trim());
    if (match === null) return { reset: 'malformed_id', events: this.alerts.after(0) };
    const seq = Number(match[2]);
    if (match[1] !== this.epoch || seq > this.seq) return { reset: 'unknown_stream', events: this.alerts.after(0) };
    if (seq < this.alerts.droppedUpTo) return { reset: 'too_old', events: this.alerts.after(0) };
    // Alerts from their own ring, strides from the recent ring (those older than it are gone: QoS 0 data).
    const alerts = this.alerts.after(seq);
    const strides = this.recent.after(seq).filter((e) => e.type === 'stride');
    return mergeBySeq(alerts, strides);
  }
}

function mergeBySeq(a: readonly LiveEvent[], b: readonly LiveEvent[]): LiveEvent[] {
  const out: LiveEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.seq < b[j]!.seq)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
