import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/**
 * How long the broker keeps a publisher's MQTT 5 session after it goes, s:
 * long enough for a phone to come back from a tunnel, short enough that each
 * replay's or relay's client id does not leave a session behind for good (an
 * MQTT 3.1.1 clean: false session never expires on Mosquitto by default).
 */
export const PUBLISHER_SESSION_EXPIRY_S = 3600;

/** CONNACK 1 (3.1.1) / 132 (5.0): the broker does not speak the protocol version asked for. */
const UNSUPPORTED_VERSION = new Set([1, 132]);

/**
 * Connects a device-side publisher (replay, a simulated runner's relay) with
 * MQTT 5 where the broker speaks it, else 3.1.1. Why 5 first: a publish the
 * broker's ACL refuses comes back as a PUBACK reason (0x87 not authorized)
 * that rejects the publish, so the command can say its login may not write
 * there; MQTT 3.1.1 has no negative PUBACK and Mosquitto acknowledges and
 * drops, so a whole run would "succeed" with nothing arriving. The embedded
 * broker (aedes) speaks 3.1.1 only and logs each refusal itself.
 */
export async function connectPublisher(url: string, options: IClientOptions): Promise<MqttClient> {
  const persistent = options.clean === false;
  try {
    return await mqtt.connectAsync(url, {
      ...options,
      protocolVersion: 5,
      ...(persistent ? { properties: { ...options.properties, sessionExpiryInterval: PUBLISHER_SESSION_EXPIRY_S } } : {}),
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'number' || !UNSUPPORTED_VERSION.has(code)) throw error;
    return mqtt.connectAsync(url, { ...options, protocolVersion: 4 });
  }
}
