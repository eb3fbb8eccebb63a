import { SENSOR_IDS } from '@gaitwatch/protocol';
import { describe, expect, it } from 'vitest';
import { SessionAnalyzer } from '../analyzer.ts';
import { typedArrayFootprint } from './footprint.ts';

/**
 * Typed-array bytes one 200 Hz three-sensor session may hold. Measured 74 KB
 * here (92 KB in bench/tools/session-memory.ts, whose real running spreads
 * the summary histograms wider and needs longer strides): the angle and
 * detector histories hold what their reads still need — about 3 s of the
 * pelvis and shanks at 100 Hz, a stride of each detector's 200 Hz signal —
 * and grow only while a late or silent sensor holds the reads back
 * (signal/ring.ts); the bridge's Int16 recent samples (pelvis ≤ 8 KB, each shank's gyro ≤ 5 KB), histogram
 * blocks. Fixed 10 s / 5 s / 3 s histories held 107 KB here; 291 KB before
 * float32 and 100 Hz, 760 KB with 22 s float64 histories.
 */
const SESSION_TYPED_ARRAY_BUDGET_BYTES = 96 * 1024;
/** ArrayBuffers per warm session: the big histories, a few arena blocks. */
const MAX_BUFFERS = 40;

const RATE_HZ = 200;
const PERIOD_US = 1e6 / RATE_HZ;
const BLOCK = 20;

/**
 * Feeds `seconds` of every sensor: standing still, then (from `moveFromS`) a
 * 1.4 Hz sway, so every tracker and ring exists. `pelvisLagS`: the pelvis's
 * blocks arrive that much later than the shanks' (its clock unchanged), from
 * `lagFromS` until `lagToS` of the shanks' data, when it catches up.
 */
function feed(analyzer: SessionAnalyzer, seconds: number, moveFromS: number, lag = { pelvisLagS: 0, lagFromS: 0, lagToS: 0 }): void {
  const late: [number, Float64Array][] = [];
  const pushPelvis = (n: number, samples: Float64Array) => analyzer.pushFrame('pelvis', n * PERIOD_US, PERIOD_US, samples, BLOCK);
  for (let n = 0; n < seconds * RATE_HZ; n += BLOCK) {
    const tS = n / RATE_HZ;
    const lagging = tS >= lag.lagFromS && tS < lag.lagToS;
    while (late.length > 0 && (!lagging || late[0]![0] / RATE_HZ <= tS - lag.pelvisLagS)) pushPelvis(...late.shift()!);
    for (const [k, sensor] of SENSOR_IDS.entries()) {
      const samples = new Float64Array(BLOCK * 6);
      for (let i = 0; i < BLOCK; i++) {
        const tS = (n + i) / RATE_HZ;
        const moving = tS >= moveFromS ? 1 : 0;
        const phase = 2 * Math.PI * 1.4 * tS + k;
        samples.set([moving * 3 * Math.sin(phase), moving * Math.cos(phase), 9.81 + moving * 6 * Math.sin(2 * phase), moving * 2 * Math.cos(phase), moving * 0.5 * Math.sin(phase), moving * 0.3 * Math.cos(2 * phase)], i * 6);
      }
      if (sensor === 'pelvis' && lagging) late.push([n, samples]);
      else analyzer.pushFrame(sensor, n * PERIOD_US, PERIOD_US, samples, BLOCK);
    }
  }
}

/** Bytes of the pelvis's and the two shanks' angle histories now. */
function historyBytes(analyzer: SessionAnalyzer): { pelvis: number; shanks: number } {
  const bytes = { pelvis: 0, shanks: 0 };
  for (const [path, b] of typedArrayFootprint(analyzer).byPath) {
    if (path.startsWith('SessionAnalyzer.pelvis<PelvisTracker>.ring<TimedRecordRing>')) bytes.pelvis += b;
    if (/^SessionAnalyzer\.shanks<Map>\[\w+\]\.ring<TimedRecordRing>/.test(path)) bytes.shanks += b;
  }
  return bytes;
}

describe('session memory', () => {
  it(`holds at most ${SESSION_TYPED_ARRAY_BUDGET_BYTES / 1024} KB of typed arrays per warm 200 Hz session`, () => {
    const analyzer = new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: 'a', sessionId: 's' });
    feed(analyzer, 30, 6);
    const footprint = typedArrayFootprint(analyzer);
    const paths = [...footprint.byPath.keys()].join('\n');
    // The walk reached the state that matters (else the ceiling proves nothing).
    expect(paths).toMatch(/shanks<Map>\[left\]\.ring<TimedRecordRing>\.data/);
    expect(paths).toMatch(/pelvis<PelvisTracker>\.ring<TimedRecordRing>\.data/);
    expect(paths).toMatch(/detectors<Map>/);
    expect(footprint.bytes, `typed arrays per warm session: ${(footprint.bytes / 1024).toFixed(1)} KB in ${footprint.buffers} buffers`).toBeLessThanOrEqual(SESSION_TYPED_ARRAY_BUDGET_BYTES);
    // In a few buffers: its ~150 small arrays are carved from its arena's blocks (signal/arena.ts; each
    // ArrayBuffer of its own cost ~300–500 B of process memory besides its data). 27 here; 121 without.
    expect(footprint.buffers).toBeLessThanOrEqual(MAX_BUFFERS);
    // A session restored from a snapshot (how a worker takes one over) carves its arrays the same way.
    const restored = SessionAnalyzer.restore(JSON.parse(JSON.stringify(analyzer.snapshot())));
    expect(typedArrayFootprint(restored).buffers).toBeLessThanOrEqual(MAX_BUFFERS);
  });

  it('holds about 3 s of angle history while the sensors keep pace, grows it while one lags, and gives it back', () => {
    const prompt = new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: 'a', sessionId: 's' });
    feed(prompt, 40, 6);
    const promptBytes = historyBytes(prompt);
    // At most 4 s of each at 100 Hz (pelvis 24 B, shanks 28 B a record: ~3 s needed, a quarter's growth step), not 10 s + 2 × 5 s.
    const fourSecondsBytes = 400 * (24 + 2 * 28);
    expect(promptBytes.pelvis + promptBytes.shanks).toBeLessThanOrEqual(fourSecondsBytes);
    // The pelvis 2.5 s late from 10 s to 30 s: the shanks' histories keep their strides until its data comes — all 5 s of them.
    const lagged = new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: 'a', sessionId: 's' });
    feed(lagged, 29, 6, { pelvisLagS: 2.5, lagFromS: 10, lagToS: 30 });
    expect(historyBytes(lagged).shanks).toBe(2 * 500 * 28);
    // Caught up, and 10 s later: back to what a prompt session holds.
    const caughtUp = new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: 'a', sessionId: 's' });
    feed(caughtUp, 40, 6, { pelvisLagS: 2.5, lagFromS: 10, lagToS: 30 });
    expect(historyBytes(caughtUp).shanks).toBeLessThanOrEqual(promptBytes.shanks * 1.1);
  });

  it('counts a buffer once however many views share it, and follows maps and arrays', () => {
    const buffer = new ArrayBuffer(64);
    const root = { a: new Float64Array(buffer), b: new Uint8Array(buffer, 8, 8), m: new Map([['x', { c: new Float32Array(4) }]]), list: [new Int32Array(2)] };
    const footprint = typedArrayFootprint(root);
    expect(footprint.bytes).toBe(64 + 16 + 8);
    expect(footprint.buffers).toBe(3);
    expect(footprint.byPath.get('{}.m<Map>[x].c')).toBe(16);
  });
});
