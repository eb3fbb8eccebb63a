import { describe, expect, it } from 'vitest';
import { LiveHub, type LiveEvent, type LiveReset } from './live-hub.ts';

const ids = (events: readonly LiveEvent[]): number[] => events.map((e) => e.seq);

describe('LiveHub', () => {
  it('hands every event to subscribers in order, with ids of its own epoch', () => {
    const hub = new LiveHub();
    const seen: LiveEvent[] = [];
    const stop = hub.subscribe((e) => seen.push(e));
    hub.publish('stride', 'a', 's', '{}');
    hub.publish('alert', 'a', 's', '{}');
    stop();
    hub.publish('stride', 'a', 's', '{}');
    expect(seen.map((e) => e.id)).toEqual([`${hub.epoch}-1`, `${hub.epoch}-2`]);
    expect(hub.lastId).toBe(`${hub.epoch}-3`);
  });

  it('replays what came after an id: alerts from their own ring, strides while the recent ring holds them', () => {
    const hub = new LiveHub({ recentEvents: 4, recentAlerts: 10 });
    hub.publish('stride', 'a', 's', '{}'); // 1
    const mark = hub.lastId;
    hub.publish('alert', 'a', 's', '{}'); // 2
    for (let i = 0; i < 5; i++) hub.publish('stride', 'a', 's', '{}'); // 3..7: strides 3 and 4 fall out of the recent ring
    hub.publish('session', 'a', 's', '{}'); // 8
    const missed = hub.replaySince(mark);
    expect(Array.isArray(missed)).toBe(true);
    expect(ids(missed as LiveEvent[])).toEqual([2, 5, 6, 7, 8]);
    expect(hub.replaySince(hub.lastId)).toEqual([]);
  });

  it('keeps reps with the alerts: a burst of strides cannot push a screen’s reps out of the replay', () => {
    const hub = new LiveHub({ recentEvents: 3, recentAlerts: 10 });
    const mark = hub.lastId;
    hub.publish('rep', 'a', 's', '{}'); // 1
    for (let i = 0; i < 5; i++) hub.publish('stride', 'b', 's', '{}'); // 2..6: only 4..6 stay in the recent ring
    hub.publish('rep', 'a', 's', '{}'); // 7
    expect(ids(hub.replaySince(mark) as LiveEvent[])).toEqual([1, 5, 6, 7]);
  });

  it('answers a reset, with every kept alert, when it cannot tell what was missed', () => {
    const hub = new LiveHub({ recentEvents: 4, recentAlerts: 2 });
    const first = hub.lastId;
    hub.publish('alert', 'a', 's', '{}'); // 1
    hub.publish('alert', 'a', 's', '{}'); // 2
    hub.publish('alert', 'a', 's', '{}'); // 3: alert 1 falls out
    const tooOld = hub.replaySince(first) as LiveReset;
    expect(tooOld.reset).toBe('too_old');
    expect(ids(tooOld.events)).toEqual([2, 3]);
    // From alert 1 on, nothing was lost: alerts 2 and 3 are still kept.
    expect(ids(hub.replaySince(`${hub.epoch}-1`) as LiveEvent[])).toEqual([2, 3]);
    const other = new LiveHub();
    expect((other.replaySince(first) as LiveReset).reset).toBe('unknown_stream');
    expect((hub.replaySince(`${hub.epoch}-99`) as LiveReset).reset).toBe('unknown_stream');
    expect((hub.replaySince('banana') as LiveReset).reset).toBe('malformed_id');
  });
});
