import type { SensorId } from '@gaitwatch/protocol/core';
import { describe, expect, it } from 'vitest';
import { ReleaseQueue, type StrideEvent } from '../analysis-events.ts';
import { DEFAULT_PARAMS } from '../params.ts';
import { StrideAssembler } from './stride-assembler.ts';

/** An assembler on its own: no tracks, no shank trackers; `sensors` is the session's worn list (mutable, as the analyzer's). */
function assembler(sensors: SensorId[]): { strides: StrideAssembler; queue: ReleaseQueue } {
  const queue = new ReleaseQueue();
  const strides = new StrideAssembler({
    params: DEFAULT_PARAMS,
    tracks: new Map(),
    shanks: new Map(),
    queue,
    sensors,
    readShankEarly: () => undefined,
    newestUs: () => 0,
    silentBeforeUs: () => Number.NEGATIVE_INFINITY,
  });
  return { strides, queue };
}

function queued(queue: ReleaseQueue): Pick<StrideEvent, 'side' | 'icUs' | 'strideTimeS'>[] {
  const out: Pick<StrideEvent, 'side' | 'icUs' | 'strideTimeS'>[] = [];
  for (let i = 0; i < queue.length; i++) {
    const e = queue.at(i);
    if (e.kind === 'stride') out.push({ side: e.side, icUs: e.icUs, strideTimeS: e.strideTimeS });
  }
  return out;
}

describe('StrideAssembler', () => {
  it('drops a contact that is not after its leg’s pending one (it would make a stride of zero or negative time), and counts it', () => {
    const { strides, queue } = assembler(['pelvis']);
    strides.onPelvisStance('left', 1_000_000);
    strides.onPelvisStance('left', 1_700_000);
    strides.onPelvisStance('left', 1_200_000);
    strides.onPelvisStance('left', 1_700_000);
    strides.onPelvisStance('left', 2_400_000);
    // Without the check: 1.7 s closed at −0.5 s and 0 s, and 1.2 → 2.4 s a doubled 1.2 s stride.
    expect(queued(queue)).toEqual([
      { side: 'left', icUs: 1_000_000, strideTimeS: 0.7 },
      { side: 'left', icUs: 1_700_000, strideTimeS: 0.7 },
    ]);
    expect(strides.outOfOrderContacts).toBe(2);
  });

  it('a shank that joins a pelvis-only session takes its leg over: the pelvis’s pending stance closes without a stride time, never with the interval to the shank’s contact', () => {
    const sensors: SensorId[] = ['pelvis'];
    const { strides, queue } = assembler(sensors);
    strides.onPelvisStance('left', 10_000_000);
    strides.onPelvisStance('left', 10_730_000);
    // The shanks' first data: the pelvis reports ~1.6 s late, so the shank's first contact is earlier than its pending one.
    sensors.push('shank_left', 'shank_right');
    strides.onShankContact('left', 10_000_000 + 1_460_000 - 1_000_000);
    strides.onShankStance('left', { icUs: 10_460_000, toUs: 10_710_000 });
    strides.onShankContact('left', 11_190_000);
    expect(queued(queue)).toEqual([
      { side: 'left', icUs: 10_000_000, strideTimeS: 0.73 },
      { side: 'left', icUs: 10_460_000, strideTimeS: 0.73 },
      { side: 'left', icUs: 10_730_000, strideTimeS: null },
    ]);
    expect(strides.outOfOrderContacts).toBe(0);
  });
});
