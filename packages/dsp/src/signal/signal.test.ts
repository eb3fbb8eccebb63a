import { describe, expect, it } from 'vitest';
import { designLowPass, FirFilter, tapsForSpan } from './fir-lowpass.ts';
import { RecordRing, TimedRecordRing } from './ring.ts';

function steadyGain(hz: number, fs: number, taps: number, cutoff: number): number {
  const filter = new FirFilter(designLowPass(cutoff, fs, taps));
  let peak = 0;
  for (let i = 0; i < fs * 4; i++) {
    const y = filter.push(Math.sin((2 * Math.PI * hz * i) / fs));
    if (i > fs * 2) peak = Math.max(peak, Math.abs(y));
  }
  return peak;
}

describe('FIR low-pass', () => {
  it('passes DC at unit gain and delays by exactly (taps − 1)/2 samples', () => {
    const taps = tapsForSpan(0.06, 200);
    const filter = new FirFilter(designLowPass(12, 200, taps));
    expect(filter.delaySamples).toBe((taps - 1) / 2);
    const out: number[] = [];
    // A slow ramp comes out shifted by the delay, unchanged otherwise (linear phase).
    for (let i = 0; i < 100; i++) out.push(filter.push(i * 0.01));
    for (let i = taps; i < 100; i++) expect(out[i]).toBeCloseTo((i - filter.delaySamples) * 0.01, 9);
  });

  it('passes the gait band and attenuates well above the cutoff', () => {
    expect(steadyGain(2, 200, 13, 12)).toBeGreaterThan(0.95);
    expect(steadyGain(60, 200, 13, 12)).toBeLessThan(0.1);
  });

  it('refuses impossible designs with the offending value', () => {
    expect(() => designLowPass(150, 200, 13)).toThrow(/cutoffHz must be in \(0, 100\)/);
    expect(() => designLowPass(10, 200, 12)).toThrow(/odd integer/);
  });

  it('is NaN until its history is full, and again after reset', () => {
    const filter = new FirFilter(designLowPass(10, 200, 5));
    expect(filter.push(1)).toBeNaN();
    for (let i = 0; i < 4; i++) filter.push(1);
    expect(filter.push(1)).toBeCloseTo(1, 12);
    filter.reset();
    expect(filter.push(1)).toBeNaN();
  });
});

describe('RecordRing', () => {
  it('keeps the last `capacity` records under stable indices', () => {
    const ring = new RecordRing(3, 2);
    for (let i = 0; i < 5; i++) ring.push(i, i * 10);
    expect(ring.length).toBe(3);
    expect(ring.firstIndex).toBe(2);
    expect(ring.get(4, 1)).toBe(40);
    expect(() => ring.get(1, 0)).toThrow(RangeError);
    ring.set(3, 1, -1);
    expect(ring.get(3, 1)).toBe(-1);
  });
});

describe('TimedRecordRing', () => {
  it('keeps epoch-µs times exact and fields 1.. as float32, under stable indices, across the wrap', () => {
    const ring = new TimedRecordRing(3, 2);
    const t0 = 1_767_254_418_770_773;
    for (let i = 0; i < 5; i++) {
      const slot = ring.append(Float64Array.of(t0 + i * 5000 + 1), 0);
      ring.data[slot + 1] = i + 0.1;
      ring.data[slot + 2] = -i;
    }
    expect(ring.length).toBe(3);
    expect(ring.firstIndex).toBe(2);
    for (let i = 2; i < 5; i++) {
      // Exact: a float32 time would be off by minutes at this epoch.
      expect(ring.time(i)).toBe(t0 + i * 5000 + 1);
      expect(ring.data[ring.slot(i) + 1]).toBeCloseTo(i + 0.1, 6);
      expect(ring.data[ring.slot(i) + 2]).toBe(-i);
    }
    expect(ring.newestTime()).toBe(t0 + 4 * 5000 + 1);
    // Int32 time offsets: 4 B a record, not 8.
    expect(ring.byteLength).toBe(3 * 4 + 3 * 2 * 4);
    expect(() => new TimedRecordRing(3, 0)).toThrow(RangeError);
  });

  it('moves its time base as a session runs for hours, the held times still exact', () => {
    // Two records 7 min apart: the base moves every few records (a real history spans seconds).
    const ring = new TimedRecordRing(2, 1);
    const t0 = 1_767_254_418_770_773;
    const stepUs = 7 * 60 * 1e6 + 3;
    for (let i = 0; i < 40; i++) {
      ring.append(Float64Array.of(t0 + i * stepUs), 0);
      expect(ring.length).toBe(Math.min(2, i + 1));
      for (let k = Math.max(0, i - 1); k <= i; k++) expect(ring.time(k)).toBe(t0 + k * stepUs);
    }
  });

  it('drops records further from a jumped clock than an Int32 offset reaches (they are no history of it)', () => {
    const ring = new TimedRecordRing(4, 1);
    ring.append(Float64Array.of(1e15), 0);
    ring.append(Float64Array.of(1e15 + 5000), 0);
    ring.append(Float64Array.of(1e15 + 3600e6 * 24), 0);
    expect(ring.length).toBe(1);
    expect(ring.time(ring.firstIndex)).toBe(1e15 + 3600e6 * 24);
  });
});

describe('TimedRecordRing that grows to what its readers need', () => {
  const T0 = 1_767_254_418_770_773;
  const at = (i: number) => Float64Array.of(T0 + i * 10_000);
  function fill(ring: TimedRecordRing, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      // append first: it may replace `data` (ring.data[ring.append(…)] would write to the old array).
      const slot = ring.append(at(i), 0);
      ring.data[slot + 1] = i;
    }
  }

  it('grows instead of overwriting a record still needed, up to its maximum, the records intact', () => {
    const ring = new TimedRecordRing(100, 1, 8);
    expect(ring.capacity).toBe(8);
    fill(ring, 0, 60);
    expect(ring.length).toBe(60);
    expect(ring.capacity).toBeGreaterThanOrEqual(60);
    for (let i = 0; i < 60; i++) {
      expect(ring.time(i)).toBe(T0 + i * 10_000);
      expect(ring.data[ring.slot(i) + 1]).toBe(i);
    }
    fill(ring, 60, 250);
    // At its maximum it is a fixed ring again: the newest 100.
    expect(ring.capacity).toBe(100);
    expect(ring.firstIndex).toBe(150);
    expect(ring.data[ring.slot(249) + 1]).toBe(249);
  });

  it('overwrites what is older than retainFromUs and keeps everything from there on', () => {
    const ring = new TimedRecordRing(1000, 1, 8);
    for (let i = 0; i < 400; i++) {
      // A reader that needs the last 20 records (0.2 s).
      ring.retainFromUs = T0 + (i - 20) * 10_000;
      fill(ring, i, i + 1);
      expect(ring.firstIndex).toBeLessThanOrEqual(Math.max(0, i - 20));
    }
    // 8 grown by at least 32: what the 21 records needed take, not the 400 seen.
    expect(ring.capacity).toBe(40);
  });

  it('shrinks back once the records still needed fill less than 1/1.6 of it, keeping them and their indices', () => {
    const ring = new TimedRecordRing(1000, 1, 8);
    fill(ring, 0, 300);
    expect(ring.capacity).toBeGreaterThanOrEqual(300);
    ring.retainFrom(T0 + 280 * 10_000);
    // The 20 needed and a quarter more: the newest 25 stay.
    expect(ring.capacity).toBe(Math.ceil(20 * 1.25));
    expect(ring.firstIndex).toBe(275);
    for (let i = 275; i < 300; i++) {
      expect(ring.time(i)).toBe(T0 + i * 10_000);
      expect(ring.data[ring.slot(i) + 1]).toBe(i);
    }
    fill(ring, 300, 301);
    expect(ring.data[ring.slot(300) + 1]).toBe(300);
    // Needing most of it: no resize back and forth.
    const before = ring.capacity;
    ring.retainFrom(T0 + 285 * 10_000);
    expect(ring.capacity).toBe(before);
    expect(ring.firstIndex).toBe(276);
    // Nothing needed any more (a detector with no stance open): the newest records that fit its first size stay.
    fill(ring, 301, 400);
    ring.retainFrom(Number.POSITIVE_INFINITY);
    expect(ring.capacity).toBe(8);
    expect(ring.firstIndex).toBe(392);
    expect(ring.data[ring.slot(399) + 1]).toBe(399);
  });

  it('settles at one size when its bound moves every k records and k is its headroom (it resized three times a cycle without)', () => {
    // A reader needing the last 225–250 records (a bridge's reach: 1.5 strides, and strides vary) that moves
    // the bound every 128 (recent samples, as the analyzer did).
    const resizesOver = (headroom: number): { resizes: number; capacity: number } => {
      const ring = new TimedRecordRing(512, 6, 128);
      let resizes = 0;
      let capacity = ring.capacity;
      for (let i = 0; i < 6000; i++) {
        if (i % 128 === 0) ring.retainFrom(T0 + (i - 225 - ((i * 7) % 26)) * 10_000, headroom);
        fill(ring, i, i + 1);
        if (ring.capacity !== capacity && i >= 1000) resizes++;
        capacity = ring.capacity;
      }
      return { resizes, capacity };
    };
    expect(resizesOver(0).resizes).toBeGreaterThan(50);
    const settled = resizesOver(128);
    expect(settled.resizes).toBe(0);
    // What the reader needs, the records pushed until the bound moves again, and a quarter more.
    expect(settled.capacity).toBeLessThanOrEqual(Math.ceil((250 + 128) * 1.25) + 1);
  });

  it('does not shrink below what the headroom alone needs', () => {
    const ring = new TimedRecordRing(2000, 1, 8);
    fill(ring, 0, 1000);
    expect(ring.capacity).toBeGreaterThanOrEqual(1000);
    const before = ring.capacity;
    // Nothing held is needed any more, but 900 records come before the bound moves again: at most a shrink to them.
    ring.retainFrom(Number.POSITIVE_INFINITY, 900);
    expect(ring.capacity).toBe(before);
    ring.retainFrom(Number.POSITIVE_INFINITY, 100);
    expect(ring.capacity).toBe(Math.ceil(100 * 1.25));
    expect(ring.data[ring.slot(999) + 1]).toBe(999);
  });
});

describe('AdaptiveThreshold', () => {
  it('is the floor until peaks arrive, then a fraction of their median, never below the floor', async () => {
    const { AdaptiveThreshold } = await import('./adaptive-threshold.ts');
    const t = new AdaptiveThreshold(1.5, 0.4, 4);
    expect(t.value()).toBe(1.5);
    for (const peak of [10, 12, 100, 11]) t.accept(peak);
    // median of [10, 11, 12, 100] (upper) = 12 → 4.8: one outlier barely moves it
    expect(t.value()).toBeCloseTo(4.8, 10);
    for (const peak of [2, 2, 2, 2]) t.accept(peak);
    expect(t.value()).toBe(1.5);
  });

  it('searches back: after searchBackUs without a peak it halves per interval, down to the floor', async () => {
    const { AdaptiveThreshold } = await import('./adaptive-threshold.ts');
    const t = new AdaptiveThreshold(1, 0.5, 4, 1_000_000);
    // Running: peaks of 40 → threshold 20; walking peaks of 8 would never pass it.
    for (let k = 0; k < 4; k++) t.accept(40, k * 300_000);
    const lastUs = 900_000;
    expect(t.value(lastUs + 500_000)).toBe(20);
    expect(t.value(lastUs + 1_200_000)).toBe(10);
    expect(t.value(lastUs + 2_100_000)).toBe(5);
    expect(t.value(lastUs + 60_000_000)).toBe(1);
    // A walking peak taken at the lower threshold starts pulling the median down.
    t.accept(8, lastUs + 2_100_000);
    expect(t.value(lastUs + 2_200_000)).toBe(20);
    for (let k = 1; k <= 3; k++) t.accept(8, lastUs + 2_100_000 + k * 600_000);
    expect(t.value(lastUs + 4_100_000)).toBe(4);
  });
});

describe('Histogram', () => {
  it('gives the median to the bin width in constant memory, edges clamped', async () => {
    const { Histogram } = await import('./histogram.ts');
    const h = new Histogram(0, 3, 0.001);
    expect(h.median()).toBeNull();
    for (const v of [0.7, 0.71, 0.72, 5, -1]) h.add(v);
    expect(h.total).toBe(5);
    expect(h.median()).toBeCloseTo(0.7105, 6);
    expect(() => new Histogram(1, 1, 0.1)).toThrow(/max > min/);
  });

  it('indexes more than 255 blocks (a 16-bit index), the blocks in first-use order', async () => {
    const { Histogram } = await import('./histogram.ts');
    const h = new Histogram(0, 100, 0.001);
    // 1,563 blocks; used out of order: the pool's order is not the bins' order.
    for (const v of [99.9, 0.0005, 50, 50, 99.9]) h.add(v);
    expect(h.median()).toBeCloseTo(50.0005, 9);
    h.add(0.0005);
    h.add(0.0005);
    expect(h.median()).toBeCloseTo(50.0005, 9);
    h.add(0.0005);
    h.add(0.0005);
    // Five of nine now at the first bin.
    expect(h.median()).toBeCloseTo(0.0005, 9);
    expect(h.byteLength).toBe(2 * 1563 + 3 * 64 * 2);
  });

  it('allocates counts only in the blocks of bins seen, with the medians of a full-range histogram', async () => {
    const { Histogram } = await import('./histogram.ts');
    // A plain full-range reference: every bin allocated up front.
    const reference = (values: number[], min: number, max: number, width: number): number | null => {
      const counts = new Uint32Array(Math.ceil((max - min) / width));
      for (const v of values) counts[Math.min(counts.length - 1, Math.max(0, Math.floor((v - min) / width)))]!++;
      let seen = 0;
      for (let i = 0; i < counts.length; i++) if ((seen += counts[i]!) > values.length >> 1) return min + (i + 0.5) * width;
      return null;
    };
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const h = new Histogram(-20, 40, 0.01);
    const values: number[] = [];
    // A tight cluster first (a warm session), then strays on both sides and past both edges.
    for (let i = 0; i < 500; i++) values.push(3 + random());
    for (const v of values) h.add(v);
    // The index: one byte per block of the range (94); the counts: the blocks used (2–3 here).
    const index = Math.ceil(6000 / 64);
    expect(h.byteLength).toBeLessThanOrEqual(index + 3 * 64 * 2);
    expect(h.median()).toBeCloseTo(reference(values, -20, 40, 0.01)!, 9);
    for (const v of [-7.3, 25.1, -50, 99, 39.999, -20]) {
      values.push(v);
      h.add(v);
      expect(h.median()).toBeCloseTo(reference(values, -20, 40, 0.01)!, 9);
    }
    // Each stray costs one block of 64 16-bit counts, not the span between it and the cluster.
    expect(h.byteLength).toBeLessThanOrEqual(index + (3 + 6) * 64 * 2);
    for (let i = 0; i < 2000; i++) {
      const v = -25 + 70 * random();
      values.push(v);
      h.add(v);
    }
    expect(h.median()).toBeCloseTo(reference(values, -20, 40, 0.01)!, 9);
    // Never more than the full range (in whole blocks).
    expect(h.byteLength).toBe(index + index * 64 * 2);
    expect(h.total).toBe(values.length);
  });

  it('shares one pool between histograms, each with its own bins', async () => {
    const { Histogram, HistogramPool } = await import('./histogram.ts');
    const pool = new HistogramPool();
    const a = new Histogram(0, 3, 0.001, pool);
    const b = new Histogram(-20, 40, 0.01, pool);
    // Interleaved, so each histogram's blocks sit between the other's in the pool.
    for (let i = 0; i < 20; i++) {
      a.add(0.7 + (i % 5) * 0.1);
      b.add(i % 2 === 0 ? -3 : 12);
    }
    // 0.7 … 1.1 s fall in five blocks of 64 ms, −3° and 12° in two of 0.64°.
    expect(a.median()).toBeCloseTo(0.9, 2);
    expect(b.median()).toBeCloseTo(12.005, 9);
    expect(pool.usedBlocks).toBe(5 + 2);
    expect(pool.counts.length).toBe(8 * 64);
    pool.widen();
    expect(pool.counts).toBeInstanceOf(Uint32Array);
    expect(a.median()).toBeCloseTo(0.9, 2);
    expect(b.median()).toBeCloseTo(12.005, 9);
  });

  it('widens a block to 32-bit counts before a bin would overflow 16 bits, the counts exact', async () => {
    const { Histogram } = await import('./histogram.ts');
    const h = new Histogram(0, 2, 0.001);
    for (let i = 0; i < 70_000; i++) h.add(0.25);
    for (let i = 0; i < 69_999; i++) h.add(0.75);
    // Two blocks, widened to 32-bit when the first bin passed 65,535; an index byte per block of the range.
    expect(h.byteLength).toBe(2 * 64 * 4 + Math.ceil(2000 / 64));
    expect(h.total).toBe(139_999);
    // 70,000 of 139,999 at 0.25: the (upper) median is its bin; one more at 0.75 moves it there.
    expect(h.median()).toBeCloseTo(0.2505, 9);
    h.add(0.75);
    h.add(0.75);
    expect(h.median()).toBeCloseTo(0.7505, 9);
  });
});

describe('arena', () => {
  it('carves small typed arrays from shared blocks while an arena is in scope, aligned, and allocates as usual outside one', async () => {
    const { Arena, enterArena, leaveArena, float64Array, uint8Array, float64Of, float32Array } = await import('./arena.ts');
    const outside = float64Array(3);
    expect(outside.buffer.byteLength).toBe(24);
    const arena = new Arena();
    const outer = enterArena(arena);
    let a: Float64Array, b: Uint8Array, c: Float64Array, big: Float32Array;
    try {
      a = float64Array(3);
      b = uint8Array(5);
      c = float64Of(1, 2, 3);
      big = float32Array(1000);
    } finally {
      leaveArena(outer);
    }
    // One block for the three small ones; Float64 offsets stay 8-byte aligned after 5 bytes.
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).toBe(a.buffer);
    expect(c.byteOffset % 8).toBe(0);
    expect([...c]).toEqual([1, 2, 3]);
    a.fill(7);
    expect([...c]).toEqual([1, 2, 3]);
    // 4 KB: its own buffer (the overhead is small beside its data).
    expect(big.buffer.byteLength).toBe(4000);
    // Out of scope again.
    expect(float64Array(2).buffer).not.toBe(a.buffer);
  });
});
