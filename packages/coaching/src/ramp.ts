/**
 * Ramp warnings: a week whose volume grew more than the athlete's limit
 * over the week before, and an acute:chronic workload ratio outside the
 * athlete's band.
 *
 * ACWR (Gabbett 2016, "The training–injury prevention paradox", Br J Sports
 * Med 50:273–280): the acute load (the last 7 days) over the chronic load
 * (the average week of the last 28 days, this week included — the "coupled"
 * rolling average). We evaluate it once per completed ISO week, on weekly
 * totals, and only once four weeks of history exist. Its known weaknesses
 * (the coupling of acute and chronic, the ratio's instability at low
 * chronic load — e.g. Impellizzeri et al. 2020) are why it is a warning for
 * the coach to look at, never a rule.
 */
import type { WeekBucket } from './weekly-load.ts';

export type LoadMetric = 'distance' | 'duration';

export interface RampWarning {
  readonly week: string;
  readonly kind: 'week_over_week' | 'acwr_high' | 'acwr_low';
  /** `warning` for growth past a limit, `info` for under-loading (ACWR below the band). */
  readonly severity: 'warning' | 'info';
  readonly metric: LoadMetric;
  /** This week's volume: metres or seconds (by metric). */
  readonly value: number;
  /** What the value is held against: the previous week's volume (week_over_week) or the chronic weekly average (acwr_*). */
  readonly reference: number;
  /** week_over_week: growth, percent; acwr_*: the ratio. */
  readonly changePct?: number;
  readonly ratio?: number;
  /** The limit crossed: percent (week_over_week) or the band edge (acwr_*). */
  readonly limit: number;
  readonly message: string;
}

export interface RampOptions {
  readonly rampLimitPct: number;
  readonly acwrBand: { readonly low: number; readonly high: number };
  readonly metric: LoadMetric;
  /**
   * The last week has not ended yet (the report runs mid-week): its load is
   * still growing, so it can be judged too high but never too low.
   */
  readonly lastWeekOpen?: boolean;
}

/** The week's volume in the chosen metric. */
export function weekVolume(week: WeekBucket, metric: LoadMetric): number {
  return metric === 'distance' ? week.distanceM : week.durationS;
}

const CHRONIC_WEEKS = 4;

/** The chronic load at the end of week i (its 4-week average, it included), or null while fewer than four weeks of history exist. */
function chronicAt(weeks: readonly WeekBucket[], i: number, metric: LoadMetric, historyStartIndex: number): number | null {
  if (i - (CHRONIC_WEEKS - 1) < historyStartIndex) return null;
  let sum = 0;
  for (let k = i - CHRONIC_WEEKS + 1; k <= i; k++) sum += weekVolume(weeks[k]!, metric);
  return sum / CHRONIC_WEEKS;
}

/** The ACWR at the end of week i, or null while fewer than four weeks of history exist or the chronic load is 0. */
export function acwrAt(weeks: readonly WeekBucket[], i: number, metric: LoadMetric, historyStartIndex: number): number | null {
  const chronic = chronicAt(weeks, i, metric, historyStartIndex);
  return chronic !== null && chronic > 0 ? weekVolume(weeks[i]!, metric) / chronic : null;
}

const fmt = (v: number, metric: LoadMetric): string => (metric === 'distance' ? `${(v / 1000).toFixed(1)} km` : `${Math.round(v / 60)} min`);

/**
 * Warnings over consecutive weeks (as weeklyLoad returns them). A week after
 * a week of zero load has no week-over-week growth (returning from a break
 * is the plan's business); the current, unfinished week is checked too, so
 * a coach sees a jump as soon as the sessions are in.
 */
export function rampWarnings(weeks: readonly WeekBucket[], options: RampOptions): RampWarning[] {
  const { metric, rampLimitPct, acwrBand, lastWeekOpen = false } = options;
  const warnings: RampWarning[] = [];
  const historyStart = weeks.findIndex((w) => w.sessions > 0);
  if (historyStart === -1) return warnings;
  for (let i = historyStart + 1; i < weeks.length; i++) {
    const week = weeks[i]!;
    const value = weekVolume(week, metric);
    const previous = weekVolume(weeks[i - 1]!, metric);
    if (previous > 0) {
      const changePct = (100 * (value - previous)) / previous;
      // A hair of tolerance: 11 000 after 10 000 is 10 % in decimal, a few ulps over in binary.
      if (changePct > rampLimitPct + 1e-9) {
        warnings.push({
          week: week.week,
          kind: 'week_over_week',
          severity: 'warning',
          metric,
          value,
          reference: previous,
          changePct,
          limit: rampLimitPct,
          message: `${week.week}: ${fmt(value, metric)}, ${changePct.toFixed(0)} % more than the week before (${fmt(previous, metric)}); the limit is ${rampLimitPct} %`,
        });
      }
    }
    const ratio = acwrAt(weeks, i, metric, historyStart);
    const open = lastWeekOpen && i === weeks.length - 1;
    if (ratio !== null && (ratio > acwrBand.high || (ratio < acwrBand.low && !open))) {
      const high = ratio > acwrBand.high;
      const chronic = chronicAt(weeks, i, metric, historyStart)!;
      warnings.push({
        week: week.week,
        kind: high ? 'acwr_high' : 'acwr_low',
        severity: high ? 'warning' : 'info',
        metric,
        value,
        reference: chronic,
        ratio,
        limit: high ? acwrBand.high : acwrBand.low,
        message: `${week.week}: acute:chronic ratio ${ratio.toFixed(2)} is ${high ? 'above' : 'below'} ${high ? acwrBand.high : acwrBand.low} (${fmt(value, metric)} against a 4-week average of ${fmt(chronic, metric)})`,
      });
    }
  }
  return warnings;
}
