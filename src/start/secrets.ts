import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirSync } from '@gaitwatch/storage';
import { generateApiKey, hashApiKey, pepperCheck, type KeyEntry } from '@gaitwatch/api';
import { z } from 'zod';

/**
 * The all-in-one start's own secrets, made on the first start and kept in
 * DATA_DIR (file mode 0600) so a restart keeps the same dashboard token and
 * device passwords: the API key pepper, an admin key, a coach key for the
 * demo roster, a runner key per demo athlete, and the MQTT passwords of the
 * services and the demo devices. A deployment makes its own instead
 * (deploy/README.md); nothing here is ever logged.
 */
const SecretsSchema = z.object({
  version: z.literal(1),
  apiKeyPepper: z.string().min(32),
  keys: z.object({ admin: z.string(), coach: z.string(), runners: z.record(z.string(), z.string()) }),
  mqtt: z.object({ ingest: z.string(), api: z.string(), devices: z.record(z.string(), z.string()) }),
});
export type StartSecrets = z.infer<typeof SecretsSchema>;

const FILE = 'start-secrets.json';
const password = (): string => randomBytes(24).toString('base64url');

/** Reads the secrets from `dataDir`, adding whatever is missing for `athleteIds` (and creating the file the first time). */
export async function loadOrCreateSecrets(dataDir: string, athleteIds: readonly string[]): Promise<{ secrets: StartSecrets; path: string }> {
  // Owner-only when made here: it will hold the store and the secrets (LocalStore's ownerOnly says why).
  makeDirSync(dataDir, 0o700);
  const path = join(dataDir, FILE);
  let secrets: StartSecrets;
  let changed = false;
  try {
    const parsed = SecretsSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success) throw new Error(`${path} is not a gaitwatch start secrets file (${parsed.error.issues[0]?.message ?? 'invalid'}); move it away to start afresh`);
    secrets = parsed.data;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    secrets = { version: 1, apiKeyPepper: randomBytes(32).toString('base64url'), keys: { admin: generateApiKey(), coach: generateApiKey(), runners: {} }, mqtt: { ingest: password(), api: password(), devices: {} } };
    changed = true;
  }
  for (const id of athleteIds) {
    if (secrets.keys.runners[id] === undefined) {
      secrets.keys.runners[id] = generateApiKey();
      changed = true;
    }
    if (secrets.mqtt.devices[id] === undefined) {
      secrets.mqtt.devices[id] = password();
      changed = true;
    }
  }
  if (changed) await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  // Also when the file existed with looser permissions (copied around): secrets stay owner-only.
  await chmod(path, 0o600);
  return { secrets, path };
}

/** The API key file (hashes only) for the secrets: admin, the coach of every demo athlete, one runner per athlete. */
export function keyEntries(secrets: StartSecrets): KeyEntry[] {
  const pepper = secrets.apiKeyPepper;
  const athletes = Object.keys(secrets.keys.runners);
  const check = pepperCheck(pepper);
  return [
    { id: 'start-admin', hash: hashApiKey(secrets.keys.admin, pepper), pepperCheck: check, role: 'admin' },
    { id: 'start-coach', hash: hashApiKey(secrets.keys.coach, pepper), pepperCheck: check, role: 'coach', athleteIds: athletes },
    ...athletes.map((athleteId): KeyEntry => ({ id: `start-runner-${athleteId}`.slice(0, 64), hash: hashApiKey(secrets.keys.runners[athleteId]!, pepper), pepperCheck: check, role: 'runner', athleteId })),
  ];
}
