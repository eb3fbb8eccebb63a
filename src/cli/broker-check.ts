import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { UsageError } from './errors.ts';

/**
 * What `replay` and `simulate --mqtt-url` say when the broker cannot be used:
 * one line and exit 2 (a UsageError), as the CLI's other errors, instead of
 * MQTT.js's or Node's stack. Never prints a password: not MQTT_PASSWORD, and
 * not one written into the URL.
 */

/** The schemes MQTT.js connects with from Node (mqtt and tcp, mqtts/tls/ssl, ws, wss). */
const SCHEMES = ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ssl:', 'ws:', 'wss:'];

/** How long the check waits for the broker's CONNACK, ms: the relays' own connect timeout (simulators/runner relay.ts). */
const CHECK_TIMEOUT_MS = 10_000;

/** `url` without its user info (`mqtt://user:secret@host` → `mqtt://host`): safe to print. */
export function shownUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}

/** Refuses (UsageError) a --mqtt-url MQTT.js cannot connect to: no scheme (its "Missing protocol"), another scheme, no host. */
export function checkBrokerUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !SCHEMES.includes(parsed.protocol) || parsed.hostname === '') {
    throw new UsageError(`--mqtt-url ${JSON.stringify(shownUrl(url))} is not a broker URL: use mqtt://host:port (or mqtts://, ws://, wss://)`);
  }
}

/** Why Node could not open the connection, by its error code. */
const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused — is it running?',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
};

/** MQTT CONNACK codes that refuse the login: 3.1.1 (4 bad username or password, 5 not authorized) and 5.0 (134, 135, 138 banned, 140). */
const LOGIN_REFUSED = new Set([4, 5, 134, 135, 138, 140]);

export interface BrokerLogin {
  /** MQTT_USERNAME as given (undefined: not set, no login). Printed in messages: a user name is no secret. */
  readonly username: string | undefined;
  /** MQTT_PASSWORD (never printed). */
  readonly password: string | undefined;
  /** Which login this command needs, said when the broker refuses one (e.g. where `gaitwatch start` keeps the device passwords). */
  readonly which: string;
}

/**
 * `error` from connecting to the broker at `url` as a one-line UsageError, or
 * undefined when it is no connection failure this knows (a bug keeps its stack).
 */
export function brokerError(error: unknown, url: string, login: BrokerLogin): UsageError | undefined {
  if (!(error instanceof Error)) return undefined;
  const at = `the broker at ${shownUrl(url)}`;
  // A CONNACK refusal: MQTT.js's ErrorWithReasonCode, "Connection refused: <reason>" with the numeric code.
  // (From simulate's worker threads the error arrives cloned: the message and code survive, the class does not.)
  const refused = /^Connection refused: (.+)$/.exec(error.message);
  const code = (error as { code?: unknown }).code;
  if (refused !== null) {
    const reason = refused[1]!.toLowerCase();
    if (typeof code === 'number' && LOGIN_REFUSED.has(code)) {
      if (login.username === undefined) return new UsageError(`${at} refused the login (${reason}): set MQTT_USERNAME and MQTT_PASSWORD (${login.which})`);
      return new UsageError(`${at} refused the login of ${JSON.stringify(login.username)} (${reason}): check MQTT_USERNAME and MQTT_PASSWORD (${login.which})`);
    }
    return new UsageError(`${at} refused the connection (${reason})`);
  }
  // A PUBACK refusal (MQTT 5, simulators/runner connect-publisher.ts): MQTT.js's "Publish error: <reason>".
  const publishRefused = /^Publish error: (.+)$/.exec(error.message);
  if (publishRefused !== null && typeof code === 'number') {
    const reason = `${publishRefused[1]!.toLowerCase()}, MQTT reason ${code}`;
    const who = login.username === undefined ? 'an anonymous login' : `the login ${JSON.stringify(login.username)}`;
    if (code === 135) return new UsageError(`${at} refused the data (${reason}): ${who} may not publish for this athlete — use ${login.which}`);
    return new UsageError(`${at} refused the data (${reason})`);
  }
  if (typeof code !== 'string') return undefined;
  const network = NETWORK_REASONS[code];
  if (network !== undefined) return new UsageError(`cannot connect to ${at}: ${network}`);
  // TLS (mqtts://, wss://): a certificate that does not verify, a handshake that fails.
  if (/CERT|^ERR_TLS_|^ERR_SSL_|^UNABLE_TO_/.test(code)) return new UsageError(`cannot connect to ${at}: TLS: ${error.message}`);
  return undefined;
}

/**
 * Connects once to the broker at `url` with `login` and leaves again, before
 * a command starts publishing: whatever fails here is the connection (a
 * refused login, nothing listening, no MQTT broker on that port, no answer),
 * said in one line (UsageError), where the same failure inside the simulator
 * or replay could not be told from a bug. A clean session with a client id
 * of its own: it takes over nobody's session and leaves nothing behind.
 */
export async function checkBroker(url: string, login: BrokerLogin): Promise<void> {
  checkBrokerUrl(url);
  let client: mqtt.MqttClient;
  try {
    client = await mqtt.connectAsync(
      url,
      {
        clientId: `gaitwatch-check-${randomBytes(6).toString('hex')}`,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: CHECK_TIMEOUT_MS,
        ...(login.username !== undefined ? { username: login.username, password: login.password ?? '' } : {}),
      },
      // No retries: a close before the CONNACK rejects instead of waiting for a reconnect.
      false,
    );
  } catch (error) {
    const known = brokerError(error, url, login);
    if (known !== undefined) throw known;
    const message = error instanceof Error ? error.message : String(error);
    const why =
      message === 'connack timeout' ? `no MQTT answer within ${CHECK_TIMEOUT_MS / 1000} s`
      : message === "Couldn't connect to server" ? 'the connection closed before an MQTT answer'
      : `the answer is not MQTT (${message})`;
    throw new UsageError(`cannot connect to the broker at ${shownUrl(url)}: ${why} — is that the broker's port?`);
  }
  await client.endAsync();
}

/** Runs `action` (which connects to the broker at `url`), turning a connection failure into one line (brokerError). */
export async function withBrokerErrors<T>(url: string, login: BrokerLogin, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw brokerError(error, url, login) ?? error;
  }
}
