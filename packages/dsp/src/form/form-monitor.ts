import type { Alert, Side, StrideMetrics } from '@gaitwatch/protocol/core';
import { robustStats } from '../signal/robust-stats.ts';
import { SeriesMonitor, type SeriesChange } from './series-monitor.ts';
import { roundTo } from '../rounding.ts';
import { float64Array } from '../signal/arena.ts';

export interface FormParams {
  /** Seconds of each gait (walking, running) ignored at its start: the body is still warming up. */
  readonly warmupS: number;
  /** Seconds of each gait after the warm-up that make the fresh-legs baseline. */
  readonly baselineS: number;
  /** Stances in the rolling median that decisions are made on. */
  readonly windowStances: number;
  /** Consecutive stances past a level before an episode is raised or resolved. */
  readonly confirmStances: number;
  /** The rolling median must move this many of its own standard errors (from the baseline's spread) from the baseline… */
  readonly robustZ: number;
  /** …and at least this much: pelvic drop, degrees… */
  readonly minPelvicDropRiseDeg: number;
  /** …knee-collapse proxy, degrees… */
  readonly minShankFrontalRiseDeg: number;
  /** …cadence (a fall), percent of the baseline… */
  readonly minCadenceDropPct: number;
  /** …left/right contact-time asymmetry, percentage points. */
  readonly minAsymmetryRisePct: number;
  /** An episode resolves when the rolling median is back within this fraction of the raise threshold. */
  readonly resolveFraction: number;
  /** After an episode of a metric resolves, no new one for that metric for this long, s. */
  readonly cooldownS: number;
  /** Absolute pelvic-drop limit (running), degrees: Bramah et al. 2018 found 7.5° ± 1.8° in injured runners vs 5.0° in healthy ones. */
  readonly pelvicDropLimitDeg: number;
  /** A pelvic_drop_high episode resolves this far below the limit, degrees. */
  readonly limitHysteresisDeg: number;
  /** A stride whose contact takes more than this fraction of it is walking (running < 0.4, walking > 0.55). */
  readonly runMaxDutyFactor: number;
  /** Without contact times (pelvis only), cadence at or above this is running, steps/min. */
  readonly runMinCadenceSpm: number;
}

export type Gait = 'walk' | 'run';

/** Running when the duty factor (GCT / stride time) is at most runMaxDutyFactor, else by cadence; undefined without either. */
export function gaitOf(s: StrideMetrics, params: Pick<FormParams, 'runMaxDutyFactor' | 'runMinCadenceSpm'>): Gait | undefined {
  if (s.gctS !== null && s.strideTimeS !== null) return s.gctS / s.strideTimeS <= params.runMaxDutyFactor ? 'run' : 'walk';
  if (s.cadenceSpm !== null) return s.cadenceSpm >= params.runMinCadenceSpm ? 'run' : 'walk';
  return undefined;
}
type MetricName = 'pelvicDropDeg' | 'shankFrontalDeg' | 'cadenceSpm' | 'gctAsymmetryPct';

interface MetricSpec {
  readonly metric: MetricName;
  /** +1: a rise is bad; −1: a fall is. */
  readonly sign: 1 | -1;
  readonly relative: boolean;
  readonly min: (p: FormParams) => number;
  readonly what: string;
  readonly unit: string;
}

const METRICS: Record<MetricName, MetricSpec> = {
  pelvicDropDeg: { metric: 'pelvicDropDeg', sign: 1, relative: false, min: (p) => p.minPelvicDropRiseDeg, what: 'pelvic drop', unit: '°' },
  shankFrontalDeg: { metric: 'shankFrontalDeg', sign: 1, relative: false, min: (p) => p.minShankFrontalRiseDeg, what: 'knee-collapse proxy (shank tilt)', unit: '°' },
  cadenceSpm: { metric: 'cadenceSpm', sign: -1, relative: true, min: (p) => p.minCadenceDropPct, what: 'cadence', unit: ' spm' },
  gctAsymmetryPct: { metric: 'gctAsymmetryPct', sign: 1, relative: false, min: (p) => p.minAsymmetryRisePct, what: 'left/right contact-time asymmetry', unit: ' %' },
};

/** A gait's fresh-legs baselines (medians of the baseline period), as the summary reports them. */
export interface GaitBaselines {
  readonly pelvicDropDeg: { readonly left: number | null; readonly right: number | null };
  readonly shankFrontalDeg: { readonly left: number | null; readonly right: number | null };
  readonly cadenceSpm: number | null;
}
export type SummaryBaselines = { run?: GaitBaselines; walk?: GaitBaselines };

/** What a series holds of its baseline period once armed: nothing (shared, never written). */
const NO_VALUES = new Float64Array(0);

/** One series (a metric, of one side or of both) in one gait: baseline learning, then monitoring. */
class Tracked {
  readonly monitor: SeriesMonitor;
  /** The baseline period's values; released (NO_VALUES) once armed: ~2 KB per series, six series a session. */
  private learnt: Float64Array;
  private learntCount = 0;
  baseline = Number.NaN;

  constructor(
    readonly spec: MetricSpec,
    readonly side: Side | undefined,
    params: FormParams,
  ) {
    this.monitor = new SeriesMonitor(params);
    // At most ~4 stances a second of one side: a bounded baseline buffer.
    this.learnt = float64Array(Math.ceil(params.baselineS * 4) + 1);
  }

  learn(value: number): void {
    if (this.learntCount < this.learnt.length) this.learnt[this.learntCount++] = value;
  }

  /**
   * Ends learning: levels from the baseline's median and spread. Called once
   * learning is over, so the values are not needed after the first call
   * (too few of them: the series is never armed, and stays so).
   */
  arm(params: FormParams): void {
    if (this.monitor.armed || this.learntCount < params.windowStances) {
      this.learnt = NO_VALUES;
      return;
    }
    const { median, sd } = robustStats(this.learnt, this.learntCount);
    this.learnt = NO_VALUES;
    this.baseline = median;
    // Standard error of a median of n: ≈ 1.253 σ / √n.
    const fromSpread = (params.robustZ * 1.253 * sd) / Math.sqrt(params.windowStances);
    const floor = this.spec.relative ? (this.spec.min(params) / 100) * Math.abs(median) : this.spec.min(params);
    const threshold = Math.max(fromSpread, floor);
    const s = this.spec.sign;
    this.monitor.setLevels(median + s * threshold, median + s * threshold * params.resolveFraction, s);
  }
}

/** Map keys built once: a template string per stride and metric is garbage the hot loop does not need. */
const seriesKey = (gait: Gait, metric: MetricName, side: Side | undefined): string => SERIES_KEYS[gait][metric][side ?? 'both'];
const SERIES_KEYS = Object.fromEntries(
  (['walk', 'run'] as const).map((g) => [
    g,
    Object.fromEntries(Object.keys(METRICS).map((m) => [m, { left: `${g}:${m}:left`, right: `${g}:${m}:right`, both: `${g}:${m}:both` }])),
  ]),
) as Record<Gait, Record<MetricName, Record<Side | 'both', string>>>;
const GCT_KEYS: Record<Gait, Record<Side, string>> = { walk: { left: 'walk:left', right: 'walk:right' }, run: { left: 'run:left', right: 'run:right' } };
const LIMIT_KEYS: Record<Side, string> = { left: 'limit:left', right: 'limit:right' };

interface Episode {
  id: string;
  readonly high: Set<string>;
}

const round2 = (x: number): number => roundTo(x, 100);

/**
 * Form-breakdown detection for one runner's session, fed strides in time
 * order (the analyzer's release order, so the result never depends on how
 * the samples arrived). Per gait and side: warm-up, a fresh-legs baseline
 * (median and MAD), then a rolling-median change detector with hysteresis
 * (SeriesMonitor). Episodes are per metric: raised when a side's series
 * rises (one alert, whichever side first), resolved when every side is back,
 * then a cooldown. `pelvic_drop_high` holds running pelvic drop against an
 * absolute limit per athlete in the same way.
 */
export class FormMonitor {
  private readonly series = new Map<string, Tracked>();
  private readonly limitSeries = new Map<Side, SeriesMonitor>();
  private readonly gaitTimeS: Record<Gait, number> = { walk: 0, run: 0 };
  private readonly lastIcUs: Record<Gait, number> = { walk: Number.NaN, run: Number.NaN };
  private readonly gctMedian = new Map<string, SeriesMonitor>();
  private readonly episodes = new Map<string, Episode>();
  private readonly cooldownUntilUs = new Map<string, number>();
  private lastEpisodeId = '';

  constructor(
    private readonly params: FormParams,
    private readonly context: { athleteId: string; sessionId: string; pelvicDropLimitDeg: number },
  ) {}

  /** One released stride; returns the alerts it raises or resolves (usually none). */
  push(stride: StrideMetrics): Alert[] {
    const gait = gaitOf(stride, this.params);
    if (gait === undefined) return [];
    const last = this.lastIcUs[gait];
    if (!Number.isNaN(last) && stride.icUs - last < 2.5e6 && stride.icUs > last) this.gaitTimeS[gait] += (stride.icUs - last) / 1e6;
    this.lastIcUs[gait] = stride.icUs;
    const alerts: Alert[] = [];
    const side = stride.side;
    if (stride.pelvicDropDeg !== null) this.feed(gait, METRICS.pelvicDropDeg, side, stride.pelvicDropDeg, stride.icUs, alerts);
    if (stride.shankFrontalDeg !== null) this.feed(gait, METRICS.shankFrontalDeg, side, stride.shankFrontalDeg, stride.icUs, alerts);
    if (stride.cadenceSpm !== null) this.feed(gait, METRICS.cadenceSpm, undefined, stride.cadenceSpm, stride.icUs, alerts);
    const asymmetry = this.asymmetry(gait, stride);
    if (asymmetry !== undefined) this.feed(gait, METRICS.gctAsymmetryPct, undefined, asymmetry, stride.icUs, alerts);
    if (gait === 'run' && stride.pelvicDropDeg !== null) this.checkLimit(side, stride.pelvicDropDeg, stride.icUs, alerts);
    return alerts;
  }
  /**
   * The fresh-legs baselines learnt so far, per gait (only gaits with one):
   * pelvic drop and knee-collapse proxy per side, cadence for both. A metric
   * still learning, or never measured, is null.
   */
  baselines(): SummaryBaselines {
    const out: SummaryBaselines = {};
    for (const gait of ['run', 'walk'] as const) {
      const of = (metric: MetricName, side: Side | undefined): number | null => {
        const b = this.series.get(seriesKey(gait, metric, side))?.baseline;
        return b === undefined || Number.isNaN(b) ? null : round2(b);
      };
      const g: GaitBaselines = {
        pelvicDropDeg: { left: of('pelvicDropDeg', 'left'), right: of('pelvicDropDeg', 'right') },
        shankFrontalDeg: { left: of('shankFrontalDeg', 'left'), right: of('shankFrontalDeg', 'right') },
        cadenceSpm: of('cadenceSpm', undefined),
      };
      if (g.cadenceSpm !== null || Object.values(g.pelvicDropDeg).some((v) => v !== null) || Object.values(g.shankFrontalDeg).some((v) => v !== null)) out[gait] = g;
    }
    return out;
  }

  /** Builds a lazily created series for a restore (state-codec.ts RestoreFactory). */
  restoreEntry(field: string, key: unknown): object | undefined {
    if (field === 'series' && typeof key === 'string') {
      const [, metric, side] = key.split(':') as [string, MetricName, Side | 'both'];
      const spec = METRICS[metric];
      return spec === undefined ? undefined : new Tracked(spec, side === 'both' ? undefined : side, this.params);
    }
    if (field === 'limitSeries' && (key === 'left' || key === 'right')) return this.limitMonitor(key);
    if (field === 'gctMedian') return this.gctMonitor();
    return undefined;
  }

  /** |left − right| contact time over their mean, percent, from rolling medians (2 × windowStances) of each side. */
  private asymmetry(gait: Gait, s: StrideMetrics): number | undefined {
    if (s.gctS === null) return undefined;
    const key = GCT_KEYS[gait][s.side];
    let m = this.gctMedian.get(key);
    if (m === undefined) this.gctMedian.set(key, (m = this.gctMonitor()));
    m.push(s.gctS);
    const left = this.gctMedian.get(GCT_KEYS[gait].left)?.median ?? Number.NaN;
    const right = this.gctMedian.get(GCT_KEYS[gait].right)?.median ?? Number.NaN;
    if (Number.isNaN(left) || Number.isNaN(right)) return undefined;
    return (200 * Math.abs(left - right)) / (left + right);
  }

  private feed(gait: Gait, spec: MetricSpec, side: Side | undefined, value: number, tUs: number, alerts: Alert[]): void {
    const t = this.gaitTimeS[gait];
    const { warmupS, baselineS } = this.params;
    if (t < warmupS) return;
    const key = seriesKey(gait, spec.metric, side);
    let tracked = this.series.get(key);
    if (tracked === undefined) this.series.set(key, (tracked = new Tracked(spec, side, this.params)));
    if (t < warmupS + baselineS) {
      tracked.learn(value);
      return;
    }
    tracked.arm(this.params);
    const change = tracked.monitor.push(value);
    const phase = this.episode('form_breakdown', spec.metric, key, change, tracked.monitor, tUs);
    if (phase === null) return;
    const v = tracked.monitor.median;
    const b = tracked.baseline;
    const delta = v - b;
    const sideText = side === undefined ? '' : `${side} `;
    const text = `form breakdown: ${sideText}${spec.what} ${v.toFixed(1)}${spec.unit} against a fresh-legs ${b.toFixed(1)}${spec.unit} (${delta >= 0 ? '+' : ''}${delta.toFixed(1)}) over the last ${this.params.windowStances} stances`;
    alerts.push(this.alert('form_breakdown', spec.metric, phase, v, b, side, tUs, phase === 'resolved' ? `resolved: ${text}` : text));
  }

  /** Twice the usual window: a difference of two medians is noisier than one median. */
  private gctMonitor(): SeriesMonitor {
    return new SeriesMonitor({ ...this.params, windowStances: 2 * this.params.windowStances });
  }

  private limitMonitor(side: Side): SeriesMonitor {
    const monitor = new SeriesMonitor(this.params);
    const limit = this.context.pelvicDropLimitDeg;
    monitor.setLevels(limit, limit - this.params.limitHysteresisDeg, 1);
    this.limitSeries.set(side, monitor);
    return monitor;
  }

  private checkLimit(side: Side, value: number, tUs: number, alerts: Alert[]): void {
    let monitor = this.limitSeries.get(side);
    if (monitor === undefined) {
      monitor = this.limitMonitor(side);
      this.limitSeries.set(side, monitor);
    }
    const change = monitor.push(value);
    const phase = this.episode('pelvic_drop_high', 'pelvicDropDeg', LIMIT_KEYS[side], change, monitor, tUs);
    if (phase === null) return;
    const limit = this.context.pelvicDropLimitDeg;
    const text = `pelvic drop ${monitor.median.toFixed(1)}° on ${side} stance is over your limit of ${limit.toFixed(1)}° (last ${this.params.windowStances} stances)`;
    alerts.push(this.alert('pelvic_drop_high', 'pelvicDropDeg', phase, monitor.median, limit, side, tUs, phase === 'resolved' ? `resolved: ${text}` : text));
  }

  /**
   * Episode bookkeeping per alert type and metric: one raised alert, one
   * resolved, then a cooldown. Returns what to announce (usually nothing).
   */
  private episode(type: 'form_breakdown' | 'pelvic_drop_high', metric: MetricName, key: string, change: SeriesChange, monitor: SeriesMonitor, tUs: number): 'raised' | 'resolved' | null {
    const episodeKey = type === 'form_breakdown' ? metric : type;
    let episode = this.episodes.get(episodeKey);
    if (change === 'cleared' && episode !== undefined) {
      episode.high.delete(key);
      if (episode.high.size > 0) return null;
      this.episodes.delete(episodeKey);
      this.cooldownUntilUs.set(episodeKey, tUs + this.params.cooldownS * 1e6);
      this.lastEpisodeId = episode.id;
      return 'resolved';
    }
    if (!monitor.high) return null;
    if (episode !== undefined) {
      episode.high.add(key);
      return null;
    }
    // A series that went high during the cooldown raises once the cooldown is over.
    if (tUs < (this.cooldownUntilUs.get(episodeKey) ?? Number.NEGATIVE_INFINITY)) return null;
    episode = { id: `${type}:${metric}:${tUs}`, high: new Set([key]) };
    // Other series of this metric that are high too belong to the episode.
    if (type === 'form_breakdown') {
      for (const [k, tracked] of this.series) if (tracked.spec.metric === metric && tracked.monitor.high) episode.high.add(k);
    } else {
      for (const [s, m] of this.limitSeries) if (m.high) episode.high.add(LIMIT_KEYS[s]);
    }
    this.episodes.set(episodeKey, episode);
    this.lastEpisodeId = episode.id;
    return 'raised';
  }

  /** The alert of the episode `episode()` just raised or resolved. */
  private alert(type: Alert['type'], metric: string, phase: 'raised' | 'resolved', value: number, baseline: number, side: Side | undefined, tUs: number, message: string): Alert {
    const episodeId = this.lastEpisodeId;
    return {
      type,
      severity: 'warning',
      athleteId: this.context.athleteId,
      sessionId: this.context.sessionId,
      tUs,
      metric,
      value: round2(value),
      baseline: round2(baseline),
      message,
      phase,
      episodeId,
      ...(side === undefined ? {} : { side }),
    };
  }
}
