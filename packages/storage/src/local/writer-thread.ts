/**
 * The local store's writer thread (batch-writer.ts ThreadWriter): its own
 * connection to the store's file, one transaction per write message, the
 * commit's duration or its error back to the store.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { prepareInserts } from './inserts.ts';
import { prepareDatabase } from './schema.ts';
import type { FromWriter, ToWriter, WriterJob } from './writer-protocol.ts';

const job = workerData as WriterJob;
const port = parentPort!;
const db = new Database(job.path);
prepareDatabase(db, job.synchronous);
const insertAll = prepareInserts(db);
const ready: FromWriter = { type: 'ready' };
port.postMessage(ready);

port.on('message', (message: ToWriter) => {
  if (message.type === 'close') {
    db.close();
    process.exit(0);
  }
  const startedMs = performance.now();
  let reply: FromWriter;
  try {
    insertAll(message.rows);
    reply = { type: 'done', id: message.id, ms: performance.now() - startedMs };
  } catch (error) {
    const e = error as Error & { code?: unknown };
    reply = { type: 'failed', id: message.id, error: { name: e.name ?? 'Error', message: e.message ?? String(error), ...(typeof e.code === 'string' ? { code: e.code } : {}) } };
  }
  port.postMessage(reply);
});
