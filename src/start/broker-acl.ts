import { isValidId, TOPIC_ROOT, type TopicKind } from '@gaitwatch/protocol';

/**
 * Who may do what on the embedded broker: the same rules as the Mosquitto
 * ACL in deploy/mosquitto/acl, so the all-in-one start is no more open than a
 * deployment. A device's username is its athlete id; `ingest` and `api` are
 * the services.
 */
export type BrokerUser = { readonly kind: 'device'; readonly athleteId: string } | { readonly kind: 'ingest' } | { readonly kind: 'api' };

const PUBLISH: Record<BrokerUser['kind'], readonly TopicKind[]> = { device: ['imu', 'status'], ingest: ['alerts', 'live'], api: [] };
const SUBSCRIBE: Record<BrokerUser['kind'], readonly TopicKind[]> = { device: ['alerts', 'live'], ingest: ['imu', 'status'], api: ['alerts', 'live', 'status'] };

/**
 * Splits a topic or filter of the contract into its levels, or undefined when
 * it is off the contract. `+` is accepted at the athlete and session levels
 * only when `wildcards` is true; `#` never.
 */
function levels(topic: string, wildcards: boolean): { athlete: string; session: string; kind: string } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return undefined;
  const [, , athlete, session, kind] = parts as [string, string, string, string, string];
  const idOk = (level: string): boolean => isValidId(level) || (wildcards && level === '+');
  if (!idOk(athlete) || !idOk(session)) return undefined;
  return { athlete, session, kind };
}

/** May `user` publish on `topic`? Devices only into their own athlete's sessions. */
export function mayPublish(user: BrokerUser, topic: string): boolean {
  const t = levels(topic, false);
  if (t === undefined || !(PUBLISH[user.kind] as readonly string[]).includes(t.kind)) return false;
  return user.kind !== 'device' || t.athlete === user.athleteId;
}

/**
 * May `user` subscribe to `filter`? A filter is allowed only if every topic it
 * can match is allowed: a device names its own athlete (no `+` there), `#` is
 * never allowed, and the kind level is always literal.
 */
export function maySubscribe(user: BrokerUser, filter: string): boolean {
  const t = levels(filter, true);
  if (t === undefined || !(SUBSCRIBE[user.kind] as readonly string[]).includes(t.kind)) return false;
  return user.kind !== 'device' || t.athlete === user.athleteId;
}
