import { describe, expect, it } from 'vitest';
import { SimulatedSession } from '../session.ts';
import { MessageSource } from './message-source.ts';

describe('MessageSource', () => {
  const session = (): SimulatedSession => new SimulatedSession({ scenario: 'steady', durationS: 30, seed: 4, ideal: true });

  it('cuts each sensor into frames of the asked size, seq counting up, in time order', () => {
    const source = new MessageSource(session(), 12);
    const seqs = new Map<string, number[]>();
    let lastEnd = 0;
    let total = 0;
    for (let frame = source.next(); frame !== undefined; frame = source.next()) {
      const end = frame.t0Us + (frame.count - 1) * frame.periodUs;
      expect(end).toBeGreaterThanOrEqual(lastEnd);
      lastEnd = end;
      expect(frame.count).toBeLessThanOrEqual(12);
      seqs.set(frame.sensor, [...(seqs.get(frame.sensor) ?? []), frame.seq]);
      total += frame.count;
    }
    for (const list of seqs.values()) expect(list).toEqual(list.map((_, i) => i));
    expect(total).toBe(3 * 30 * 200);
  });

  it("shifts one sensor's clock by the asked offset", () => {
    const plain = new MessageSource(session(), 10);
    const shifted = new MessageSource(session(), 10, { shank_right: 25_000 });
    for (let i = 0; i < 30; i++) {
      const a = plain.next()!;
      const b = shifted.next()!;
      expect(b.sensor).toBe(a.sensor);
      expect(b.t0Us - a.t0Us).toBe(a.sensor === 'shank_right' ? 25_000 : 0);
      expect(Array.from(b.samples)).toEqual(Array.from(a.samples));
    }
  });
});
