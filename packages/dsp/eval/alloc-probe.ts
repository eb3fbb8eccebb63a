// Allocation probe for the analysis hot path (not yet a test; see packages/dsp/README.md):
//   node --max-semi-space-size=1 --trace-gc --expose-gc bin/run-ts.mjs packages/dsp/eval/alloc-probe.ts [analyzer|control] \
//     | awk '/BEGIN/{on=1} on&&/Scavenge/{c++} /END/{on=0} END{print c+0}'
// counts young-generation GCs while 4 × 5 minutes of 3-sensor data go through the
// analyzer; `control` allocates one 6-element array per sample for comparison.
import { SENSOR_IDS } from '@gaitwatch/protocol';
import { SessionAnalyzer } from '@gaitwatch/dsp';
import { SimulatedSession } from '@gaitwatch/runner-sim';

const mode = process.argv[2] ?? 'analyzer';
const session = new SimulatedSession({ scenario: 'steady', durationS: 300, seed: 8 });
// Precompute every sample in time order as rows t, ax, ay, az, gx, gy, gz (+ a sensor index).
const rows: number[][] = [];
const out = new Float64Array(6);
for (const [sensor, imu] of session.imus) {
  for (let n = 0; n < session.sampleCount(sensor); n++) {
    const t = session.sampleTimeS(sensor, n);
    imu.sample(t, out);
    rows.push([session.timestampUs(t), ...out, SENSOR_IDS.indexOf(sensor)]);
  }
}
rows.sort((a, b) => a[0]! - b[0]!);
const count = rows.length;
const data = new Float64Array(count * 7);
const sensorOf = new Uint8Array(count);
rows.forEach((r, i) => {
  data.set(r.slice(0, 7), i * 7);
  sensorOf[i] = r[7]!;
});
rows.length = 0;
const spanUs = 300e6;
const analyzer = new SessionAnalyzer({}, { sensors: SENSOR_IDS });
let sink = 0;
const keep: number[][] = new Array(1024);
const run = (pass: number): void => {
  // Shift time forward by a whole recording per pass (integer µs, in place).
  if (pass > 0) for (let i = 0; i < count; i++) data[i * 7] = data[i * 7]! + spanUs;
  for (let i = 0; i < count; i++) {
    if (mode === 'control') {
      // What a careless hot path does: a fresh array per sample.
      const o = i * 7;
      // Kept in a small ring so that escape analysis cannot optimise it away.
      keep[i & 1023] = [data[o + 1]!, data[o + 2]!, data[o + 3]!, data[o + 4]!, data[o + 5]!, data[o + 6]!];
      sink += keep[i & 1023]!.length;
    } else {
      sink += analyzer.pushRows(SENSOR_IDS[sensorOf[i]!]!, data, i * 7, 1).length;
    }
  }
};
run(0); // warm-up: JIT, calibration, buffers
(globalThis as { gc?: () => void }).gc?.();
console.log('BEGIN');
for (let pass = 1; pass <= 4; pass++) run(pass);
console.log('END');
console.log(`samples ${count * 4} released ${sink}`);
