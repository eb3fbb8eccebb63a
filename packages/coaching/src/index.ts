// Public surface of @gaitwatch/coaching (README.md): pure functions over stored sessions and alerts, no I/O.
export { dayStartUs, dayToDate, isoWeekLabel, isoWeekday, localDay, weekMonday } from './calendar.ts';
export { coachingSettings, DEFAULT_ACWR_BAND, DEFAULT_RAMP_LIMIT_PCT, DEFAULT_TIME_ZONE, type CoachingSettings } from './settings.ts';
export { sessionLoad, type SessionLoad } from './session-load.ts';
export { weeklyLoad, type WeekLoad, type WeekBucket } from './weekly-load.ts';
export { acwrAt, rampWarnings, weekVolume, type LoadMetric, type RampOptions, type RampWarning } from './ramp.ts';
export { ON_PLAN_TOLERANCE_PCT, planStatus, plannedDistanceM, planWeek, weeksToTarget, type PlanStatus } from './plan.ts';
export { HISTORY_WEEKS, loadReport, loadWindowStartUs, type LoadReport, type WeekReport } from './load-report.ts';
export { percentile95, sessionOnset, type OnsetSide, type SessionOnset, type SideOnset } from './onset.ts';
export { normalCdf, trendStatistic, type TrendStatistic } from './trend-stats.ts';
export { MIN_TREND_SESSIONS, TREND_P_VALUE, onsetTrend, pelvicDropTrend, trendReport, type DropDirection, type DropTrend, type OnsetDirection, type OnsetTrend, type TrendReport } from './trends.ts';
export { athleteDigest, trafficLight, type AthleteDigest, type DigestSession, type Light } from './digest.ts';
export { loadRampAlertsAtClose } from './ramp-alert.ts';
