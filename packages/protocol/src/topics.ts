/**
 * MQTT topics of contract v1: `gaitwatch/v1/{athleteId}/{sessionId}/{kind}`.
 * One session publishes all its sensors on one `imu` topic so that a broker
 * hashing shared subscriptions by topic keeps a session on one worker.
 */
export const TOPIC_ROOT = 'gaitwatch/v1';
export const TOPIC_KINDS = ['imu', 'status', 'alerts', 'live'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/**
 * Athlete and session ids: 1–64 of [A-Za-z0-9_.-], starting with a letter or digit.
 * This keeps MQTT wildcards (`+`, `#`), separators (`/`), `$`-prefixed system
 * topics and InfluxDB tag escaping out of ids.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export interface SessionTopic {
  readonly athleteId: string;
  readonly sessionId: string;
  readonly kind: TopicKind;
}

function assertId(name: string, id: string): void {
  if (!isValidId(id)) {
    throw new TypeError(`${name} ${JSON.stringify(id)} is not a valid id: use 1–64 of A–Z a–z 0–9 _ . - starting with a letter or digit`);
  }
}

export function buildTopic(athleteId: string, sessionId: string, kind: TopicKind): string {
  assertId('athleteId', athleteId);
  assertId('sessionId', sessionId);
  return `${TOPIC_ROOT}/${athleteId}/${sessionId}/${kind}`;
}

/** Subscription filter for one kind across all sessions (or one athlete's sessions). */
export function topicFilter(kind: TopicKind, athleteId?: string): string {
  if (athleteId !== undefined) assertId('athleteId', athleteId);
  return `${TOPIC_ROOT}/${athleteId ?? '+'}/+/${kind}`;
}

/** Parses a topic; undefined for anything off-contract (wrong root, version, kind, ids or depth). */
export function parseTopic(topic: string): SessionTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'gaitwatch' || parts[1] !== 'v1') return undefined;
  const [, , athleteId, sessionId, kind] = parts as [string, string, string, string, string];
  if (!isValidId(athleteId) || !isValidId(sessionId)) return undefined;
  if (!(TOPIC_KINDS as readonly string[]).includes(kind)) return undefined;
  return { athleteId, sessionId, kind: kind as TopicKind };
}
