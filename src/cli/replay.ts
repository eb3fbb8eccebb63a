import { access } from 'node:fs/promises';
import { isValidId } from '@gaitwatch/protocol';
import { replayRecording } from '@gaitwatch/runner-sim';
import { checkBroker, withBrokerErrors } from './broker-check.ts';
import { UsageError } from './errors.ts';

export interface ReplayFlags {
  mqttUrl: string;
  athlete: string;
  session: string;
  speedup: string;
  format: 'json' | 'binary';
}

export async function replay(file: string, flags: ReplayFlags): Promise<void> {
  try {
    await access(file);
  } catch {
    throw new UsageError(`cannot read ${file}: no such file`);
  }
  for (const [name, id] of [['athlete', flags.athlete], ['session', flags.session]] as const) {
    if (!isValidId(id)) throw new UsageError(`--${name} ${JSON.stringify(id)} is not a valid id: use 1–64 of A–Z a–z 0–9 _ . - starting with a letter or digit`);
  }
  const speedup = Number(flags.speedup);
  if (!(speedup > 0 && speedup <= 10_000)) throw new UsageError(`--speedup must be in (0, 10000], got ${JSON.stringify(flags.speedup)}`);
  const { MQTT_USERNAME: username, MQTT_PASSWORD: password } = process.env;
  // A device's broker user is its athlete id (deploy/mosquitto/acl; gaitwatch start's broker: src/start/secrets.ts).
  const login = { username, password, which: `athlete ${flags.athlete}'s device login: user ${flags.athlete}, and with gaitwatch start its password under mqtt.devices in DATA_DIR/start-secrets.json` };
  await checkBroker(flags.mqttUrl, login);
  const result = await withBrokerErrors(flags.mqttUrl, login, () =>
    replayRecording(file, {
      mqttUrl: flags.mqttUrl,
      athleteId: flags.athlete,
      sessionId: flags.session,
      format: flags.format,
      speedup,
      ...(username !== undefined ? { username, password: password ?? '' } : {}),
    }),
  );
  console.log(`replayed ${result.samples} samples in ${result.frames} frames to ${flags.athlete}/${flags.session}`);
  if (result.parseErrorCount > 0) console.error(`gaitwatch replay: skipped ${result.parseErrorCount} bad line(s) (first: line ${result.parseErrors[0]!.line}: ${result.parseErrors[0]!.message})`);
}
