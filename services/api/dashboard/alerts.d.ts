// Types of alerts.js for the TypeScript tests that import it (not served).
export interface AlertLike {
  type: string;
  phase?: 'raised' | 'resolved';
  metric?: string;
  side?: 'left' | 'right';
  sensor?: string;
  value?: number | null;
  tUs: number;
  episodeId?: string;
  message?: string;
  reason?: string;
  affectedMetric?: string;
}
export const FORM_TYPES: readonly string[];
export function reasonOf(alert: AlertLike): string | undefined;
export function isForm(alert: { type: string }): boolean;
export function metricWords(metric: string | undefined): string;
export function alertTitle(alert: AlertLike): string;
export function qualityWords(alert: AlertLike): string;
export function dataQuality(alerts: AlertLike[], options?: { ended?: boolean }): { open: string[]; earlier: string[]; summary: string; level: 'good' | 'fair' | 'poor' };
export function openFormAlerts(alerts: AlertLike[]): AlertLike[];
export function alertId(alert: AlertLike & { athleteId?: string; sessionId?: string }): string;
