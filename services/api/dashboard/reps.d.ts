// Types of reps.js for the TypeScript tests that import it (not served).
export interface RepLike {
  side: 'left' | 'right';
  set: number;
  rep: number;
  startUs: number;
  pelvicDropDeg: number | null;
  shankFrontalDeg: number | null;
  depthDeg: number | null;
  pelvicDropVerdict: 'level' | 'dropping' | null;
}
export interface SideStats {
  reps: number;
  pelvicDropDegMedian: number | null;
  shankFrontalDegMedian: number | null;
  depthDegMedian: number | null;
  droppingReps: number;
}
export const VERDICT_WORDS: { level: string; dropping: string };
export const SIDES: readonly ['left', 'right'];
export const DEFAULT_SCREEN_THRESHOLD_DEG: number;
export function isScreen(session: unknown): boolean;
export function analysisThresholdDeg(summary: unknown): number | null;
export function screenThreshold(athlete: unknown): { deg: number; source: 'athlete' | 'default'; words: string };
export function spokenRep(rep: Pick<RepLike, 'rep' | 'pelvicDropVerdict'>): string;
export function repKey(rep: RepLike): string;
export function median(values: (number | null | undefined)[]): number | null;
export function sideStats(reps: RepLike[]): SideStats;
export function leftMinusRight(left: number | null, right: number | null): number | null;
export class RepLog {
  add(rep: RepLike): boolean;
  readonly count: number;
  of(side: 'left' | 'right'): RepLike[];
  last(side: 'left' | 'right'): RepLike | undefined;
  sets(side: 'left' | 'right'): { set: number; reps: RepLike[] }[];
}
