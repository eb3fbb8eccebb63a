import { analyzeRecording, SessionAnalyzer, type AnalysisEvent } from '@gaitwatch/dsp';
import { RECORDING_HEADER, SENSOR_IDS } from '@gaitwatch/protocol';
import fc from 'fast-check';
import { SimulatedSession } from '@gaitwatch/runner-sim';
import { describe, expect, it } from 'vitest';

/** A simulated session's samples in time order (all sensors interleaved), computed once. */
const rowCache = new WeakMap<SimulatedSession, { sensor: (typeof SENSOR_IDS)[number]; tUs: number; values: number[] }[]>();
function rows(session: SimulatedSession): { sensor: (typeof SENSOR_IDS)[number]; tUs: number; values: number[] }[] {
  let cached = rowCache.get(session);
  if (cached === undefined) {
    cached = [];
    const out = new Float64Array(6);
    for (const [sensor, imu] of session.imus) {
      for (let n = 0; n < session.sampleCount(sensor); n++) {
        const t = session.sampleTimeS(sensor, n);
        imu.sample(t, out);
        cached.push({ sensor, tUs: session.timestampUs(t), values: [...out] });
      }
    }
    cached.sort((a, b) => a.tUs - b.tUs);
    rowCache.set(session, cached);
  }
  return cached;
}

/** Every number in an event is finite (NaN and ±Infinity would be silent nulls in JSON). */
function expectFinite(value: unknown, path = 'event'): void {
  if (typeof value === 'number') expect(Number.isFinite(value), path).toBe(true);
  else if (Array.isArray(value)) value.forEach((v, i) => expectFinite(v, `${path}[${i}]`));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) expectFinite(v, `${path}.${k}`);
}

const T0 = 1_767_254_400_000_000;
const weird = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -200, max: 200, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -0) },
);

describe('analysis robustness', () => {
  it('never throws and never lets NaN or Infinity out, whatever the samples', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            sensor: fc.constantFrom(...SENSOR_IDS),
            // Mostly 5 ms steps, sometimes duplicates, reversals or long gaps.
            stepUs: fc.oneof({ weight: 8, arbitrary: fc.constant(5000) }, { weight: 1, arbitrary: fc.integer({ min: -50_000, max: 3_000_000 }) }),
            values: fc.tuple(weird, weird, weird, weird, weird, weird),
          }),
          { minLength: 1, maxLength: 3000 },
        ),
        (samples) => {
          const analyzer = new SessionAnalyzer();
          const out: AnalysisEvent[] = [];
          const clock = new Map<string, number>();
          for (const { sensor, stepUs, values } of samples) {
            const t = (clock.get(sensor) ?? T0) + stepUs;
            clock.set(sensor, t);
            out.push(...analyzer.pushSample(sensor, t, ...values));
          }
          out.push(...analyzer.finish());
          expect(out.at(-1)?.kind).toBe('summary');
          for (const event of out) expectFinite(event);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps every stride, alert and summary number finite on a real run with corrupted samples and gaps', () => {
    const session = new SimulatedSession({ scenario: 'sensor-faults', durationS: 60, seed: 5, maxMisalignmentDeg: 15 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
        let s = seed;
        const random = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const analyzer = new SessionAnalyzer();
        const out: AnalysisEvent[] = [];
        const row = new Float64Array(6);
        for (const { sensor, tUs, values } of rows(session)) {
          if (random() < 0.002) continue; // lost sample
          row.set(values);
          // 0.5 % of samples get a NaN, an infinity or an absurd value on one channel.
          if (random() < 0.005) row[Math.floor(random() * 6)] = [Number.NaN, Number.POSITIVE_INFINITY, 1e12, -1e12][Math.floor(random() * 4)]!;
          out.push(...analyzer.pushSample(sensor, tUs, row[0]!, row[1]!, row[2]!, row[3]!, row[4]!, row[5]!));
        }
        out.push(...analyzer.finish());
        expect(out.filter((e) => e.kind === 'stride').length).toBeGreaterThan(100);
        for (const event of out) expectFinite(event);
      }),
      { numRuns: 4 },
    );
  });

  it('turns random text into parse errors, never into an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 80 }), { maxLength: 50 }), async (lines) => {
        const events: AnalysisEvent[] = [];
        const { parseErrors } = await analyzeRecording([`${RECORDING_HEADER}\n${lines.join('\n')}`], (e) => events.push(e));
        expect(events.at(-1)?.kind).toBe('summary');
        expect(parseErrors.length).toBeLessThanOrEqual(lines.length);
      }),
      { numRuns: 200 },
    );
  });
});
