import { describe, expect, it } from 'vitest';
import type { StrideRecord } from '../types.ts';
import { CHECKPOINT_CHUNK_BYTES, alertPoint, checkpointPoint, sessionPoint, stridePoint } from './points.ts';

const stride: StrideRecord = {
  athleteId: 'a1',
  sessionId: 's1',
  side: 'left',
  icUs: 1_764_000_000_123_457,
  toUs: 1_764_000_000_353_459,
  strideTimeS: 0.72,
  gctS: null,
  cadenceSpm: 166.5,
  pelvicDropDeg: null,
  shankFrontalDeg: -1.25,
  pelvicDropReason: 'data_gap',
};

describe('line protocol through Point', () => {
  it('writes a stride with µs time as a string, int times, float metrics, nulls left out, extras kept', () => {
    expect(stridePoint(stride)).toBe(
      'stride,athlete=a1,session=s1,side=left cadenceSpm=166.5,pelvicDropReason="data_gap",schemaVersion=1i,shankFrontalDeg=-1.25,strideTimeS=0.72,toUs=1764000000353459i 1764000000123457',
    );
  });

  it('tags an alert by its identity and escapes its message', () => {
    const line = alertPoint({
      type: 'data_quality',
      severity: 'info',
      athleteId: 'a1',
      sessionId: 's1',
      tUs: 1_764_000_000_000_001,
      metric: 'sensor_silent',
      value: null,
      baseline: null,
      message: 'shank "left"\nsilent',
      phase: 'raised',
      sensor: 'shank_left',
    });
    expect(line).toBe('alert,athlete=a1,metric=sensor_silent,phase=raised,sensor=shank_left,session=s1,severity=info,type=data_quality message="shank \\"left\\"\nsilent" 1764000000000001');
  });

  it('writes a session summary as JSON and its end only when known', () => {
    expect(sessionPoint({ athleteId: 'a1', sessionId: 's1', startUs: 1_764_000_000_000_000, endUs: null, summary: { state: 'active' } })).toBe(
      'session,athlete=a1,session=s1 summary="{\\"state\\":\\"active\\"}" 1764000000000000',
    );
  });

  it('splits a checkpoint into base64 chunks under 64 KiB and says how many', () => {
    const data = new Uint8Array(CHECKPOINT_CHUNK_BYTES * 2 + 1).fill(7);
    const line = checkpointPoint({ athleteId: 'a1', sessionId: 's1', startUs: 1_764_000_000_000_000, atUs: 1_764_000_005_000_000, version: 2, data });
    expect(line).toContain('chunks=3i');
    expect(line).toContain(`bytes=${data.length}i`);
    const chunks = [...line.matchAll(/c\d="([^"]*)"/g)].map((m) => m[1]!.length);
    expect(chunks).toEqual([60_000, 60_000, 4]);
  });
});
