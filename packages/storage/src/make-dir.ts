import { mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` and whatever parents it lacks, one level at a time, each
 * with `mode`; a part of the path that exists but is no folder is an error.
 * Synchronous: a few system calls, made once when a store or spool opens.
 * Not fs.mkdir's `recursive` option: on Linux it spins forever (100 % CPU;
 * the promise never settles, the sync form freezes the process) where a
 * parent exists but answers ENOENT for a child — anywhere under /proc, or
 * through a dangling symlink (a volume not mounted) — because it takes
 * every ENOENT for a missing parent and starts again from it. A DATA_DIR
 * like that hung ingest and `start` without a word; here it is one error
 * naming the path.
 */
export function makeDirSync(dir: string, mode: number): void {
  const missing: string[] = [];
  for (let path = resolve(dir); ; ) {
    const found = statOrUndefined(path);
    if (found !== undefined) {
      if (!found.isDirectory()) throw cannotMake(path, 'ENOTDIR');
      break;
    }
    missing.push(path);
    const parent = dirname(path);
    if (parent === path) break;
    path = parent;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path, { mode });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      // Made meanwhile by another process: fine, if it is a folder.
      if (!(code === 'EEXIST' && statOrUndefined(path)?.isDirectory() === true)) throw cannotMake(path, code, error);
    }
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    // ENOTDIR: a part further up is a file; the walk up names it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw cannotMake(path, (error as NodeJS.ErrnoException).code ?? 'error', error);
  }
}

const WHY: Record<string, string> = {
  EEXIST: 'something that is not a folder is in the way (a dangling symlink: is a volume not mounted?)',
  ENOENT: 'its parent cannot hold folders',
  ENOTDIR: 'it is a file, not a folder',
  EACCES: 'permission denied',
  EROFS: 'the file system is read-only',
};

function cannotMake(path: string, code: string, cause?: unknown): Error {
  const why = WHY[code] ?? (cause instanceof Error ? cause.message : code);
  return Object.assign(new Error(`cannot make the folder ${path}: ${why}`), { code, cause });
}
