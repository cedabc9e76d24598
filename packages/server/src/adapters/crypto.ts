import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (channel access tokens, app secrets, verify tokens): AES-256-GCM under the configured
 * 32-byte key, a fresh random 96-bit IV per value and the 128-bit auth tag, so a changed or swapped
 * ciphertext fails to decrypt instead of yielding garbage. `context` is bound as additional
 * authenticated data (e.g. `channel:<id>:access_token`): a value copied into another row or field does
 * not decrypt there.
 *
 * Stored form: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. The version prefix leaves room for key
 * rotation without guessing at old rows.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

const VERSION = 'v1';

export class SecretDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptError';
  }
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  // IVs are cut from a pool of random bytes: a call to randomBytes costs ~5 µs, and a sender seals a
  // reference for every message (DeliveryRefs). Each IV is still 96 fresh random bits, used once.
  let pool = Buffer.alloc(0);
  let used = 0;
  const nextIv = () => {
    if (used + 12 > pool.length) {
      pool = randomBytes(12 * 512);
      used = 0;
    }
    used += 12;
    return pool.subarray(used - 12, used);
  };
  return {
    seal(plaintext, context) {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretDecryptError('not a sealed secret of a known version');
      const [, iv, tag, ct] = parts as [string, string, string, string];
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // Never echo the ciphertext or the reason detail: a wrong key and a tampered row look the same.
        throw new SecretDecryptError('the secret cannot be decrypted with the configured WAREACH_SECRET_KEY (wrong key, or the stored value was altered)');
      }
    },
  };
}

/**
 * What a send carries in `biz_opaque_callback_data` to name its delivery, and back. A delivery id holds
 * its recipient (a profile ID, which is the customer's own user ID, or a phone number: see
 * `deliveryIdFor`), and that is not for Meta to read, so the id travels sealed under the secret key
 * (`d.` + a SecretBox value bound to the context `delivery`). A status webhook's value that does not
 * open is not ours and names nothing; a bare id (`d_…`) is still read, as sends made before ids were
 * sealed carried it.
 */
export interface DeliveryRefs {
  toCallback(deliveryId: string): string;
  fromCallback(data: string): string | undefined;
}

const DELIVERY_REF = 'd.';

export function createDeliveryRefs(box: SecretBox): DeliveryRefs {
  return {
    toCallback: (id) => DELIVERY_REF + box.seal(id, 'delivery'),
    fromCallback(data) {
      if (data.startsWith('d_')) return data;
      if (!data.startsWith(DELIVERY_REF)) return undefined;
      try {
        return box.open(data.slice(DELIVERY_REF.length), 'delivery');
      } catch {
        return undefined;
      }
    },
  };
}
