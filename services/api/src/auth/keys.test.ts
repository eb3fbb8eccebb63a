import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, KeyFileError, KeyRing } from './keys.ts';

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
});
