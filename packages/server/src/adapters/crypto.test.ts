import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDeliveryRefs, createSecretBox, SecretDecryptError } from './crypto';
import { deliveryIdFor } from './storage/delivery-store';
import { MESSAGE_LIMITS } from '@wareach/core';

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

  it('never uses an IV twice (they are cut from a pool of random bytes, refilled past its end)', () => {
    const ivs = new Set(Array.from({ length: 2000 }, () => box.seal('x', 'c').split('.')[1]));
    expect(ivs.size).toBe(2000);
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

describe('delivery references in biz_opaque_callback_data', () => {
  const refs = createDeliveryRefs(createSecretBox(randomBytes(32)));
  const id = deliveryIdFor('task-1', 'task-1:r1', 'customer-42@example.com');

  it('seal the delivery id: the recipient in it is not readable by Meta, and it comes back whole', () => {
    const ref = refs.toCallback(id);
    expect(ref).not.toContain('customer-42');
    expect(ref.length).toBeLessThanOrEqual(MESSAGE_LIMITS.bizOpaqueCallbackData);
    expect(refs.fromCallback(ref)).toBe(id);
  });

  it("fit Meta's 512 characters for the longest recipient (a 128-character one-ID and an event number)", () => {
    const long = deliveryIdFor('t'.repeat(40), 'r'.repeat(60), `${'u'.repeat(128)}#1000000`);
    expect(refs.toCallback(long).length).toBeLessThanOrEqual(MESSAGE_LIMITS.bizOpaqueCallbackData);
  });

  it('name nothing for a value that is not ours, tampered or sealed under another key; read a bare id of an older send', () => {
    const ref = refs.toCallback(id);
    expect(refs.fromCallback(ref.slice(0, -2) + (ref.endsWith('AA') ? 'BB' : 'AA'))).toBeUndefined();
    expect(refs.fromCallback(createDeliveryRefs(createSecretBox(randomBytes(32))).toCallback(id))).toBeUndefined();
    expect(refs.fromCallback('test-send:abc')).toBeUndefined();
    expect(refs.fromCallback('d.garbage')).toBeUndefined();
    expect(refs.fromCallback(id)).toBe(id);
  });

  it("a run's delivery ids sort as its recipients do (the id index is written in order)", () => {
    const recipients = ['u001', 'u002', 'u010', 'u100'];
    const ids = recipients.map((r) => deliveryIdFor('t', 't:r1', r));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(recipients.map((r) => deliveryIdFor('t', 't:r2', r))).size).toBe(4);
    expect(deliveryIdFor('t', 't:r2', 'u001')).not.toBe(ids[0]);
  });
});
