import { isSensorId, type SensorId } from './sensors.ts';

/** Recording file header (DESIGN.md "Analysis contract"). */
export const RECORDING_HEADER = 't_us,sensor,ax,ay,az,gx,gy,gz';
/** Ground-truth file header written by generators that know it. */
export const TRUTH_HEADER = 'side,ic_us,to_us,stride_time_s,gct_s,pelvic_drop_deg,shank_frontal_deg';

export interface RecordingRow {
  readonly tUs: number;
  readonly sensor: SensorId;
  /** ax, ay, az (m/s²), gx, gy, gz (rad/s). */
  readonly values: readonly [number, number, number, number, number, number];
}

export interface RecordingRowError {
  readonly line: number;
  readonly message: string;
}

/**
 * Parses a recording incrementally: feed text chunks of any size, get complete
 * rows back. A bad row is reported with its line number and skipped, never
 * fatal: one corrupt line must not lose an hour of recording.
 */
export class RecordingParser {
  private rest = '';
  private line = 0;
  private headerSeen = false;
  readonly errors: RecordingRowError[] = [];

  feed(chunk: string, onRow: (row: RecordingRow) => void): void {
    const text = this.rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      this.parseLine(text.slice(start, nl), onRow);
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  end(onRow: (row: RecordingRow) => void): void {
    if (this.rest.length > 0) this.parseLine(this.rest, onRow);
    this.rest = '';
    if (!this.headerSeen) this.errors.push({ line: 0, message: `empty recording: expected the header ${RECORDING_HEADER}` });
  }

  private parseLine(raw: string, onRow: (row: RecordingRow) => void): void {
    this.line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    if (!this.headerSeen) {
      this.headerSeen = true;
      if (text.trim() !== RECORDING_HEADER) {
        this.errors.push({ line: this.line, message: `header is ${JSON.stringify(text.slice(0, 80))}; expected ${RECORDING_HEADER}` });
      }
      return;
    }
    const parts = text.split(',');
    if (parts.length !== 8) {
      this.errors.push({ line: this.line, message: `expected 8 fields, got ${parts.length}` });
      return;
    }
    const tUs = Number(parts[0]);
    if (!Number.isSafeInteger(tUs)) {
      this.errors.push({ line: this.line, message: `t_us ${JSON.stringify(parts[0])} is not an integer µs` });
      return;
    }
    const sensor = parts[1];
    if (!isSensorId(sensor)) {
      this.errors.push({ line: this.line, message: `unknown sensor ${JSON.stringify(sensor)}` });
      return;
    }
    const values = [Number(parts[2]), Number(parts[3]), Number(parts[4]), Number(parts[5]), Number(parts[6]), Number(parts[7])] as const;
    if (!values.every(Number.isFinite) || parts.slice(2).some((p) => p!.trim() === '')) {
      this.errors.push({ line: this.line, message: 'a sample value is empty, NaN or infinite' });
      return;
    }
    onRow({ tUs, sensor, values });
  }
}

/** One stance of a ground-truth file. Columns a source does not have (real references give only side, IC, TO) are null. */
export interface TruthRow {
  readonly side: 'left' | 'right';
  readonly icUs: number;
  readonly toUs: number | null;
  readonly strideTimeS: number | null;
  readonly gctS: number | null;
  readonly pelvicDropDeg: number | null;
  readonly shankFrontalDeg: number | null;
}

/**
 * Parses a `<name>.truth.csv` by its header names, so both the simulator's
 * full truth and a lab reference's `side,ic_us,to_us` read the same way.
 * Throws RangeError naming the line for a row without a side or an IC.
 */
export function parseTruthCsv(text: string): TruthRow[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const names = (header ?? '').split(',');
  return lines
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const field = Object.fromEntries(line.split(',').map((v, k) => [names[k]!, v]));
      const num = (key: string): number | null => (field[key] === undefined || field[key] === '' ? null : Number(field[key]));
      const side = field['side'];
      const icUs = num('ic_us');
      if ((side !== 'left' && side !== 'right') || icUs === null || !Number.isSafeInteger(icUs)) {
        throw new RangeError(`truth line ${i + 2}: expected side left|right and an integer ic_us, got ${JSON.stringify(line.slice(0, 80))}`);
      }
      return { side, icUs, toUs: num('to_us'), strideTimeS: num('stride_time_s'), gctS: num('gct_s'), pelvicDropDeg: num('pelvic_drop_deg'), shankFrontalDeg: num('shank_frontal_deg') };
    });
}
