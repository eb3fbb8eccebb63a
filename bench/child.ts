/**
 * Runs one scenario in this process and prints its result as one marked JSON
 * line: bench/run.ts starts one child per scenario (a fresh heap and JIT each,
 * with --expose-gc for the memory figures).
 *
 *   node --expose-gc bin/run-ts.mjs bench/child.ts NAME [--quick] [--runs N] [--out FILE]
 */
import { runScenarioMain } from './lib/scenario.ts';
import { SCENARIOS } from './scenarios/index.ts';

const name = process.argv[2];
const scenario = SCENARIOS.find((s) => s.name === name);
if (scenario === undefined) {
  console.error(`unknown scenario ${name ?? '(none)'}; one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
await runScenarioMain(scenario.run);
