import { ApiConfigError, generateApiKey, hashApiKey, KeyFileError, loadApiConfig, pepperCheck, pepperProblem, ROLES, startApi, type KeyEntry, type Role } from '@gaitwatch/api';
import { isValidId } from '@gaitwatch/protocol';
import { UsageError } from './errors.ts';
import { runUntilSignal } from './run-until-signal.ts';

export interface ApiFlags {
  createKey?: boolean;
  role?: string;
  athlete?: string;
  id?: string;
  identified?: boolean;
}

/**
 * `gaitwatch api --create-key --role R [--athlete A[,B…]] [--id NAME] [--identified]`: a new
 * random key on stdout's first line (give it to its holder; it is shown once)
 * and, on the second, the JSON entry to add to API_KEYS_FILE's `keys` (hashed
 * with API_KEY_PEPPER from the environment, so use the server's pepper; the
 * entry's `pepperCheck` lets the server say so when it has another one).
 */
function createKey(flags: ApiFlags): void {
  const role = flags.role as Role | undefined;
  if (role === undefined || !ROLES.includes(role)) throw new UsageError(`--create-key needs --role ${ROLES.join(' | ')}`);
  const athletes = (flags.athlete ?? '').split(',').filter((a) => a !== '');
  for (const a of athletes) if (!isValidId(a)) throw new UsageError(`--athlete "${a}" is not a valid id`);
  if (role === 'runner' && athletes.length !== 1) throw new UsageError('a runner key needs exactly one --athlete');
  if (role !== 'runner' && role !== 'coach' && athletes.length > 0) throw new UsageError(`a ${role} key sees every athlete: drop --athlete`);
  const id = flags.id ?? `${role}-${Date.now().toString(36)}`;
  if (!isValidId(id)) throw new UsageError(`--id "${id}" is not a valid id`);
  if (flags.identified === true && role !== 'researcher') throw new UsageError('--identified is a grant for researcher keys (the others see athlete ids anyway)');
  const pepper = process.env['API_KEY_PEPPER'];
  const problem = pepperProblem(pepper);
  // A key hashed with no or a guessable pepper would be refused by the server (or weaken it): say so now.
  if (problem !== null) throw new UsageError(`API_KEY_PEPPER: ${problem}; use the API server's pepper`);
  const key = generateApiKey();
  const hash = hashApiKey(key, pepper!);
  const check = pepperCheck(pepper!);
  const entry: KeyEntry =
    role === 'runner'
      ? { id, hash, pepperCheck: check, role, athleteId: athletes[0]! }
      : role === 'coach'
        ? { id, hash, pepperCheck: check, role, athleteIds: athletes }
        : role === 'researcher'
          ? { id, hash, pepperCheck: check, role, ...(flags.identified === true ? { identified: true } : {}) }
          : { id, hash, pepperCheck: check, role };
  console.log(key);
  console.log(JSON.stringify(entry));
}

/**
 * `gaitwatch api`: the API from environment variables (services/api/README.md).
 * Runs until SIGTERM or SIGINT, then stops taking requests, finishes the ones
 * in flight, closes the store and exits 0. A bad configuration or key file
 * exits 2 with one line per problem.
 */
export async function api(flags: ApiFlags): Promise<void> {
  if (flags.createKey === true) return createKey(flags);
  let config;
  try {
    config = loadApiConfig(process.env);
  } catch (error) {
    if (error instanceof ApiConfigError) throw new UsageError(error.message);
    throw error;
  }
  let running;
  try {
    running = await startApi(config);
  } catch (error) {
    if (error instanceof KeyFileError || error instanceof ApiConfigError) throw new UsageError(error.message);
    throw error;
  }
  const service = running;
  await runUntilSignal(service);
}
