import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `gaitwatch analyze` as a user runs it: the real CLI in a child process, on
// real files. Every way a file can be wrong must end in one clear line on
// stderr and exit code 2, never a stack trace or a silent exit 0.

const BIN = fileURLToPath(new URL('../../bin/gaitwatch.mjs', import.meta.url));
const HEADER = 't_us,sensor,ax,ay,az,gx,gy,gz';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function analyze(file: string, options: { input?: string; uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): Run {
  const result = spawnSync(process.execPath, [BIN, 'analyze', file], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, ...options });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Exit 2, nothing on stdout, exactly one line on stderr that matches, and no stack frame. */
function expectRefused(run: Run, message: RegExp): void {
  expect(run.stderr).toMatch(message);
  expect(run.stderr).toMatch(/^gaitwatch: [^\n]+\n$/);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).toBe('');
  expect(run.status).toBe(2);
}

let dir: string;
let lfPath: string;
let lfText: string;
let reference: Run;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-analyze-'));
  const sim = spawnSync(process.execPath, [BIN, 'simulate', '--out', dir, '--duration', '60s', '--seed', '3'], { encoding: 'utf8' });
  expect(sim.status, sim.stderr).toBe(0);
  lfPath = join(dir, 'steady-s3-r0.csv');
  lfText = await readFile(lfPath, 'utf8');
  reference = analyze(lfPath);
  expect(reference.status, reference.stderr).toBe(0);
  expect(reference.stderr).toBe('');
  expect(reference.stdout.split('\n').filter((l) => l.includes('"kind":"stride"')).length).toBeGreaterThan(100);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('gaitwatch analyze reads every line ending', () => {
  it.each([
    ['CR-only', '\r'],
    ['CRLF', '\r\n'],
  ])('gives the same NDJSON for a %s file as for the LF file', async (name, ending) => {
    const run = analyze(await file(`${name}.csv`, lfText.replaceAll('\n', ending)));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(reference.stdout);
  });

  it('reads stdin for -', () => {
    const run = analyze('-', { input: lfText.replaceAll('\n', '\r') });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(reference.stdout);
  });
});

describe('gaitwatch analyze refuses what it cannot analyse, in one line', () => {
  it('a directory', () => {
    expectRefused(analyze(dir), /^gaitwatch: cannot read .*gw-analyze-\w+: it is a directory, not a recording file$/m);
  });

  it('a missing file, and a path through a file', () => {
    expectRefused(analyze(join(dir, 'nope.csv')), /cannot read .*nope\.csv: no such file$/m);
    expectRefused(analyze(join(lfPath, 'x.csv')), /cannot read .*steady-s3-r0\.csv\/x\.csv: a part of the path is not a directory$/m);
  });

  it('an unreadable file (as root: run as nobody, since root reads any file)', async () => {
    const secretDir = join(dir, 'locked');
    await mkdir(secretDir);
    await chmod(secretDir, 0o755);
    const path = join(secretDir, 'secret.csv');
    await writeFile(path, lfText);
    await chmod(path, 0o000);
    const asRoot = process.getuid?.() === 0;
    // Root ignores file permissions; drop to nobody (65534) for the child. The repository and node must be readable by all, as installed here.
    if (asRoot) await chmod(dir, 0o755);
    expectRefused(analyze(path, asRoot ? { uid: 65534, gid: 65534 } : {}), /^gaitwatch: cannot read .*secret\.csv: permission denied$/m);
  });

  it('an empty file, and empty stdin', async () => {
    expectRefused(analyze(await file('empty.csv', '')), /^gaitwatch: cannot analyze .*empty\.csv: empty input: no header line; expected the header t_us,sensor,ax,ay,az,gx,gy,gz$/m);
    expectRefused(analyze('-', { input: '' }), /^gaitwatch: cannot analyze stdin: empty input/m);
  });

  it('a file with the header only', async () => {
    expectRefused(analyze(await file('header.csv', `${HEADER}\r\n\r\n`)), /cannot analyze .*header\.csv: no valid row: the header, but no data line$/m);
  });

  it.each([
    ['semicolons', ';', /line 1 is "t_us;sensor;ax;ay;az;gx;gy;gz": the right columns, but separated by semicolons, and a recording is comma-separated; expected the header t_us,sensor,/],
    ['tabs', '\t', /line 1 is "t_us\\tsensor.*": the right columns, but separated by tabs, and a recording is comma-separated; expected the header t_us,sensor,/],
  ])('a file separated by %s (the header is fatal: the columns cannot be trusted)', async (name, separator, message) => {
    const text = lfText.replaceAll(',', separator);
    expectRefused(analyze(await file(`${name}.csv`, text)), message);
  });

  it('a file without the header, or with another one', async () => {
    expectRefused(analyze(await file('no-header.csv', lfText.slice(lfText.indexOf('\n') + 1))), /line 1 is "\d+,\w+,.*": a data row, so the file has no header; expected the header/);
    expectRefused(analyze(await file('other-header.csv', lfText.replace('gz', 'gz_dps'))), /column 8 is "gz_dps" where "gz" is expected/);
    // The same refusal when the parse thread reads it.
    expectRefused(analyze(join(dir, 'no-header.csv'), { env: { ...process.env, GAITWATCH_ANALYZE_THREADS: '2' } }), /line 1 is "\d+,\w+,.*": a data row, so the file has no header; expected the header/);
  });

  it('a compressed recording', async () => {
    expectRefused(analyze(await file('gzipped.csv', gzipSync(lfText))), /cannot analyze .*gzipped\.csv: line 1 is (.*not text|longer than 512 characters)/);
  });

  it('a read that fails (an I/O error from the parse thread, and on one thread)', () => {
    // /proc/self/mem opens, is no directory, and fails its first read at offset 0 with EIO.
    expectRefused(analyze('/proc/self/mem'), /^gaitwatch: cannot read \/proc\/self\/mem: EIO: i\/o error, read\n$/);
    expectRefused(analyze('/proc/self/mem', { env: { ...process.env, GAITWATCH_ANALYZE_THREADS: '2' } }), /^gaitwatch: cannot read \/proc\/self\/mem: EIO: i\/o error, read\n$/);
  });

  it('a file of bad lines only, counting them per reason', async () => {
    const text = `${HEADER}\n1,wrist,1,2,3,4,5,6\n2,pelvis,1,2\n3,wrist,1,2,3,4,5,6\n${'x'.repeat(100_000)}\n`;
    expectRefused(
      analyze(await file('all-bad.csv', text)),
      /no valid row: every data line is bad: 4 bad line\(s\) \(1 wrong field count, 2 unknown sensor, 1 over-long line; first: line 2: unknown sensor "wrist"; line 3: expected 8 fields, got 4; line 4: .*; line 5: line longer than 512 characters/,
    );
    expect(analyze(join(dir, 'all-bad.csv'), { env: { ...process.env, GAITWATCH_ANALYZE_THREADS: '2' } })).toEqual(analyze(join(dir, 'all-bad.csv')));
  });
});

describe('gaitwatch analyze with bad lines among good ones', () => {
  it('skips a flood of bad lines with bounded output: same strides, the count in the summary, one line on stderr', async () => {
    // 100,000 bad lines interleaved with the rows, and a 4 MB line without a break.
    const lines = lfText.trimEnd().split('\n');
    const bad = ['1767254400000000,wrist,1,2,3,4,5,6', '1767254400000000,pelvis,1,2,3'];
    const out: string[] = [lines[0]!];
    let inserted = 0;
    for (const [i, line] of lines.slice(1).entries()) {
      out.push(line);
      while (inserted < Math.min(100_000, 3 * (i + 1))) out.push(bad[inserted++ % 2]!);
      if (i === 5000) out.push('9'.repeat(4 << 20));
    }
    expect(inserted).toBe(100_000);
    const run = analyze(await file('flood.csv', `${out.join('\n')}\n`));
    expect(run.status).toBe(0);
    const events = run.stdout.trimEnd().split('\n');
    expect(events.slice(0, -1)).toEqual(reference.stdout.trimEnd().split('\n').slice(0, -1));
    expect(JSON.parse(events.at(-1)!)).toMatchObject({ kind: 'summary', parseErrors: 100_001, parseErrorsByReason: { sensor: 50_000, field_count: 50_000, too_long: 1 } });
    expect(run.stderr).toMatch(/^gaitwatch analyze: skipped 100001 bad line\(s\) of .*flood\.csv \(50000 wrong field count, 50000 unknown sensor, 1 over-long line; first: line 3: unknown sensor "wrist"; line 4: expected 8 fields, got 5; line 5: [^;]+; line 7: [^;]+; line 8: [^;]+\)\n$/);
    // Parsed on the parse thread (GAITWATCH_ANALYZE_THREADS=2: this file is under the size that starts one
    // by itself) instead of on one thread: the same bytes, both streams.
    const threaded = analyze(join(dir, 'flood.csv'), { env: { ...process.env, GAITWATCH_ANALYZE_THREADS: '2' } });
    expect(threaded).toEqual(run);
  });

  it('keeps the summary free of a breakdown when nothing was skipped', () => {
    expect(JSON.parse(reference.stdout.trimEnd().split('\n').at(-1)!)).not.toHaveProperty('parseErrorsByReason');
  });

  it('stops quietly when the reader goes away (analyze … | head)', async () => {
    const child = spawn(process.execPath, [BIN, 'analyze', lfPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Close the read end at once: every write of the child then fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});

describe('gaitwatch analyze of rows out of time order', () => {
  /** Rows (without the header) in a seeded shuffle: a fixed permutation, so a failure can be rerun. */
  function shuffled(rows: readonly string[], seed: number): string[] {
    const out = [...rows];
    let state = seed;
    for (let i = out.length - 1; i > 0; i--) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      const j = state % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** Rows earlier than the previous row of their sensor, per sensor: what analyze must report. */
  function backwards(rows: readonly string[]): Record<string, number> {
    const previous = new Map<string, number>();
    const counts: Record<string, number> = { pelvis: 0, shank_left: 0, shank_right: 0 };
    for (const row of rows) {
      const [t, sensor] = row.split(',') as [string, string];
      if (Number(t) < (previous.get(sensor) ?? -Infinity)) counts[sensor]!++;
      previous.set(sensor, Number(t));
    }
    return counts;
  }

  const ORDER_LINE = /^gaitwatch analyze: (\d+) row\(s\) of \S+ were earlier than the previous row of their sensor \(pelvis (\d+), shank_left (\d+), shank_right (\d+); first: pelvis t_us \d+ after \d+\): rows must be in time order per sensor, and the analysis drops rows out of order as stale \(it used (\d+) of (\d+) rows\), so its strides and alerts miss them; sort the file by t_us\n$/;

  function expectOrderLine(run: Run, counts: Record<string, number>, rows: number): void {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const m = ORDER_LINE.exec(run.stderr);
    expect(m, run.stderr).not.toBeNull();
    const [, total, pelvis, left, right, used, all] = m!.map(Number);
    expect({ pelvis, shank_left: left, shank_right: right }).toEqual(counts);
    expect(total).toBe(counts['pelvis']! + counts['shank_left']! + counts['shank_right']!);
    expect(all).toBe(rows);
    expect(used).toBeLessThan(rows / 2);
    // Still the analysis of what could be used: NDJSON ending in a summary.
    expect(JSON.parse(run.stdout.trimEnd().split('\n').at(-1)!)).toMatchObject({ kind: 'summary' });
  }

  it('says so on stderr, with the count per sensor, for a shuffled and a reversed file (exit 0)', async () => {
    const [header, ...rows] = lfText.trimEnd().split('\n');
    const mixed = shuffled(rows, 7);
    const mixedPath = await file('shuffled.csv', `${[header, ...mixed].join('\n')}\n`);
    expectOrderLine(analyze(mixedPath), backwards(mixed), rows.length);
    // The parse thread regroups rows by sensor, keeping each sensor's order: the same counts.
    expectOrderLine(analyze(mixedPath, { env: { ...process.env, GAITWATCH_ANALYZE_THREADS: '2' } }), backwards(mixed), rows.length);

    const reversed = [...rows].reverse();
    const reversedPath = await file('reversed.csv', `${[header, ...reversed].join('\n')}\n`);
    const counts = backwards(reversed);
    expect(counts['pelvis']! + counts['shank_left']! + counts['shank_right']!).toBe(rows.length - 3);
    const run = analyze(reversedPath);
    expectOrderLine(run, counts, rows.length);
    expect(analyze(reversedPath, { env: { ...process.env, GAITWATCH_ANALYZE_THREADS: '2' } })).toEqual(run);
  });

  it('is quiet for rows in time order, however the sensors interleave (the shuffled file sorted by t_us)', async () => {
    const [header, ...rows] = lfText.trimEnd().split('\n');
    const sorted = shuffled(rows, 7).sort((a, b) => Number(a.slice(0, a.indexOf(','))) - Number(b.slice(0, b.indexOf(','))));
    const run = analyze(await file('sorted.csv', `${[header, ...sorted].join('\n')}\n`));
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter((l) => l.includes('"kind":"stride"')).length).toBeGreaterThan(100);
  });
});
