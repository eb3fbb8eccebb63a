import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface Received {
  readonly topic: string;
  readonly payload: string;
}

export interface TestClient {
  readonly client: MqttClient;
  readonly received: Received[];
  /** Resolves once a message on `topic` has arrived (the sentinel of a "never arrives" check), at most `timeoutMs`. */
  waitForTopic(topic: string, timeoutMs?: number): Promise<void>;
  /** QoS granted per filter (128: refused). */
  subscribe(filters: readonly string[]): Promise<number[]>;
  end(): Promise<void>;
}

let clients = 0;

/** An MQTT 3.1.1 client that records every message; no reconnects, so a refusal is final. */
export async function connectClient(url: string, username: string, password: string, extra: IClientOptions = {}): Promise<TestClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: `gw-deploy-${username}-${process.pid}-${clients++}`.slice(0, 64),
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    username,
    password,
    ...extra,
  });
  const received: Received[] = [];
  const waiters: { topic: string; resolve: () => void }[] = [];
  client.on('message', (topic, payload) => {
    received.push({ topic, payload: payload.toString('utf8') });
    for (const w of waiters.filter((w) => w.topic === topic)) w.resolve();
  });
  return {
    client,
    received,
    async waitForTopic(topic, timeoutMs = 5_000) {
      if (received.some((m) => m.topic === topic)) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${username}: nothing on ${topic} within ${timeoutMs} ms; got ${JSON.stringify(received.map((m) => m.topic))}`)), timeoutMs);
        waiters.push({
          topic,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async subscribe(filters) {
      const granted = await client.subscribeAsync([...filters], { qos: 1 });
      return granted.map((g) => g.qos);
    },
    end: () => client.endAsync(true),
  };
}

/** The connection error of a client that must be refused (undefined: it connected, and is closed again). */
export async function connectError(url: string, options: IClientOptions): Promise<Error | undefined> {
  try {
    const client = await mqtt.connectAsync(url, { clientId: `gw-deploy-refused-${process.pid}-${clients++}`, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    await client.endAsync(true);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}
