/**
 * The return-to-run plan: planned distance per week and how the athlete is
 * doing against it. Week 1 is the ISO week holding the plan's start date;
 * week n plans start × (1 + increase)^(n−1), levelling off at the target.
 */
import type { ReturnToRunPlan } from '@gaitwatch/storage';
import { dateToDay, weekMonday } from './calendar.ts';

/** Planned metres for the week starting at `mondayDay` (civil day number), or null before the plan starts. */
export function plannedDistanceM(plan: ReturnToRunPlan, mondayDay: number): number | null {
  const startMonday = weekMonday(dateToDay(plan.startDate));
  if (mondayDay < startMonday) return null;
  const n = Math.round((mondayDay - startMonday) / 7);
  return Math.min(plan.targetWeeklyDistanceM, plan.startWeeklyDistanceM * (1 + plan.weeklyIncreasePct / 100) ** n);
}

/** The plan week number (1-based) of a week, or null before the plan starts. */
export function planWeek(plan: ReturnToRunPlan, mondayDay: number): number | null {
  const startMonday = weekMonday(dateToDay(plan.startDate));
  return mondayDay < startMonday ? null : Math.round((mondayDay - startMonday) / 7) + 1;
}

/** Weeks from week 1 until the plan reaches its target (1 when it starts there; Infinity with no increase below target). */
export function weeksToTarget(plan: ReturnToRunPlan): number {
  if (plan.startWeeklyDistanceM >= plan.targetWeeklyDistanceM) return 1;
  if (plan.weeklyIncreasePct <= 0) return Number.POSITIVE_INFINITY;
  // Counted with plannedDistanceM's own expression: a closed form (ceil of a log ratio) rounds the other way
  // when the target is exactly start × (1 + r)^n, and the week it names would disagree with the plan line.
  const factor = 1 + plan.weeklyIncreasePct / 100;
  let n = 0;
  while (plan.startWeeklyDistanceM * factor ** n < plan.targetWeeklyDistanceM) n++;
  return n + 1;
}

export type PlanStatus = 'ahead' | 'on_plan' | 'behind';

/** Within ±15 % of the planned week counts as on plan: GPS and stride estimates carry a few percent of error, and runs do not split evenly into weeks. */
export const ON_PLAN_TOLERANCE_PCT = 15;

export function planStatus(actualM: number, plannedM: number): PlanStatus {
  const pct = (100 * (actualM - plannedM)) / plannedM;
  return pct > ON_PLAN_TOLERANCE_PCT ? 'ahead' : pct < -ON_PLAN_TOLERANCE_PCT ? 'behind' : 'on_plan';
}
