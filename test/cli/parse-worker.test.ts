import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseCounts, RecordingSink } from '@gaitwatch/dsp';
import { RecordingParser } from '@gaitwatch/protocol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_ROWS, BATCHES_AHEAD } from '../../src/cli/parse-protocol.ts';
import { parseOnWorker } from '../../src/cli/parse-worker-client.ts';

// The analyze command's parse thread on its own: rows in file order, the parse's counts, and a bounded
// lead over the analysis (the main thread's credits), so a slow reader of the output holds the parsing.

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
let dir: string;
let path: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-parse-worker-'));
  const sim = spawnSync(process.execPath, [BIN, 'simulate', '--out', dir, '--duration', '100s', '--seed', '4'], { encoding: 'utf8' });
  expect(sim.status, sim.stderr).toBe(0);
  path = join(dir, 'steady-s4-r0.csv');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A sink that keeps every row's time and sensor, and counts the batches it was given. */
function recordingRows(): RecordingSink & { times: number[]; sensors: string[]; calls: number } {
  const sink = {
    times: [] as number[],
    sensors: [] as string[],
    calls: 0,
    pushSample: () => {
      throw new Error('the parse thread hands over batches, not single rows');
    },
    pushRows(sensor: string, buf: Float64Array, offset: number, count: number) {
      sink.calls++;
      for (let i = 0; i < count; i++) {
        sink.times.push(buf[offset + i * 7]!);
        sink.sensors.push(sensor);
      }
    },
    finish: () => {
      throw new Error('not called here');
    },
  };
  return sink as never;
}

/** An output stream stand-in whose backlog the test controls. */
class Output extends EventEmitter {
  writableNeedDrain = false;
}

describe('parse thread of gaitwatch analyze', () => {
  it('hands over every row, each sensor\'s in file order and no sensor more than a window ahead, with the counts of the in-process parser', async () => {
    const text = await readFile(path, 'utf8');
    const expected = { times: [] as number[], sensors: [] as string[] };
    const parser = new RecordingParser();
    const onRow = (r: { tUs: number; sensor: string }): void => {
      expected.times.push(r.tUs);
      expected.sensors.push(r.sensor);
    };
    parser.feed(text, onRow);
    parser.end(onRow);
    const sink = recordingRows();
    const counts: ParseCounts = await parseOnWorker(path, 1 << 16, sink, new Output() as never);
    expect(counts).toEqual({ rows: parser.rowCount, errorCount: 0, errorCounts: parser.errorCounts, errors: [] });
    // Regrouped by sensor within windows of 256 rows: per sensor, the file's order exactly.
    const ofSensor = (from: { times: number[]; sensors: string[] }, sensor: string): number[] => from.times.filter((_, i) => from.sensors[i] === sensor);
    for (const sensor of ['pelvis', 'shank_left', 'shank_right']) expect(ofSensor(sink, sensor)).toEqual(ofSensor(expected, sensor));
    expect(sink.times).not.toEqual(expected.times);
    // Every row within the window it came from: no sensor's data more than ~0.4 s ahead of the file's order.
    const position = new Map(expected.times.map((t, i) => [`${expected.sensors[i]}@${t}`, i]));
    sink.times.forEach((t, i) => expect(Math.floor(position.get(`${sink.sensors[i]}@${t}`)! / 256)).toBe(Math.floor(i / 256)));
  });

  it('parses at most a few batches ahead of an output that does not drain, and goes on when it does', async () => {
    const output = new Output();
    output.writableNeedDrain = true;
    const sink = recordingRows();
    let batches = 0;
    const pushRows = sink.pushRows.bind(sink);
    sink.pushRows = (sensor, buf, offset, count) => {
      if (offset === 0) batches++;
      pushRows(sensor, buf, offset, count);
    };
    const done = parseOnWorker(path, 1 << 16, sink, output as never);
    // 100 s of three 200 Hz sensors is ~60,000 rows, ~8 batches: without credits back, the thread stops at BATCHES_AHEAD.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(batches).toBe(BATCHES_AHEAD);
    expect(sink.times.length).toBe(BATCHES_AHEAD * BATCH_ROWS);
    output.writableNeedDrain = false;
    for (let i = 0; i < BATCHES_AHEAD; i++) output.emit('drain');
    const counts = await done;
    expect(batches).toBeGreaterThan(BATCHES_AHEAD);
    expect(sink.times.length).toBe(counts.rows);
  });

  it('refuses a file without the header with the parser\'s own error', async () => {
    await expect(parseOnWorker(fileURLToPath(import.meta.url), 1 << 16, recordingRows(), new Output() as never)).rejects.toMatchObject({ name: 'RecordingFormatError', line: 1 });
  });
});
