import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeImu, decodeStatus } from './decode.ts';
import { encodeJsonImu } from './encode.ts';
import { encodeBinaryImu } from './frame/binary.ts';
import { MAX_IMU_PAYLOAD_BYTES, MAX_SAMPLES_PER_MESSAGE } from './limits.ts';
import { REJECTION_REASONS, type RejectionReason } from './rejection.ts';
import { arbImuFrame } from './test-arbitraries.ts';

const T0 = 1_764_000_000_000_000;
const row = [0.1, 0.2, 9.8, 0.01, 0.02, 0.03];
const good = { sensor: 'pelvis', seq: 1, t0Us: T0, periodUs: 5000, samples: [row, row] };

function expectReason(payload: Uint8Array | string, reason: RejectionReason): void {
  const result = decodeImu(payload);
  expect(result.ok, `expected rejection ${reason}`).toBe(false);
  if (!result.ok) expect(result.reason).toBe(reason);
}

const json = (value: unknown): string => JSON.stringify(value);

describe('decodeImu, JSON form', () => {
  it('decodes a valid message into an interleaved Float64Array', () => {
    const result = decodeImu(Buffer.from(json(good)));
    expect(result).toMatchObject({ ok: true, format: 'json', frame: { sensor: 'pelvis', seq: 1, t0Us: T0, periodUs: 5000, count: 2 } });
    if (result.ok) expect(Array.from(result.frame.samples)).toEqual([...row, ...row]);
  });

  it('round-trips every valid frame exactly (JSON carries doubles losslessly)', () => {
    fc.assert(
      fc.property(arbImuFrame, (f) => {
        const result = decodeImu(encodeJsonImu(f));
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.frame).toEqual(f);
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, string | Uint8Array, RejectionReason]>([
    ['empty payload', '', 'empty'],
    ['oversize payload', ' '.repeat(MAX_IMU_PAYLOAD_BYTES + 1), 'oversize'],
    ['not JSON', '{"sensor": pelvis}', 'not_json'],
    ['invalid UTF-8', Uint8Array.from([0xff, 0xfe, 0x7b]), 'not_json'],
    ['NaN literal', '{"samples": [[NaN,0,0,0,0,0]]}', 'not_json'],
    ['a JSON array', '[1,2,3]', 'schema'],
    ['a JSON string', '"imu"', 'schema'],
    ['missing seq', json({ ...good, seq: undefined }), 'schema'],
    ['fractional seq', json({ ...good, seq: 1.5 }), 'schema'],
    ['short row', json({ ...good, samples: [[1, 2, 3]] }), 'schema'],
    ['string in row', json({ ...good, samples: [[1, 2, 3, 4, 5, '6']] }), 'schema'],
    ['infinite value', '{"sensor":"pelvis","seq":1,"t0Us":1764000000000000,"periodUs":5000,"samples":[[1e999,0,0,0,0,0]]}', 'non_finite'],
    ['absurd value', json({ ...good, samples: [[1e6, 0, 0, 0, 0, 0]] }), 'non_finite'],
    ['no samples', json({ ...good, samples: [] }), 'too_many_samples'],
    ['too many samples', json({ ...good, samples: Array.from({ length: MAX_SAMPLES_PER_MESSAGE + 1 }, () => row) }), 'too_many_samples'],
    ['unknown sensor', json({ ...good, sensor: 'wrist' }), 'unknown_sensor'],
    ['1970 timestamp', json({ ...good, t0Us: 12_345 }), 'bad_time'],
    ['milliseconds instead of µs', json({ ...good, t0Us: T0 / 1000 }), 'bad_time'],
    ['fractional timestamp', json({ ...good, t0Us: T0 + 0.5 }), 'bad_time'],
    ['period too short', json({ ...good, periodUs: 10 }), 'bad_time'],
  ])('rejects %s', (_name, payload, reason) => expectReason(payload, reason));

  it('never throws on arbitrary JSON values, and every rejection has a known reason', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = decodeImu(JSON.stringify(value) ?? 'null');
        if (!result.ok) expect(REJECTION_REASONS).toContain(result.reason);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on IMU-shaped objects with arbitrary field values', () => {
    fc.assert(
      fc.property(
        fc.record(
          { sensor: fc.jsonValue(), seq: fc.jsonValue(), t0Us: fc.jsonValue(), periodUs: fc.jsonValue(), samples: fc.array(fc.array(fc.jsonValue())) },
          { requiredKeys: [] },
        ),
        (value) => {
          const result = decodeImu(JSON.stringify(value));
          if (!result.ok) expect(REJECTION_REASONS).toContain(result.reason);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary bytes or strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 })), (payload) => {
        const result = decodeImu(payload);
        if (!result.ok) expect(REJECTION_REASONS).toContain(result.reason);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on valid binary frames with random bytes overwritten, and never yields non-finite samples', () => {
    fc.assert(
      fc.property(arbImuFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (f, edits) => {
        const bytes = encodeBinaryImu(f);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        const result = decodeImu(bytes);
        if (result.ok) expect(result.frame.samples.every(Number.isFinite)).toBe(true);
        else expect(REJECTION_REASONS).toContain(result.reason);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('decodeStatus', () => {
  it('accepts start with metadata, stop and the last will', () => {
    const start = { state: 'start', tUs: T0, sensors: ['pelvis', 'shank_left'], sampleRateHz: 200, firmware: 'gw-1.0', runnerProfile: { heightM: 1.8 } };
    expect(decodeStatus(json(start))).toMatchObject({ ok: true, status: { state: 'start', sampleRateHz: 200 } });
    expect(decodeStatus(json({ state: 'stop', tUs: T0 }))).toMatchObject({ ok: true, status: { state: 'stop' } });
    expect(decodeStatus(json({ state: 'lost' }))).toMatchObject({ ok: true, status: { state: 'lost' } });
  });

  it('carries the activity of a start: a run or a movement screen', () => {
    const start = { state: 'start', tUs: T0, sensors: ['pelvis', 'shank_left', 'shank_right'], sampleRateHz: 200, firmware: 'gw-1.0' };
    expect(decodeStatus(json({ ...start, activity: 'screen' }))).toMatchObject({ ok: true, status: { activity: 'screen' } });
    expect(decodeStatus(json({ ...start, activity: 'run' }))).toMatchObject({ ok: true, status: { activity: 'run' } });
    expect(decodeStatus(json({ ...start, activity: 'yoga' }))).toMatchObject({ ok: false, reason: 'schema' });
  });

  it.each([
    ['an unknown state', { state: 'paused', tUs: T0 }],
    ['repeated sensors', { state: 'start', tUs: T0, sensors: ['pelvis', 'pelvis'], sampleRateHz: 200, firmware: 'x' }],
    ['an unknown sensor', { state: 'start', tUs: T0, sensors: ['wrist'], sampleRateHz: 200, firmware: 'x' }],
    ['an absurd sample rate', { state: 'start', tUs: T0, sensors: ['pelvis'], sampleRateHz: 5, firmware: 'x' }],
    ['an unknown profile field', { state: 'start', tUs: T0, sensors: ['pelvis'], sampleRateHz: 200, firmware: 'x', runnerProfile: { shoe: 'x' } }],
  ])('rejects %s as schema, naming the field', (_name, value) => {
    const result = decodeStatus(json(value));
    expect(result).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('rejects non-JSON and oversize status payloads', () => {
    expect(decodeStatus('stop')).toMatchObject({ ok: false, reason: 'not_json' });
    expect(decodeStatus('x'.repeat(9000))).toMatchObject({ ok: false, reason: 'oversize' });
  });
});
