/**
 * The streamed bodies of the session exports (strides of a run, reps of a
 * screen): CSV with the manifest as `# key: JSON` lines before the header
 * (spreadsheet users skip them with "comment character #"), or NDJSON with the
 * manifest as its first line and one `{"kind": …}` line per record (the
 * `analyze` format). One store page in memory at a time.
 */
import type { ExportManifest } from '../export-manifest.ts';

/** One CSV field: RFC 4180 quoting when needed; null/absent is an empty field ("not measured", never 0). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The export's columns of a record, absent ones as null. */
export function pickColumns(record: Readonly<Record<string, unknown>>, columns: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of columns) row[column] = record[column] ?? null;
  return row;
}

/** Hand the stream ~64 KiB at a time rather than one row per chunk: fewer writes, still bounded memory. */
const CHUNK_CHARS = 65_536;

export async function* csvLines(title: string, manifest: ExportManifest, records: AsyncIterable<Readonly<Record<string, unknown>>>): AsyncGenerator<string> {
  yield `# ${title}\n`;
  for (const [key, value] of Object.entries(manifest)) if (key !== 'kind') yield `# ${key}: ${JSON.stringify(value)}\n`;
  yield `${manifest.columns.join(',')}\n`;
  let buffer = '';
  for await (const record of records) {
    buffer += `${manifest.columns.map((c) => csvField(record[c])).join(',')}\n`;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}

export async function* ndjsonLines(kind: 'stride' | 'rep', manifest: ExportManifest, records: AsyncIterable<Readonly<Record<string, unknown>>>): AsyncGenerator<string> {
  yield `${JSON.stringify(manifest)}\n`;
  let buffer = '';
  for await (const record of records) {
    buffer += `${JSON.stringify({ kind, ...pickColumns(record, manifest.columns) })}\n`;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}
