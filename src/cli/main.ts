import { Option } from 'commander';
import { addAnalyzeCommand } from './analyze-command.ts';
import type { ApiFlags } from './api.ts';
import { runOrExit } from './errors.ts';
import { newProgram } from './program.ts';
import type { ReplayFlags } from './replay.ts';
import type { SimulateFlags } from './simulate.ts';
import type { StartFlags } from './start.ts';

// Each command's module is imported inside its action, never here: a static
// import of all of them made `gaitwatch analyze` load (and tsx transpile) the
// API, ingest, the broker and the InfluxDB client on every start, about a
// second of a short run's wall time. Only commander and errors.ts load eagerly
// (and `analyze` alone usually runs from a bundle: bin/cli-bundle.mjs).

const program = newProgram();

program
  .command('start')
  .description('all-in-one on the embedded default: broker, local store, ingest, API + dashboard, simulated runners (env: DATA_DIR, API_PORT, MQTT_PORT, or MQTT_URL / INFLUX_* for real services)')
  .option('--no-sim', 'no simulated runners and no demo history (real phones or `gaitwatch simulate` publish instead)')
  .action(async (flags: StartFlags) => runOrExit(async () => (await import('./start.ts')).start(flags)));

program
  .command('demo')
  .description('simulate a runner whose form breaks down and show what happens, minute by minute (no services needed)')
  .action(async () => runOrExit(async () => (await import('./demo.ts')).demo()));

program
  .command('ingest')
  .description('the ingest service (env: MQTT_URL, INFLUX_* or DATA_DIR; see services/ingest/README.md)')
  .action(async () => runOrExit(async () => (await import('./ingest.ts')).ingest()));

program
  .command('api')
  .description('the API and the dashboard it serves at / (env: API_PORT, INFLUX_* or DATA_DIR, API_KEYS_FILE; see services/api/README.md)')
  .option('--create-key', 'print a new API key and its hashed entry for API_KEYS_FILE, then exit')
  .option('--role <role>', 'with --create-key: runner | coach | researcher | admin')
  .option('--athlete <ids>', "with --create-key: the runner's athlete id, or a coach's roster (comma-separated)")
  .option('--id <name>', 'with --create-key: the key\'s name in the file (default: role and time)')
  .option('--identified', 'with --create-key --role researcher: an admin\'s grant to see real athlete ids in exports (default: pseudonyms)')
  .action(async (flags: ApiFlags) => runOrExit(async () => (await import('./api.ts')).api(flags)));

program
  .command('simulate')
  .description('simulated runners, live to a broker or to recording files with ground truth')
  .option('--runners <n>', 'number of runners', '1')
  .option('--duration <d>', 'running time per runner, e.g. 90s, 10m, 1h', '10m')
  .option('--speedup <x>', 'simulated seconds per wall-clock second (live mode)', '1')
  .option('--scenario <name>', 'steady | itb-fatigue | weak-side | return-to-run | sensor-faults | screen-squat | screen-step-down (a movement screen: reps, no running)', 'steady')
  .option('--seed <s>', 'seed: the same seed gives the same output bit for bit', '1')
  .option('--mqtt-url <url>', 'publish live to this broker (login: env MQTT_USERNAME, MQTT_PASSWORD)')
  .option('--out <dir>', 'write recordings (<name>.csv, .truth.csv, .meta.json) here')
  .addOption(new Option('--format <f>', 'IMU payload format').choices(['json', 'binary']).default('binary'))
  .option('--rate <hz>', 'device sample rate, Hz (50–1000)', '200')
  .option('--misalignment <deg>', 'largest sensor mounting misalignment, degrees', '10')
  .option('--fatigue-onset <d>', 'itb-fatigue: onset time (default ~3 miles in, or half-way in a shorter run)')
  .option('--samples-per-message <n>', 'live: samples per sensor per message (1–20)', '15')
  .option('--loss <p>', 'live: probability that an IMU message is lost')
  .option('--duplicate <p>', 'live: probability that an IMU message is sent twice')
  .option('--reorder <p>', 'live: probability that a message arrives after the next one of its sensor')
  .option('--disconnect-at <d>', 'live: drop the connection at this session time; the backlog is flushed on reconnect')
  .option('--disconnect-for <d>', 'live: how long the connection stays down', '5s')
  .option('--clock-offset-ms <ms>', 'live: offset of shank_right timestamps against the other sensors')
  .addHelpText(
    'after',
    [
      '',
      'Environment (live):',
      '  MQTT_USERNAME  the broker login, the same for every runner; runner n',
      '  MQTT_PASSWORD  publishes as athlete sim-<seed>-<n>, so the broker must',
      "                 allow that (gaitwatch start's broker knows its demo",
      '                 athletes only: use gaitwatch replay there); unset: no login.',
    ].join('\n'),
  )
  .action(async (flags: SimulateFlags) => runOrExit(async () => (await import('./simulate.ts')).simulate(flags)));

addAnalyzeCommand(program);

program
  .command('replay')
  .description('publish a recording as a live session, in the MQTT contract format')
  .argument('<file>', 'recording CSV')
  .requiredOption('--mqtt-url <url>', 'broker to publish to (login: env MQTT_USERNAME, MQTT_PASSWORD)')
  .requiredOption('--athlete <id>', 'athlete id')
  .requiredOption('--session <id>', 'session id')
  .option('--speedup <x>', 'recording seconds per wall-clock second', '1')
  .addOption(new Option('--format <f>', 'IMU payload format').choices(['json', 'binary']).default('binary'))
  .addHelpText(
    'after',
    [
      '',
      'Environment:',
      "  MQTT_USERNAME  the broker login: the athlete's device login (gaitwatch",
      '  MQTT_PASSWORD  start: the athlete id, and its password under mqtt.devices',
      '                 in DATA_DIR/start-secrets.json); unset: no login. Never',
      '                 a flag, so a password stays out of ps and shell history.',
    ].join('\n'),
  )
  .action(async (file: string, flags: ReplayFlags) => runOrExit(async () => (await import('./replay.ts')).replay(file, flags)));

await program.parseAsync(process.argv);
