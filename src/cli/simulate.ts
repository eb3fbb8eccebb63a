import { isScenario, SCENARIOS, SimulatedSession, writeRecording } from '@gaitwatch/runner-sim';
import { parseDurationS } from './duration.ts';

export interface SimulateFlags {
  runners: string;
  duration: string;
  speedup: string;
  scenario: string;
  seed: string;
  mqttUrl?: string;
  out?: string;
  format: 'json' | 'binary';
  rate?: string;
  misalignment?: string;
  fatigueOnset?: string;
}

export class UsageError extends Error {}

function positiveInt(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be an integer 1..${max}, got ${JSON.stringify(text)}`);
  return n;
}

export function sessionOptionsFromFlags(flags: SimulateFlags, runnerIndex: number) {
  if (!isScenario(flags.scenario)) throw new UsageError(`--scenario ${JSON.stringify(flags.scenario)} is not one of ${SCENARIOS.join(', ')}`);
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new UsageError(`--seed must be an integer 0..4294967295, got ${JSON.stringify(flags.seed)}`);
  let durationS: number;
  try {
    durationS = parseDurationS(flags.duration);
  } catch (error) {
    throw new UsageError(`--duration: ${(error as Error).message}`);
  }
  return {
    scenario: flags.scenario,
    durationS,
    seed,
    runnerIndex,
    ...(flags.rate !== undefined ? { sampleRateHz: Number(flags.rate) } : {}),
    ...(flags.misalignment !== undefined ? { maxMisalignmentDeg: Number(flags.misalignment) } : {}),
    ...(flags.fatigueOnset !== undefined ? { fatigueOnsetS: parseDurationS(flags.fatigueOnset) } : {}),
  };
}

export async function simulate(flags: SimulateFlags): Promise<void> {
  const runners = positiveInt('runners', flags.runners, 10_000);
  if ((flags.out === undefined) === (flags.mqttUrl === undefined)) {
    throw new UsageError('give exactly one of --out DIR (recordings) or --mqtt-url URL (live)');
  }
  if (flags.out !== undefined) {
    for (let i = 0; i < runners; i++) {
      const options = sessionOptionsFromFlags(flags, i);
      const session = new SimulatedSession(options);
      const name = `${options.scenario}-s${options.seed}-r${i}`;
      const paths = await writeRecording(session, flags.out, name);
      console.log(`wrote ${paths.csv} (+ .truth.csv, .meta.json)`);
    }
    return;
  }
  throw new UsageError('live publishing (--mqtt-url) is not built yet; use --out DIR');
}
