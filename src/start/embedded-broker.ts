import { createServer, type Server } from 'node:net';
import { scryptSync, timingSafeEqual, randomBytes } from 'node:crypto';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { RateLimitedLog } from '@gaitwatch/ingest';
import { mayPublish, maySubscribe, type BrokerUser } from './broker-acl.ts';

/** Where a refused publish goes: off the topic contract, so authorizeSubscribe lets nobody subscribe to it. */
const REFUSED_SINK = 'gaitwatch/refused';

/** One broker account: a salted scrypt hash of its password, never the password. */
export interface BrokerAccount {
  readonly username: string;
  readonly user: BrokerUser;
  readonly salt: string;
  readonly hash: string;
}

export function brokerAccount(username: string, user: BrokerUser, password: string): BrokerAccount {
  const salt = randomBytes(16).toString('hex');
  return { username, user, salt, hash: scryptSync(password, salt, 32).toString('hex') };
}

function passwordMatches(account: BrokerAccount, password: Buffer | undefined): boolean {
  if (password === undefined) return false;
  const expected = Buffer.from(account.hash, 'hex');
  return timingSafeEqual(scryptSync(password, account.salt, 32), expected);
}

export interface EmbeddedBroker {
  /** mqtt://host:port */
  readonly url: string;
  readonly port: number;
  /** Refusals so far, by what was refused (tests and the log read them). */
  readonly refused: { connect: number; clientId: number; publish: number; subscribe: number; forward: number };
  addAccount(account: BrokerAccount): void;
  /** Binds a client id to one account before anyone connects with it (the services' own ids). */
  reserveClientId(clientId: string, username: string): void;
  close(): Promise<void>;
}

/**
 * The embedded default MQTT broker of `gaitwatch start`: aedes in this
 * process on a TCP port, with the same authorization as a deployed Mosquitto
 * (anonymous refused, devices confined to their athlete's topics; see
 * broker-acl.ts). Its persistence is in memory: a restart loses what it had
 * queued, which ingest's checkpoints and the phones' resending tolerate.
 *
 * A client id belongs to the account that holds it. MQTT lets a new
 * connection with a taken id close the old one and inherit its persistent
 * session — subscriptions and queued messages included — so without this a
 * device's login could use `gaitwatch-ingest`, knock ingest off the broker
 * and be handed every athlete's IMU messages. An id is bound on connect to
 * its account (the services' ids before anyone connects), released when a
 * clean session ends, kept while a persistent one may resume; another
 * account presenting it is refused (CONNACK 2, identifier rejected). Every
 * delivery is also checked against the receiver's read rights
 * (authorizeForward), as Mosquitto checks its ACL at delivery.
 */
export async function startEmbeddedBroker(options: { host: string; port: number; logger: Logger; accounts: readonly BrokerAccount[] }): Promise<EmbeddedBroker> {
  const { logger } = options;
  const accounts = new Map(options.accounts.map((a) => [a.username, a]));
  const users = new WeakMap<object, BrokerUser>();
  /** Client id → the username holding it. */
  const owners = new Map<string, string>();
  /** Client id → the connection that last authenticated with it (an older one closed by a takeover must not release the id). */
  const holders = new Map<string, object>();
  const reserved = new Set<string>();
  const refused = { connect: 0, clientId: 0, publish: 0, subscribe: 0, forward: 0 };
  // One line per kind of refusal and client per 10 s: a device guessing passwords or probing topics must not flood the log (the counts are on /metrics).
  const refusals = new RateLimitedLog(logger, 10_000);
  // A subscriber that stops reading is disconnected after 30 s instead of stalling every delivery (aedes docs).
  const broker = await Aedes.createBroker({ drainTimeout: 30_000 });
  broker.authenticate = (client, username, password, done) => {
    const account = username === undefined ? undefined : accounts.get(username);
    if (account === undefined || !passwordMatches(account, password)) {
      refused.connect++;
      refusals.warn(`connect:${username ?? ''}`, { clientId: client.id, username: username ?? null }, 'broker: connection refused (unknown user or wrong password)');
      const error = Object.assign(new Error('not authorized'), { returnCode: 5 });
      return done(error as Parameters<typeof done>[0], false);
    }
    const owner = owners.get(client.id);
    if (owner !== undefined && owner !== account.username) {
      refused.clientId++;
      refusals.warn(`client-id:${account.username}`, { clientId: client.id, username: account.username }, 'broker: connection refused (client id held by another account)');
      const error = Object.assign(new Error('client id held by another account'), { returnCode: 2 });
      return done(error as Parameters<typeof done>[0], false);
    }
    owners.set(client.id, account.username);
    holders.set(client.id, client);
    users.set(client, account.user);
    done(null, true);
  };
  broker.on('clientDisconnect', (client) => {
    // A clean session leaves nothing to resume: its id is free again (a persistent one stays bound, as does a service's).
    if (holders.get(client.id) !== client) return;
    holders.delete(client.id);
    if (client.clean && !reserved.has(client.id)) owners.delete(client.id);
  });
  broker.authorizeForward = (client, packet) => {
    const user = users.get(client);
    if (user === undefined || !maySubscribe(user, packet.topic)) {
      refused.forward++;
      refusals.warn(`forward:${client.id}`, { clientId: client.id, topic: packet.topic }, 'broker: delivery refused by the ACL');
      return null;
    }
    return packet;
  };
  broker.authorizePublish = (client, packet, done) => {
    // client null: aedes delivering a stored last will of a client gone since; it was checked when that client connected.
    const user = client === null ? undefined : users.get(client);
    if (client !== null && (user === undefined || !mayPublish(user, packet.topic))) {
      refused.publish++;
      refusals.warn(`publish:${client.id}`, { clientId: client.id, topic: packet.topic }, 'broker: publish refused by the ACL');
      // As Mosquitto does (MQTT 3.1.1 has no negative PUBACK: MQTT-3.3.5-2 allows acknowledging or disconnecting):
      // acknowledged and dropped — sent to a topic nobody may subscribe to, never retained — so a relay app sees the
      // same broker here as in a deployment, not a reconnect and a redelivery of everything in flight.
      packet.topic = REFUSED_SINK;
      packet.retain = false;
    }
    done(null);
  };
  broker.authorizeSubscribe = (client, subscription, done) => {
    const user = users.get(client);
    if (user === undefined || !maySubscribe(user, subscription.topic)) {
      refused.subscribe++;
      refusals.warn(`subscribe:${client.id}`, { clientId: client.id, filter: subscription.topic }, 'broker: subscription refused by the ACL');
      // Negated (SUBACK 0x80) rather than an error that drops the connection: the client learns it was refused.
      return done(null, null);
    }
    done(null, subscription);
  };
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `mqtt://${options.host}:${port}`,
    port,
    refused,
    addAccount: (account) => void accounts.set(account.username, account),
    reserveClientId: (clientId, username) => {
      reserved.add(clientId);
      owners.set(clientId, username);
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
