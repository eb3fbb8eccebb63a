import { describe, expect, it } from 'vitest';
import { RECORD_HEADER_BYTES, RECORD_MAGIC, decodeRecord, encodeRecord, scanRecords } from './record.ts';

const payload = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('spool record format', () => {
  it('lays out magic, length, seq, items, crc, payload as documented', () => {
    const rec = encodeRecord(7n, 3, payload('abc'));
    expect(rec.length).toBe(RECORD_HEADER_BYTES + 3);
    expect([...rec.subarray(0, 4)]).toEqual([0x47, 0x57, 0x53, 0x01]);
    expect(rec.readUInt32LE(4)).toBe(3);
    expect(rec.readBigUInt64LE(8)).toBe(7n);
    expect(rec.readUInt32LE(16)).toBe(3);
    expect(rec.subarray(24).toString()).toBe('abc');
    expect(decodeRecord(rec.subarray(0, 24), rec.subarray(24))).toEqual({ seq: 7n, items: 3, payload: payload('abc') });
  });

  it('detects a flipped bit anywhere after the magic', () => {
    const rec = encodeRecord(1n, 1, payload('stride,athlete=a v=1 1'));
    for (const at of [4, 9, 17, 21, 30]) {
      const bad = Buffer.from(rec);
      bad.writeUInt8(bad.readUInt8(at) ^ 0x10, at);
      expect(scanRecords(bad).records).toEqual([]);
    }
  });

  it('skips a corrupt record and keeps the records before and after it', () => {
    const records = [0, 1, 2, 3].map((i) => encodeRecord(BigInt(i), 1, payload(`line ${i}`)));
    const second = Buffer.from(records[1]!);
    second.writeUInt8(second.readUInt8(26) ^ 0xff, 26);
    const scan = scanRecords(Buffer.concat([records[0]!, second, records[2]!, records[3]!]));
    expect(scan.records.map((r) => r.record.seq)).toEqual([0n, 2n, 3n]);
    expect(scan.corruptAt).toEqual([records[0]!.length]);
  });

  it('treats a torn tail (a crash mid-append) as one corrupt stretch and ends the valid part before it', () => {
    const a = encodeRecord(0n, 1, payload('first'));
    const b = encodeRecord(1n, 1, payload('second, never finished'));
    const scan = scanRecords(Buffer.concat([a, b.subarray(0, b.length - 5)]));
    expect(scan.records).toHaveLength(1);
    expect(scan.corruptAt).toEqual([a.length]);
    expect(scan.validEnd).toBe(a.length);
  });

  it('does not trust a corrupt length: a huge length is refused without reading past the buffer', () => {
    const a = encodeRecord(0n, 1, payload('x'));
    a.writeUInt32LE(0xffffffff, 4);
    const b = encodeRecord(1n, 1, payload('y'));
    const scan = scanRecords(Buffer.concat([a, b]));
    expect(scan.records.map((r) => r.record.seq)).toEqual([1n]);
  });

  it('resynchronises on garbage before the first record, and on a magic inside garbage that does not check out', () => {
    const garbage = Buffer.concat([Buffer.from('noise'), RECORD_MAGIC, Buffer.from('more noise, no record here')]);
    const rec = encodeRecord(5n, 2, payload('ok'));
    const scan = scanRecords(Buffer.concat([garbage, rec]));
    expect(scan.records.map((r) => r.offset)).toEqual([garbage.length]);
    expect(scan.corruptAt).toEqual([0]);
  });
});
