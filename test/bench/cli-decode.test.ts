// The CLI decodes a recording's bytes as Latin-1 while they are ASCII (the
// same text, several times cheaper than UTF-8 decoding) and hands over to a
// UTF-8 decoder at the first other byte: the text must be exactly what UTF-8
// decoding of the whole input gives, however the input is cut into chunks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Text } from '../../src/cli/utf8-text.ts';

async function decode(chunks: readonly Uint8Array[]): Promise<string> {
  async function* source(): AsyncIterable<Buffer> {
    for (const c of chunks) yield Buffer.from(c);
  }
  let text = '';
  for await (const part of utf8Text(source())) text += part;
  return text;
}

const cut = (bytes: Uint8Array, points: readonly number[]): Uint8Array[] => {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...sorted].map((p, i) => bytes.subarray(p, sorted[i] ?? bytes.length));
};

describe('utf8Text (gaitwatch analyze input decoding)', () => {
  it('gives the ASCII text as is, a byte order mark and accents as UTF-8, a character split across chunks whole', async () => {
    const enc = new TextEncoder();
    expect(await decode([enc.encode('t_us,sensor\n'), enc.encode('1,pelvis\n')])).toBe('t_us,sensor\n1,pelvis\n');
    expect(await decode([Uint8Array.of(0xef, 0xbb, 0xbf), enc.encode('t_us')])).toBe('\ufefft_us');
    // "é" is C3 A9: ASCII first, then the character cut in two, then ASCII again.
    expect(await decode([enc.encode('2,wrist-'), Uint8Array.of(0xc3), Uint8Array.of(0xa9), enc.encode(',1\n')])).toBe('2,wrist-é,1\n');
    // An incomplete sequence before ASCII is one replacement character, in place.
    expect(await decode([Uint8Array.of(0xe2, 0x82), enc.encode('x')])).toBe('\ufffdx');
  });

  it('equals UTF-8 decoding of the whole input for any bytes and any chunking', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.array(fc.constantFrom(0x41, 0x2c, 0x0a, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x8f, 0x83, 0xff), { maxLength: 64 }).map((a) => Uint8Array.from(a)),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.array(fc.nat(80), { maxLength: 6 }), async (input, points) => {
        expect(await decode(cut(input, points))).toBe(Buffer.from(input).toString('utf8'));
      }),
      { numRuns: 1000 },
    );
  });
});
