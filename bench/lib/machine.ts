/** The machine's description for RESULTS.md: CPUs, nproc, Node, load average, service versions. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem, type as osType } from 'node:os';

function tryText(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
  } catch (error) {
    const out = (error as { stdout?: string }).stdout?.trim();
    return out !== undefined && out !== '' ? out : 'n/a';
  }
}

export interface Machine {
  readonly cpu: string;
  readonly logicalCpus: number;
  readonly nproc: string;
  readonly node: string;
  readonly os: string;
  readonly memoryGB: string;
  readonly loadAtStart: string;
  loadAtEnd?: string;
  readonly mosquitto: string;
  readonly python: string;
  readonly startedAt: string;
  /** The code measured: commit, and which product folders had uncommitted changes (others edit while the bench runs). */
  readonly code?: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  const models = [...new Set(list.map((c) => `${c.model.trim()}${c.speed > 0 ? ` @ ${c.speed} MHz` : ''}`))].join('; ');
  const mosquittoBin = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));
  return {
    cpu: models,
    logicalCpus: list.length,
    nproc: tryText('nproc', []),
    node: process.version,
    os: `${osType()} ${release()}`,
    memoryGB: `${(totalmem() / 2 ** 30).toFixed(1)} GB (${(freemem() / 2 ** 30).toFixed(1)} GB free at start)`,
    loadAtStart: loadavg().map((l) => l.toFixed(2)).join(' / '),
    mosquitto: mosquittoBin === undefined ? 'not installed' : tryText(mosquittoBin, ['-h']).split('\n')[0] ?? 'n/a',
    python: tryText(process.env['BENCH_PYTHON'] ?? 'python3', ['-c', 'import sys; print(sys.version.split()[0], sys.executable)']),
    startedAt: new Date().toISOString(),
    code: describeCode(),
  };
}


export const loadNow = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ');

function describeCode(): string {
  const commit = tryText('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = tryText('git', ['status', '--porcelain', '--', 'packages', 'services', 'simulators', 'src'])
    .split('\n')
    .filter((l) => l.trim() !== '' && l !== 'n/a')
    // Porcelain lines are `XY path`; the first line's leading space is lost to tryText's trim, so split on the status word.
    .map((l) => l.replace(/^\s*\S+\s+/, '').split('/').slice(0, 2).join('/'));
  const folders = [...new Set(dirty)].sort();
  return folders.length === 0 ? `commit ${commit}, clean` : `commit ${commit} plus uncommitted changes in ${folders.join(', ')}`;
}
