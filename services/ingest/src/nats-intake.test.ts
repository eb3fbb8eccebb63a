import { describe, expect, it } from 'vitest';
import { consumerName, partitionFilter, serverMappings, subjectToTopic } from './nats-intake.ts';

describe('NATS subjects', () => {
  it('the server mapping partitions imu and status of a session by athlete and session only', () => {
    expect(serverMappings(4)).toEqual({
      'gaitwatch.v1.*.*.imu': 'gw.{{partition(4,1,2)}}.{{wildcard(1)}}.{{wildcard(2)}}.imu',
      'gaitwatch.v1.*.*.status': 'gw.{{partition(4,1,2)}}.{{wildcard(1)}}.{{wildcard(2)}}.status',
    });
    expect(partitionFilter(3)).toBe('gw.3.>');
    expect(consumerName(3)).toBe('gw-ingest-p3');
  });

  it('gives the session manager the MQTT topic back, and leaves anything else as it is (rejected there as bad_topic)', () => {
    expect(subjectToTopic('gw.2.ath-1.run-1.imu')).toBe('gaitwatch/v1/ath-1/run-1/imu');
    expect(subjectToTopic('gw.0.ath_1.2026-12-02.status')).toBe('gaitwatch/v1/ath_1/2026-12-02/status');
    expect(subjectToTopic('gw.2.ath-1.imu')).toBe('gw.2.ath-1.imu');
    expect(subjectToTopic('other.2.a.b.imu')).toBe('other.2.a.b.imu');
  });
});
