import type { IngestMetrics } from '../metrics.ts';
import type { MetricOp } from './analysis-protocol.ts';

/**
 * An analysis thread's stand-in for IngestMetrics: updates are summed here and
 * shipped to the main thread (which owns /metrics) as a few ops per batch.
 *
 * Why not one op per call: a thread makes several metric calls per message
 * (samples, arrival lag, …), thousands a second; building and structured-
 * cloning a tuple for each, and a fresh closure per property read, cost ~10 %
 * of the thread's time in the ingest bench's profile. Counters are summed per
 * name and label set, gauges keep their last value, observations travel as
 * one array per histogram.
 */
export class MetricBuffer {
  /** Counter sums by metric name, then by label set's text ('' without labels). */
  private readonly incs = new Map<string, Map<string, { name: string; labels?: Record<string, string>; value: number }>>();
  private readonly observations = new Map<string, number[]>();
  private readonly gauges = new Map<string, number>();
  private readonly handles = new Map<string, unknown>();

  /** Looks like IngestMetrics to the SessionManager: `inc`, `observe` and `set` on any metric name. */
  readonly metrics = new Proxy({}, { get: (_target, name) => this.handle(String(name)) }) as IngestMetrics;

  private handle(name: string): unknown {
    let handle = this.handles.get(name);
    if (handle === undefined) {
      handle = {
        inc: (a?: number | Record<string, string>, b?: number) => (typeof a === 'object' ? this.inc(name, b ?? 1, a) : this.inc(name, a ?? 1)),
        observe: (value: number) => this.observe(name, value),
        set: (value: number) => this.gauges.set(name, value),
      };
      this.handles.set(name, handle);
    }
    return handle;
  }

  inc(name: string, value: number, labels?: Record<string, string>): void {
    let sums = this.incs.get(name);
    if (sums === undefined) {
      sums = new Map();
      this.incs.set(name, sums);
    }
    const key = labels === undefined ? '' : this.labelKey(labels);
    const sum = sums.get(key);
    if (sum !== undefined) sum.value += value;
    else sums.set(key, labels === undefined ? { name, value } : { name, labels, value });
  }

  /**
   * A label set's text, remembered per object: callers on the per-message
   * path pass the same frozen object every time (session-manager.ts
   * KIND_LABELS), so nothing is built per message; a fresh literal
   * (rejections, closes) is stringified each time.
   */
  private labelKey(labels: Record<string, string>): string {
    if (!Object.isFrozen(labels)) return JSON.stringify(labels);
    let text = this.labelTexts.get(labels);
    if (text === undefined) {
      text = JSON.stringify(labels);
      this.labelTexts.set(labels, text);
    }
    return text;
  }

  private readonly labelTexts = new WeakMap<object, string>();

  observe(name: string, value: number): void {
    const values = this.observations.get(name);
    if (values !== undefined) values.push(value);
    else this.observations.set(name, [value]);
  }

  /** The updates since the last call, as ops for the main thread (empty when there were none). */
  take(): MetricOp[] {
    const ops: MetricOp[] = [];
    for (const sums of this.incs.values()) for (const { name, labels, value } of sums.values()) ops.push(labels === undefined ? [name, 'inc', value] : [name, 'inc', value, labels]);
    for (const [name, values] of this.observations) ops.push([name, 'observe', values]);
    for (const [name, value] of this.gauges) ops.push([name, 'set', value]);
    this.incs.clear();
    this.observations.clear();
    this.gauges.clear();
    return ops;
  }
}
