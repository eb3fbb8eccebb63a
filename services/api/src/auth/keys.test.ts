import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, KeyFileError, KeyRing, pepperCheck, pepperProblem } from './keys.ts';

describe('API keys', () => {
  it('are random, and stored only as a peppered hash', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^gw_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(key);
    const hash = hashApiKey(key, 'pepper');
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hash).not.toContain(key.slice(3));
    expect(hashApiKey(key, 'other-pepper')).not.toBe(hash);
  });

  it('authenticate the right principal, and nothing else', () => {
    const key = generateApiKey();
    const ring = new KeyRing([{ id: 'runner-1', hash: hashApiKey(key, 'p'), role: 'runner', athleteId: 'a1' }], 'p');
    expect(ring.authenticate(key)).toEqual({ id: 'runner-1', role: 'runner', athleteId: 'a1' });
    expect(ring.authenticate(`${key}x`)).toBeNull();
    expect(ring.authenticate(hashApiKey(key, 'p'))).toBeNull();
    // The same file with another pepper knows nobody.
    expect(new KeyRing([{ id: 'runner-1', hash: hashApiKey(key, 'p'), role: 'runner', athleteId: 'a1' }], 'q').authenticate(key)).toBeNull();
  });

  it('refuse a key file with duplicate ids, a plain key for a hash, or a role without its athletes', () => {
    const hash = hashApiKey('gw_x-key-for-tests', '');
    expect(() => new KeyRing([{ id: 'a', hash, role: 'admin' }, { id: 'a', hash: hashApiKey('other-key-1', ''), role: 'admin' }], '')).toThrow(KeyFileError);
    expect(() => KeyRing.fromJson({ keys: [{ id: 'a', hash: 'gw_plaintext', role: 'admin' }] }, '')).toThrow(/keys\.0\.hash/);
    expect(() => KeyRing.fromJson({ keys: [{ id: 'a', hash, role: 'runner' }] }, '')).toThrow(/athleteId/);
    expect(() => KeyRing.fromJson({ keys: [{ id: 'a', hash, role: 'superuser' }] }, '')).toThrow(KeyFileError);
    expect(() => KeyRing.fromJson({ keys: [{ id: 'a', hash, role: 'admin', athleteIds: ['x'] }] }, '')).toThrow(KeyFileError);
  });

  it('refuse to start with keys made under another pepper, naming them, and never print either pepper', () => {
    const made = 'the-pepper-the-keys-were-made-with';
    const other = 'another-pepper-of-32-characters-or-more';
    const entries = [
      { id: 'admin-1', hash: hashApiKey('gw_admin-key-for-tests', made), pepperCheck: pepperCheck(made), role: 'admin' as const },
      { id: 'coach-1', hash: hashApiKey('gw_coach-key-for-tests', made), pepperCheck: pepperCheck(made), role: 'coach' as const, athleteIds: ['r1'] },
      // Written before pepperCheck existed: cannot be checked, so it is taken as it is.
      { id: 'runner-1', hash: hashApiKey('gw_runner-key-for-tests', made), role: 'runner' as const, athleteId: 'r1' },
    ];
    expect(new KeyRing(entries, made).authenticate('gw_coach-key-for-tests')).toEqual({ id: 'coach-1', role: 'coach', athleteIds: ['r1'] });
    let message = '';
    try {
      KeyRing.fromJson({ keys: entries }, other);
    } catch (error) {
      expect(error).toBeInstanceOf(KeyFileError);
      message = (error as Error).message;
    }
    expect(message).toContain('API keys "admin-1", "coach-1" were made with another API_KEY_PEPPER');
    expect(message).not.toContain('runner-1');
    expect(message).not.toContain(made);
    expect(message).not.toContain(other);
    expect(() => KeyRing.fromJson({ keys: [{ ...entries[0], pepperCheck: 'ABCD1234' }] }, made)).toThrow(/keys\.0\.pepperCheck: must be 8 lowercase hex digits/);
    expect(pepperCheck(made)).toMatch(/^[0-9a-f]{8}$/);
    expect(pepperCheck(made)).not.toBe(pepperCheck(other));
  });

  it('take a pepper of 32 characters or more, and say what is wrong with others', () => {
    expect(pepperProblem(undefined)).toMatch(/^required/);
    expect(pepperProblem('')).toMatch(/^required/);
    expect(pepperProblem('x'.repeat(31))).toMatch(/at least 32 characters \(it is 31\)/);
    expect(pepperProblem('x'.repeat(32))).toBeNull();
  });
});
