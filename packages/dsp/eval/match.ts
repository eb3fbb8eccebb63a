/** Matching detected stances to ground truth, and the error statistics of ACCURACY.md. */

export interface TruthStance {
  side: 'left' | 'right';
  icUs: number;
  toUs: number | null;
  pelvicDropDeg: number | null;
  shankFrontalDeg: number | null;
}

export interface DetectedStance {
  side: 'left' | 'right';
  icUs: number;
  toUs: number | null;
  pelvicDropDeg: number | null;
  shankFrontalDeg: number | null;
}

export interface MatchResult {
  truth: number;
  detected: number;
  matched: number;
  /** Detected − truth, ms, per matched stance. */
  icErrorsMs: number[];
  toErrorsMs: number[];
  /** Contact time (TO − IC) detected − truth, ms, where both have a toe-off. */
  gctErrorsMs: number[];
  dropErrorsDeg: number[];
  shankErrorsDeg: number[];
}

/** A detection matches the nearest unmatched truth IC of the same side within ±toleranceMs. */
export function matchStances(truth: readonly TruthStance[], detected: readonly DetectedStance[], toleranceMs = 100): MatchResult {
  const result: MatchResult = { truth: truth.length, detected: detected.length, matched: 0, icErrorsMs: [], toErrorsMs: [], gctErrorsMs: [], dropErrorsDeg: [], shankErrorsDeg: [] };
  for (const side of ['left', 'right'] as const) {
    const t = truth.filter((s) => s.side === side).sort((a, b) => a.icUs - b.icUs);
    const d = detected.filter((s) => s.side === side).sort((a, b) => a.icUs - b.icUs);
    const used = new Uint8Array(t.length);
    let j = 0;
    for (const det of d) {
      while (j < t.length && t[j]!.icUs < det.icUs - toleranceMs * 1000) j++;
      let best = -1;
      for (let k = j; k < t.length && t[k]!.icUs <= det.icUs + toleranceMs * 1000; k++) {
        if (used[k] === 0 && (best < 0 || Math.abs(t[k]!.icUs - det.icUs) < Math.abs(t[best]!.icUs - det.icUs))) best = k;
      }
      if (best < 0) continue;
      used[best] = 1;
      const tr = t[best]!;
      result.matched++;
      result.icErrorsMs.push((det.icUs - tr.icUs) / 1000);
      if (det.toUs !== null && tr.toUs !== null) {
        result.toErrorsMs.push((det.toUs - tr.toUs) / 1000);
        result.gctErrorsMs.push((det.toUs - det.icUs - (tr.toUs - tr.icUs)) / 1000);
      }
      if (det.pelvicDropDeg !== null && tr.pelvicDropDeg !== null) result.dropErrorsDeg.push(det.pelvicDropDeg - tr.pelvicDropDeg);
      if (det.shankFrontalDeg !== null && tr.shankFrontalDeg !== null) result.shankErrorsDeg.push(det.shankFrontalDeg - tr.shankFrontalDeg);
    }
  }
  return result;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const absolute = (values: readonly number[]): number[] => values.map(Math.abs);
export const mean = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length);
