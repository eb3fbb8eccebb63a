/**
 * Reads and parses a recording file on its own thread for `gaitwatch analyze`
 * (parse-worker-client.ts): the main thread analyses while this one parses
 * the next rows, so an hour's CSV parsing (~0.8 s) hides behind its analysis
 * (~2 s). Rows go out in batches of typed arrays, transferred, never copied:
 * t, ax, ay, az, gx, gy, gz per row and a sensor index beside, regrouped by
 * sensor within short windows (GROUP_ROWS). At most
 * `credits` batches are in flight; the main thread returns one per batch it
 * has analysed, so memory stays a few batches whatever the file's size.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { RecordingFormatError, RecordingParser, SENSOR_IDS, sensorCode, type RecordingRow } from '@gaitwatch/protocol/core';
import { utf8Text } from './utf8-text.ts';
import { BATCH_ROWS, ROW_VALUES, type FromParser, type ParserJob } from './parse-protocol.ts';

const job = workerData as ParserJob;
const port = parentPort!;
const credits = new Int32Array(job.credits);

/**
 * Rows are handed over regrouped by sensor within windows of this many (file
 * order kept within each sensor): the analyser then takes them in runs of ~85
 * rows instead of one at a time (~6 % of its time on an hour). The analyzer's
 * output does not depend on how the sensors interleave (its tests hold it,
 * and the CLI's tests compare this thread's output with one thread's byte for
 * byte); a window is ~0.4 s of a three-sensor 200 Hz recording, so no sensor
 * runs far enough ahead for the others to look silent.
 */
const GROUP_ROWS = 256;

// Filled here, regrouped into fresh arrays that are transferred: these are reused for the next batch.
const data = new Float64Array(BATCH_ROWS * ROW_VALUES);
const sensors = new Uint8Array(BATCH_ROWS);
let count = 0;

/** Hands the batch over (waiting for a credit: the main thread is that many batches behind at most). */
function flush(): void {
  if (count === 0) return;
  const outData = new Float64Array(count * ROW_VALUES);
  const outSensors = new Uint8Array(count);
  let m = 0;
  for (let w = 0; w < count; w += GROUP_ROWS) {
    const end = Math.min(count, w + GROUP_ROWS);
    for (let s = 0; s < SENSOR_IDS.length; s++) {
      for (let i = w; i < end; i++) {
        if (sensors[i] !== s) continue;
        outData.set(data.subarray(i * ROW_VALUES, (i + 1) * ROW_VALUES), m * ROW_VALUES);
        outSensors[m++] = s;
      }
    }
  }
  while (Atomics.load(credits, 0) <= 0) Atomics.wait(credits, 0, 0);
  Atomics.sub(credits, 0, 1);
  const message: FromParser = { kind: 'rows', count, data: outData, sensors: outSensors };
  port.postMessage(message, [outData.buffer, outSensors.buffer]);
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
