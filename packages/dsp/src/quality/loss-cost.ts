import type { AngleNullReason, SensorId } from '@gaitwatch/protocol/core';
import type { AlertEvent, TimedEvent } from '../analysis-events.ts';
import { dataQualityAlert, type AlertContext } from '../session/alerts.ts';
import { uint8Array } from '../signal/arena.ts';

export interface LossCostParams {
  /** Stances a cost is judged over. */
  readonly costStances: number;
  /** Raise when lost packets cost a metric on more than this fraction of them… */
  readonly costRaise: number;
  /** …resolve below this fraction (hysteresis). */
  readonly costResolve: number;
}

const WHAT: Record<string, string> = { pelvicDropDeg: 'pelvic drop', shankFrontalDeg: 'knee-collapse proxy' };

/**
 * packet_loss as the user feels it: not "x % of samples missing" but "lost
 * packets cost this metric on y % of the recent stances". Bridging (see the
 * analyzer) means ordinary loss costs nothing; this says when it starts to.
 * One series per (sensor, metric); one episode, raised and resolved, with
 * hysteresis. Fed at release, so it depends only on the data.
 */
export class LossCostMonitor {
  private readonly series = new Map<string, { lost: Uint8Array; count: number; sum: number; episode: string | null }>();

  constructor(
    private readonly params: LossCostParams,
    private readonly context: AlertContext,
  ) {}

  /** Whether an episode is open for `metric` from `sensor`. */
  costing(sensor: SensorId, metric: 'pelvicDropDeg' | 'shankFrontalDeg'): boolean {
    return (this.series.get(`${sensor}:${metric}`)?.episode ?? null) !== null;
  }

  /** One stance's outcome for `metric` from `sensor`: its null reason, or undefined when measured. */
  push(sensor: SensorId, metric: 'pelvicDropDeg' | 'shankFrontalDeg', reason: AngleNullReason | undefined, tUs: number, out: (AlertEvent | TimedEvent)[]): void {
    // Only stances the sensor could have measured count: not worn, wrong units, settling are other stories.
    if (reason !== undefined && reason !== 'data_gap') return;
    const key = `${sensor}:${metric}`;
    let s = this.series.get(key);
    if (s === undefined) this.series.set(key, (s = { lost: uint8Array(this.params.costStances), count: 0, sum: 0, episode: null }));
    const slot = s.count % s.lost.length;
    const lost = reason === 'data_gap' ? 1 : 0;
    s.sum += lost - (s.count >= s.lost.length ? s.lost[slot]! : 0);
    s.lost[slot] = lost;
    s.count++;
    const n = Math.min(s.count, s.lost.length);
    if (n < s.lost.length / 2) return;
    const fraction = s.sum / n;
    const what = WHAT[metric] ?? metric;
    if (s.episode === null && fraction > this.params.costRaise) {
      s.episode = `${key}:packet_loss:${tUs}`;
      out.push(this.alert(sensor, metric, tUs, fraction, this.params.costRaise, s.episode, 'raised', `${sensor}: lost packets cost the ${what} of ${Math.round(fraction * 100)} % of the last ${n} stances (Bluetooth range or a busy phone?)`));
    } else if (s.episode !== null && fraction < this.params.costResolve) {
      out.push(this.alert(sensor, metric, tUs, fraction, this.params.costResolve, s.episode, 'resolved', `${sensor}: the ${what} is measured again on nearly every stance`));
      s.episode = null;
    }
  }

  private alert(sensor: SensorId, metric: 'pelvicDropDeg' | 'shankFrontalDeg', tUs: number, value: number, baseline: number, episodeId: string, phase: 'raised' | 'resolved', message: string): AlertEvent {
    return dataQualityAlert(this.context, { tUs, reason: 'packet_loss', affectedMetric: metric, value: Math.round(value * 1000) / 1000, baseline, message, phase, episodeId, sensor });
  }
}
