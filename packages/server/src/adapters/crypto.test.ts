import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretDecryptError } from './crypto';

describe('secret box (AES-256-GCM)', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips a secret and never stores it in clear', () => {
    const sealed = box.seal('EAAG-super-secret-token', 'channel:1:accessToken');
    expect(sealed).not.toContain('super-secret');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed, 'channel:1:accessToken')).toBe('EAAG-super-secret-token');
  });

  it('uses a fresh IV: the same secret seals differently every time', () => {
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('refuses a tampered ciphertext (auth tag)', () => {
    const sealed = box.seal('secret', 'c');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => box.open(parts.join('.'), 'c')).toThrow(SecretDecryptError);
  });

  it('refuses a value moved to another channel or field (bound context)', () => {
    const sealed = box.seal('secret', 'channel:1:appSecret');
    expect(() => box.open(sealed, 'channel:2:appSecret')).toThrow(SecretDecryptError);
  });

  it('refuses another key, without echoing the ciphertext', () => {
    const sealed = box.seal('secret', 'c');
    try {
      createSecretBox(randomBytes(32)).open(sealed, 'c');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain(sealed.split('.')[3]!);
    }
  });
});
