import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECORDING_HEADER, RecordingFormatError, RecordingParser, type RecordingParserOptions, type RecordingRow, type RecordingRowError } from './recording.ts';

const text = `${RECORDING_HEADER}\n1767254400000000,pelvis,0.1,0.2,9.8,0.01,0.02,0.03\r\n1767254400005000,shank_left,-1,2,3,4,5,6\n`;

interface Parsed {
  rows: RecordingRow[];
  errors: RecordingRowError[];
  parser: RecordingParser;
}

function parseAll(chunks: readonly string[], options?: RecordingParserOptions): Parsed {
  const parser = new RecordingParser(options);
  const rows: RecordingRow[] = [];
  for (const chunk of chunks) parser.feed(chunk, (r) => rows.push(r));
  parser.end((r) => rows.push(r));
  return { rows, errors: parser.errors, parser };
}

/** The text cut at the given positions. */
function cut(whole: string, points: readonly number[]): string[] {
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  return [0, ...sorted].map((p, i) => whole.slice(p, sorted[i] ?? whole.length));
}

/** What a parse gives, comparable across chunkings and line endings. */
const outcome = ({ rows, parser }: Parsed): unknown => ({ rows, errors: parser.errors, counts: parser.errorCounts, lines: parser.lineCount });

// Two rows, a bad one, a blank line and an unterminated last row: every kind of line break matters here.
const LINES = [RECORDING_HEADER, '1,pelvis,1,2,3,4,5,6', '2,wrist,1,2,3,4,5,6', ' ', '3,shank_right,1,2,3,4,5,6', '4,pelvis,0,0,0,0,0,0'];
const withEnding = (ending: string): string => LINES.join(ending);

describe('RecordingParser', () => {
  it('parses rows, CRLF or LF, with or without a final newline', () => {
    const { rows, parser } = parseAll([text.trimEnd()]);
    expect(parser.errors).toEqual([]);
    expect(parser.rowCount).toBe(2);
    expect(rows).toEqual([
      { tUs: 1767254400000000, sensor: 'pelvis', values: [0.1, 0.2, 9.8, 0.01, 0.02, 0.03] },
      { tUs: 1767254400005000, sensor: 'shank_left', values: [-1, 2, 3, 4, 5, 6] },
    ]);
  });

  it('gives the same rows for any chunking', () => {
    const whole = parseAll([text]).rows;
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 10 }), (points) => {
        expect(parseAll(cut(text, points)).rows).toEqual(whole);
      }),
    );
  });

  it('reads LF, CRLF, CR-only and mixed endings alike: same rows, same line numbers', () => {
    const reference = outcome(parseAll([withEnding('\n')]));
    expect(parseAll([withEnding('\n')]).rows.map((r) => r.tUs)).toEqual([1, 3, 4]);
    expect(parseAll([withEnding('\n')]).errors).toEqual([{ line: 3, reason: 'sensor', message: 'unknown sensor "wrist"' }]);
    for (const ending of ['\r\n', '\r']) expect(outcome(parseAll([withEnding(ending)]))).toEqual(reference);
    const mixed = LINES.map((line, i) => line + ['\n', '\r', '\r\n'][i % 3]!).join('');
    expect(outcome(parseAll([mixed]))).toEqual({ ...(reference as object), lines: LINES.length });
  });

  it.each([
    ['CR', '\r'],
    ['CRLF', '\r\n'],
    ['mixed', '\r\n|\r|\n'],
  ])('gives the same result for a chunk boundary at every position, and every pair of positions (%s)', (_name, ending) => {
    const whole = ending.includes('|') ? LINES.map((line, i) => line + ending.split('|')[i % 3]!).join('') : withEnding(ending);
    const reference = outcome(parseAll([whole]));
    for (let i = 0; i <= whole.length; i++) {
      expect(outcome(parseAll(cut(whole, [i]))), `cut at ${i}`).toEqual(reference);
      for (let j = i; j <= whole.length; j++) expect(outcome(parseAll(cut(whole, [i, j]))), `cuts at ${i}, ${j}`).toEqual(reference);
    }
    expect(outcome(parseAll([...whole]))).toEqual(reference);
  });

  it('counts a CR closing one chunk and an LF opening the next as one line ending, two CRs as two', () => {
    const crlf = parseAll([`${RECORDING_HEADER}\r`, '\n1,wrist,1,2,3,4,5,6\r', '\n', '2,wrist,1,2,3,4,5,6']);
    expect(crlf.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(crlf.parser.lineCount).toBe(3);
    const crcr = parseAll([`${RECORDING_HEADER}\r`, '\r1,wrist,1,2,3,4,5,6\r', '\r\n2,wrist,1,2,3,4,5,6']);
    expect(crcr.errors.map((e) => e.line)).toEqual([3, 5]);
  });

  it('any mix of endings and chunking gives the rows and line numbers of the LF file', () => {
    const line = fc.constantFrom('1,pelvis,1,2,3,4,5,6', '2,shank_left,-1,0.5,9.81,0,0,0', '3,wrist,1,2,3,4,5,6', '4,pelvis,1,2', 'x,pelvis,1,2,3,4,5,6', '5,pelvis,1,,3,4,5,6', '   ');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 30 }),
        fc.array(fc.nat(2000), { maxLength: 8 }),
        (body, points) => {
          const lf = `${RECORDING_HEADER}\n${body.map(([l]) => `${l}\n`).join('')}`;
          const mixed = `${RECORDING_HEADER}\r${body.map(([l, ending]) => l + ending).join('')}`;
          expect(outcome(parseAll(cut(mixed, points.map((p) => p % (mixed.length + 1)))))).toEqual(outcome(parseAll([lf])));
        },
      ),
    );
  });

  it('skips and reports bad rows by line and reason, keeping the good ones', () => {
    const bad = `${RECORDING_HEADER}\n1,pelvis,1,2,3\nx,pelvis,1,2,3,4,5,6\n2,wrist,1,2,3,4,5,6\n3,pelvis,1,NaN,3,4,5,6\n4,pelvis,1,,3,4,5,6\n5,pelvis,1,2,3,4,5,6\n,pelvis,1,2,3,4,5,6\n6,pelvis,1,2,3,4,5, \n7,pelvis,1,2,3,4,5,Infinity\n8.5,pelvis,1,2,3,4,5,6\n`;
    const { rows, parser } = parseAll([bad]);
    expect(rows.map((r) => r.tUs)).toEqual([5]);
    expect(parser.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'field_count'],
      [3, 'time'],
      [4, 'sensor'],
      [5, 'value'],
      [6, 'value'],
      [8, 'time'],
      [9, 'value'],
      [10, 'value'],
      [11, 'time'],
    ]);
    expect(parser.errors.map((e) => e.message)).toEqual([
      'expected 8 fields, got 5',
      't_us "x" is not an integer µs',
      'unknown sensor "wrist"',
      'sample value ay "NaN" is empty, NaN or infinite',
      'sample value ay "" is empty, NaN or infinite',
      't_us "" is not an integer µs',
      'sample value gz " " is empty, NaN or infinite',
      'sample value gz "Infinity" is empty, NaN or infinite',
      't_us "8.5" is not an integer µs',
    ]);
    expect(parser.errorCount).toBe(9);
    expect(parser.errorCounts).toEqual({ field_count: 1, time: 3, sensor: 1, value: 4, too_long: 0 });
  });

  it('takes large finite values whose sum overflows, and skips blank lines without counting them', () => {
    const { rows, parser } = parseAll([`\n\n${RECORDING_HEADER}\n\n1,pelvis,1e308,1e308,1e308,-1e308,0,0\n \t \n`]);
    expect(rows).toHaveLength(1);
    expect(parser.errorCount).toBe(0);
  });

  it('keeps the first 20 of 200,000 bad lines and counts every one per reason, in linear time', () => {
    const bad = ['9,wrist,1,2,3,4,5,6', 'nope', '9,pelvis,1,2,3,4,5,x', 'z,pelvis,1,2,3,4,5,6'];
    const block = Array.from({ length: 1000 }, (_, i) => bad[i % 4]).join('\n');
    const parser = new RecordingParser();
    let rows = 0;
    parser.feed(`${RECORDING_HEADER}\n1,pelvis,1,2,3,4,5,6\n`, () => rows++);
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      parser.feed(`${block}\n`, () => rows++);
      expect(parser.errors.length).toBeLessThanOrEqual(20);
    }
    parser.feed('2,pelvis,1,2,3,4,5,6\n', () => rows++);
    parser.end(() => rows++);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(rows).toBe(2);
    expect(parser.errorCount).toBe(200_000);
    expect(parser.errorCounts).toEqual({ field_count: 50_000, time: 50_000, sensor: 50_000, value: 50_000, too_long: 0 });
    expect(parser.errors).toHaveLength(20);
    expect(parser.errors.map((e) => e.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    expect(new RecordingParser({ keepErrors: 0 }).errors).toEqual([]);
  });

  it('counts an over-long line once and skips its rest without buffering it', () => {
    const parser = new RecordingParser();
    const rows: RecordingRow[] = [];
    parser.feed(`${RECORDING_HEADER}\n1,pelvis,1,2,3,4,5,6\n`, (r) => rows.push(r));
    // 10 MB without a line break, in 64 KB chunks (a CR-only file read as LF once looked like this).
    const filler = 'x,'.repeat(32 * 1024);
    for (let i = 0; i < 160; i++) {
      parser.feed(filler, (r) => rows.push(r));
      expect(parser.bufferedChars).toBeLessThanOrEqual(512);
    }
    parser.feed('\r2,pelvis,1,2,3,4,5,6\n', (r) => rows.push(r));
    parser.end((r) => rows.push(r));
    expect(rows.map((r) => r.tUs)).toEqual([1, 2]);
    expect(parser.errors).toEqual([{ line: 3, reason: 'too_long', message: 'line longer than 512 characters (skipped unread)' }]);
  });

  it('takes a line of exactly maxLineChars and refuses one more, whole or in pieces', () => {
    const row = '1,pelvis,1,2,3,4,5,6';
    for (const [length, tooLong] of [
      [64, false],
      [65, true],
    ] as const) {
      const whole = `${RECORDING_HEADER}\n${row.padEnd(length, ' ')}\n${row}`;
      for (let i = RECORDING_HEADER.length; i <= whole.length; i++) {
        const { rows, parser } = parseAll(cut(whole, [i]), { maxLineChars: 64 });
        expect(rows).toHaveLength(tooLong ? 1 : 2);
        expect(parser.errorCounts.too_long).toBe(tooLong ? 1 : 0);
        expect(parser.bufferedChars).toBe(0);
      }
    }
    const unterminated = parseAll([`${RECORDING_HEADER}\n`, 'y'.repeat(100)], { maxLineChars: 64 });
    expect(unterminated.errors).toEqual([{ line: 2, reason: 'too_long', message: 'line longer than 64 characters (skipped unread)' }]);
  });

  it('reads every field as Number() does, blank as invalid: plain decimals, exponents, signs, spaces, long digit runs', () => {
    // The parser reads plain decimals from their characters and hands anything else to Number(): both must agree with it.
    const numeric = fc.oneof(
      fc.double({ noNaN: true }).map(String),
      fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 20 })).map(([v, k]) => v.toFixed(k)),
      fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map((v) => `${v}.${String(v).replace('-', '').slice(0, 5)}`),
      fc.bigInt({ min: 0n, max: 10n ** 17n }).map(String),
      fc.stringMatching(/^[-+ .0-9eE]{0,12}$/),
      fc.constantFrom('', ' ', '-', '.', '-.', '.5', '5.', '-0', '0x1f', 'Infinity', '1e308', '1e309', '0.1234567890123456789012345', '9007199254740993', '9007199254740992.5', '0.00000000000000000000001', '-0.000000000000000000000000000123'),
    );
    const valid = (field: string): number | undefined => {
      const v = Number(field);
      return Number.isFinite(v) && field.trim() !== '' ? v : undefined;
    };
    fc.assert(
      fc.property(numeric, (field) => {
        const sample = parseAll([`${RECORDING_HEADER}\n1,pelvis,0,0,0,0,0,${field}\n`]);
        const expected = valid(field);
        if (expected === undefined) expect(sample.errors.map((e) => e.reason)).toEqual(['value']);
        else expect(Object.is(sample.rows[0]?.values[5], expected), `${JSON.stringify(field)} → ${sample.rows[0]?.values[5]}, Number() ${expected}`).toBe(true);
        const time = parseAll([`${RECORDING_HEADER}\n${field},pelvis,0,0,0,0,0,0\n`]);
        const tUs = valid(field);
        if (tUs === undefined || !Number.isSafeInteger(tUs)) expect(time.errors.map((e) => e.reason)).toEqual(['time']);
        else expect(time.rows[0]?.tUs).toBe(tUs);
      }),
      { numRuns: 2000 },
    );
  });

  it('validates its options', () => {
    expect(() => new RecordingParser({ keepErrors: -1 })).toThrow(RangeError);
    expect(() => new RecordingParser({ maxLineChars: 10 })).toThrow(/maxLineChars must be an integer ≥ 29.*got 10/);
  });
});

describe('RecordingParser header', () => {
  const fails = (input: string | string[], options?: RecordingParserOptions): RecordingFormatError => {
    try {
      parseAll(typeof input === 'string' ? [input] : input, options);
    } catch (error) {
      expect(error).toBeInstanceOf(RecordingFormatError);
      expect(error).toBeInstanceOf(RangeError);
      return error as RecordingFormatError;
    }
    throw new Error(`no error for ${JSON.stringify(input).slice(0, 80)}`);
  };

  it('takes the header after a byte order mark or blank lines, and with spaces around the names', () => {
    expect(parseAll([`\uFEFF${RECORDING_HEADER}\r\n1,pelvis,1,2,3,4,5,6`]).rows).toHaveLength(1);
    expect(parseAll([`\r\n \n${RECORDING_HEADER}\n1,pelvis,1,2,3,4,5,6`]).rows).toHaveLength(1);
    expect(parseAll([`${RECORDING_HEADER.replaceAll(',', ' , ')} \n1,pelvis,1,2,3,4,5,6`]).rows).toHaveLength(1);
  });

  it('refuses empty input, and one of blank lines only', () => {
    for (const input of ['', '\n\r\n  \r']) {
      const error = fails(input);
      expect(error.message).toBe(`empty input: no header line; expected the header ${RECORDING_HEADER}`);
      expect(error.line).toBe(0);
    }
  });

  it('says when the columns are separated by semicolons, tabs or bars', () => {
    expect(fails(`${RECORDING_HEADER.replaceAll(',', ';')}\n1;pelvis;1;2;3;4;5;6\n`).message).toBe(
      `line 1 is "t_us;sensor;ax;ay;az;gx;gy;gz": the right columns, but separated by semicolons, and a recording is comma-separated; expected the header ${RECORDING_HEADER}`,
    );
    expect(fails(`${RECORDING_HEADER.replaceAll(',', '\t')}\n`).message).toMatch(/^line 1 is "t_us\\tsensor.*": the right columns, but separated by tabs/);
    expect(fails('time;sensor;acc_x;acc_y;acc_z;gyr_x;gyr_y;gyr_z\n').message).toMatch(/it looks separated by semicolons, and a recording is comma-separated/);
    expect(fails('t_us|sensor|ax|ay|az|gx|gy|gz').message).toMatch(/separated by vertical bars/);
  });

  it('says what is wrong with another header, naming the line and what was expected', () => {
    expect(fails('\n1767254400000000,pelvis,0.1,0.2,9.8,0.01,0.02,0.03\n').message).toBe(
      `line 2 is "1767254400000000,pelvis,0.1,0.2,9.8,0.01,0.02,0.03": a data row, so the file has no header; expected the header ${RECORDING_HEADER}`,
    );
    expect(fails('a,b,c\n').message).toMatch(/^line 1 is "a,b,c": 3 column\(s\) where 8 are expected; expected the header t_us,sensor/);
    expect(fails('t_us,sensor,ax,ay,az,gx,gy,gz_dps\n').message).toMatch(/column 8 is "gz_dps" where "gz" is expected/);
    expect(fails('\u001f\ufffd\u0008\u0000garbage\n').message).toMatch(/not text \(a binary or compressed file\?\)/);
    expect(fails('t_us,sensor,ax,ay,az,gx,gy,gz\n'.toUpperCase()).line).toBe(1);
  });

  it('refuses an over-long first line as soon as it is seen, not after reading the whole input', () => {
    const parser = new RecordingParser();
    expect(() => parser.feed('\n'.concat('x'.repeat(600)), () => undefined)).toThrow(/line 2 is longer than 512 characters, so it is not the header/);
    expect(fails(['x'.repeat(100), 'x'.repeat(500), '\n'], { maxLineChars: 512 }).message).toMatch(/^line 1 is longer than 512/);
  });
});

describe('parseTruthCsv', () => {
  it('reads the simulator truth and a lab reference by their headers, empty cells as null', async () => {
    const { parseTruthCsv } = await import('./recording.ts');
    expect(parseTruthCsv('side,ic_us,to_us,stride_time_s,gct_s,pelvic_drop_deg,shank_frontal_deg\nleft,10,20,0.7,,5.5,2\n')).toEqual([
      { side: 'left', icUs: 10, toUs: 20, strideTimeS: 0.7, gctS: null, pelvicDropDeg: 5.5, shankFrontalDeg: 2 },
    ]);
    expect(parseTruthCsv('side,ic_us,to_us\r\nright,30,\r\n')).toEqual([
      { side: 'right', icUs: 30, toUs: null, strideTimeS: null, gctS: null, pelvicDropDeg: null, shankFrontalDeg: null },
    ]);
    expect(() => parseTruthCsv('side,ic_us\nup,1\n')).toThrow(/truth line 2/);
  });
});
