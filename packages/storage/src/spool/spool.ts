/**
 * The durable disk spool: an append-only queue of records (record.ts) in
 * segment files `<id>.seg` under one directory, read back in order.
 *
 * - `append` resolves only after the record is fsync'd: a spooled batch is
 *   acknowledged data. A failed append is cut off again (ftruncate), so a
 *   segment never keeps half a record from a write error.
 * - The size bound is on the segment files on disk. An append that would pass
 *   it throws SpoolFullError at once: back-pressure, nothing is ever dropped.
 * - `peek`/`ack` walk the records in order. A segment is deleted once all its
 *   records are acknowledged, which is what frees space.
 * - The read position is kept in `cursor` (not fsync'd, to keep acks cheap):
 *   after a crash the replay may resend records already sent; points are
 *   idempotent (tags + time), so that doubles nothing.
 */
import { chmod, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { RECORD_HEADER_BYTES, encodeRecord, scanRecords, type ScannedRecord, type SpoolRecord } from './record.ts';
import { makeDirSync } from '../make-dir.ts';
import { takeSpoolLock } from './spool-lock.ts';

export interface SpoolOptions {
  /** Bound on the segment files on disk, bytes (default 512 MiB). */
  readonly maxBytes?: number;
  /** A new segment is started past this size, bytes (default 8 MiB). */
  readonly segmentBytes?: number;
  /** Told of each corrupt stretch found (for a log line); the count is in `corruptRecords`. */
  readonly onCorrupt?: (found: { segment: number; offset: number; kind: 'torn-tail' | 'bad-record' }) => void;
}

export class SpoolFullError extends Error {
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(`spool full: ${bytes} of ${maxBytes} bytes`);
    this.name = 'SpoolFullError';
  }
}

interface Segment {
  readonly id: number;
  size: number;
}

const SEGMENT_FILE = /^(\d{12})\.seg$/;
const CURSOR_FILE = 'cursor';
const CURSOR_MAGIC = 0x01435747; // "GWC" + version 1, little-endian

const segmentName = (id: number): string => `${String(id).padStart(12, '0')}.seg`;

export class Spool {
  private readonly segments: Segment[] = [];
  private writer: FileHandle | undefined;
  /** Read position: segment id and byte offset of the next unacknowledged record. */
  private readSegment = 0;
  private readOffset = 0;
  private buffered: ScannedRecord[] = [];
  private nextSeq = 0n;
  private lastId = 0;
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  private depth = 0;
  /** Items (points) in the records counted by `depth`. */
  private items = 0;
  private diskBytes = 0;
  private corrupt = 0;
  /** Segment and offset up to which corrupt stretches were counted, so a re-read does not count one twice. */
  private countedTo = { segment: 0, offset: 0 };

  private constructor(
    private readonly dir: string,
    readonly maxBytes: number,
    private readonly segmentBytes: number,
    private readonly onCorrupt: NonNullable<SpoolOptions['onCorrupt']>,
  ) {}

  /** Opens (or creates) the spool in `dir`: finds the segments, drops a torn tail, counts the records waiting. */
  static async open(dir: string, options: SpoolOptions = {}): Promise<Spool> {
    const spool = new Spool(dir, options.maxBytes ?? 512 * 1024 * 1024, options.segmentBytes ?? 8 * 1024 * 1024, options.onCorrupt ?? (() => undefined));
    // Owner-only: the spool holds the same athlete data as the database (LocalStore's ownerOnly).
    makeDirSync(dir, 0o700);
    await chmod(dir, 0o700);
    // One owner: a second process on the same spool replayed and deleted segments the first still wrote to
    // (an operator probe: an API on ingest's DATA_DIR lost 237 of 431 strides of one run, all of another).
    const lock = takeSpoolLock(dir);
    spool.releaseLock = lock.release;
    spool.tookOverFrom = lock.tookOverFrom;
    try {
      await spool.recover();
    } catch (error) {
      lock.release();
      throw error;
    }
    return spool;
  }

  /** Records waiting to be replayed. */
  get depthRecords(): number {
    return this.depth;
  }
  /** Items (for the InfluxDB store: points) in the records waiting to be replayed. */
  get itemsWaiting(): number {
    return this.items;
  }
  /** The spool's directory. */
  get directory(): string {
    return this.dir;
  }
  /** Bytes of segment files on disk (what the bound applies to). */
  get bytes(): number {
    return this.diskBytes;
  }
  /** Corrupt records found (bad checksum, bad header, torn tail) and skipped. */
  get corruptRecords(): number {
    return this.corrupt;
  }

  /** True when a record of `payloadBytes` would not fit. */
  wouldOverflow(payloadBytes: number): boolean {
    return this.diskBytes + RECORD_HEADER_BYTES + payloadBytes > this.maxBytes;
  }

  /** Appends a record and fsyncs it. Throws SpoolFullError (synchronously checked, nothing written) at the bound. */
  append(payload: Uint8Array, items: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool: closed'));
    const recordBytes = RECORD_HEADER_BYTES + payload.byteLength;
    if (this.diskBytes + recordBytes > this.maxBytes) return Promise.reject(new SpoolFullError(this.diskBytes, this.maxBytes));
    // Reserve now, synchronously: concurrent appends see the bytes and the depth before their turn.
    this.diskBytes += recordBytes;
    this.depth++;
    this.items += items;
    const seq = this.nextSeq++;
    return this.serial(async () => {
      try {
        await this.appendNow(encodeRecord(seq, items, payload));
      } catch (error) {
        this.diskBytes -= recordBytes;
        this.depth--;
        this.items -= items;
        throw error;
      }
    });
  }

  /** The next record to replay, or undefined when none is waiting. */
  peek(): Promise<SpoolRecord | undefined> {
    return this.serial(async () => (await this.fill())?.record);
  }

  /** Marks the record returned by `peek` as replayed. */
  ack(): Promise<void> {
    return this.serial(async () => {
      const done = this.buffered.shift();
      if (done === undefined) throw new Error('spool: ack without a peeked record');
      this.readOffset = done.offset + done.bytes;
      this.depth--;
      this.items -= done.record.items;
      await this.releaseFinished();
      await this.saveCursor();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.serial(async () => {
      await this.saveCursor();
      await this.writer?.close();
      this.writer = undefined;
    });
    this.releaseLock();
  }

  private releaseLock: () => void = () => undefined;
  /** The pid of a dead process whose lock this spool took over at open (undefined: none): worth a log line. */
  tookOverFrom: number | undefined;

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async appendNow(record: Buffer): Promise<void> {
    let active = this.segments.at(-1);
    if (this.writer === undefined || active === undefined || active.size >= this.segmentBytes) {
      await this.writer?.close();
      active = { id: ++this.lastId, size: 0 };
      this.writer = await open(join(this.dir, segmentName(active.id)), 'a');
      this.segments.push(active);
      // The new file's directory entry must be durable too, or a crash could lose the whole segment.
      await fsyncDir(this.dir);
    }
    const before = active.size;
    try {
      await this.writer.write(record, 0, record.length, null);
      await this.writer.datasync();
      active.size += record.length;
    } catch (error) {
      await this.writer.truncate(before).catch(() => undefined);
      throw error;
    }
  }

  /** Makes sure `buffered` starts with the next record, reading further into the spool if needed. */
  private async fill(): Promise<ScannedRecord | undefined> {
    while (this.buffered.length === 0) {
      const index = this.segments.findIndex((s) => s.id === this.readSegment);
      const segment = this.segments[index];
      if (segment === undefined) {
        const first = this.segments[0];
        if (first === undefined) break;
        [this.readSegment, this.readOffset] = [first.id, 0];
        continue;
      }
      if (this.readOffset < segment.size) {
        const buf = await readFrom(join(this.dir, segmentName(segment.id)), this.readOffset, segment.size);
        const scan = scanRecords(buf);
        this.countCorrupt(segment.id, scan.corruptAt.map((at) => at + this.readOffset));
        this.buffered = scan.records.map((r) => ({ ...r, offset: r.offset + this.readOffset }));
        if (this.buffered.length > 0) break;
        this.readOffset = segment.size;
      }
      if (index === this.segments.length - 1) break;
      await this.deleteSegment(segment);
    }
    return this.buffered[0];
  }

  private countCorrupt(segment: number, offsets: readonly number[]): void {
    for (const offset of offsets) {
      const seen = segment < this.countedTo.segment || (segment === this.countedTo.segment && offset < this.countedTo.offset);
      if (seen) continue;
      this.corrupt++;
      this.countedTo = { segment, offset: offset + 1 };
      this.onCorrupt({ segment, offset, kind: 'bad-record' });
    }
  }

  /** Deletes segments whose records are all acknowledged; the active one only when the spool is empty. */
  private async releaseFinished(): Promise<void> {
    const segment = this.segments.find((s) => s.id === this.readSegment);
    if (segment === undefined || this.buffered.length > 0 || this.readOffset < segment.size) return;
    const active = segment === this.segments.at(-1);
    if (active) {
      if (this.depth > 0) return;
      await this.writer?.close();
      this.writer = undefined;
    }
    await this.deleteSegment(segment);
    const next = this.segments[0];
    [this.readSegment, this.readOffset] = [next?.id ?? this.lastId + 1, 0];
  }

  private async deleteSegment(segment: Segment): Promise<void> {
    await rm(join(this.dir, segmentName(segment.id)), { force: true });
    this.segments.splice(this.segments.indexOf(segment), 1);
    this.diskBytes -= segment.size;
  }

  /** Startup: list segments, resume from the cursor, count what waits, cut a torn tail off the last segment. */
  private async recover(): Promise<void> {
    const ids = (await readdir(this.dir))
      .map((name) => SEGMENT_FILE.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const cursor = await this.loadCursor();
    // Ids never go back below the cursor's segment: a fresh segment numbered below it would be taken for a replayed one.
    this.lastId = Math.max(0, (cursor?.segment ?? 1) - 1);
    for (const id of ids) {
      const path = join(this.dir, segmentName(id));
      if (cursor !== undefined && id < cursor.segment) {
        await rm(path, { force: true }); // fully replayed before the last stop
        continue;
      }
      const size = (await stat(path)).size;
      this.segments.push({ id, size });
      this.diskBytes += size;
      this.lastId = Math.max(this.lastId, id);
    }
    const first = this.segments[0];
    [this.readSegment, this.readOffset] = cursor !== undefined && first?.id === cursor.segment ? [cursor.segment, Math.min(cursor.offset, first.size)] : [first?.id ?? this.lastId + 1, 0];
    for (const segment of this.segments) {
      const start = segment.id === this.readSegment ? this.readOffset : 0;
      const buf = await readFrom(join(this.dir, segmentName(segment.id)), start, segment.size);
      const scan = scanRecords(buf);
      this.depth += scan.records.length;
      for (const { record } of scan.records) this.items += record.items;
      const last = scan.records.at(-1);
      if (last !== undefined && last.record.seq >= this.nextSeq) this.nextSeq = last.record.seq + 1n;
      if (segment === this.segments.at(-1) && start + scan.validEnd < segment.size) {
        // A torn tail: the append never completed, so it was never acknowledged. Cut it off so new records follow valid ones.
        this.corrupt++;
        this.onCorrupt({ segment: segment.id, offset: start + scan.validEnd, kind: 'torn-tail' });
        const handle = await open(join(this.dir, segmentName(segment.id)), 'r+');
        await handle.truncate(start + scan.validEnd);
        await handle.sync();
        await handle.close();
        this.diskBytes -= segment.size - (start + scan.validEnd);
        segment.size = start + scan.validEnd;
      }
    }
    const active = this.segments.at(-1);
    if (active !== undefined) this.writer = await open(join(this.dir, segmentName(active.id)), 'a');
  }

  /** Cursor file: magic u32, segment id u64, offset u64, crc32 of the 20 bytes before it. */
  private async saveCursor(): Promise<void> {
    const buf = Buffer.alloc(24);
    buf.writeUInt32LE(CURSOR_MAGIC, 0);
    buf.writeBigUInt64LE(BigInt(this.readSegment), 4);
    buf.writeBigUInt64LE(BigInt(this.readOffset), 12);
    buf.writeUInt32LE(crc32(buf.subarray(0, 20)), 20);
    const tmp = join(this.dir, `${CURSOR_FILE}.tmp`);
    await writeFile(tmp, buf);
    await rename(tmp, join(this.dir, CURSOR_FILE));
  }

  private async loadCursor(): Promise<{ segment: number; offset: number } | undefined> {
    const buf = await readFile(join(this.dir, CURSOR_FILE)).catch(() => undefined);
    if (buf === undefined || buf.length !== 24 || buf.readUInt32LE(0) !== CURSOR_MAGIC || crc32(buf.subarray(0, 20)) !== buf.readUInt32LE(20)) return undefined;
    return { segment: Number(buf.readBigUInt64LE(4)), offset: Number(buf.readBigUInt64LE(12)) };
  }
}

async function readFrom(path: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, end - start));
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await handle.read(buf, done, buf.length - done, start + done);
      if (bytesRead === 0) return buf.subarray(0, done);
      done += bytesRead;
    }
    return buf;
  } finally {
    await handle.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
