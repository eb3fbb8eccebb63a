// The light replay publisher of bench/scenarios/ingest.ts, on a worker thread
// of its own (so publishing does not compete with the consumer for one event
// loop). Plain JavaScript: a worker starts without the TypeScript loader.
//
// workerData: { url, clients, topics: string[], payloads: Uint8Array (all messages back to back),
//               offsets: Int32Array (n + 1), topicOf: Int32Array (n), sentAt: SharedArrayBuffer (Float64 × n) }
// Commands (postMessage): { kind: 'blast', from, to } publishes messages [from, to) at QoS 1 as fast as the
// broker takes them (at most WINDOW unacknowledged per connection); { kind: 'paced', from, to, perS } at a
// fixed rate; { kind: 'close' }. Each answers { kind: 'done', startedAt, endedAt } (epoch ms, µs resolution),
// after the last PUBACK. sentAt[i] is when message i was handed to mqtt.js.
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

/** Unacknowledged QoS 1 publishes per connection before the publisher waits (keeps memory and queues bounded). */
const WINDOW = 1000;
const now = () => performance.timeOrigin + performance.now();

const { url, clients: clientCount, topics, payloads, offsets, topicOf, sentAt: sentAtBuffer } = workerData;
const sentAt = new Float64Array(sentAtBuffer);
const clients = [];
for (let c = 0; c < clientCount; c++) {
  clients.push(await mqtt.connectAsync(url, { clientId: `bench-pub-${process.pid}-${c}`, clean: true, reconnectPeriod: 0, protocolVersion: 4 }));
}
const outstanding = new Array(clientCount).fill(0);
let wake = null;
let failed = null;

function publish(i) {
  const topic = topicOf[i];
  const c = topic % clientCount;
  outstanding[c]++;
  sentAt[i] = now();
  clients[c].publish(topics[topic], Buffer.from(payloads.buffer, payloads.byteOffset + offsets[i], offsets[i + 1] - offsets[i]), { qos: 1 }, (error) => {
    if (error) failed = error;
    outstanding[c]--;
    if (wake !== null && outstanding[c] < WINDOW / 2) {
      const w = wake;
      wake = null;
      w();
    }
  });
  return c;
}

const waitBelow = (limit) =>
  new Promise((resolve) => {
    const check = () => (outstanding.every((n) => n < limit) ? resolve() : (wake = check));
    check();
  });

async function blast(from, to) {
  for (let i = from; i < to; i++) {
    const c = publish(i);
    if (outstanding[c] >= WINDOW) await waitBelow(WINDOW / 2);
  }
  await waitBelow(1);
}

async function paced(from, to, perS) {
  const started = now();
  let i = from;
  while (i < to) {
    const due = Math.min(to, from + Math.floor(((now() - started) / 1000) * perS) + 1);
    while (i < due) publish(i++);
    await new Promise((r) => setTimeout(r, 2));
  }
  await waitBelow(1);
}

parentPort.on('message', async (command) => {
  if (command.kind === 'close') {
    await Promise.all(clients.map((client) => client.endAsync()));
    parentPort.postMessage({ kind: 'closed' });
    return;
  }
  const startedAt = now();
  if (command.kind === 'blast') await blast(command.from, command.to);
  else await paced(command.from, command.to, command.perS);
  parentPort.postMessage({ kind: 'done', startedAt, endedAt: now(), error: failed ? String(failed) : null });
});
parentPort.postMessage({ kind: 'ready' });
