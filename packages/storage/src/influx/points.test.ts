import { describe, expect, it } from 'vitest';
import { Point } from '@influxdata/influxdb-client';
import type { ImuBlock, StrideRecord } from '../types.ts';
import { CHECKPOINT_CHUNK_BYTES, alertPoint, checkpointPoint, escapeTag, imuLines, sessionPoint, stridePoint } from './points.ts';

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

/** Seeded PRNG (mulberry32): a failing case is reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every character line protocol escapes somewhere, a backslash, a quote, non-ASCII, and plain letters. */
const ALPHABET = [...'ab Z09_-.', ',', ' ', '=', '\n', '\r', '\t', '\\', '"', "'", 'é', '😀'];

function randomText(next: () => number, maxLength: number): string {
  let text = '';
  for (let i = Math.floor(next() * (maxLength + 1)); i > 0; i--) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return text;
}

function randomFloat(next: () => number): number {
  const kind = Math.floor(next() * 6);
  if (kind === 0) return 0;
  if (kind === 1) return -0;
  if (kind === 2) return Math.round((next() - 0.5) * 2000); // an integer-valued float: no '.0', no 'i'
  if (kind === 3) return (next() - 0.5) * 10 ** Math.floor(next() * 60 - 30); // tiny and huge: exponent notation
  if (kind === 4) return Number.MIN_VALUE * Math.floor(next() * 10 + 1);
  return (next() - 0.5) * 40;
}

/** The reference: one Point per sample, as the store wrote raw IMU before `imuLines`. */
function imuThroughPoint(b: ImuBlock): string {
  const lines: string[] = [];
  for (let i = 0; i < b.samples.length / 6; i++) {
    const v = b.samples;
    const o = i * 6;
    const point = new Point('imu')
      .tag('athlete', b.athleteId)
      .tag('session', b.sessionId)
      .tag('sensor', b.sensor)
      .floatField('ax', v[o]!)
      .floatField('ay', v[o + 1]!)
      .floatField('az', v[o + 2]!)
      .floatField('gx', v[o + 3]!)
      .floatField('gy', v[o + 4]!)
      .floatField('gz', v[o + 5]!)
      .timestamp(String(b.t0Us + i * b.periodUs));
    lines.push(point.toLineProtocol()!);
  }
  return lines.join('\n');
}

describe('raw IMU lines built by hand', () => {
  const SENSORS = ['pelvis', 'shank_left', 'shank_right'] as const;

  it('are byte-identical to Point for random blocks, escaping-worthy ids and awkward floats included', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      const count = Math.floor(next() * 5);
      const block: ImuBlock = {
        athleteId: randomText(next, 12),
        sessionId: randomText(next, 12),
        sensor: SENSORS[seed % 3]!,
        t0Us: 1_764_000_000_000_000 + Math.floor(next() * 1e12),
        periodUs: 1 + Math.floor(next() * 10_000),
        samples: Float64Array.from({ length: count * 6 }, () => randomFloat(next)),
      };
      expect(imuLines(block), `seed ${seed}`).toBe(imuThroughPoint(block));
    }
  });

  it('escape a tag value exactly as the line-protocol spec says', () => {
    expect(escapeTag('a,b c=d\ne\rf\tg\\h"i')).toBe('a\\,b\\ c\\=d\\ne\\rf\\tg\\h"i');
    expect(escapeTag('plain')).toBe('plain');
  });

  it('refuse a non-finite value naming the field, as Point does', () => {
    const block: ImuBlock = { athleteId: 'a', sessionId: 's', sensor: 'pelvis', t0Us: 1, periodUs: 5000, samples: [0, 0, 0, 0, Number.NaN, 0] };
    expect(() => imuLines(block)).toThrow(/'gy'/);
    expect(() => imuLines({ ...block, samples: [Infinity, 0, 0, 0, 0, 0] })).toThrow(/'ax'/);
  });
});

describe('raw IMU lines with ids outside the contract', () => {
  it('match Point for empty ids (left out as tags) and odd sensor names too', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const next = random(1000 + seed);
      const block: ImuBlock = {
        athleteId: seed % 4 === 0 ? '' : randomText(next, 6),
        sessionId: seed % 5 === 0 ? '' : randomText(next, 6),
        sensor: (seed % 3 === 0 ? '' : randomText(next, 6)) as ImuBlock['sensor'],
        t0Us: 1_764_000_000_000_000 + seed,
        periodUs: 5000,
        samples: Float64Array.from({ length: 12 }, () => randomFloat(next)),
      };
      expect(imuLines(block), `seed ${seed}`).toBe(imuThroughPoint(block));
    }
  });

  it('give an empty block no line at all', () => {
    expect(imuLines({ athleteId: 'a', sessionId: 's', sensor: 'pelvis', t0Us: 1, periodUs: 5000, samples: [] })).toBe('');
  });
});
