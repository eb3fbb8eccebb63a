import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECORDING_HEADER, RecordingParser, type RecordingRow } from './recording.ts';

const text = `${RECORDING_HEADER}\n1767254400000000,pelvis,0.1,0.2,9.8,0.01,0.02,0.03\r\n1767254400005000,shank_left,-1,2,3,4,5,6\n`;

function parseAll(chunks: string[]): { rows: RecordingRow[]; parser: RecordingParser } {
  const parser = new RecordingParser();
  const rows: RecordingRow[] = [];
  for (const chunk of chunks) parser.feed(chunk, (r) => rows.push(r));
  parser.end((r) => rows.push(r));
  return { rows, parser };
}

describe('RecordingParser', () => {
  it('parses rows, CRLF or LF, with or without a final newline', () => {
    const { rows, parser } = parseAll([text.trimEnd()]);
    expect(parser.errors).toEqual([]);
    expect(rows).toEqual([
      { tUs: 1767254400000000, sensor: 'pelvis', values: [0.1, 0.2, 9.8, 0.01, 0.02, 0.03] },
      { tUs: 1767254400005000, sensor: 'shank_left', values: [-1, 2, 3, 4, 5, 6] },
    ]);
  });

  it('gives the same rows for any chunking', () => {
    const whole = parseAll([text]).rows;
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 10 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...points].map((p, i) => text.slice(p, points[i] ?? text.length));
        expect(parseAll(chunks).rows).toEqual(whole);
      }),
    );
  });

  it('skips and reports bad rows by line, keeping the good ones', () => {
    const bad = `${RECORDING_HEADER}\n1,pelvis,1,2,3\nx,pelvis,1,2,3,4,5,6\n2,wrist,1,2,3,4,5,6\n3,pelvis,1,NaN,3,4,5,6\n4,pelvis,1,,3,4,5,6\n5,pelvis,1,2,3,4,5,6\n`;
    const { rows, parser } = parseAll([bad]);
    expect(rows.map((r) => r.tUs)).toEqual([5]);
    expect(parser.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6]);
    expect(parser.errors[2]!.message).toContain('unknown sensor "wrist"');
  });

  it('reports a wrong header and an empty file', () => {
    expect(parseAll(['a,b,c\n']).parser.errors[0]!.message).toMatch(/expected t_us,sensor/);
    expect(parseAll(['']).parser.errors[0]!.message).toMatch(/empty recording/);
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
