import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_HEADER_BYTES } from './record.ts';
import { Spool, SpoolFullError } from './spool.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A crash of the owning process: its lock stays behind with a pid that is no longer alive (spool-lock.ts takes such a lock over). */
async function crash(): Promise<void> {
  const lock = JSON.parse(await readFile(join(dir, 'LOCK'), 'utf8')) as { pid: number };
  await writeFile(join(dir, 'LOCK'), JSON.stringify({ ...lock, pid: 2 ** 22 + 17 }));
}

const text = (i: number): Buffer => Buffer.from(`stride,athlete=a v=${i} ${1_764_000_000_000_000 + i}`);

/** Reads and acknowledges everything waiting, in order. */
async function drainAll(spool: Spool): Promise<string[]> {
  const out: string[] = [];
  for (let r = await spool.peek(); r !== undefined; r = await spool.peek()) {
    out.push(r.payload.toString());
    await spool.ack();
  }
  return out;
}

const segments = async (): Promise<string[]> => (await readdir(dir)).filter((n) => n.endsWith('.seg')).sort();

describe('Spool', () => {
  it('keeps its folder owner-only (it holds athlete data), made so or tightened', async () => {
    const made = join(dir, 'new', 'spool');
    await (await Spool.open(made)).close();
    expect((await stat(made)).mode & 0o777).toBe(0o700);
    const loose = join(dir, 'loose');
    await mkdir(loose, { mode: 0o755 });
    await chmod(loose, 0o755);
    await (await Spool.open(loose)).close();
    expect((await stat(loose)).mode & 0o777).toBe(0o700);
  });

  it('gives records back in append order, across segments, and deletes each segment once replayed', async () => {
    const spool = await Spool.open(dir, { segmentBytes: 200 });
    for (let i = 0; i < 10; i++) await spool.append(text(i), 1);
    expect(spool.depthRecords).toBe(10);
    expect((await segments()).length).toBe(3); // 64-byte records, a new segment once one reaches 200 bytes
    expect(await drainAll(spool)).toEqual(Array.from({ length: 10 }, (_, i) => text(i).toString()));
    expect(spool.depthRecords).toBe(0);
    expect(spool.bytes).toBe(0);
    expect(await segments()).toEqual([]);
    await spool.close();
  });

  it('survives a restart without close (a crash): every appended record is there, in order', async () => {
    const spool = await Spool.open(dir, { segmentBytes: 300 });
    for (let i = 0; i < 7; i++) await spool.append(text(i), 1);
    // No close(): as if the process died here.
    await crash();
    const again = await Spool.open(dir, { segmentBytes: 300 });
    expect(again.depthRecords).toBe(7);
    expect(await drainAll(again)).toEqual(Array.from({ length: 7 }, (_, i) => text(i).toString()));
    await again.close();
  });

  it('resumes after the acknowledged records when closed and reopened, and keeps appending after them', async () => {
    const spool = await Spool.open(dir);
    for (let i = 0; i < 5; i++) await spool.append(text(i), 1);
    for (let i = 0; i < 2; i++) {
      await spool.peek();
      await spool.ack();
    }
    await spool.close();
    const again = await Spool.open(dir);
    expect(again.depthRecords).toBe(3);
    await again.append(text(5), 1);
    expect(await drainAll(again)).toEqual([2, 3, 4, 5].map((i) => text(i).toString()));
    await again.close();
  });

  it('counts the items (points) waiting: appended, acknowledged, refused, and across a crash', async () => {
    const spool = await Spool.open(dir, { segmentBytes: 200, maxBytes: 4 * 64 });
    for (const items of [3, 4, 5]) await spool.append(text(items), items);
    expect(spool.itemsWaiting).toBe(12);
    await spool.peek();
    await spool.ack();
    expect(spool.itemsWaiting).toBe(9);
    await spool.append(text(6), 6);
    await expect(spool.append(text(7), 7)).rejects.toBeInstanceOf(SpoolFullError);
    expect(spool.itemsWaiting).toBe(15);
    await crash();
    const again = await Spool.open(dir, { segmentBytes: 200, maxBytes: 4 * 64 });
    expect(again.itemsWaiting).toBe(15);
    expect(again.directory).toBe(dir);
    await drainAll(again);
    expect(again.itemsWaiting).toBe(0);
    await again.close();
  });

  it('refuses an append past its size bound (SpoolFullError), writes nothing for it, and accepts again once drained', async () => {
    const recordBytes = RECORD_HEADER_BYTES + text(0).length;
    const spool = await Spool.open(dir, { maxBytes: recordBytes * 3, segmentBytes: recordBytes * 2 });
    for (let i = 0; i < 3; i++) await spool.append(text(i), 1);
    await expect(spool.append(text(3), 1)).rejects.toBeInstanceOf(SpoolFullError);
    expect(spool.depthRecords).toBe(3);
    expect(spool.bytes).toBe(recordBytes * 3);
    expect(await drainAll(spool)).toEqual([0, 1, 2].map((i) => text(i).toString()));
    await spool.append(text(3), 1);
    expect(await drainAll(spool)).toEqual([text(3).toString()]);
    await spool.close();
  });

  it('cuts a torn tail off at open, counts it, and appends after the last whole record', async () => {
    const spool = await Spool.open(dir);
    for (let i = 0; i < 3; i++) await spool.append(text(i), 1);
    await spool.close();
    const [segment] = await segments();
    const path = join(dir, segment!);
    const whole = await readFile(path);
    await writeFile(path, Buffer.concat([whole, whole.subarray(0, 40)]));
    const again = await Spool.open(dir);
    expect(again.corruptRecords).toBe(1);
    expect((await stat(path)).size).toBe(whole.length);
    await again.append(text(3), 1);
    expect(await drainAll(again)).toEqual([0, 1, 2, 3].map((i) => text(i).toString()));
    expect(again.corruptRecords).toBe(1);
    await again.close();
  });

  it('skips a record with a bad checksum in the middle, counts it once, and replays the others', async () => {
    const spool = await Spool.open(dir);
    for (let i = 0; i < 4; i++) await spool.append(text(i), 1);
    await spool.close();
    const [segment] = await segments();
    const path = join(dir, segment!);
    const bytes = await readFile(path);
    const at = 2 * (RECORD_HEADER_BYTES + text(0).length) + RECORD_HEADER_BYTES + 3; // inside record 2's payload
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    await writeFile(path, bytes);
    const again = await Spool.open(dir);
    expect(again.depthRecords).toBe(3);
    expect(await drainAll(again)).toEqual([0, 1, 3].map((i) => text(i).toString()));
    expect(again.corruptRecords).toBe(1);
    await again.close();
  });

  it('never numbers a new segment below the cursor (which would read as already replayed)', async () => {
    const spool = await Spool.open(dir, { segmentBytes: 100 });
    for (let i = 0; i < 4; i++) await spool.append(text(i), 1);
    await drainAll(spool);
    await spool.close();
    const again = await Spool.open(dir, { segmentBytes: 100 });
    await again.append(text(9), 1);
    // Crash (no close), then open: the new record must still be there.
    await crash();
    const third = await Spool.open(dir, { segmentBytes: 100 });
    expect(await drainAll(third)).toEqual([text(9).toString()]);
    await third.close();
  });
});
