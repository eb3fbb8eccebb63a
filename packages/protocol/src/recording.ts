import { SENSOR_IDS, type SensorId } from './sensors.ts';

/** Recording file header (DESIGN.md "Analysis contract"). */
export const RECORDING_HEADER = 't_us,sensor,ax,ay,az,gx,gy,gz';
/** Ground-truth file header written by generators that know it. */
export const TRUTH_HEADER = 'side,ic_us,to_us,stride_time_s,gct_s,pelvic_drop_deg,shank_frontal_deg';

const COLUMNS = RECORDING_HEADER.split(',');
const LF = 0x0a;
const BOM = 0xfeff;

export interface RecordingRow {
  readonly tUs: number;
  readonly sensor: SensorId;
  /** ax, ay, az (m/s²), gx, gy, gz (rad/s). */
  readonly values: readonly [number, number, number, number, number, number];
}

/** Why a line was skipped. */
export const RECORDING_ERROR_REASONS = ['field_count', 'time', 'sensor', 'value', 'too_long'] as const;
export type RecordingErrorReason = (typeof RECORDING_ERROR_REASONS)[number];

/** Each reason as a short noun phrase, for messages that count lines per reason ("3 bad t_us, 1 unknown sensor"). */
export const RECORDING_ERROR_LABELS: Readonly<Record<RecordingErrorReason, string>> = {
  field_count: 'wrong field count',
  time: 'bad t_us',
  sensor: 'unknown sensor',
  value: 'bad sample value',
  too_long: 'over-long line',
};

export interface RecordingRowError {
  /** 1-based; CR, LF and CRLF each end one line. */
  readonly line: number;
  readonly reason: RecordingErrorReason;
  readonly message: string;
}

/**
 * The file as a whole is not a recording: empty, or its first line is not the
 * contract's header. Fatal, because without the header the columns cannot be
 * trusted (a file of another layout, separator or unit would otherwise be read
 * as a recording full of bad lines, or worse, of wrong numbers).
 */
export class RecordingFormatError extends RangeError {
  override readonly name = 'RecordingFormatError';
  constructor(
    message: string,
    /** Line of the offending header, 0 when the input is empty. */
    readonly line: number,
  ) {
    super(message);
  }
}

export interface RecordingParserOptions {
  /** Bad lines kept with their line number and message; later ones are only counted. Default 20. */
  readonly keepErrors?: number;
  /**
   * Longest line accepted, in characters (UTF-16 code units). A row is about
   * 75 characters as the simulator writes it and under 200 even with every
   * value at full double precision; a longer line is counted as a `too_long`
   * error and its rest is skipped without being buffered. Default 512.
   */
  readonly maxLineChars?: number;
}

export const DEFAULT_RECORDING_PARSER_OPTIONS: Readonly<Required<RecordingParserOptions>> = Object.freeze({ keepErrors: 20, maxLineChars: 512 });

/** Longest offending value quoted in a message, characters. */
const QUOTE_CHARS = 40;
const quote = (text: string, maxChars = QUOTE_CHARS): string => JSON.stringify(text.length > maxChars ? `${text.slice(0, maxChars)}…` : text);

/** Number(''), Number('  ') are 0: a blank field must not pass as a zero. */
function fieldValue(field: string): number {
  const value = Number(field);
  return value === 0 && field.trim() === '' ? Number.NaN : value;
}

const DIGIT_0 = 0x30;
const MINUS = 0x2d;
const DOT = 0x2e;
/** 10^k for k ≤ 22: every one an exact double, so mantissa ÷ 10^k is correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The number in `text[from, to)`, exactly as fieldValue(text.slice(from, to)) gives it, without
 * the slice: a plain decimal (`-?digits[.digits]`, as recorders write samples) is read from its
 * character codes, anything else (exponent, spaces, `+`, `Infinity`, blank …) falls back to
 * fieldValue. The fast path is exact: its digits form an integer below 2^53 and at most 22 of
 * them follow the point, so the integer and 10^k are exact doubles and one IEEE division rounds
 * the decimal correctly, which is what Number() does (Clinger's fast path). This replaced
 * Number() + trim() per field, half of the parse time of an hour's recording (bench/FINDINGS.md).
 */
function decimalAt(text: string, from: number, to: number): number {
  let i = from;
  const negative = text.charCodeAt(i) === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let point = -1;
  for (; i < to; i++) {
    const d = text.charCodeAt(i) - DIGIT_0;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
    } else if (d === DOT - DIGIT_0 && point === -1) point = i;
    else return fieldValue(text.slice(from, to));
  }
  const decimals = point === -1 ? 0 : to - point - 1;
  // No digit ("", "-", ".", "-."), an integer part past 2^53 or too many decimals: Number() decides.
  if (digits === 0 || mantissa > Number.MAX_SAFE_INTEGER || decimals > 22) return fieldValue(text.slice(from, to));
  const value = decimals === 0 ? mantissa : mantissa / POW10[decimals]!;
  return negative ? -value : value;
}

/**
 * Parses a recording incrementally: feed text chunks of any size, get complete
 * rows back. A bad row is counted per reason and skipped, never fatal: one
 * corrupt line must not lose an hour of recording. Memory is bounded whatever
 * the input: at most `keepErrors` bad lines are kept (the rest only counted)
 * and at most `maxLineChars` of an unfinished line are buffered between chunks.
 * A missing or wrong header throws RecordingFormatError (see there).
 *
 * Lines end with LF, CRLF or a lone CR, mixed freely; a CR at the end of one
 * chunk and an LF at the start of the next are one line ending. A UTF-8 byte
 * order mark before the header is ignored, and so are blank lines.
 */
export class RecordingParser {
  readonly keepErrors: number;
  readonly maxLineChars: number;
  /** The first `keepErrors` bad lines. */
  readonly errors: RecordingRowError[] = [];
  private readonly counts: Record<RecordingErrorReason, number> = { field_count: 0, time: 0, sensor: 0, value: 0, too_long: 0 };
  private badLines = 0;
  private goodRows = 0;
  private line = 0;
  private rest = '';
  /** The unfinished line is already over `maxLineChars`: its characters are dropped until it ends. */
  private overlong = false;
  /** The last chunk ended with CR: an LF opening the next chunk belongs to it. */
  private afterCR = false;
  private started = false;
  private headerSeen = false;
  /** Positions of the 7 commas of the row being parsed (reused, not allocated per row). */
  private readonly commas = new Int32Array(7);

  constructor(options: RecordingParserOptions = {}) {
    const keepErrors = options.keepErrors ?? DEFAULT_RECORDING_PARSER_OPTIONS.keepErrors;
    const maxLineChars = options.maxLineChars ?? DEFAULT_RECORDING_PARSER_OPTIONS.maxLineChars;
    if (!Number.isSafeInteger(keepErrors) || keepErrors < 0) throw new RangeError(`keepErrors must be an integer ≥ 0, got ${keepErrors}`);
    if (!Number.isSafeInteger(maxLineChars) || maxLineChars < RECORDING_HEADER.length) {
      throw new RangeError(`maxLineChars must be an integer ≥ ${RECORDING_HEADER.length} (the header's length), got ${maxLineChars}`);
    }
    this.keepErrors = keepErrors;
    this.maxLineChars = maxLineChars;
  }

  /** Bad lines in all (`errors` keeps only the first few). */
  get errorCount(): number {
    return this.badLines;
  }

  /** Bad lines per reason. */
  get errorCounts(): Readonly<Record<RecordingErrorReason, number>> {
    return this.counts;
  }

  /** Valid rows delivered so far. */
  get rowCount(): number {
    return this.goodRows;
  }

  /** Characters of an unfinished line held until its next chunk: never more than `maxLineChars`. */
  get bufferedChars(): number {
    return this.rest.length;
  }

  /** Lines ended so far (blank ones and the header included). */
  get lineCount(): number {
    return this.line;
  }

  feed(chunk: string, onRow: (row: RecordingRow) => void): void {
    const n = chunk.length;
    if (n === 0) return;
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === BOM) i = 1;
    } else if (this.afterCR) {
      this.afterCR = false;
      if (chunk.charCodeAt(0) === LF) i = 1;
    }
    // Next LF and next CR, each searched again only once passed: indexOf is
    // native and fast, and an LF-only file costs one failed CR search per chunk.
    let lf = chunk.indexOf('\n', i);
    let cr = chunk.indexOf('\r', i);
    for (;;) {
      if (lf !== -1 && lf < i) lf = chunk.indexOf('\n', i);
      if (cr !== -1 && cr < i) cr = chunk.indexOf('\r', i);
      const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      if (end === -1) break;
      this.endLine(chunk, i, end, onRow);
      if (end !== cr) i = end + 1;
      else if (end + 1 < n) i = chunk.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
      else {
        this.afterCR = true;
        i = n;
      }
    }
    if (i < n) this.keepTail(chunk, i);
  }

  /** Ends the input: parses an unterminated last line; throws RecordingFormatError when there was no header at all. */
  end(onRow: (row: RecordingRow) => void): void {
    if (this.rest.length > 0 || this.overlong) this.endLine('', 0, 0, onRow);
    if (!this.headerSeen) throw new RecordingFormatError(`empty input: no header line; expected the header ${RECORDING_HEADER}`, 0);
  }

  /** Keeps the unterminated tail of a chunk, unless the line is already too long. */
  private keepTail(chunk: string, start: number): void {
    if (this.overlong) return;
    if (this.rest.length + chunk.length - start > this.maxLineChars) {
      this.overlong = true;
      this.rest = '';
      // A first line that long is no header: fail now rather than after reading the whole file.
      if (!this.headerSeen) this.failOverlongHeader(this.line + 1);
      return;
    }
    this.rest += chunk.slice(start);
  }

  /** Line `chunk[start, end)`, after any buffered beginning, has ended. */
  private endLine(chunk: string, start: number, end: number, onRow: (row: RecordingRow) => void): void {
    this.line++;
    const length = this.rest.length + end - start;
    if (this.overlong || length > this.maxLineChars) {
      this.overlong = false;
      this.rest = '';
      if (!this.headerSeen) this.failOverlongHeader(this.line);
      this.reject('too_long', '');
      return;
    }
    if (this.rest.length > 0) {
      // A line split across chunks (one a chunk at most) is joined; every other line is parsed where it lies in the chunk.
      chunk = this.rest + chunk.slice(start, end);
      start = 0;
      end = chunk.length;
      this.rest = '';
    }
    if (this.headerSeen) this.parseRow(chunk, start, end, onRow);
    else {
      const text = chunk.slice(start, end);
      if (text.trim() !== '') this.checkHeader(text);
    }
  }

  /** Parses the row `text[from, to)` (the line is not sliced out: fields are read where they lie). */
  private parseRow(text: string, from: number, to: number, onRow: (row: RecordingRow) => void): void {
    // Fields are located with indexOf and read in place: no array and no string per field.
    const commas = this.commas;
    let comma = from - 1;
    for (let k = 0; k < 7; k++) {
      comma = text.indexOf(',', comma + 1);
      if (comma === -1 || comma >= to) {
        comma = -1;
        break;
      }
      commas[k] = comma;
    }
    const eighth = comma === -1 ? -1 : text.indexOf(',', comma + 1);
    if (comma === -1 || (eighth !== -1 && eighth < to)) {
      const line = text.slice(from, to);
      if (line.trim() !== '') this.reject('field_count', String(line.split(',').length));
      return;
    }
    const tUs = decimalAt(text, from, commas[0]!);
    if (!Number.isSafeInteger(tUs)) return this.reject('time', text.slice(from, commas[0]));
    const sensor = sensorAt(text, commas[0]! + 1, commas[1]!);
    if (sensor === undefined) return this.reject('sensor', text.slice(commas[0]! + 1, commas[1]));
    const ax = decimalAt(text, commas[1]! + 1, commas[2]!);
    const ay = decimalAt(text, commas[2]! + 1, commas[3]!);
    const az = decimalAt(text, commas[3]! + 1, commas[4]!);
    const gx = decimalAt(text, commas[4]! + 1, commas[5]!);
    const gy = decimalAt(text, commas[5]! + 1, commas[6]!);
    const gz = decimalAt(text, commas[6]! + 1, to);
    // One test for the common case: a sum of finite numbers is finite unless
    // it overflows, which the per-value check below then sorts out.
    if (!Number.isFinite(ax + ay + az + gx + gy + gz)) {
      const k = [ax, ay, az, gx, gy, gz].findIndex((v) => !Number.isFinite(v));
      if (k !== -1) return this.reject('value', `${COLUMNS[k + 2]} ${quote(text.slice(from, to).split(',')[k + 2]!)}`);
    }
    this.goodRows++;
    onRow({ tUs, sensor, values: [ax, ay, az, gx, gy, gz] });
  }

  /** Counts a bad line; builds its message only while the kept list has room, so a flood of bad lines costs a counter. */
  private reject(reason: RecordingErrorReason, detail: string): void {
    this.badLines++;
    this.counts[reason]++;
    if (this.errors.length >= this.keepErrors) return;
    this.errors.push({ line: this.line, reason, message: rowMessage(reason, detail, this.maxLineChars) });
  }

  private checkHeader(text: string): void {
    this.headerSeen = true;
    const fields = text.split(',').map((f) => f.trim());
    // Spaces around the names are tolerated (a hand-edited file); anything else is not the contract's layout.
    if (fields.join(',') === RECORDING_HEADER) return;
    throw new RecordingFormatError(`line ${this.line} is ${quote(text, 2 * QUOTE_CHARS)}: ${headerProblem(text, fields)}; expected the header ${RECORDING_HEADER}`, this.line);
  }

  private failOverlongHeader(line: number): never {
    throw new RecordingFormatError(
      `line ${line} is longer than ${this.maxLineChars} characters, so it is not the header (is this a recording CSV, not a binary or compressed file?); expected the header ${RECORDING_HEADER}`,
      line,
    );
  }
}

/** The sensor named by `text[from, to)`, or undefined; compared in place, without slicing the field out. */
function sensorAt(text: string, from: number, to: number): SensorId | undefined {
  const length = to - from;
  for (const id of SENSOR_IDS) if (id.length === length && text.startsWith(id, from)) return id;
  return undefined;
}

function rowMessage(reason: RecordingErrorReason, detail: string, maxLineChars: number): string {
  switch (reason) {
    case 'field_count':
      return `expected 8 fields, got ${detail}`;
    case 'time':
      return `t_us ${quote(detail)} is not an integer µs`;
    case 'sensor':
      return `unknown sensor ${quote(detail)}`;
    case 'value':
      return `sample value ${detail} is empty, NaN or infinite`;
    case 'too_long':
      return `line longer than ${maxLineChars} characters (skipped unread)`;
  }
}

const OTHER_SEPARATORS = [
  [';', 'semicolons'],
  ['\t', 'tabs'],
  ['|', 'vertical bars'],
] as const;

/** Says what is wrong with a first line that is not the header, naming a likely cause. */
function headerProblem(text: string, fields: readonly string[]): string {
  // U+FFFD is what the UTF-8 decoder makes of bytes that are not text.
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) return 'not text (a binary or compressed file?)';
  for (const [separator, name] of OTHER_SEPARATORS) {
    const split = text.split(separator);
    if (split.length > fields.length) {
      const same = split.map((f) => f.trim()).join(',') === RECORDING_HEADER;
      return `${same ? 'the right columns, but separated' : 'it looks separated'} by ${name}, and a recording is comma-separated`;
    }
  }
  if (fields.length === COLUMNS.length && /^-?\d+$/.test(fields[0]!)) return 'a data row, so the file has no header';
  if (fields.length !== COLUMNS.length) return `${fields.length} column(s) where ${COLUMNS.length} are expected`;
  const k = fields.findIndex((f, i) => f !== COLUMNS[i]);
  return `column ${k + 1} is ${quote(fields[k]!)} where ${quote(COLUMNS[k]!)} is expected`;
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
