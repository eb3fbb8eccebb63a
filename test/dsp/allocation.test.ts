import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));
const PROBE = fileURLToPath(new URL('../../packages/dsp/eval/alloc-probe.ts', import.meta.url));

interface ProbeResult {
  samples: number;
  bytesPerSample: number;
  bytesPerDataSecond: number;
  controlBytesPerSample: number;
  retainedGrowthBytes: number;
  top: [string, number][];
}

/**
 * The probe in a fresh process per rate: one rate's JIT state must not colour the other's.
 * --no-concurrent-recompilation: optimised code is installed when a function turns hot, not when
 * a starved background thread gets to it (under CI load it did not, and unoptimised code boxes).
 */
function probe(rateHz: number, feed: 'rows' | 'frames' = 'rows'): ProbeResult {
  const result = spawnSync(process.execPath, ['--expose-gc', '--no-concurrent-recompilation', RUN_TS, PROBE, '--json', `--rates=${rateHz}`, `--feed=${feed}`], { encoding: 'utf8', timeout: 120_000 });
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, ProbeResult>)[`${rateHz}Hz`]!;
}

describe('allocation discipline of the analysis hot path', () => {
  it('allocates per event, not per sample: five times the samples, the same bytes; bounded state', () => {
    const slow = probe(200);
    const fast = probe(1000);
    // The measurement sees per-sample garbage: the control (one small array per sample) shows ~100 B/sample.
    expect(slow.controlBytesPerSample).toBeGreaterThan(60);
    expect(fast.controlBytesPerSample).toBeGreaterThan(60);
    // The analyzer: bytes per second of data do not grow with the rate (strides and alerts are the
    // same; per-sample garbage would be 5×): one boxed double (16 B) per sample would make it ~1.9×.
    expect(fast.bytesPerDataSecond, JSON.stringify({ slow, fast })).toBeLessThan(1.3 * slow.bytesPerDataSecond);
    // What there is, is per event (~25 B per 1 kHz sample, was ~22 before strides read their shank
    // angles as they close, both ways round); a boxed double per sample would add 16.
    expect(fast.bytesPerSample, JSON.stringify(fast.top)).toBeLessThan(30);
    // Two more 30 s windows of data leave the session's live state where it was (rings, histograms, baselines are bounded).
    expect(Math.abs(slow.retainedGrowthBytes)).toBeLessThan(64 * 1024);
    expect(Math.abs(fast.retainedGrowthBytes)).toBeLessThan(64 * 1024);
  });

  it('allocates nothing per sample either when fed frames, as ingest feeds it', () => {
    // pushFrame takes a path of its own into the per-sample code; V8 decides per call site what to box or
    // allocate. This caught a closure in SessionQuality.watch whose context V8 allocated at every call
    // (40 B per sample through pushFrame, none through pushRows).
    const fast = probe(1000, 'frames');
    expect(fast.controlBytesPerSample).toBeGreaterThan(60);
    expect(fast.bytesPerSample, JSON.stringify(fast.top)).toBeLessThan(30);
  });
});
