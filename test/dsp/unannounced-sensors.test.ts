// A sensor the session's `start` did not announce but that sends data anyway is taken up as if announced
// (SessionAnalyzer options.sensors): the same strides as a correct start, named in the summary's
// unannouncedSensors. Probe 2, finding 2: a `start` listing only the pelvis followed by all three sensors'
// data gave 311 strides here (296 through ingest), 139 of them with a negative stride time and cadence —
// the pelvis-only contacts (reported ~1.6 s late) and the shanks' contacts fed the same legs' strides.
// The last line of defence (no stride time or cadence ≤ 0 or non-finite ever goes out, counted in the
// summary's invalidStrides) is checked here through a corrupt checkpoint, and in
// packages/dsp/src/session/stride-assembler.test.ts for contacts out of order.
import { DEFAULT_PARAMS, SessionAnalyzer, type AnalysisEvent, type StrideEvent, type SummaryEvent } from '@gaitwatch/dsp';
import type { SensorId } from '@gaitwatch/protocol';
import { MessageSource, SimulatedSession } from '@gaitwatch/runner-sim';
import { beforeAll, describe, expect, it } from 'vitest';

const ALL: readonly SensorId[] = ['pelvis', 'shank_left', 'shank_right'];

interface Frame {
  readonly sensor: SensorId;
  readonly t0Us: number;
  readonly periodUs: number;
  readonly samples: Float64Array;
  readonly count: number;
}

/** The probe's recording (`simulate --duration 60s --seed 3`: 142 strides) as the phone relays it, 20 samples a frame. */
let frames: Frame[];

beforeAll(() => {
  const source = new MessageSource(new SimulatedSession({ scenario: 'steady', durationS: 60, seed: 3 }), 20);
  frames = [];
  for (let f = source.next(); f !== undefined; f = source.next()) frames.push({ sensor: f.sensor, t0Us: f.t0Us, periodUs: f.periodUs, samples: Float64Array.from(f.samples), count: f.count });
});

/** Feeds `frames` (in that order) to an analyzer told `sensors` (undefined: none declared). */
function analyze(sensors: readonly SensorId[] | undefined, feed: readonly Frame[] = frames): AnalysisEvent[] {
  const analyzer = new SessionAnalyzer({}, { ...(sensors === undefined ? {} : { sensors }), athleteId: 'a', sessionId: 's' });
  const out: AnalysisEvent[] = [];
  for (const f of feed) out.push(...analyzer.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count));
  out.push(...analyzer.finish());
  return out;
}

const strides = (events: readonly AnalysisEvent[]): StrideEvent[] => events.filter((e): e is StrideEvent => e.kind === 'stride');
const summaryOf = (events: readonly AnalysisEvent[]): SummaryEvent => events.at(-1) as SummaryEvent;
/** Every event as NDJSON, the summary without the note that tells the two starts apart. */
function ndjson(events: readonly AnalysisEvent[]): string {
  return events.map((e) => (e.kind === 'summary' ? JSON.stringify({ ...e, unannouncedSensors: undefined }) : JSON.stringify(e))).join('\n');
}
/** Strides whose timing breaks the protocol's StrideMetrics (positive stride time and cadence, or both null). */
const badTiming = (s: readonly StrideEvent[]): StrideEvent[] =>
  s.filter((x) => (x.strideTimeS === null ? x.cadenceSpm !== null : !(Number.isFinite(x.strideTimeS) && x.strideTimeS > 0 && x.cadenceSpm !== null && Number.isFinite(x.cadenceSpm) && x.cadenceSpm > 0)));

describe('sensors the start did not announce', () => {
  it('a start listing only the pelvis, then all three sensors: exactly the strides of a correct start (probe 2, finding 2)', () => {
    const correct = analyze(ALL);
    // Measured: 142 strides (71 a side), cadence median 163.4 spm — as the probe's correct starts.
    expect(strides(correct)).toHaveLength(142);
    const pelvisOnly = analyze(['pelvis']);
    // Before the fix: 311 strides, 139 with a negative stride time (e.g. −0.73 s, −164 spm), the rest doubled.
    expect(badTiming(strides(pelvisOnly))).toEqual([]);
    expect(ndjson(pelvisOnly)).toBe(ndjson(correct));
    const summary = summaryOf(pelvisOnly);
    expect(summary.unannouncedSensors).toEqual(['shank_left', 'shank_right']);
    expect(summary.mode).toBe('full');
    expect(summary.invalidStrides).toBeUndefined();
    expect(summaryOf(correct).unannouncedSensors).toBeUndefined();
    // Knee proxy and contact times come from the shanks the start forgot.
    expect(strides(pelvisOnly).filter((s) => s.shankFrontalDeg !== null).length).toBeGreaterThan(120);
  });

  it('carried across a checkpoint: the restored session keeps the unannounced shanks as the correct start’s does', () => {
    const cut = Math.floor(frames.length / 2);
    const resumed = (sensors: readonly SensorId[]): AnalysisEvent[] => {
      const first = new SessionAnalyzer({}, { sensors, athleteId: 'a', sessionId: 's' });
      const out: AnalysisEvent[] = [];
      for (const f of frames.slice(0, cut)) out.push(...first.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count));
      const second = SessionAnalyzer.restore(JSON.parse(JSON.stringify(first.snapshot())));
      for (const f of frames.slice(cut)) out.push(...second.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count));
      out.push(...second.finish());
      return out;
    };
    const pelvisOnly = resumed(['pelvis']);
    expect(badTiming(strides(pelvisOnly))).toEqual([]);
    expect(summaryOf(pelvisOnly).unannouncedSensors).toEqual(['shank_left', 'shank_right']);
    expect(ndjson(pelvisOnly)).toBe(ndjson(resumed(ALL)));
  });

  it('any other incomplete list, or none, gives the same strides too, and names what it left out', () => {
    const correct = ndjson(analyze(ALL));
    for (const [declared, unannounced] of [
      [['shank_left'], ['pelvis', 'shank_right']],
      [['shank_left', 'shank_right'], ['pelvis']],
      [['pelvis', 'shank_right'], ['shank_left']],
      [undefined, undefined],
    ] as const) {
      const events = analyze(declared);
      expect(ndjson(events), JSON.stringify(declared)).toBe(correct);
      expect(summaryOf(events).unannouncedSensors).toEqual(unannounced);
    }
  });

  it('an unannounced shank that falls silent is watched as an announced one: sensor_silent, the pelvis stands in for its leg', () => {
    const t0 = frames[0]!.t0Us;
    const dropout = frames.filter((f) => f.sensor !== 'shank_left' || f.t0Us < t0 + 30e6 || f.t0Us > t0 + 40e6);
    const correct = analyze(ALL, dropout);
    expect(correct.some((e) => e.kind === 'alert' && e.metric === 'sensor_silent' && e.sensor === 'shank_left' && e.phase === 'raised')).toBe(true);
    expect(ndjson(analyze(['pelvis'], dropout))).toBe(ndjson(correct));
  });

  it('the unannounced sensors relayed 2.5 s behind the announced one: still the correct start’s strides (they gate the release once seen)', () => {
    const lagUs = 2.5e6;
    const lastUs = (f: Frame): number => f.t0Us + (f.count - 1) * f.periodUs;
    const correct = ndjson(analyze(ALL));
    for (const announced of ['pelvis', 'shank_left'] as const) {
      const late = [...frames].sort((a, b) => lastUs(a) + (a.sensor === announced ? 0 : lagUs) - (lastUs(b) + (b.sensor === announced ? 0 : lagUs)));
      expect(late[0]!.sensor).toBe(announced);
      // Before the unannounced sensors gated the release, the shank_left start's left stride came out before the right one it follows.
      expect(ndjson(analyze([announced], late)), announced).toBe(correct);
    }
  });

  it('shanks that first send data 20 s into a pelvis-only run: the pelvis hands the legs over, no stride time ≤ 0 and no stance twice', () => {
    const t0 = frames[0]!.t0Us;
    const lateShanks = frames.filter((f) => f.sensor === 'pelvis' || f.t0Us >= t0 + 20e6);
    for (const declared of [['pelvis'], undefined] as const) {
      const events = analyze(declared, lateShanks);
      const out = strides(events);
      // Before the fix: 263 strides, 95 with a negative stride time (the pelvis's routing was fixed when it calibrated).
      expect(badTiming(out), JSON.stringify(declared)).toEqual([]);
      expect(summaryOf(events).invalidStrides).toBeUndefined();
      // Measured: 141 (142 with the shanks from the start). Before the release waited for a calibrating
      // shank: 151, the pelvis's stand-ins for the ~6 s the shanks calibrated out first, then the shanks'
      // own stances of the same time (replayed from the hold), out of time order.
      expect(out.length).toBeLessThanOrEqual(142);
      expect(out.length).toBeGreaterThanOrEqual(138);
      for (const side of ['left', 'right'] as const) {
        const ics = out.filter((s) => s.side === side).map((s) => s.icUs);
        for (let i = 1; i < ics.length; i++) expect(ics[i]!, `${side} stance ${i}`).toBeGreaterThan(ics[i - 1]!);
      }
      // After the hand-over each leg's stances come from its shank: contact times, one stance per contact.
      const after = out.filter((s) => s.icUs > t0 + 30e6);
      expect(after.length).toBeGreaterThan(70);
      expect(after.filter((s) => s.gctS !== null).length).toBeGreaterThan(0.8 * after.length);
      for (const side of ['left', 'right'] as const) {
        const ics = after.filter((s) => s.side === side).map((s) => s.icUs);
        for (let i = 1; i < ics.length; i++) expect(ics[i]! - ics[i - 1]!).toBeGreaterThan(0.5e6);
      }
      const cadences = out.map((s) => s.cadenceSpm).filter((c): c is number => c !== null);
      expect(Math.min(...cadences)).toBeGreaterThan(0);
      expect(summaryOf(events).cadenceSpmMedian).toBeCloseTo(163.4, 0);
    }
  });
});

describe('a stride time or cadence that is not positive never goes out', () => {
  it('a checkpoint whose queued strides carry a negative or NaN stride time: not emitted, counted as invalidStrides', () => {
    const cut = Math.floor(frames.length / 2);
    // The pelvis's release delay throughout, so that the checkpoint holds strides still queued to tamper with.
    const first = new SessionAnalyzer({ releaseAfterShanksS: DEFAULT_PARAMS.releaseAfterS }, { sensors: ALL, athleteId: 'a', sessionId: 's' });
    const before: AnalysisEvent[] = [];
    for (const f of frames.slice(0, cut)) before.push(...first.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count));
    const snapshot = JSON.parse(JSON.stringify(first.snapshot())) as { state: { unreleased: { events: Record<string, unknown>[] } } };
    const queued = snapshot.state.unreleased.events.filter((e) => e['kind'] === 'stride' && typeof e['strideTimeS'] === 'number');
    expect(queued.length).toBeGreaterThanOrEqual(2);
    // The probe's values, and a NaN (a checkpoint writes NaN as {"$num":"NaN"}). Zero: release-gate.test.ts.
    Object.assign(queued[0]!, { strideTimeS: -0.73142, cadenceSpm: -164.1 });
    Object.assign(queued[1]!, { strideTimeS: { $num: 'NaN' }, cadenceSpm: { $num: 'NaN' } });
    const tampered = new Set(queued.slice(0, 2).map((e) => `${String(e['side'])}@${String(e['icUs'])}`));
    const resumed = SessionAnalyzer.restore(snapshot);
    const after: AnalysisEvent[] = [];
    for (const f of frames.slice(cut)) after.push(...resumed.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count));
    after.push(...resumed.finish());
    const out = strides(after);
    expect(badTiming(out)).toEqual([]);
    expect(out.filter((s) => tampered.has(`${s.side}@${s.icUs}`))).toEqual([]);
    expect(summaryOf(after).invalidStrides).toBe(2);
    // The rest of the session goes on as before (the other queued strides are released).
    expect(strides(before).length + out.length).toBeGreaterThan(135);
  });
});
