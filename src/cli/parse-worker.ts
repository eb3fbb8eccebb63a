/**
 * Reads and parses a recording file on its own thread for `gaitwatch analyze`
 * (parse-worker-client.ts): the main thread analyses while this one parses
 * the next rows, so an hour's CSV parsing (~0.8 s) hides behind its analysis
 * (~2 s). Rows go out in batches of typed arrays, transferred, never copied:
 * t, ax, ay, az, gx, gy, gz per row and a sensor index beside. At most
 * `credits` batches are in flight; the main thread returns one per batch it
 * has analysed, so memory stays a few batches whatever the file's size.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { RecordingFormatError, RecordingParser, sensorCode, type RecordingRow } from '@gaitwatch/protocol/core';
import { utf8Text } from './utf8-text.ts';
import { BATCH_ROWS, ROW_VALUES, type FromParser, type ParserJob } from './parse-protocol.ts';

const job = workerData as ParserJob;
const port = parentPort!;
const credits = new Int32Array(job.credits);

let data = new Float64Array(BATCH_ROWS * ROW_VALUES);
let sensors = new Uint8Array(BATCH_ROWS);
let count = 0;

/** Hands the batch over (waiting for a credit: the main thread is that many batches behind at most). */
function flush(): void {
  if (count === 0) return;
  while (Atomics.load(credits, 0) <= 0) Atomics.wait(credits, 0, 0);
  Atomics.sub(credits, 0, 1);
  const message: FromParser = { kind: 'rows', count, data, sensors };
  port.postMessage(message, [data.buffer, sensors.buffer]);
  data = new Float64Array(BATCH_ROWS * ROW_VALUES);
  sensors = new Uint8Array(BATCH_ROWS);
  count = 0;
}

const onRow = ({ sensor, tUs, values }: RecordingRow): void => {
  const o = count * ROW_VALUES;
  data[o] = tUs;
  for (let c = 0; c < 6; c++) data[o + 1 + c] = values[c]!;
  sensors[count] = sensorCode(sensor);
  if (++count === BATCH_ROWS) flush();
};

try {
  const parser = new RecordingParser();
  for await (const chunk of utf8Text(createReadStream(job.path, { highWaterMark: job.chunkBytes }) as AsyncIterable<Buffer>)) parser.feed(chunk, onRow);
  parser.end(onRow);
  flush();
  const end: FromParser = { kind: 'end', parse: { rows: parser.rowCount, errorCount: parser.errorCount, errorCounts: { ...parser.errorCounts }, errors: parser.errors } };
  port.postMessage(end);
} catch (error) {
  // Rows parsed before a failing read are handed over first: they were read, so they are analysed.
  flush();
  const e = error as NodeJS.ErrnoException;
  const message: FromParser =
    error instanceof RecordingFormatError ? { kind: 'format', message: error.message, line: error.line }
    : { kind: 'read', message: e instanceof Error ? e.message : String(error), ...(typeof e?.code === 'string' ? { code: e.code } : {}), ...(typeof e?.syscall === 'string' ? { syscall: e.syscall } : {}) };
  port.postMessage(message);
}
