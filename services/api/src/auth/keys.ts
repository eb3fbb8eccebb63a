/**
 * API keys, stored hashed (services/api/README.md "API keys").
 *
 * A key is 32 random bytes (base64url, prefix `gw_`). The server keeps only
 * `sha256:` + hex(HMAC-SHA-256(pepper, key)): the key file alone does not
 * let anyone call the API, and with a pepper (API_KEY_PEPPER, kept out of the
 * file) it does not even let anyone test guesses offline. A fast hash is
 * enough because keys are random with 256 bits of entropy, not passwords:
 * scrypt would cost ~50 ms of CPU on every request and buy nothing here.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ID_PATTERN } from '@gaitwatch/protocol';
import { z } from 'zod';
import type { Principal } from './principal.ts';

const HASH_PREFIX = 'sha256:';

export function hashApiKey(key: string, pepper: string): string {
  return HASH_PREFIX + createHmac('sha256', pepper).update(key, 'utf8').digest('hex');
}

/**
 * The shortest pepper the API and `--create-key` accept. The pepper is what
 * keeps the pseudonyms in researcher exports from being recomputed by anyone
 * holding a list of athlete ids, so it must be a secret nobody can guess:
 * 32 characters of `openssl rand -base64 32` carry ~190 bits.
 */
export const MIN_PEPPER_CHARS = 32;

/** What is wrong with a pepper, or null when it will do (one line, never the pepper itself). */
export function pepperProblem(pepper: string | undefined): string | null {
  if (pepper === undefined || pepper === '') return `required: a random secret of at least ${MIN_PEPPER_CHARS} characters (e.g. \`openssl rand -base64 32\`), kept out of the key file`;
  if (pepper.length < MIN_PEPPER_CHARS) return `must be at least ${MIN_PEPPER_CHARS} characters (it is ${pepper.length}): a short pepper lets anyone with a list of athlete ids undo export pseudonyms`;
  return null;
}

/**
 * A short fingerprint of the pepper (8 hex digits of an HMAC under it),
 * stored beside each hash by `--create-key` so that a server started with
 * another pepper says so instead of answering 401 to every key. 32 bits of a
 * ≥190-bit secret's HMAC tell nothing usable about it.
 */
export function pepperCheck(pepper: string): string {
  return createHmac('sha256', pepper).update('gaitwatch:pepper-check', 'utf8').digest('hex').slice(0, 8);
}

/** A new random key: give it to its holder once, store only its hash. */
export function generateApiKey(): string {
  return `gw_${randomBytes(32).toString('base64url')}`;
}

const Id = z.string().regex(ID_PATTERN, 'must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}');
const Hash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" and 64 lowercase hex digits (see `gaitwatch api --create-key`)');
// Optional: entries written before the check existed, or by hand, have none.
const PepperCheck = z.string().regex(/^[0-9a-f]{8}$/, 'must be 8 lowercase hex digits, as `gaitwatch api --create-key` writes it').optional();

const KeyEntrySchema = z.discriminatedUnion('role', [
  z.object({ id: Id, hash: Hash, pepperCheck: PepperCheck, role: z.literal('runner'), athleteId: Id }).strict(),
  z.object({ id: Id, hash: Hash, pepperCheck: PepperCheck, role: z.literal('coach'), athleteIds: z.array(Id) }).strict(),
  // `identified`: an admin's grant to see real athlete ids in exports (default: pseudonyms).
  z.object({ id: Id, hash: Hash, pepperCheck: PepperCheck, role: z.literal('researcher'), identified: z.boolean().optional() }).strict(),
  z.object({ id: Id, hash: Hash, pepperCheck: PepperCheck, role: z.literal('admin') }).strict(),
]);
export type KeyEntry = z.infer<typeof KeyEntrySchema>;

export const KeyFileSchema = z.object({ keys: z.array(KeyEntrySchema) }).strict();
export type KeyFile = z.infer<typeof KeyFileSchema>;

/** A key file the server cannot use: says which entry and field, never a key or hash. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

/** The principals the server knows, looked up by the hash of the presented key. */
export class KeyRing {
  private readonly byHash = new Map<string, Principal>();

  constructor(
    entries: readonly KeyEntry[],
    private readonly pepper: string,
  ) {
    const ids = new Set<string>();
    const ours = pepperCheck(pepper);
    const otherPepper: string[] = [];
    for (const entry of entries) {
      if (ids.has(entry.id)) throw new KeyFileError(`key id "${entry.id}" appears twice`);
      if (this.byHash.has(entry.hash)) throw new KeyFileError(`key "${entry.id}" has the same hash as another key`);
      ids.add(entry.id);
      if (entry.pepperCheck !== undefined && entry.pepperCheck !== ours) otherPepper.push(entry.id);
      const { hash, pepperCheck: _check, ...principal } = entry;
      this.byHash.set(hash, principal);
    }
    if (otherPepper.length > 0) {
      // Refuse rather than start: every one of these keys would get 401 with nothing saying why.
      throw new KeyFileError(
        `API key${otherPepper.length > 1 ? 's' : ''} ${otherPepper.map((id) => `"${id}"`).join(', ')} ${otherPepper.length > 1 ? 'were' : 'was'} made with another API_KEY_PEPPER ` +
          `(pepperCheck in the key file ≠ ${ours}, this pepper's): start the API with the pepper the keys were made with, or make them again with \`gaitwatch api --create-key\``,
      );
    }
  }

  get size(): number {
    return this.byHash.size;
  }

  /**
   * A stable pseudonym for an athlete id, `anon-` and 16 hex digits of
   * HMAC-SHA-256 under the pepper: the same athlete always gets the same one
   * (a researcher can follow an athlete across sessions) and without the
   * pepper it cannot be reversed by hashing candidate ids.
   */
  pseudonym(athleteId: string): string {
    return `anon-${createHmac('sha256', this.pepper).update(`athlete-pseudonym:${athleteId}`, 'utf8').digest('hex').slice(0, 16)}`;
  }

  /** The principal of a key by its id (not its secret), or null: e.g. a coach's roster for an admin's digest. */
  principalById(id: string): Principal | null {
    for (const principal of this.byHash.values()) if (principal.id === id) return principal;
    return null;
  }

  /** The principal of a presented key, or null for an unknown one. */
  authenticate(key: string): Principal | null {
    // Keys are ASCII of bounded length; anything else is not one of ours (and not worth hashing).
    if (key.length < 8 || key.length > 200) return null;
    return this.byHash.get(hashApiKey(key, this.pepper)) ?? null;
  }

  static fromJson(json: unknown, pepper: string): KeyRing {
    const parsed = KeyFileSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
      throw new KeyFileError(`invalid API key file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    return new KeyRing(parsed.data.keys, pepper);
  }

  static fromFile(path: string, pepper: string): KeyRing {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new KeyFileError(`cannot read API key file ${path}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new KeyFileError(`API key file ${path} is not JSON: ${(error as Error).message}`);
    }
    return KeyRing.fromJson(json, pepper);
  }
}
