import { Worker } from 'node:worker_threads';
import type { ParseCounts, RecordingSink } from '@gaitwatch/dsp';
import { RecordingFormatError, sensorFromCode } from '@gaitwatch/protocol/core';
import { BATCHES_AHEAD, ROW_VALUES, type FromParser, type ParserJob } from './parse-protocol.ts';

/**
 * Feeds `sink` the rows of the recording at `path`, parsed on a worker thread
 * (parse-worker.ts), in file order; returns the parse's counts. A bad header
 * throws RecordingFormatError as the in-process parser does; a failed read
 * throws an Error carrying the system error's code, after the rows read
 * before it went to the sink. Each batch is analysed before its credit goes
 * back (and, when stdout is backed up, once it has drained).
 */
export async function parseOnWorker(path: string, chunkBytes: number, sink: RecordingSink, output: NodeJS.WriteStream): Promise<ParseCounts> {
  const credits = new SharedArrayBuffer(4);
  const counter = new Int32Array(credits);
  Atomics.store(counter, 0, BATCHES_AHEAD);
  const job: ParserJob = { path, chunkBytes, credits };
  const worker = new Worker(new URL('./parse-worker.mjs', import.meta.url), { workerData: job });
  try {
    return await new Promise<ParseCounts>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void): void => {
        if (!settled) {
          settled = true;
          f();
        }
      };
      const giveBack = (): void => {
        Atomics.add(counter, 0, 1);
        Atomics.notify(counter, 0);
      };
      worker.on('message', (message: FromParser) => {
        if (settled) return;
        try {
          switch (message.kind) {
            case 'rows':
              feed(sink, message.data, message.sensors, message.count);
              if (output.writableNeedDrain) output.once('drain', giveBack);
              else giveBack();
              return;
            case 'end':
              return settle(() => resolve(message.parse));
            case 'format':
              return settle(() => reject(new RecordingFormatError(message.message, message.line)));
            case 'read':
              return settle(() => reject(Object.assign(new Error(message.message), { code: message.code, syscall: message.syscall })));
          }
        } catch (error) {
          settle(() => reject(error));
        }
      });
      worker.once('error', (error) => settle(() => reject(error)));
      // Its last messages may still be queued when it exits: let them in first.
      worker.once('exit', (code) => setImmediate(() => settle(() => reject(new Error(`the parse thread stopped (exit code ${code}) before the end of the file`)))));
    });
  } finally {
    await worker.terminate();
  }
}

/** One batch into the sink, one pushRows per run of one sensor's rows (only indices cross the call: no boxing). */
function feed(sink: RecordingSink, data: Float64Array, sensors: Uint8Array, count: number): void {
  for (let i = 0; i < count; ) {
    let j = i + 1;
    while (j < count && sensors[j] === sensors[i]) j++;
    sink.pushRows(sensorFromCode(sensors[i]!)!, data, i * ROW_VALUES, j - i);
    i = j;
  }
}
