/**
 * Figure 1 of issue 14: the analysis hot path on one core.
 * The full per-session pipeline (SessionAnalyzer.pushFrame: calibration,
 * orientation, gait events, metrics, detection) fed 15-sample frames, for one
 * session and for N sessions interleaved message by message as ingest feeds
 * them; in the same repetition, a bare two-biquad Butterworth cascade over the
 * same frames in the same order (bench/lib/biquad.ts), and once per run
 * scipy's streaming sosfilt over the single session's frames (python3, when
 * it has scipy). Memory per warm session is the `memory` scenario's: this one
 * gives its sessions one second after restore, too little for the histories
 * to grow to what running needs (it reported 109 KB where `memory`, warming
 * them 5 s, measures ~140).
 *
 *   pnpm bench --only hot-path   (or: node --expose-gc bin/run-ts.mjs bench/child.ts hot-path [--quick] [--runs N])
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SessionAnalyzer } from '@gaitwatch/dsp';
import { SENSOR_IDS } from '@gaitwatch/protocol';
import { BIQUAD_STATE_PER_SENSOR, biquadCascade, butterworth4Sos } from '../lib/biquad.ts';
import { CHANNELS, SENSOR_INDEX, cacheDir, channelSamples, frameAt, simulatedFrames, type Frame } from '../lib/data.ts';
import { median, type Row, type ScenarioResult } from '../lib/result.ts';
import { cpuS, profiled, progress, type ScenarioOptions } from '../lib/scenario.ts';

const NAME = 'hot-path';
const SOS = butterworth4Sos(20, 200);
/** A baseline pass shorter than this is repeated until it is not (timer resolution and noise), ms. */
const MIN_BASELINE_MS = 60;

function newAnalyzer(i: number): SessionAnalyzer {
  return new SessionAnalyzer({}, { sensors: SENSOR_IDS, athleteId: `bench-${i}`, sessionId: `s${i}` });
}

/** Feeds frames [from, to) of one session; returns the strides released (kept so no work can be skipped). */
function feedOne(analyzer: SessionAnalyzer, frames: readonly Frame[], from: number, to: number): number {
  let strides = 0;
  for (let m = from; m < to; m++) {
    const f = frames[m]!;
    for (const event of analyzer.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count)) if (event.kind === 'stride') strides++;
  }
  return strides;
}

/** Message by message across sessions: every session gets its m-th message before any gets its (m+1)-th. */
function feedInterleaved(analyzers: readonly SessionAnalyzer[], sources: readonly Frame[][], from: number, to: number): number {
  let strides = 0;
  const k = sources.length;
  for (let m = from; m < to; m++) {
    for (let i = 0; i < analyzers.length; i++) {
      const f = sources[i % k]![m];
      if (f === undefined) continue;
      for (const event of analyzers[i]!.pushFrame(f.sensor, f.t0Us, f.periodUs, f.samples, f.count)) if (event.kind === 'stride') strides++;
    }
  }
  return strides;
}

/** The baseline over the same frames in the same order; returns channel-samples/s and a checksum. */
function biquadRate(sessions: number, sources: readonly Frame[][], from: number, to: number): { rate: number; cpuRate: number; sink: number } {
  const state = new Float64Array(sessions * SENSOR_IDS.length * BIQUAD_STATE_PER_SENSOR);
  const out = new Float64Array(64 * CHANNELS);
  const k = sources.length;
  let n = 0;
  let sink = 0;
  let reps = 0;
  const started = performance.now();
  const cpuStarted = cpuS();
  do {
    for (let m = from; m < to; m++) {
      for (let i = 0; i < sessions; i++) {
        const f = sources[i % k]![m];
        if (f === undefined) continue;
        biquadCascade(SOS, f.samples, out, f.count, state, (i * 3 + SENSOR_INDEX[f.sensor]) * BIQUAD_STATE_PER_SENSOR);
        sink += out[0]!;
        n += f.count * CHANNELS;
      }
    }
    reps++;
  } while (performance.now() - started < MIN_BASELINE_MS || reps < 2);
  return { rate: n / ((performance.now() - started) / 1000), cpuRate: n / (cpuS() - cpuStarted), sink };
}

/** Writes the frames for bench/scenarios/sosfilt.py: per message sensor index and count (uint8), then all samples (float64). */
function writeForPython(frames: readonly Frame[], from: number, to: number): string {
  const base = join(cacheDir(), `hot-path-${process.pid}`);
  const meta = new Uint8Array((to - from) * 2);
  const data = new Float64Array(channelSamples(frames, from, to));
  let o = 0;
  for (let m = from; m < to; m++) {
    const f = frames[m]!;
    meta[(m - from) * 2] = SENSOR_INDEX[f.sensor];
    meta[(m - from) * 2 + 1] = f.count;
    data.set(f.samples.subarray(0, f.count * CHANNELS), o);
    o += f.count * CHANNELS;
  }
  writeFileSync(`${base}.meta`, meta);
  writeFileSync(`${base}.f64`, new Uint8Array(data.buffer));
  return base;
}

interface PythonResult {
  ok: boolean;
  why?: string;
  rates?: number[];
  version?: string;
}

function scipyRates(base: string, runs: number): PythonResult {
  const python = process.env['BENCH_PYTHON'] ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import scipy, numpy, sys; print(scipy.__version__, numpy.__version__, sys.executable)'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error !== undefined ? `${python} not runnable (${probe.error.message})` : `${python} has no scipy: ${probe.stderr.trim().split('\n').pop()}`;
    return { ok: false, why };
  }
  const script = fileURLToPath(new URL('./sosfilt.py', import.meta.url));
  const run = spawnSync(python, [script, base, String(runs)], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) return { ok: false, why: `sosfilt.py failed: ${run.stderr.trim().slice(-300)}` };
  const parsed = JSON.parse(run.stdout.trim().split('\n').pop()!) as { rates: number[] };
  return { ok: true, rates: parsed.rates, version: probe.stdout.trim() };
}

export async function hotPath(options: ScenarioOptions): Promise<ScenarioResult> {
  const wallStarted = performance.now();
  const { quick, runs } = options;
  const single = { durationS: quick ? 12 : 200, warmS: quick ? 8 : 40 };
  // Sessions are warmed by restoring a snapshot of a session fed warmS seconds (as a worker taking a session over would):
  // 1,000 sessions × 40 s of data fed one by one would take minutes.
  const fleetWarmS = quick ? 7 : 40;
  const fleetRunDataS = quick ? 0.5 : 1;
  // Untimed data after the restore: a snapshot carries no signal history, and the histories grow back to what
  // running needs over ~3 s. Timed while they grew, the rings' reallocations were 19 % of the profile (2026-12-04).
  const fleetSettleS = quick ? 1 : 4;
  const fleet = { sessions: quick ? 20 : 1000, sources: quick ? 2 : 8, durationS: Math.ceil(fleetWarmS + fleetSettleS + runs * fleetRunDataS + 1), warmS: fleetWarmS, runDataS: fleetRunDataS };
  const notes: string[] = [];

  progress(NAME, `generating ${single.durationS} s of one runner and ${fleet.sources} runners × ${fleet.durationS} s (seeded)`);
  const setupStarted = performance.now();
  const one = simulatedFrames(0, single.durationS);
  const sources = Array.from({ length: fleet.sources }, (_, k) => simulatedFrames(100 + k, fleet.durationS));
  const setupS = (performance.now() - setupStarted) / 1000;

  // ---- One session: warm-up (standing calibration, walk-off) untimed, then the rest timed; a fresh analyzer per repetition.
  const oneFrom = frameAt(one, single.warmS);
  const oneTo = one.length;
  const oneSamples = channelSamples(one, oneFrom, oneTo);
  notes.push(
    `One session: runner 0 of seed 14 (steady), ${single.durationS} s; each repetition a fresh SessionAnalyzer fed the first ${single.warmS} s untimed (calibration, fresh-legs baseline), then ${oneTo - oneFrom} frames of 15 samples (${(oneSamples / 1e6).toFixed(2)} M channel-samples) timed.`,
  );
  let timedWallS = 0;
  let timedCpuS = 0;
  const pipeline1: number[] = [];
  const pipeline1Cpu: number[] = [];
  const biquad1Cpu: number[] = [];
  const biquad1: number[] = [];
  let strides1 = 0;
  await profiled('hot-path-1-session', () => {
  for (let r = -1; r < runs; r++) {
    const analyzer = newAnalyzer(0);
    feedOne(analyzer, one, 0, oneFrom);
    const started = performance.now();
    const cpuStarted = cpuS();
    const strides = feedOne(analyzer, one, oneFrom, oneTo);
    const s = (performance.now() - started) / 1000;
    const cpu = cpuS() - cpuStarted;
    if (r >= 0) {
      timedWallS += s;
      timedCpuS += cpu;
    }
    const base = biquadRate(1, [one], oneFrom, oneTo);
    if (r < 0) continue; // the first pass warms the JIT
    strides1 = strides;
    pipeline1.push(oneSamples / s / 1e6);
    biquad1.push(base.rate / 1e6);
    pipeline1Cpu.push(oneSamples / cpu / 1e6);
    biquad1Cpu.push(base.cpuRate / 1e6);
    progress(NAME, `1 session, run ${r + 1}/${runs}: pipeline ${(oneSamples / s / 1e6).toFixed(2)} M ch-samples/s, biquad ${(base.rate / 1e6).toFixed(1)} M (${strides} strides)`);
  }
  });
  if (strides1 === 0) throw new Error('the single session released no stride: the bench input is broken');

  // ---- scipy's streaming sosfilt of the same frames (one process, same data).
  const pyBase = writeForPython(one, oneFrom, oneTo);
  const py: PythonResult = options.python ? scipyRates(pyBase, runs) : { ok: false, why: '--no-python' };
  rmSync(`${pyBase}.meta`, { force: true });
  rmSync(`${pyBase}.f64`, { force: true });
  if (py.ok) notes.push(`scipy: ${py.version} (python3 on PATH); sosfilt(sos, block, axis=0, zi=zi[sensor]) per 15-sample frame, the same frames; run right after the JS rows, ${runs} repetitions after one warm-up pass.`);
  else notes.push(`scipy row skipped: ${py.why}`);

  // ---- N sessions interleaved message by message.
  progress(NAME, `${fleet.sessions} sessions: warming ${fleet.sources} sessions ${fleet.warmS} s each, restoring ${fleet.sessions} from their snapshots`);
  const warmTo = Math.min(...sources.map((f) => frameAt(f, fleet.warmS)));
  const warmStarted = performance.now();
  const snapshots = sources.map((frames, k) => {
    const analyzer = newAnalyzer(k);
    feedOne(analyzer, frames, 0, warmTo);
    return analyzer.snapshot();
  });
  const analyzers = Array.from({ length: fleet.sessions }, (_, i) => SessionAnalyzer.restore(snapshots[i % snapshots.length]));
  // fleetSettleS more seconds of data, interleaved and untimed: the histories grown back, every session's buffers
  // touched, the interleaved loop compiled (40 messages a second: 3 sensors × 200 Hz ÷ 15 samples).
  const settleTo = warmTo + Math.round(fleetSettleS * 40);
  feedInterleaved(analyzers, sources, warmTo, settleTo);
  const warmS = (performance.now() - warmStarted) / 1000;

  const perRun = Math.floor(fleet.runDataS * 40);
  const maxFrames = Math.min(...sources.map((f) => f.length));
  const pipelineN: number[] = [];
  const pipelineNCpu: number[] = [];
  const biquadNCpu: number[] = [];
  const biquadN: number[] = [];
  let stridesN = 0;
  await profiled(`hot-path-${fleet.sessions}-sessions`, () => {
  for (let r = 0; r < runs; r++) {
    const from = settleTo + r * perRun;
    const to = Math.min(maxFrames, from + perRun);
    if (to <= from) throw new Error(`not enough data for run ${r + 1}: generate longer sessions`);
    let samples = 0;
    for (let i = 0; i < fleet.sessions; i++) samples += channelSamples(sources[i % sources.length]!, from, to);
    const started = performance.now();
    const cpuStarted = cpuS();
    stridesN += feedInterleaved(analyzers, sources, from, to);
    const s = (performance.now() - started) / 1000;
    const cpu = cpuS() - cpuStarted;
    timedWallS += s;
    timedCpuS += cpu;
    const base = biquadRate(fleet.sessions, sources, from, to);
    pipelineN.push(samples / s / 1e6);
    biquadN.push(base.rate / 1e6);
    pipelineNCpu.push(samples / cpu / 1e6);
    biquadNCpu.push(base.cpuRate / 1e6);
    progress(NAME, `${fleet.sessions} sessions, run ${r + 1}/${runs}: pipeline ${(samples / s / 1e6).toFixed(2)} M ch-samples/s, biquad ${(base.rate / 1e6).toFixed(1)} M`);
  }
  });
  notes.push(
    `${fleet.sessions} sessions: ${fleet.sources} distinct simulated runners (seed 14, runners 100–${99 + fleet.sources}, ${fleet.durationS} s each) dealt round-robin to ${fleet.sessions} SessionAnalyzers (each its own state; the input frames are shared read-only, so the input's cache footprint is smaller than ${fleet.sessions} real runners'); every session gets its m-th message before any gets its (m+1)-th. Warm-up: ${fleet.sources} sessions fed ${fleet.warmS} s of data each, snapshot() taken, ${fleet.sessions} sessions made with SessionAnalyzer.restore() (each its own copy of the state), then ${fleetSettleS} s of data interleaved (untimed: a snapshot carries no signal history and the histories grow back to what running needs over ~3 s — timed while they grew, their reallocations were 19 % of the profile; all of it ${warmS.toFixed(1)} s wall), then each repetition the next ${fleet.runDataS} s of data of every session (${stridesN} strides released in the timed runs).`,
  );
  notes.push('Memory per warm session: see the memory scenario (its sessions get 5 s of data after restore, as these get 4 s before they are timed).');
  notes.push(`CPU share: during the timed pipeline runs this process got ${((100 * timedCpuS) / timedWallS).toFixed(0)} % of a core (CPU time ÷ wall time; below ~95 % the machine was busy with other work and the wall-clock rates are low by about that much).`);
  notes.push('Per CPU-second rows: the same runs divided by this process\'s CPU time (process.cpuUsage) instead of wall time, so time the scheduler gave to other processes does not count; cache and memory-bandwidth contention still does.');
  notes.push('Runners per core = channel-samples/s ÷ 3,600 (3 sensors × 200 Hz × 6 channels).');

  const rows: Row[] = [
    { id: 'pipeline-1', figure: 'full pipeline, 1 session, 15-sample frames', unit: 'M ch-samples/s', values: pipeline1, higherIsBetter: true, baseline: 'biquad-1', target: '≥ 10 % of the bare filter', met: median(pipeline1) >= 0.1 * median(biquad1) },
    { id: 'biquad-1', figure: 'baseline: bare 2-biquad cascade, same frames', unit: 'M ch-samples/s', values: biquad1, higherIsBetter: true },
    ...(py.ok
      ? [
          { id: 'pipeline-1-vs-scipy', figure: 'full pipeline, 1 session (vs scipy)', unit: 'M ch-samples/s', values: pipeline1, higherIsBetter: true, baseline: 'scipy-1', unpaired: true, target: '≥ 2× scipy streaming sosfilt', met: median(pipeline1) >= (2 * median(py.rates!)) / 1e6 },
          { id: 'scipy-1', figure: 'baseline: scipy sosfilt streaming, same frames', unit: 'M ch-samples/s', values: py.rates!.map((r) => r / 1e6), higherIsBetter: true },
        ]
      : [{ id: 'scipy-1', figure: 'baseline: scipy sosfilt streaming (skipped)', unit: 'M ch-samples/s', values: [], higherIsBetter: true, note: py.why }]),
    {
      id: 'pipeline-n',
      figure: `full pipeline, ${fleet.sessions} sessions interleaved`,
      unit: 'M ch-samples/s',
      values: pipelineN,
      higherIsBetter: true,
      baseline: 'biquad-n',
      target: '≥ 10 % of the bare filter (≈ 7,000 runners/core)',
      met: median(pipelineN) >= 0.1 * median(biquadN),
    },
    { id: 'biquad-n', figure: `baseline: bare 2-biquad cascade, ${fleet.sessions} sessions interleaved`, unit: 'M ch-samples/s', values: biquadN, higherIsBetter: true },
    { id: 'pipeline-1-cpu', figure: 'full pipeline, 1 session, per CPU-second (contention-robust)', unit: 'M ch-samples/s', values: pipeline1Cpu, higherIsBetter: true, baseline: 'biquad-1-cpu' },
    { id: 'biquad-1-cpu', figure: 'baseline: bare biquad cascade, 1 session, per CPU-second', unit: 'M ch-samples/s', values: biquad1Cpu, higherIsBetter: true },
    { id: 'pipeline-n-cpu', figure: `full pipeline, ${fleet.sessions} sessions, per CPU-second (contention-robust)`, unit: 'M ch-samples/s', values: pipelineNCpu, higherIsBetter: true, baseline: 'biquad-n-cpu' },
    { id: 'biquad-n-cpu', figure: `baseline: bare biquad cascade, ${fleet.sessions} sessions, per CPU-second`, unit: 'M ch-samples/s', values: biquadNCpu, higherIsBetter: true },
    { id: 'runners-1', figure: 'runners per core, 1 session rate', unit: 'runners', values: pipeline1.map((r) => (r * 1e6) / 3600), higherIsBetter: true },
    { id: 'runners-n', figure: `runners per core, ${fleet.sessions} sessions rate`, unit: 'runners', values: pipelineN.map((r) => (r * 1e6) / 3600), higherIsBetter: true, target: '≈ 7,000 runners/core', met: median(pipelineN.map((r) => (r * 1e6) / 3600)) >= 7000 },
  ];
  return { name: NAME, title: 'Analysis hot path (one core)', runs, rows, notes, setupS, wallS: (performance.now() - wallStarted) / 1000 };
}

