// Allocation probe for the analysis hot path (run by test/dsp/allocation.test.ts):
//   node --expose-gc --no-concurrent-recompilation bin/run-ts.mjs packages/dsp/eval/alloc-probe.ts [--json] [--top=N] [--rates=200,1000] [--params=JSON] [--feed=rows|frames]
// (--feed=frames: 15-sample frames per sensor through pushFrame, as ingest feeds it; rows: pushRows runs, as analyze does.)
// (--params: analyzer parameter overrides, e.g. '{"shankEvents":{"icRule":2}}', to probe an option.)
// Feeds the same simulated run at 200 Hz and at 1000 Hz through the analyzer and
// measures the bytes it allocates with V8's sampling heap profiler, counting
// objects already collected too (what the GC has to sweep). Allocation per
// sample grows 5× with the rate; allocation per event (strides, alerts) does not.
// A control that allocates one 6-element array per sample shows what a careless
// hot path looks like in the same measurement.
import { Session } from 'node:inspector/promises';
import { SENSOR_IDS } from '@gaitwatch/protocol';
import { SessionAnalyzer } from '@gaitwatch/dsp';
import { SimulatedSession } from '@gaitwatch/runner-sim';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const DURATION_S = 120;

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}

/** Every sample of a simulated run, time-ordered rows t, ax…gz, with the sensor index beside. */
function recording(sampleRateHz: number): { data: Float64Array; sensorOf: Uint8Array; count: number } {
  const session = new SimulatedSession({ scenario: 'steady', durationS: DURATION_S, seed: 8, sampleRateHz });
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
  const data = new Float64Array(rows.length * 7);
  const sensorOf = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    data.set(r.slice(0, 7), i * 7);
    sensorOf[i] = r[7]!;
  });
  return { data, sensorOf, count: rows.length };
}

/** Feeds rows [from, to) to the analyzer, one pushRows call per run of one sensor's rows. */
function feedRows(analyzer: SessionAnalyzer, data: Float64Array, sensorOf: Uint8Array, from: number, to: number): number {
  let released = 0;
  for (let i = from; i < to; ) {
    let j = i + 1;
    while (j < to && sensorOf[j] === sensorOf[i]) j++;
    released += analyzer.pushRows(SENSOR_IDS[sensorOf[i]!]!, data, i * 7, j - i).length;
    i = j;
  }
  return released;
}

/** Samples per frame with --feed=frames: what the simulator and phones publish. */
const FRAME_SAMPLES = 15;

interface Frame {
  sensor: (typeof SENSOR_IDS)[number];
  t0Us: number;
  samples: Float64Array;
  count: number;
}

/** Each sensor's rows as 15-sample frames (channels only), in the order they go out; `lastRow[k]`: frame k's last row. */
interface Framed {
  frames: Frame[];
  lastRow: Int32Array;
}

function framesOf(data: Float64Array, sensorOf: Uint8Array, count: number): Framed {
  const bySensor = SENSOR_IDS.map(() => [] as number[]);
  for (let i = 0; i < count; i++) bySensor[sensorOf[i]!]!.push(i);
  const frames: { frame: Frame; row: number }[] = [];
  bySensor.forEach((rows, s) => {
    for (let k = 0; k + FRAME_SAMPLES <= rows.length; k += FRAME_SAMPLES) {
      const samples = new Float64Array(FRAME_SAMPLES * 6);
      for (let j = 0; j < FRAME_SAMPLES; j++) samples.set(data.subarray(rows[k + j]! * 7 + 1, rows[k + j]! * 7 + 7), j * 6);
      frames.push({ frame: { sensor: SENSOR_IDS[s]!, t0Us: data[rows[k]! * 7]!, samples, count: FRAME_SAMPLES }, row: rows[k + FRAME_SAMPLES - 1]! });
    }
  });
  // Ordered by their last row: a frame goes out once its last sample exists, as a phone sends it.
  frames.sort((a, b) => a.row - b.row);
  return { frames: frames.map((f) => f.frame), lastRow: Int32Array.from(frames, (f) => f.row) };
}

/** Feeds the frames whose last row lies in [from, to) through pushFrame, at the sensor's nominal period. */
function feedFrames(analyzer: SessionAnalyzer, { frames, lastRow }: Framed, periodUs: number, from: number, to: number): number {
  let released = 0;
  for (let k = 0; k < frames.length; k++) {
    if (lastRow[k]! < from || lastRow[k]! >= to) continue;
    const f = frames[k]!;
    released += analyzer.pushFrame(f.sensor, f.t0Us, periodUs, f.samples, f.count).length;
  }
  return released;
}

const keep: number[][] = new Array(1024);
/** The control: a fresh array per sample, kept in a small ring so it cannot be optimised away. */
function control(data: Float64Array, from: number, to: number): number {
  let sink = 0;
  for (let i = from; i < to; i++) {
    const o = i * 7;
    keep[i & 1023] = [data[o + 1]!, data[o + 2]!, data[o + 3]!, data[o + 4]!, data[o + 5]!, data[o + 6]!];
    sink += keep[i & 1023]!.length;
  }
  return sink;
}

async function measure(run: () => void): Promise<{ bytes: number; sites: Map<string, number> }> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  // includeObjectsCollectedBy…: count garbage too, not only what survives.
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  run();
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
  session.disconnect();
  const sites = new Map<string, number>();
  let bytes = 0;
  const walk = (node: ProfileNode): void => {
    bytes += node.selfSize;
    if (node.selfSize > 0) {
      const key = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-2).join('/')}`;
      sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return { bytes, sites };
}

/** Live heap after a full GC (needs --expose-gc; NaN without it). */
function liveHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return Number.NaN;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const results: Record<string, { samples: number; bytesPerSample: number; bytesPerDataSecond: number; controlBytesPerSample: number; retainedGrowthBytes: number; top: [string, number][] }> = {};
for (const rateHz of (args.get('rates') ?? '200,1000').split(',').map(Number)) {
  const { data, sensorOf, count } = recording(rateHz);
  // The first quarter warms up (JIT, calibration, baselines), the second is profiled, the last two show
  // whether the state still grows (it must not: bounded per session).
  const split = Math.floor(count / 4);
  const end = 2 * split;
  const analyzer = new SessionAnalyzer(JSON.parse(args.get('params') ?? '{}') as ConstructorParameters<typeof SessionAnalyzer>[0], { sensors: SENSOR_IDS });
  const framed = args.get('feed') === 'frames' ? framesOf(data, sensorOf, count) : undefined;
  const feed = framed === undefined ? feedRows : (a: SessionAnalyzer, _d: Float64Array, _s: Uint8Array, from: number, to: number) => feedFrames(a, framed, 1e6 / rateHz, from, to);
  feed(analyzer, data, sensorOf, 0, split);
  control(data, 0, split);
  // Run with --no-concurrent-recompilation: a hot function still waiting in a lower tier boxes its doubles,
  // and on a loaded machine the background compiler thread lags by seconds (CI saw 30 B per sample from
  // the pelvis detector's push; --concurrent-recompilation-delay=300 reproduces it: 2 KB per sample). With
  // the flag, optimisation happens on this thread when a function turns hot, so the warm-up is warm.
  const measured = end - split;
  const seconds = (data[end * 7]! - data[split * 7]!) / 1e6;
  const analysis = await measure(() => feed(analyzer, data, sensorOf, split, end));
  const careless = await measure(() => control(data, split, end));
  const growth = (from: number, to: number): number => {
    const before = liveHeap();
    feed(analyzer, data, sensorOf, from, to);
    return liveHeap() - before;
  };
  // Three windows over the last half, the smallest |growth| kept: a leak grows in all three, while JIT code
  // and feedback compiled late (seen ±100–200 KB in one window of two, on an idle machine too) lands in one.
  const third = Math.floor((count - end) / 3);
  const windows = [growth(end, end + third), growth(end + third, end + 2 * third), growth(end + 2 * third, count)];
  const retainedGrowthBytes = windows.reduce((best, w) => (Math.abs(w) < Math.abs(best) ? w : best));
  results[`${rateHz}Hz`] = {
    samples: measured,
    bytesPerSample: analysis.bytes / measured,
    bytesPerDataSecond: analysis.bytes / seconds,
    controlBytesPerSample: careless.bytes / measured,
    retainedGrowthBytes,
    top: [...analysis.sites].sort((a, b) => b[1] - a[1]).slice(0, Number(args.get('top') ?? 8)).map(([k, v]) => [k, Math.round(v / measured)]),
  };
}
if (args.has('json')) console.log(JSON.stringify(results));
else console.log(JSON.stringify(results, null, 2));
