import { resolve } from 'node:path';
import { ConfigError } from '@gaitwatch/ingest';
import { ApiConfigError } from '@gaitwatch/api';
import { DEMO_HISTORY_ATHLETE, startGaitwatch } from '../start/index.ts';
import { UsageError } from './errors.ts';
import { runUntilSignal } from './run-until-signal.ts';

export interface StartFlags {
  /** commander's `--no-sim`: false when given. */
  sim: boolean;
}

function port(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new UsageError(`${name} must be a port number 0–65535 (0: any free port), got "${text}"`);
  return n;
}

/**
 * `gaitwatch start`: everything in one process (src/start). Prints what runs
 * where, then the one stable line scripts wait for:
 *   gaitwatch ready: dashboard http://127.0.0.1:<port>/ token <token>
 * Runs until Ctrl-C / SIGTERM, then stops cleanly; the data stays in DATA_DIR.
 */
export async function start(flags: StartFlags): Promise<void> {
  const dataDir = resolve(process.env['DATA_DIR'] ?? '.gw-data');
  let running;
  try {
    running = await startGaitwatch({
      dataDir,
      apiPort: port('API_PORT', process.env['API_PORT'], 8080),
      mqttPort: port('MQTT_PORT', process.env['MQTT_PORT'], 1883),
      sim: flags.sim,
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ApiConfigError) throw new UsageError(error.message);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`a port is in use (${(error as Error).message}): set API_PORT / MQTT_PORT to free ones (0 picks any), or stop the other gaitwatch`);
    }
    throw error;
  }
  const { broker, fleet } = running;
  console.log(`gaitwatch start: data in ${dataDir} (secrets: ${running.secretsPath})`);
  console.log(broker !== undefined ? `  broker   ${running.mqttUrl} (embedded; device logins: username = athlete id, passwords in the secrets file)` : `  broker   ${running.mqttUrl}`);
  console.log(`  store    ${running.ingest.store.kind}`);
  console.log(`  api      ${running.apiUrl}/v1  (OpenAPI: ${running.apiUrl}/docs)`);
  console.log(`  runners  ${fleet !== undefined ? 'demo-ana (hips tire early), demo-ben (steady), demo-cleo (weak side): live, simulated' : 'none (--no-sim)'}`);
  if (fleet !== undefined) console.log(`  history  ${DEMO_HISTORY_ATHLETE} (back from ITB pain): six past weeks of runs, simulated, for the Return-to-run view`);
  console.log(`gaitwatch ready: dashboard ${running.dashboardUrl} token ${running.token}`);
  await runUntilSignal(running);
}
