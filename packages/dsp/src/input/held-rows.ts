/** Values per row: t (µs), ax, ay, az (m/s²), gx, gy, gz (rad/s). */
const ROW = 7;
/** Rows per chunk: 256 rows are 8 KB (a Float64 time and six Float32 channels each). */
const CHUNK_ROWS = 256;
/** The row a replay hands over, shared by every hold (a replay is one synchronous call that starts no other). */
const REPLAY_ROW = new Float64Array(ROW);

/**
 * A sensor's pre-calibration hold: its sample rows kept until it is
 * calibrated, replayed once into the analysis, then freed. Kept in chunks of
 * 256 rows, the time as Float64 (µs since the epoch needs its 53 bits) and
 * the channels as Float32, not in one Float64 array doubled as it fills: that
 * allocated 57 + 115 KB per sensor for a 5 s stand (more for a longer one),
 * freed seconds later — memory the allocator keeps when many sessions start
 * together (bench/FINDINGS.md) — where chunks are small, about half the bytes
 * and reused by the next allocation of their size. Float32 keeps 24 bits of a
 * channel: a relative error below 1e-7, far below any IMU's own resolution.
 * Written by hand: a few lines, no library does chunked typed rows.
 */
export class HeldRows {
  private times: Float64Array[] = [];
  private values: Float32Array[] = [];
  /** Rows held. */
  count = 0;

  /** The row at `o` of `buf` (t, ax … gz). */
  push(buf: Float64Array, o: number): void {
    const k = this.count % CHUNK_ROWS;
    const c = (this.count - k) / CHUNK_ROWS;
    if (c === this.times.length) {
      this.times.push(new Float64Array(CHUNK_ROWS));
      this.values.push(new Float32Array(CHUNK_ROWS * (ROW - 1)));
    }
    this.times[c]![k] = buf[o]!;
    const values = this.values[c]!;
    for (let j = 0; j < ROW - 1; j++) values[k * (ROW - 1) + j] = buf[o + 1 + j]!;
    this.count++;
  }

  /** The first held row's time, µs (NaN: none held). */
  get firstUs(): number {
    return this.count === 0 ? Number.NaN : this.times[0]![0]!;
  }

  /** Each held row in order, as row 0 of a scratch buffer (valid only during the call). */
  forEach(visit: (buf: Float64Array, o: number) => void): void {
    const row = REPLAY_ROW;
    for (let i = 0; i < this.count; i++) {
      const k = i % CHUNK_ROWS;
      const c = (i - k) / CHUNK_ROWS;
      row[0] = this.times[c]![k]!;
      const values = this.values[c]!;
      for (let j = 0; j < ROW - 1; j++) row[1 + j] = values[k * (ROW - 1) + j]!;
      visit(row, 0);
    }
  }

  /** Forgets the rows; the chunks stay for the next ones. */
  clear(): void {
    this.count = 0;
  }

  /** Forgets the rows and lets the chunks go. */
  release(): void {
    this.count = 0;
    this.times = [];
    this.values = [];
  }
}
