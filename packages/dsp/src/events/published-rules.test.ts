// The offline building blocks under the published gait-event rules
// (eval/published/): the comparison in ACCURACY.md is only as right as the
// MATLAB semantics they re-create.
import { describe, expect, it } from 'vitest';
import { auvinetSacrum } from '../../eval/published/auvinet.ts';
import { purcellContacts, purcellToeOff } from '../../eval/published/purcell.ts';
import { reenaldaSacrum } from '../../eval/published/reenalda.ts';
import { butterLowPass2, detrend, filtfilt, findPeaks, pairStances, parseSeries, type SensorSeries } from '../../eval/published/signals.ts';

describe('parseSeries', () => {
  it('splits a recording into per-sensor columns with its sample rate', () => {
    const s = parseSeries('t_us,sensor,ax,ay,az,gx,gy,gz\n0,pelvis,1,2,3,4,5,6\n5000,pelvis,1,2,3,4,5,6\n0,shank_left,0,0,9.8,0,0,0\n10000,pelvis,7,8,9,1,2,3\n');
    expect([...s.keys()]).toEqual(['pelvis', 'shank_left']);
    expect(s.get('pelvis')!.rateHz).toBe(200);
    expect([...s.get('pelvis')!.acc[0]]).toEqual([1, 1, 7]);
  });
  it('refuses a row that is not 8 fields of numbers, naming the line', () => {
    expect(() => parseSeries('t_us,sensor,ax,ay,az,gx,gy,gz\n0,pelvis,1,2,3,4,5,6\n5000,pelvis,1,x,3,4,5,6\n')).toThrow(/recording line 3: expected t_us,sensor and 6 numbers/);
    expect(() => parseSeries('t_us,sensor,ax,ay,az,gx,gy,gz\n0,pelvis,1,2,3\n')).toThrow(/recording line 2/);
  });
});

describe('findPeaks (MATLAB findpeaks semantics)', () => {
  it('takes strict local maxima, a flat top once at its left edge, never the ends', () => {
    expect(findPeaks([5, 1, 3, 1, 2, 2, 1, 4, 4, 9])).toEqual([2, 4]);
    // A plateau that rises again is a shoulder, not a peak.
    expect(findPeaks([0, 2, 2, 3, 0])).toEqual([3]);
  });
  it('MinPeakHeight is strict; MinPeakDistance keeps the highest and drops its neighbours', () => {
    const x = [0, 5, 0, 3, 0, 4, 0, 0, 0, 2, 0];
    expect(findPeaks(x, { minHeight: 3 })).toEqual([1, 5]);
    expect(findPeaks(x, { minDistance: 4 })).toEqual([1, 5, 9]);
    expect(findPeaks(x, { minDistance: 5 })).toEqual([1, 9]);
  });
  it('searches a window, its ends excluded', () => {
    expect(findPeaks([0, 3, 0, 2, 0, 1, 0], {}, 1, 5)).toEqual([3]);
  });
});

describe('Butterworth and filtfilt', () => {
  const rate = 200;
  const sine = (hz: number, n = 2000): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
  const rms = (x: Float64Array, from = 200, to = x.length - 200): number => Math.sqrt(x.subarray(from, to).reduce((s, v) => s + v * v, 0) / (to - from));
  it('unit gain at DC, −3 dB per pass at the cutoff (so −6 dB forward and back)', () => {
    const c = butterLowPass2(15, rate);
    expect((c.b[0] + c.b[1] + c.b[2]) / (1 + c.a[0] + c.a[1])).toBeCloseTo(1, 12);
    expect(rms(filtfilt(c, sine(15))) / rms(sine(15))).toBeCloseTo(0.5, 2);
    expect(rms(filtfilt(c, sine(2))) / rms(sine(2))).toBeGreaterThan(0.99);
  });
  it('zero phase: a peak stays where it was', () => {
    const x = Float64Array.from({ length: 400 }, (_, i) => Math.exp(-(((i - 200) / 12) ** 2)));
    const y = filtfilt(butterLowPass2(10, rate), x);
    // (The Butterworth's small ringing lobes are peaks too: the main one is asked for.)
    expect(findPeaks(y, { minHeight: 0.1 })).toEqual([200]);
    expect(y[185]).toBeCloseTo(y[215]!, 9);
  });
  it('a constant passes unchanged, edges included (steady-state start)', () => {
    const y = filtfilt(butterLowPass2(10, rate), new Float64Array(50).fill(3));
    for (const v of y) expect(v).toBeCloseTo(3, 9);
  });
  it('rejects a cutoff at or above Nyquist', () => {
    expect(() => butterLowPass2(100, rate)).toThrow(/cutoff must be in \(0, 100\)/);
  });
});

describe('detrend', () => {
  it('removes a straight line exactly and leaves the rest', () => {
    const y = detrend(Float64Array.from({ length: 101 }, (_, i) => 2 + 0.5 * i + (i === 50 ? 1 : 0)));
    expect(y[50]! - y[49]!).toBeCloseTo(1, 9);
    expect(y[0]).toBeCloseTo(y[100]!, 9);
  });
});

describe('pairStances (Kiernan et al.\'s pairing)', () => {
  it('each contact takes the first toe-off at least half the shortest stance after it', () => {
    expect(pairStances([10, 100, 200], [60, 150, 250], 20).map(({ ic, tc }) => [ic, tc])).toEqual([[10, 60], [100, 150], [200, 250]]);
  });
  it('contacts sharing a toe-off keep only the last; one without a toe-off only as the last', () => {
    expect(pairStances([10, 40, 200, 300], [60, 250], 20).map(({ ic, tc }) => [ic, tc])).toEqual([[40, 60], [200, 250], [300, null]]);
    // A toe-off too soon after its contact (under half the shortest stance) is not its own.
    expect(pairStances([10, 100], [15, 160], 20).map(({ ic, tc }) => [ic, tc])).toEqual([[100, 160]]);
  });
  it('no toe-off at all: nothing (Kiernan) or every contact without one (on request)', () => {
    expect(pairStances([10, 100], [Number.NaN], 20)).toEqual([]);
    expect(pairStances([10, 100], [], 20, true).map(({ ic, tc }) => [ic, tc])).toEqual([[10, null], [100, null]]);
  });
});

describe('Purcell (as Kiernan et al. read it) on a synthetic shank', () => {
  it('IC: the anterior minimum nearest each magnitude peak; TC: the posterior peak averaged with the nearest medial one', () => {
    const n = 400;
    const anterior = new Float64Array(n);
    const magnitude = new Float64Array(n).fill(10);
    const medial = new Float64Array(n);
    for (const ic of [50, 250]) {
      anterior[ic] = -5;
      magnitude[ic + 3] = 30;
    }
    // 20–60 % of the 200-sample interval: samples 90–170. Posterior peak (anterior minimum) at 120, medial peaks at 100 and 130.
    anterior[120] = -4;
    anterior[160] = -2;
    medial[100] = 1;
    medial[130] = 1;
    expect(purcellContacts(anterior, magnitude, 200)).toEqual([50, 250]);
    expect(purcellToeOff(anterior, medial, 50, 250)).toBe(125);
    // Without a medial peak: the posterior peak alone.
    expect(purcellToeOff(anterior, new Float64Array(n), 50, 250)).toBe(120);
  });
});

describe('sacrum rules on a synthetic running pelvis', () => {
  // 2.8 steps/s: per step a loading bump of vertical force (1 g above gravity at its top, 0.16 s after contact)
  // and a flight at −1 g (free fall) from toe-off; forward deceleration right after contact.
  const rate = 200;
  const stepS = 1 / 2.8;
  const contactS = 0.24;
  function running(): { series: SensorSeries; contactsUs: number[]; toeOffsUs: number[] } {
    const lines = ['t_us,sensor,ax,ay,az,gx,gy,gz'];
    const contactsUs: number[] = [];
    const toeOffsUs: number[] = [];
    for (let k = 0; k * stepS < 20; k++) {
      contactsUs.push(Math.round((1 + k * stepS) * 1e6));
      toeOffsUs.push(Math.round((1 + k * stepS + contactS) * 1e6));
    }
    for (let i = 0; i < 21 * rate; i++) {
      const t = i / rate;
      const phase = t < 1 ? -1 : (t - 1) % stepS;
      const inStance = phase >= 0 && phase < contactS;
      // Vertical specific force: a half-sine of 2.6 g in stance, 0 in flight (free fall); mean ≈ 1 g.
      const vertical = inStance ? 2.6 * 9.81 * Math.sin((Math.PI * phase) / contactS) : t < 1 ? 9.81 : 0;
      const forward = inStance ? -3 * Math.sin((2 * Math.PI * phase) / contactS) : 0;
      const side = ((Math.floor(Math.max(0, t - 1) / stepS) % 2 === 0 ? 1 : -1) * (inStance ? 2 : 0));
      lines.push(`${Math.round(t * 1e6)},pelvis,${forward},${side},${vertical},0,0,0`);
    }
    return { series: parseSeries(lines.join('\n')).get('pelvis')!, contactsUs, toeOffsUs };
  }

  it('Auvinet: a contact and a toe-off per step near the true ones; Reenalda: a contact per step', () => {
    const { series, contactsUs, toeOffsUs } = running();
    const auvinet = auvinetSacrum(series);
    expect(auvinet.length).toBeGreaterThan(contactsUs.length - 6);
    const near = (t: number, ref: number[], ms: number): boolean => ref.some((r) => Math.abs(r - t) <= ms * 1000);
    expect(auvinet.every((s) => near(s.icUs, contactsUs, 60))).toBe(true);
    expect(auvinet.filter((s) => s.toUs !== null).every((s) => near(s.toUs!, toeOffsUs, 15))).toBe(true);
    // Feet alternate.
    expect(auvinet.every((s, k) => k === 0 || s.side !== auvinet[k - 1]!.side)).toBe(true);
    const reenalda = reenaldaSacrum(series);
    expect(reenalda.length).toBeGreaterThan(contactsUs.length - 4);
    expect(reenalda.filter((s) => s.icUs > 1.5e6).every((s) => near(s.icUs, contactsUs, 60))).toBe(true);
  });
});
