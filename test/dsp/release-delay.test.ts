// How long after a foot contact its stride comes out, in data time (issue
// #14 item 4: what the runner feels is bounded below by this), that the
// shorter delay with both shanks changes nothing but the time, and that a
// leg that stops stepping does not hold every later event back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARAMS, SessionAnalyzer, type StrideEvent } from '@gaitwatch/dsp';
import type { RecordingRow, SensorId } from '@gaitwatch/protocol';
import { SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecordingRows } from '../fixtures/recording.ts';

const SENSORS: readonly SensorId[] = ['pelvis', 'shank_left', 'shank_right'];
let dir: string;
let rows: RecordingRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-release-'));
  rows = await readRecordingRows((await writeRecording(new SimulatedSession({ scenario: 'steady', durationS: 40, seed: 21 }), dir, 'steady')).csv);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Feeds rows in file (time) order; for each stride released before finish(), the newest data time then less its contact, s. */
function delays(input: readonly RecordingRow[], params: { releaseAfterS?: number; releaseAfterShanksS?: number } = {}): { delaysS: number[]; beforeFinish: StrideEvent[]; all: StrideEvent[] } {
  const analyzer = new SessionAnalyzer(params, { sensors: SENSORS });
  const delaysS: number[] = [];
  const beforeFinish: StrideEvent[] = [];
  for (const { sensor, tUs, values } of input) {
    for (const e of analyzer.pushSample(sensor, tUs, ...values)) {
      if (e.kind !== 'stride') continue;
      delaysS.push((tUs - e.icUs) / 1e6);
      beforeFinish.push(e);
    }
  }
  const all = [...beforeFinish, ...analyzer.finish().filter((e): e is StrideEvent => e.kind === 'stride')];
  return { delaysS, beforeFinish, all };
}

describe('release delay', () => {
  it('with both shanks worn, releases each stride releaseAfterShanksS (1 s) after its contact, or as soon as its leg\'s next contact is announced — the walk-off\'s walking strides too', () => {
    const { delaysS, beforeFinish, all } = delays(rows);
    const fastS = DEFAULT_PARAMS.releaseAfterShanksS;
    expect(fastS).toBeLessThan(DEFAULT_PARAMS.releaseAfterS);
    expect(delaysS.length).toBeGreaterThan(all.length - 6);
    // Measured: 1.00–1.05 s for running strides (0.73 s to the leg's next contact, announced ~0.3 s after it),
    // 1.38–1.45 s for the walk-off's (1.1 s strides). Before the shanks' own delay was used: 1.80–1.83 s for all.
    const walking = beforeFinish.filter((s) => s.strideTimeS !== null && s.strideTimeS > 1);
    expect(walking.length).toBeGreaterThanOrEqual(4);
    for (const [i, d] of delaysS.entries()) {
      const stride = beforeFinish[i]!;
      expect(d).toBeGreaterThanOrEqual(fastS);
      expect(d).toBeLessThanOrEqual(Math.max(fastS, (stride.strideTimeS ?? 0) + 0.4) + 0.05);
    }
    const sorted = [...delaysS].sort((a, b) => a - b);
    expect(sorted[sorted.length >> 1]).toBeLessThan(1.1);
  });

  it('keeps the pelvis detector\'s delay (releaseAfterS, 1.8 s) wherever a pelvis contact can stand in for a leg: pelvis only, a shank never heard from, a shank lost mid-run', () => {
    const fullS = DEFAULT_PARAMS.releaseAfterS;
    /** Strides from `fromUs` on: each comes out when it would at the pelvis's delay everywhere, never sooner than it. */
    const check = (input: readonly RecordingRow[], fromUs = Number.NEGATIVE_INFINITY): number => {
      const timing = (params: object): string[] => {
        const { delaysS, beforeFinish } = delays(input, params);
        return beforeFinish.flatMap((s, i) => (s.icUs < fromUs ? [] : [`${s.side}@${s.icUs}+${delaysS[i]!.toFixed(3)}`]));
      };
      const got = timing({});
      expect(got).toEqual(timing({ releaseAfterShanksS: fullS }));
      for (const entry of got) expect(Number(entry.split('+')[1])).toBeGreaterThanOrEqual(fullS);
      return got.length;
    };
    const t0 = rows[0]!.tUs;
    // Pelvis only (the shanks declared, never sending: the pelvis finds both legs' contacts).
    expect(check(rows.filter((r) => r.sensor === 'pelvis'))).toBeGreaterThan(40);
    // The left shank never heard from: the pelvis stands in for that leg.
    expect(check(rows.filter((r) => r.sensor !== 'shank_left'))).toBeGreaterThan(40);
    // The left shank lost 20 s in: once it is silent (silentAfterS), the pelvis stands in, and every stride waits for it.
    const lostUs = t0 + 20e6;
    expect(check(rows.filter((r) => !(r.sensor === 'shank_left' && r.tUs >= lostUs)), lostUs + DEFAULT_PARAMS.silentAfterS * 1e6)).toBeGreaterThan(15);
  });

  it('changes when strides come out, never what comes out: the same events in the same order as at the pelvis\'s delay, around holes in a shank', () => {
    const t0 = rows[0]!.tUs;
    const run = (input: readonly RecordingRow[], params: object): string[] => {
      const analyzer = new SessionAnalyzer(params, { sensors: SENSORS });
      const out: string[] = [];
      for (const { sensor, tUs, values } of input) for (const e of analyzer.pushSample(sensor, tUs, ...values)) out.push(JSON.stringify(e));
      for (const e of analyzer.finish()) if (e.kind !== 'summary') out.push(JSON.stringify(e));
      return out;
    };
    const slow = { releaseAfterShanksS: DEFAULT_PARAMS.releaseAfterS };
    const steady = run(rows, {});
    expect(steady.length).toBeGreaterThan(70);
    expect(steady).toEqual(run(rows, slow));
    // The left shank's data lost for 0.7 s (longer than bridged: the pelvis stands in for the leg) at every
    // 0.1 s over two seconds of running, so that some hole's first stand-in contact is one the pelvis has not
    // reported yet when the shanks' delay would pass it; and one 2 s hole (silent for less than silentAfterS).
    const holes: [number, number][] = [...Array.from({ length: 20 }, (_, k): [number, number] => [12 + k / 10, 0.7]), [12.8, 2]];
    for (const [fromS, lengthS] of holes) {
      const input = rows.filter((r) => !(r.sensor === 'shank_left' && r.tUs >= t0 + fromS * 1e6 && r.tUs < t0 + (fromS + lengthS) * 1e6));
      expect(run(input, {}), `hole at ${fromS.toFixed(1)} s for ${lengthS} s`).toEqual(run(input, slow));
    }
  }, 60_000);

  it('measures a stride longer than releaseAfterS only once every sensor has reached its end: the same strides at any release delay', () => {
    // At 0.5 s every running stride (~0.73 s) ends after the release delay: its vertical oscillation,
    // braking and shank heading read up to the next contact. With the pelvis's data arriving 1.2 s
    // after the shanks' (a relay batching it), the pelvis has not reached that end when the shanks
    // have found it.
    const lagged = [...rows].sort((a, b) => a.tUs + (a.sensor === 'pelvis' ? 1.2e6 : 0) - (b.tUs + (b.sensor === 'pelvis' ? 1.2e6 : 0)));
    const strides = (input: readonly RecordingRow[], releaseAfterS?: number): string[] => delays(input, releaseAfterS === undefined ? {} : { releaseAfterS }).all.map((s) => JSON.stringify(s));
    const reference = strides(rows);
    expect(reference.length).toBeGreaterThan(80);
    expect(strides(lagged, 0.5)).toEqual(reference);
  });

  it('closes the last stance of a runner who stops (sensors still streaming) without waiting for the end of the session', () => {
    // From 25 s every sensor reads a runner standing still (gravity, a little noise): no more contacts.
    const t0 = rows[0]!.tUs;
    const stopUs = t0 + 25e6;
    let noise = 1;
    const still = rows.map((r): RecordingRow => {
      if (r.tUs < stopUs) return r;
      noise = (noise * 16807) % 2147483647;
      const n = (noise / 2147483647 - 0.5) * 0.02;
      return { ...r, values: [n, n / 2, 9.81 + n, n / 3, -n / 4, n / 5] };
    });
    const { beforeFinish, all } = delays(still);
    const lastContacts = all.filter((s) => s.icUs < stopUs).slice(-2);
    expect(lastContacts).toHaveLength(2);
    // Both legs' last strides came out before finish(). Each leg's last contact before the stop is found (and
    // announced) but its stance never ends — the runner stands on it: it makes no stride of its own, and gives
    // the stride before it its stride time, a running stride like the others.
    const strideTimes = all.map((s) => s.strideTimeS).filter((v): v is number => v !== null).sort((a, b) => a - b);
    const typicalS = strideTimes[Math.floor(strideTimes.length / 2)]!;
    for (const last of lastContacts) {
      expect(beforeFinish.map((s) => s.icUs)).toContain(last.icUs);
      expect(Math.abs(last.strideTimeS! - typicalS)).toBeLessThan(0.05);
    }
    // And in time order.
    const ics = beforeFinish.map((s) => s.icUs);
    expect(ics).toEqual([...ics].sort((a, b) => a - b));
  });
});
