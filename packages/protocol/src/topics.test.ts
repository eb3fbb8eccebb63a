import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTopic, parseTopic, topicFilter, TOPIC_KINDS } from './topics.ts';

const arbId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);

describe('topics', () => {
  it('builds the contract topics', () => {
    expect(buildTopic('ath-1', 'run_2026.11.25', 'imu')).toBe('gaitwatch/v1/ath-1/run_2026.11.25/imu');
    expect(topicFilter('alerts')).toBe('gaitwatch/v1/+/+/alerts');
    expect(topicFilter('live', 'ath-1')).toBe('gaitwatch/v1/ath-1/+/live');
  });

  it('parses what it builds, for every valid id and kind', () => {
    fc.assert(
      fc.property(arbId, arbId, fc.constantFrom(...TOPIC_KINDS), (athleteId, sessionId, kind) => {
        expect(parseTopic(buildTopic(athleteId, sessionId, kind))).toEqual({ athleteId, sessionId, kind });
      }),
    );
  });

  it.each([
    'gaitwatch/v1/a/s',
    'gaitwatch/v1/a/s/imu/extra',
    'gaitwatch/v2/a/s/imu',
    'other/v1/a/s/imu',
    'gaitwatch/v1/a/s/commands',
    'gaitwatch/v1/+/s/imu',
    'gaitwatch/v1/a/#/imu',
    'gaitwatch/v1//s/imu',
    'gaitwatch/v1/$SYS/s/imu',
    `gaitwatch/v1/${'a'.repeat(65)}/s/imu`,
    '/gaitwatch/v1/a/s/imu',
  ])('rejects off-contract topic %s', (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });

  it('refuses to build a topic from an id with wildcards or separators', () => {
    for (const bad of ['a/b', '+', '#', '', '-lead', 'a b']) {
      expect(() => buildTopic(bad, 's', 'imu')).toThrow(/not a valid id/);
      expect(() => buildTopic('a', bad, 'imu')).toThrow(/not a valid id/);
    }
  });
});
