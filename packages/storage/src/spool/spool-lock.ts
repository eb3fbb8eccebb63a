import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The lock's file in the spool directory (not a segment: recover() lists only `*.seg`). */
const LOCK_FILE = 'LOCK';

/** Another live process owns this spool: two owners replay and delete each other's segments. */
export class SpoolLockedError extends Error {
  readonly code = 'SPOOL_LOCKED';
  constructor(
    readonly dir: string,
    readonly holder: { pid: number; host: string; since: string },
  ) {
    super(
      `spool ${dir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}): one process per spool — ` +
        'give each service its own DATA_DIR (or stop the other one); two owners replay and delete each other’s segments',
    );
    this.name = 'SpoolLockedError';
  }
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

/**
 * Takes the spool directory `dir` for this process: a LOCK file made with
 * O_EXCL holding pid, host and time. A lock whose process is gone (its pid is
 * not alive on this host, or the file is torn) is taken over; one held by a
 * live process, by this process already, or by another host (whose pids
 * cannot be checked from here) throws SpoolLockedError. Limits: a pid reused
 * by an unrelated process after a crash reads as alive (delete LOCK by hand;
 * the error names it), and a network file system shared by two hosts is
 * only as safe as its O_EXCL. Written by hand: a few lines, where lock
 * libraries (proper-lockfile) judge staleness by a timer that must keep
 * touching the file.
 * Returns how to release it and the pid it took over from, if any.
 */
export function takeSpoolLock(dir: string): { release(): void; tookOverFrom: number | undefined } {
  const path = join(dir, LOCK_FILE);
  const mine: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      return {
        tookOverFrom,
        release: () => {
          // Only our own: a lock another process took over after us stays.
          if (readHolder(path)?.pid === mine.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (holder !== undefined && (holder.host !== mine.host || holder.pid === mine.pid || alive(holder.pid))) throw new SpoolLockedError(dir, holder);
    tookOverFrom = holder?.pid;
    unlinkSync(path);
  }
  throw new SpoolLockedError(dir, readHolder(path) ?? { pid: -1, host: 'unknown', since: 'unknown' });
}

function readHolder(path: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, since: String(h.since) } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
