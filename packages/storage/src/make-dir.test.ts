import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirSync } from './make-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'gw-makedir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('makeDirSync', () => {
  it('makes every missing level with the mode, leaves what exists as it is, and does it again without complaint', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeDirSync(dir, 0o700);
    for (const level of [join(root, 'a'), join(root, 'a', 'b'), dir]) expect(statSync(level).mode & 0o777).toBe(0o700);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    makeDirSync(dir, 0o700);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('refuses a path through a file, naming it', () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    expect(() => makeDirSync(file, 0o700)).toThrow(`cannot make the folder ${file}: it is a file, not a folder`);
    expect(() => makeDirSync(join(file, 'sub'), 0o700)).toThrow(`cannot make the folder ${file}: it is a file, not a folder`);
  });

  // Node's own recursive mkdir spins forever on both (the test would time out, not fail).
  it('refuses a dangling symlink in the path at once (a volume not mounted)', () => {
    const link = join(root, 'mnt');
    symlinkSync(join(root, 'not-mounted'), link);
    expect(() => makeDirSync(join(link, 'data'), 0o700)).toThrow(/cannot make the folder .*mnt: something that is not a folder is in the way \(a dangling symlink/);
    expect(existsSync(join(root, 'not-mounted'))).toBe(false);
  });

  it.skipIf(!existsSync('/proc/self'))('refuses a folder under /proc at once', () => {
    expect(() => makeDirSync('/proc/gaitwatch-nope/data', 0o700)).toThrow('cannot make the folder /proc/gaitwatch-nope: its parent cannot hold folders');
  });
});
