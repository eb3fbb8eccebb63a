/**
 * One spool record, byte by byte (little-endian; README "Spool format"):
 *
 *   offset size field
 *        0    4 magic: 0x47 0x57 0x53 ("GWS") then format version 0x01
 *        4    4 payloadBytes N (uint32)
 *        8    8 seq (uint64): strictly increasing within a spool
 *       16    4 items (uint32): points in the payload (lines of line protocol)
 *       20    4 crc32 (IEEE 802.3, zlib's) of bytes 4..19 followed by the payload
 *       24    N payload
 *
 * The checksum covers the length and seq too, so a flipped bit in the header
 * is caught before the length is trusted.
 */
import { crc32 } from 'node:zlib';

export const RECORD_MAGIC = Buffer.from([0x47, 0x57, 0x53, 0x01]);
export const RECORD_HEADER_BYTES = 24;
/** Largest payload accepted back from disk: a corrupt length must not make us allocate gigabytes. */
export const MAX_RECORD_PAYLOAD_BYTES = 64 * 1024 * 1024;

export interface SpoolRecord {
  readonly seq: bigint;
  readonly items: number;
  readonly payload: Buffer;
}

export function encodeRecord(seq: bigint, items: number, payload: Uint8Array): Buffer {
  if (payload.byteLength > MAX_RECORD_PAYLOAD_BYTES) throw new RangeError(`spool record payload ${payload.byteLength} bytes exceeds ${MAX_RECORD_PAYLOAD_BYTES}`);
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.byteLength);
  RECORD_MAGIC.copy(out, 0);
  out.writeUInt32LE(payload.byteLength, 4);
  out.writeBigUInt64LE(seq, 8);
  out.writeUInt32LE(items, 16);
  out.set(payload, RECORD_HEADER_BYTES);
  out.writeUInt32LE(checksum(out.subarray(4, 20), out.subarray(RECORD_HEADER_BYTES)), 20);
  return out;
}

function checksum(header: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(header));
}

export type HeaderCheck = { ok: true; payloadBytes: number } | { ok: false; reason: 'magic' | 'length' };

/** Checks what can be checked before the payload is read: the magic and a sane length. */
export function checkHeader(header: Buffer): HeaderCheck {
  if (header.length < RECORD_HEADER_BYTES || !header.subarray(0, 4).equals(RECORD_MAGIC)) return { ok: false, reason: 'magic' };
  const payloadBytes = header.readUInt32LE(4);
  if (payloadBytes > MAX_RECORD_PAYLOAD_BYTES) return { ok: false, reason: 'length' };
  return { ok: true, payloadBytes };
}

/** Decodes a record from a header and its payload; undefined when the checksum does not match. */
export function decodeRecord(header: Buffer, payload: Buffer): SpoolRecord | undefined {
  if (checksum(header.subarray(4, 20), payload) !== header.readUInt32LE(20)) return undefined;
  return { seq: header.readBigUInt64LE(8), items: header.readUInt32LE(16), payload };
}

export interface ScannedRecord {
  readonly offset: number;
  readonly bytes: number;
  readonly record: SpoolRecord;
}

export interface ScanResult {
  readonly records: ScannedRecord[];
  /** Offsets where a stretch of bytes holding no valid record starts (each counts as one corrupt record). */
  readonly corruptAt: number[];
  /** End of the last valid record: where appending may continue. */
  readonly validEnd: number;
}

/**
 * Every valid record in `buf` from `start`. After a bad record it resynchronises
 * on the next magic whose record checks out, so one bad record costs only
 * itself; a torn tail (a crash mid-append) ends as one corrupt stretch.
 */
export function scanRecords(buf: Buffer, start = 0): ScanResult {
  const records: ScannedRecord[] = [];
  const corruptAt: number[] = [];
  let offset = start;
  let validEnd = start;
  let inBadStretch = false;
  while (offset < buf.length) {
    const found = readAt(buf, offset);
    if (found !== undefined) {
      records.push(found);
      offset += found.bytes;
      validEnd = offset;
      inBadStretch = false;
      continue;
    }
    if (!inBadStretch) corruptAt.push(offset);
    inBadStretch = true;
    const next = buf.indexOf(RECORD_MAGIC, offset + 1);
    if (next < 0) break;
    offset = next;
  }
  return { records, corruptAt, validEnd };
}

function readAt(buf: Buffer, offset: number): ScannedRecord | undefined {
  const header = buf.subarray(offset, offset + RECORD_HEADER_BYTES);
  const check = checkHeader(header);
  if (!check.ok) return undefined;
  const end = offset + RECORD_HEADER_BYTES + check.payloadBytes;
  if (end > buf.length) return undefined;
  const record = decodeRecord(header, buf.subarray(offset + RECORD_HEADER_BYTES, end));
  return record === undefined ? undefined : { offset, bytes: end - offset, record };
}
