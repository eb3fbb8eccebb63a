/**
 * Real services for tests: Mosquitto, InfluxDB 1.x and VictoriaMetrics as child
 * processes on free loopback ports (Debian binaries), else testcontainers when a
 * Docker engine is there, else the suite is skipped with one loud line — except
 * under CI=true, where a missing service fails the run.
 *
 *   const services = await realServices(['mosquitto', 'influxdb']);
 *   describe.skipIf(services.skip)('…', () => {
 *     const running = services.use();          // registers beforeAll/afterAll
 *     it('…', () => running.get('mosquitto').url);
 *   });
 */
import { afterAll, beforeAll } from 'vitest';
import { BINARY_NAMES, startInfluxBinary, startMosquittoBinary, startVictoriaMetricsBinary } from './binaries.ts';
import { dockerAvailable, startContainer } from './containers.ts';
import { findBinary } from './process.ts';
import type { MosquittoOptions, RunningService, ServiceKind } from './types.ts';

export type { MosquittoOptions, RunningService, ServiceKind } from './types.ts';
export { freePort } from './ports.ts';

type Mode = 'binary' | 'container';

export interface ServiceSet<K extends ServiceKind> {
  /** True when a service is missing and this is not CI: the suite should skip. */
  readonly skip: boolean;
  readonly modes: Readonly<Record<K, Mode | 'missing'>>;
  /** Starts every service in beforeAll, stops them in afterAll (also when tests fail). */
  use(options?: { mosquitto?: MosquittoOptions }): { get(kind: K): RunningService };
  /** Starts one service now; the caller stops it. */
  start(kind: K, options?: MosquittoOptions): Promise<RunningService>;
}

let dockerProbe: Promise<boolean> | undefined;

/** How the harness looks for services; replaceable so the skip/fail policy itself can be tested. */
export interface ServiceProbes {
  findBinary(name: string): string | undefined;
  dockerAvailable(): Promise<boolean>;
  ci(): boolean;
}

const realProbes: ServiceProbes = {
  findBinary,
  dockerAvailable: () => (dockerProbe ??= dockerAvailable()),
  ci: isCi,
};

async function modeOf(kind: ServiceKind, probes: ServiceProbes): Promise<Mode | 'missing'> {
  if (probes.findBinary(BINARY_NAMES[kind]) !== undefined) return 'binary';
  return (await probes.dockerAvailable()) ? 'container' : 'missing';
}

export function isCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

async function startService(kind: ServiceKind, mode: Mode, options?: MosquittoOptions): Promise<RunningService> {
  if (mode === 'container') return startContainer(kind, options);
  switch (kind) {
    case 'mosquitto':
      return startMosquittoBinary(options);
    case 'influxdb':
      return startInfluxBinary();
    case 'victoriametrics':
      return startVictoriaMetricsBinary();
  }
}

export async function realServices<K extends ServiceKind>(kinds: readonly K[], probes: ServiceProbes = realProbes): Promise<ServiceSet<K>> {
  const modes = Object.fromEntries(await Promise.all(kinds.map(async (k) => [k, await modeOf(k, probes)] as const))) as Record<K, Mode | 'missing'>;
  const missing = kinds.filter((k) => modes[k] === 'missing');
  if (missing.length > 0) {
    const hint = `install the Debian packages (apt-get install -y mosquitto influxdb victoria-metrics) or start a Docker engine`;
    if (probes.ci()) {
      throw new Error(`CI=true but real services are missing: ${missing.join(', ')} (no binary on PATH, no Docker engine). ${hint}. Tests must not skip them in CI.`);
    }
    console.warn(`\n!!! SKIPPING real-service tests: ${missing.join(', ')} not found (no binary on PATH, no Docker engine); ${hint}.\n`);
  }
  const start = (kind: K, options?: MosquittoOptions): Promise<RunningService> => {
    const mode = modes[kind];
    if (mode === 'missing') throw new Error(`${kind} is not available on this machine`);
    return startService(kind, mode, options);
  };
  return {
    skip: missing.length > 0,
    modes,
    start,
    use(options = {}) {
      const running = new Map<K, RunningService>();
      beforeAll(async () => {
        await Promise.all(kinds.map(async (kind) => running.set(kind, await start(kind, kind === 'mosquitto' ? options.mosquitto : undefined))));
      }, 90_000);
      afterAll(async () => {
        await Promise.all([...running.values()].map((service) => service.stop()));
      }, 30_000);
      return {
        get(kind) {
          const service = running.get(kind);
          if (service === undefined) throw new Error(`${kind} was not started (did beforeAll fail?)`);
          return service;
        },
      };
    },
  };
}
