import { describe, expect, it } from 'vitest';
import { MetricBuffer } from './metric-buffer.ts';

describe('MetricBuffer', () => {
  it('sums counters per name and label set, keeps observations in order and a gauge’s last value, then starts afresh', () => {
    const buffer = new MetricBuffer();
    const m = buffer.metrics;
    m.samples.inc(15);
    m.samples.inc(15);
    m.samples.inc();
    m.rejected.inc({ kind: 'imu', reason: 'bad_payload' });
    m.rejected.inc({ kind: 'imu', reason: 'bad_payload' }, 2);
    m.rejected.inc({ kind: 'status', reason: 'bad_payload' });
    m.arrivalLag.observe(0.002);
    buffer.observe('arrivalLag', 0.5);
    m.bufferedFrames.set(7);
    m.bufferedFrames.set(3);
    expect(buffer.take()).toEqual([
      ['samples', 'inc', 31],
      ['rejected', 'inc', 3, { kind: 'imu', reason: 'bad_payload' }],
      ['rejected', 'inc', 1, { kind: 'status', reason: 'bad_payload' }],
      ['arrivalLag', 'observe', [0.002, 0.5]],
      ['bufferedFrames', 'set', 3],
    ]);
    expect(buffer.take()).toEqual([]);
    m.samples.inc(2);
    expect(buffer.take()).toEqual([['samples', 'inc', 2]]);
  });

  it('sums a frozen label object (remembered) with equal fresh literals, and keeps other label sets apart', () => {
    const buffer = new MetricBuffer();
    const imu = Object.freeze({ kind: 'imu' });
    const status = Object.freeze({ kind: 'status' });
    buffer.metrics.messages.inc(imu);
    buffer.metrics.messages.inc(imu);
    buffer.metrics.messages.inc({ kind: 'imu' });
    buffer.metrics.messages.inc(status);
    buffer.metrics.messages.inc(imu, 4);
    expect(buffer.take()).toEqual([
      ['messages', 'inc', 7, { kind: 'imu' }],
      ['messages', 'inc', 1, { kind: 'status' }],
    ]);
    buffer.metrics.messages.inc(status);
    expect(buffer.take()).toEqual([['messages', 'inc', 1, { kind: 'status' }]]);
  });

  it('hands out one handle per metric name (no closures built per call)', () => {
    const { metrics } = new MetricBuffer();
    expect(metrics.samples).toBe(metrics.samples);
    expect(metrics.samples).not.toBe(metrics.gaps);
  });
});
