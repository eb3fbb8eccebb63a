/** Every scenario, in the order `pnpm bench` runs them (the order of figures). */
import type { ScenarioResult } from '../lib/result.ts';
import type { ScenarioOptions } from '../lib/scenario.ts';
import { analyzeCli } from './analyze-cli.ts';
import { hotPath } from './hot-path.ts';
import { ingest } from './ingest.ts';
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
  { name: 'store', summary: 'LocalStore strides/s vs a bare better-sqlite3 insert loop', run: storeScenario },
];
