import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { endOfSwingContacts } from '../../eval/published/end-of-swing.ts';
import { parseSeries, type SensorSeries } from '../../eval/published/signals.ts';
import { analyzeRecording } from '../analyze-recording.ts';
import type { StrideEvent } from '../analysis-events.ts';
import { DEFAULT_PARAMS, validateParams, type AnalyzerParams } from '../params.ts';
import { IC_RULE_AXIAL_ONSET, IC_RULE_IMPACT, IC_RULE_ZERO_CROSSING, ShankEventDetector, type ShankStance } from './shank-events.ts';

// A real-running recording beside the repository (../shared/data/real-running; its README says how it was made).
const RUN = fileURLToPath(new URL('../../../../../shared/data/real-running/fukuchi-rbds001-t25', import.meta.url));
const present = existsSync(`${RUN}.csv`);
if (!present) {
  if (process.env['CI'] === 'true') throw new Error(`CI=true but the real-running recording is missing at ${RUN}.csv`);
  console.warn(`\n!!! SKIPPING the shank icRule checks on real running: ${RUN}.csv not found.\n`);
}

/** The standing seconds' mean: unit up and gyro bias, as a calibration would give them. */
function standing(s: SensorSeries, untilUs: number): { up: [number, number, number]; bias: Float64Array } {
  const n = s.tUs.findIndex((t) => t >= untilUs);
  const mean = (a: Float64Array): number => a.subarray(0, n).reduce((x, y) => x + y, 0) / n;
  const acc = s.acc.map(mean) as [number, number, number];
  const norm = Math.hypot(...acc);
  return { up: [acc[0] / norm, acc[1] / norm, acc[2] / norm], bias: Float64Array.from(s.gyr.map(mean)) };
}

function stream(s: SensorSeries, icRule: number, up: [number, number, number], bias: Float64Array, bridged: (tUs: number) => boolean = () => false): ShankStance[] {
  const out: ShankStance[] = [];
  const detector = new ShankEventDetector({ ...DEFAULT_PARAMS.shankEvents, icRule }, s.rateHz, up, bias, (st) => out.push(st));
  const row = new Float64Array(7);
  for (let i = 0; i < s.tUs.length; i++) {
    row[0] = s.tUs[i]!;
    for (let k = 0; k < 3; k++) {
      row[1 + k] = s.acc[k]![i]!;
      row[4 + k] = s.gyr[k]![i]!;
    }
    detector.push(row, 0, undefined, bridged(row[0]));
  }
  detector.finish();
  return out;
}

describe.skipIf(!present)('shank detector, icRule 2 (end of swing, Fadillioglu et al. 2020) on real running', () => {
  const text = present ? readFileSync(`${RUN}.csv`, 'utf8') : '';
  const series = present ? parseSeries(text) : new Map<string, SensorSeries>();
  const meta = present ? (JSON.parse(readFileSync(`${RUN}.meta.json`, 'utf8')) as { standingEndUs: number; runStartUs: number }) : { standingEndUs: 0, runStartUs: 0 };

  it.each(['shank_left', 'shank_right'])('%s: every streamed contact is the offline rule\'s, to the microsecond, and none is missed', (sensor) => {
    const s = series.get(sensor)!;
    const { up, bias } = standing(s, meta.standingEndUs);
    const p = DEFAULT_PARAMS.shankEvents;
    const offline = endOfSwingContacts(s, { upSensor: up, gyroBiasRadps: [bias[0]!, bias[1]!, bias[2]!], cutoffHz: p.cutoffHz, filterSpanS: p.filterSpanS, minSwingPeakRadps: p.minSwingPeakRadps, minRefractoryS: p.minRefractoryS });
    const streamed = stream(s, IC_RULE_ZERO_CROSSING, up, bias).map((st) => st.icUs);
    const running = offline.filter((t) => t >= meta.runStartUs);
    expect(running.length).toBeGreaterThan(30);
    expect(streamed.every((t) => offline.includes(t))).toBe(true);
    // The detector closes a stance at the next mid-swing: the last contact (and the cross-fade's first) may stay open.
    expect(streamed.length).toBeGreaterThanOrEqual(running.length - 2);
    // The impact rule times a different feature (after the crossing): the comparison can tell them apart.
    const impact = stream(s, IC_RULE_IMPACT, up, bias).map((st) => st.icUs);
    expect(impact.filter((t) => offline.includes(t)).length).toBeLessThan(impact.length / 4);
  });

  it('a zero crossing next to a bridged row (a gap\'s guess) times no contact; the other stances stay', () => {
    const s = series.get('shank_right')!;
    const { up, bias } = standing(s, meta.standingEndUs);
    const clean = stream(s, IC_RULE_ZERO_CROSSING, up, bias);
    // Bridge 3 rows just after every fifth contact's crossing (the rows themselves keep their values).
    const hit = clean.filter((_, k) => k % 5 === 2).map((st) => st.icUs);
    const bridged = (t: number): boolean => hit.some((ic) => t > ic && t <= ic + 15_000);
    const gapped = stream(s, IC_RULE_ZERO_CROSSING, up, bias, bridged);
    expect(hit.length).toBeGreaterThan(5);
    for (const ic of hit) expect(gapped.some((st) => Math.abs(st.icUs - ic) < 50_000)).toBe(false);
    expect(gapped.length).toBeGreaterThanOrEqual(clean.length - hit.length - 2);
  });

  async function strides(chunkChars: number, params: Parameters<typeof analyzeRecording>[2]): Promise<StrideEvent[]> {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += chunkChars) chunks.push(text.slice(i, i + chunkChars));
    const out: StrideEvent[] = [];
    await analyzeRecording(chunks, (e) => {
      if (e.kind === 'stride') out.push(e);
    }, params);
    return out;
  }

  it('through the analyzer: the contacts move earlier, toe-offs stay, and chunking changes nothing', async () => {
    const byDefault = await strides(1 << 20, {});
    const zero = await strides(1 << 20, { shankEvents: { icRule: 2 } });
    const zeroChunked = await strides(997, { shankEvents: { icRule: 2 } });
    expect(zeroChunked).toEqual(zero);
    // Same stances, same toe-offs; contacts earlier (the crossing precedes the impact search's result).
    const pairs = zero.map((z) => [z, byDefault.find((d) => d.side === z.side && d.toUs === z.toUs && d.toUs !== null)] as const).filter(([, d]) => d !== undefined);
    expect(pairs.length).toBeGreaterThan(60);
    for (const [z, d] of pairs) expect(z.icUs).toBeLessThanOrEqual(d!.icUs);
    expect(pairs.filter(([z, d]) => z.icUs < d!.icUs).length).toBeGreaterThan(pairs.length * 0.9);
  });
});

describe.skipIf(!present)('shank detector, icRule 3 (onset of the axial rise to the impact) on real running', () => {
  const series = present ? parseSeries(readFileSync(`${RUN}.csv`, 'utf8')) : new Map<string, SensorSeries>();
  const meta = present ? (JSON.parse(readFileSync(`${RUN}.meta.json`, 'utf8')) as { standingEndUs: number; runStartUs: number }) : { standingEndUs: 0, runStartUs: 0 };

  it.each(['shank_left', 'shank_right'])('%s: the same stances and toe-offs as the impact rule, each contact before its impact by what the loading takes', (sensor) => {
    const s = series.get(sensor)!;
    const { up, bias } = standing(s, meta.standingEndUs);
    const impact = stream(s, IC_RULE_IMPACT, up, bias).filter((st) => st.icUs >= meta.runStartUs);
    const onset = stream(s, IC_RULE_AXIAL_ONSET, up, bias).filter((st) => st.icUs >= meta.runStartUs);
    expect(onset.length).toBe(impact.length);
    expect(onset.length).toBeGreaterThan(30);
    const leadsMs = onset.map((st, k) => {
      expect(st.toUs).toBe(impact[k]!.toUs);
      return (impact[k]!.icUs - st.icUs) / 1000;
    });
    // Never after the jump's second sample (the impact is timed half a sample before it), never before the
    // search window (30 ms before the crossing + icSearchS); on this forefoot striker's smooth, marker-derived
    // signals the loading before the largest jump takes a few ms (median 4.4 ms; one impact 105 ms late,
    // a second rise mid-stance, is brought back to its contact).
    const p = DEFAULT_PARAMS.shankEvents;
    for (const lead of leadsMs) {
      expect(lead).toBeGreaterThanOrEqual(-2.5);
      expect(lead).toBeLessThan(p.icSearchS * 1000 + 30);
    }
    const sorted = [...leadsMs].sort((a, b) => a - b);
    expect(sorted[sorted.length >> 1]).toBeGreaterThan(2);
    expect(sorted[sorted.length >> 1]).toBeLessThan(8);
  });

  it('a bridged row in the rise (a gap\'s guess) gives the impact instead, not a contact timed on the guess', () => {
    const s = series.get('shank_left')!;
    const { up, bias } = standing(s, meta.standingEndUs);
    const impact = stream(s, IC_RULE_IMPACT, up, bias);
    const onset = stream(s, IC_RULE_AXIAL_ONSET, up, bias);
    // Bridge the row 20 ms before every fourth impact: inside the rise's search, away from the |a| jump the
    // impact is read from (a bridged row next to that jump drops the contact altogether: the other test).
    const hit = impact.filter((_, k) => k % 4 === 1).map((st) => st.icUs);
    const bridged = (t: number): boolean => hit.some((ic) => t > ic - 22_500 && t <= ic - 17_500);
    const gapped = stream(s, IC_RULE_AXIAL_ONSET, up, bias, bridged);
    expect(hit.length).toBeGreaterThan(5);
    for (const ic of hit) {
      expect(gapped.some((st) => st.icUs === ic)).toBe(true);
      expect(onset.some((st) => st.icUs === ic)).toBe(false);
    }
  });
});

describe('shankEvents.icRule validation', () => {
  const with_ = (icRule: number): AnalyzerParams => ({ ...DEFAULT_PARAMS, shankEvents: { ...DEFAULT_PARAMS.shankEvents, icRule } });
  it.each([0, 4, 1.5])('rejects %s at construction, naming the parameter (and, in the detector, the choices)', (icRule) => {
    // 0 fails the general "> 0" check first; either way the message names the parameter.
    expect(() => validateParams(with_(icRule))).toThrow(/shankEvents\.icRule must be/);
    expect(() => new ShankEventDetector(with_(icRule).shankEvents, 200, [0, 0, 1], new Float64Array(3), () => {})).toThrow(/shankEvents\.icRule must be 1 \(impact\), 2 .* or 3/);
  });
  it('accepts 1, 2 and 3', () => {
    for (const rule of [1, 2, 3]) expect(() => validateParams(with_(rule))).not.toThrow();
  });
});
