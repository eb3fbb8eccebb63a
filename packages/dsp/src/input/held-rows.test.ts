import { describe, expect, it } from 'vitest';
import { typedArrayFootprint } from '../session/footprint.ts';
import { HeldRows } from './held-rows.ts';

const T0 = 1_767_254_418_770_123;

describe('HeldRows (the pre-calibration hold)', () => {
  it('replays every row in order, the time exact and the channels to float32, in 8 KB chunks', () => {
    const held = new HeldRows();
    const row = new Float64Array(14);
    // Rows at offset 7 of the buffer, as the analyzer hands them in.
    for (let i = 0; i < 1100; i++) {
      row[7] = T0 + i * 5000;
      for (let c = 1; c < 7; c++) row[7 + c] = Math.sin(i * 0.01 * c) * 9.81 + c / 3;
      held.push(row, 7);
    }
    expect(held.count).toBe(1100);
    const seen: number[] = [];
    let worst = 0;
    held.forEach((buf, o) => {
      const i = seen.length;
      seen.push(buf[o]!);
      for (let c = 1; c < 7; c++) worst = Math.max(worst, Math.abs(buf[o + c]! - (Math.sin(i * 0.01 * c) * 9.81 + c / 3)));
    });
    expect(seen).toEqual(Array.from({ length: 1100 }, (_, i) => T0 + i * 5000));
    // Float32 near 10 m/s²: half an ulp is 4.8e-7.
    expect(worst).toBeLessThan(1e-6);
    expect(worst).toBeGreaterThan(0);
    // 5 s at 200 Hz plus a little: five chunks of 256 rows, 8 KB each (a doubling Float64 array held 172 KB at its peak).
    expect(typedArrayFootprint(held).bytes).toBe(5 * 8192);
  });

  it('reuses its chunks after clear() and lets them go after release()', () => {
    const held = new HeldRows();
    const row = Float64Array.of(T0, 1, 2, 3, 4, 5, 6);
    for (let i = 0; i < 300; i++) held.push(row, 0);
    const bytes = typedArrayFootprint(held).bytes;
    held.clear();
    expect(held.count).toBe(0);
    for (let i = 0; i < 300; i++) held.push(row, 0);
    expect(typedArrayFootprint(held).bytes).toBe(bytes);
    held.release();
    expect(typedArrayFootprint(held).bytes).toBe(0);
    let visits = 0;
    held.forEach(() => visits++);
    expect(visits).toBe(0);
  });
});
