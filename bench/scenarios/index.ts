/** Every scenario, in the order `pnpm bench` runs them (the order of figures). */
import type { ScenarioResult } from '../lib/result.ts';
import type { ScenarioOptions } from '../lib/scenario.ts';
import { analyzeCli } from './analyze-cli.ts';
import { dashboard } from './dashboard.ts';
import { hotPath } from './hot-path.ts';
import { influx } from './influx.ts';
import { ingest } from './ingest.ts';
import { latency } from './latency.ts';
import { memory } from './memory.ts';
import { storeScenario } from './store.ts';

export interface Scenario {
  readonly name: string;
  /** What it measures, for --help. */
  readonly summary: string;
  readonly run: (options: ScenarioOptions) => Promise<ScenarioResult>;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'hot-path', summary: 'analysis pipeline on one core, 1 and 1,000 sessions, vs a bare biquad cascade and scipy sosfilt; memory per warm session', run: hotPath },
  { name: 'analyze-cli', summary: '`gaitwatch analyze` of a one-hour recording: wall, start-up, parsing, analysis; vs a plain line split and numpy loadtxt + sosfiltfilt', run: analyzeCli },
  { name: 'ingest', summary: 'ingest capacity (msg/s, zero loss) and latency p50/p99 through a real Mosquitto with the LocalStore, vs a plain mqtt.js pub→sub pair', run: ingest },
  { name: 'latency', summary: 'runner-felt latency in data time: true foot contact → its stride emitted, alert → emitted (the release delay), vs contact → toe-off + one message', run: latency },
  { name: 'memory', summary: 'marginal RSS and heap + arrayBuffers per warm session at 1,000 and 10,000 sessions, each size in a child process', run: memory },
  { name: 'store', summary: 'LocalStore strides/s vs a bare better-sqlite3 insert loop', run: storeScenario },
  { name: 'influx', summary: 'InfluxStore points/s with raw IMU on into a real influxd vs a plain batched /write of the same line protocol; spool replay rate after an outage', run: influx },
  { name: 'dashboard', summary: 'first render of a one-hour session review in headless Chromium against the real API and a seeded store, vs the same API data fetched in the page', run: dashboard },
];
