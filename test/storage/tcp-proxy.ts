/**
 * A loopback TCP proxy in front of a real server, so a test can take the
 * database "away" (connections refused) or make it "slow" (connections
 * accepted, nothing answered) and bring it back, without restarting it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../harness/index.ts';

export type ProxyMode = 'up' | 'down' | 'hang';

export interface TcpProxy {
  readonly url: string;
  readonly port: number;
  /** up: forward; down: refuse new connections and cut open ones; hang: accept and never answer. */
  set(mode: ProxyMode): Promise<void>;
  /** Connections accepted so far (a way to see that a client tried). */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let mode: ProxyMode = 'up';
  let server: Server | undefined;
  let connections = 0;

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((client) => {
        connections++;
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => client.destroy());
        if (mode === 'hang') return; // hold the connection open, read nothing, answer nothing
        const upstream = connect(targetPort, '127.0.0.1');
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve();
      });
    });

  const stopListening = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    async set(next) {
      if (next === mode) return;
      mode = next;
      await stopListening();
      // Down = nothing listens on the port: the client gets ECONNREFUSED, as with a stopped database.
      if (next !== 'down') await listen();
    },
    close: stopListening,
  };
}
