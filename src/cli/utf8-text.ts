import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

/**
 * UTF-8 text of byte chunks, decoded cheaply while they are ASCII: a recording
 * is ASCII, and Latin-1 decoding of ASCII bytes gives the same text several
 * times faster than UTF-8 decoding (~0.5 s of an hour's 160 MB was UTF-8
 * decoding, bench/FINDINGS.md). From the first chunk with any other byte on
 * (a byte order mark, a name with an accent in a bad line, a binary file) a
 * UTF-8 decoder takes over for good, so a character split between two chunks
 * is still decoded whole.
 */
export async function* utf8Text(chunks: AsyncIterable<Buffer>): AsyncIterable<string> {
  let decoder: StringDecoder | undefined;
  for await (const chunk of chunks) {
    if (decoder === undefined && isAscii(chunk)) yield chunk.toString('latin1');
    else {
      decoder ??= new StringDecoder('utf8');
      const text = decoder.write(chunk);
      if (text !== '') yield text;
    }
  }
  const rest = decoder?.end() ?? '';
  if (rest !== '') yield rest;
}
