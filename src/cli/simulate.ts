import { isScenario, runFleetParallel, SCENARIOS, SimulatedSession, writeRecording, type FleetOptions, type FleetProgress } from '@gaitwatch/runner-sim';
import { checkBroker, withBrokerErrors } from './broker-check.ts';
import { parseDurationS } from './duration.ts';
import { UsageError } from './errors.ts';

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
  loss?: string;
  duplicate?: string;
  reorder?: string;
  disconnectAt?: string;
  disconnectFor?: string;
  clockOffsetMs?: string;
  samplesPerMessage?: string;
}


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
  const speedup = Number(flags.speedup);
  if (!(speedup > 0 && speedup <= 1000)) throw new UsageError(`--speedup must be in (0, 1000], got ${JSON.stringify(flags.speedup)}`);
  const rate = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const p = Number(text);
    if (!(p >= 0 && p <= 1)) throw new UsageError(`--${name} must be a probability 0..1, got ${JSON.stringify(text)}`);
    return p;
  };
  const base = sessionOptionsFromFlags(flags, 0);
  const { MQTT_USERNAME: username, MQTT_PASSWORD: password } = process.env;
  const login = {
    username,
    password,
    which:
      `one login for every runner, which publishes as athlete sim-${base.seed}-<n>: the broker must allow it; ` +
      "gaitwatch start's broker has logins for its demo athletes only: use gaitwatch replay with one of them there",
  };
  const offsetMs = flags.clockOffsetMs === undefined ? undefined : Number(flags.clockOffsetMs);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const tty = process.stderr.isTTY;
  const options: FleetOptions = {
    mqttUrl: flags.mqttUrl!,
    runners,
    session: base,
    format: flags.format,
    speedup,
    signal: abort.signal,
    ...(username !== undefined ? { username, password: password ?? '' } : {}),
    ...(flags.samplesPerMessage !== undefined ? { samplesPerMessage: positiveInt('samples-per-message', flags.samplesPerMessage, 20) } : {}),
    ...(offsetMs !== undefined ? { clockOffsetUs: { shank_right: Math.round(offsetMs * 1000) } } : {}),
    faults: {
      ...(rate('loss', flags.loss) !== undefined ? { lossRate: rate('loss', flags.loss)! } : {}),
      ...(rate('duplicate', flags.duplicate) !== undefined ? { duplicateRate: rate('duplicate', flags.duplicate)! } : {}),
      ...(rate('reorder', flags.reorder) !== undefined ? { reorderRate: rate('reorder', flags.reorder)! } : {}),
      ...(flags.disconnectAt !== undefined ? { disconnectAtS: parseDurationS(flags.disconnectAt) } : {}),
      ...(flags.disconnectFor !== undefined ? { disconnectForS: parseDurationS(flags.disconnectFor) } : {}),
    },
    ...(tty ? { onProgress: (p: FleetProgress) => process.stderr.write(`\r${progressLine(p)}   `) } : {}),
  };
  await checkBroker(options.mqttUrl, login);
  const result = await withBrokerErrors(options.mqttUrl, login, () => runFleetParallel(options));
  if (tty) process.stderr.write('\n');
  console.log(progressLine(result));
  const errors = result.relays.flatMap((r) => r.stats.errors.map((e) => `${r.athleteId}/${r.sessionId}: ${e}`));
  if (errors.length > 0) {
    console.error(`gaitwatch simulate: ${errors.length} publish error(s), first: ${errors[0]}`);
    process.exitCode = 1;
  }
}

export function progressLine(p: FleetProgress): string {
  return (
    `runners ${p.runnersActive} active, ${p.runnersDone}/${p.runnersTotal} done · ` +
    `messages ${p.messagesSent} sent, ${p.messagesAcked} acked · ` +
    `elapsed ${p.elapsedS.toFixed(0)} s, simulated ${p.simulatedS.toFixed(0)} s · ` +
    `tick gap mean ${p.meanTickGapMs.toFixed(1)} ms, max ${p.maxTickGapMs.toFixed(0)} ms`
  );
}
