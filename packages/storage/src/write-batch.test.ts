import { describe, expect, it } from 'vitest';
import type { AlertRecord, StrideRecord } from './types.ts';
import { prepareBatch, rawImuEnabled } from './write-batch.ts';

const T = 1_764_000_000_000_000;
const stride: StrideRecord = { athleteId: 'a', sessionId: 's', side: 'right', icUs: T, toUs: null, strideTimeS: null, gctS: null, cadenceSpm: null, pelvicDropDeg: null, shankFrontalDeg: null };
const alert = { type: 'form_breakdown', severity: 'warning', athleteId: 'a', sessionId: 's', tUs: T, metric: 'cadenceSpm', value: 150, baseline: 170, message: 'm' } as AlertRecord;
const imu = (athleteId: string) => ({ athleteId, sessionId: 's', sensor: 'pelvis' as const, t0Us: T, periodUs: 5000, samples: new Float64Array(18) });

describe('prepareBatch', () => {
  it('counts one point per record and per raw sample stored', () => {
    const prepared = prepareBatch({ strides: [stride], alerts: [alert], imu: [imu('a'), imu('b')] }, { athletes: ['a'] });
    expect(prepared).toMatchObject({ points: 2 + 3, imuSkipped: 3 });
    expect(prepared.imu.map((b) => b.athleteId)).toEqual(['a']);
  });

  it("gives a hand-built alert without phase the schema's default, 'raised'", () => {
    expect(prepareBatch({ alerts: [alert] }, 'off').alerts[0]!.phase).toBe('raised');
  });

  it('refuses the whole call for one bad record', () => {
    expect(() => prepareBatch({ strides: [stride, { ...stride, side: 'middle' as 'left' }] }, 'off')).toThrow(TypeError);
    expect(() => prepareBatch({ alerts: [{ ...alert, metric: 'has space' }] }, 'off')).toThrow(TypeError);
    expect(() => prepareBatch({ imu: [{ ...imu('a'), samples: new Float64Array(7) }] }, 'all')).toThrow(RangeError);
    expect(() => prepareBatch({ sessions: [{ athleteId: 'a', sessionId: 's', startUs: T, endUs: null, summary: { big: 'x'.repeat(70_000) } }] }, 'off')).toThrow(RangeError);
    expect(() => prepareBatch({ checkpoints: [{ athleteId: 'a', sessionId: 's', startUs: T, atUs: T, version: 1.5, data: new Uint8Array(1) }] }, 'off')).toThrow(RangeError);
  });
});

describe('rawImuEnabled', () => {
  it('is off by default, on for all, or on for listed athletes', () => {
    expect(rawImuEnabled('off', 'a')).toBe(false);
    expect(rawImuEnabled('all', 'a')).toBe(true);
    expect(rawImuEnabled({ athletes: ['a'] }, 'a')).toBe(true);
    expect(rawImuEnabled({ athletes: ['a'] }, 'b')).toBe(false);
  });
});
